"""Versioned schema migrations (Alembic), applied when a store is opened.

Alembic is only imported when the store's revision differs from the newest one the
package ships, so opening an up-to-date store costs one small query.

On a shared PostgreSQL store several clients may open a fresh (or older) database at
the same moment; the upgrade runs under a transaction-scoped advisory lock and looks
at the revision again once it holds it, so exactly one client migrates and the others
find the work done. (PostgreSQL's DDL is transactional: a failed upgrade leaves
nothing half-made.)
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from quiz.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD = "0009"

log = logging.getLogger(__name__)


def current_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _alembic_config(conn: Connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


MIGRATION_LOCK = 0x7175697A  # "quiz": the advisory lock key that serialises upgrades


@contextlib.contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    """Serialise upgrades of one SQLite file across processes (a lock file beside it):
    SQLite's DDL is not guarded the way PostgreSQL's advisory lock guards it, so two
    first uses at once would both try to create the tables."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    try:
        import fcntl
    except ImportError:  # Windows: rely on the re-check after a failed upgrade
        yield
        return
    with open(f"{database}.migrate-lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def upgrade(engine: Engine, target: str = "head") -> None:
    """Bring the store's schema to `target` (in one transaction where the DB allows)."""
    from alembic import command

    with _sqlite_file_lock(engine), engine.begin() as conn:
        if conn.dialect.name == "sqlite" and target == "head" and current_revision(conn) == HEAD:
            return  # another process migrated while we waited for the lock
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            if target == "head" and current_revision(conn) == HEAD:
                return  # another client migrated while we waited for the lock
        command.upgrade(_alembic_config(conn), target)


def ensure_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        revision = current_revision(conn)
    if revision == HEAD:
        return
    known = {p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("*.py")}
    if revision is not None and revision not in known:
        raise StoreError(f"store schema {revision} is newer than this quiz knows; upgrade quiz")
    log.info("migrating the store from %s to %s", revision or "an empty database", HEAD)
    try:
        upgrade(engine)
    except DBAPIError:
        with engine.connect() as conn:  # SQLite: another process migrated it under our feet
            if current_revision(conn) == HEAD:
                return
        raise
