"""Versioned schema migrations (Alembic), applied when a store is opened.

Alembic is only imported when the store's revision differs from the newest one the
package ships, so opening an up-to-date store costs one small query.

On a shared PostgreSQL store several clients may open a fresh (or older) database at
the same moment; the upgrade runs under a transaction-scoped advisory lock and looks
at the revision again once it holds it, so exactly one client migrates and the others
find the work done. Every upgrade is one transaction on both back ends (SQLite's DDL is
transactional too, once the driver lets it be: see `_transactional`), so a failed or
killed upgrade leaves nothing half-made.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from quiz.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD = "0020"

log = logging.getLogger(__name__)


def current_revision(conn: Connection) -> str | None:
    """The store's schema revision; None for a database without one (new or foreign).
    Every command asks, on a new connection: on PostgreSQL through `to_regclass` (the
    search path's tables, as the inspector's `has_table`), which a new server process
    plans at once, where the inspector's catalog query cost a cold plan each time."""
    if conn.dialect.name == "postgresql":
        present = conn.execute(text("SELECT to_regclass('alembic_version') IS NOT NULL")).scalar()
    else:
        present = inspect(conn).has_table("alembic_version")
    if not present:
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
    """Bring the store's schema to `target` in one transaction, on both back ends: a
    crash, a full disk or Ctrl-C in the middle leaves the store as it was before."""
    from alembic import command

    with _sqlite_file_lock(engine), _transactional(engine) as mig:
        with mig.begin() as conn:
            if (
                conn.dialect.name == "sqlite"
                and target == "head"
                and current_revision(conn) == HEAD
            ):
                return  # another process migrated while we waited for the lock
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                if target == "head" and current_revision(conn) == HEAD:
                    return  # another client migrated while we waited for the lock
            before = current_revision(conn)
            refuse_foreign(conn, before)
            command.upgrade(_alembic_config(conn), target)
            after = current_revision(conn)
        if mig.dialect.name == "sqlite" and before is not None and before < LEAN <= (after or ""):
            _vacuum(mig)


LEAN = "0012"  # the lean review log: its copy leaves the old log's pages free in the file


def _vacuum(engine: Engine) -> None:
    """Give the file back the pages the old review log held (VACUUM is atomic too: a
    kill leaves the migrated store as it was, only bigger)."""
    log.info("compacting the store after the upgrade")
    raw = engine.raw_connection()  # the driver's own: no BEGIN (VACUUM refuses one)
    try:
        raw.cursor().execute("VACUUM")
    finally:
        raw.close()


@contextlib.contextmanager
def _transactional(engine: Engine) -> Iterator[Engine]:
    """An engine whose transactions cover DDL.

    Python's sqlite3 module (in its default, legacy mode) begins a transaction only
    before INSERT/UPDATE/DELETE, so each CREATE TABLE of a migration committed on its
    own and a kill in between left a half-made schema for ever ("table decks already
    exists"). Here the driver's own transaction handling is off and SQLAlchemy emits
    BEGIN IMMEDIATE itself (SQLAlchemy's "serializable isolation / savepoints /
    transactional DDL" recipe for pysqlite), so the whole upgrade is one transaction
    that also holds the write lock from its start. PostgreSQL's DDL is transactional
    as it is."""
    if engine.dialect.name != "sqlite":
        yield engine
        return
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    from quiz.store.engine import BUSY_TIMEOUT_MS, _on_sqlite_connect

    mig = create_engine(
        engine.url, poolclass=NullPool, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}
    )

    @event.listens_for(mig, "connect")
    def _connect(dbapi_conn: Any, record: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver emits no BEGIN/COMMIT of its own
        _on_sqlite_connect(dbapi_conn, record)

    @event.listens_for(mig, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        yield mig
    finally:
        mig.dispose()


def refuse_foreign(conn: Connection, revision: str | None) -> None:
    """Refuse to add quiz's tables to a database that holds something else: a quiz
    store has the `quiz_store` mark (0010), or quiz's migration history and tables."""
    from quiz.store.location import QUIZ_TABLES

    tables = set(inspect(conn).get_table_names())
    if "quiz_store" in tables:
        return
    if revision is None and not tables - {"alembic_version"}:
        return  # empty: a new store
    if revision is not None and tables >= QUIZ_TABLES:
        return  # a quiz store from before the mark
    from quiz.store.engine import _redact, sqlite_path

    where = sqlite_path(str(conn.engine.url)) or _redact(str(conn.engine.url))
    raise StoreError(
        f"{where}: not a quiz store (a database of another program?); quiz left it alone"
    )


def ensure_schema(engine: Engine, *, read_only: bool = False, where: str = "") -> None:
    with engine.connect() as conn:
        revision = current_revision(conn)
        if revision != HEAD:
            refuse_foreign(conn, revision)
    if revision == HEAD:
        return
    known = {p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("*.py")}
    if revision is not None and revision not in known:
        raise StoreError(f"store schema {revision} is newer than this quiz knows; upgrade quiz")
    if read_only:
        raise StoreError(
            f"{where or engine.url.database}: the store is read-only and needs an upgrade "
            f"(schema {revision} to {HEAD}); open it once where it can be written"
        )
    log.info("migrating the store from %s to %s", revision or "an empty database", HEAD)
    try:
        upgrade(engine)
    except DBAPIError:
        with engine.connect() as conn:  # SQLite: another process migrated it under our feet
            if current_revision(conn) == HEAD:
                return
        raise


SHOW_PROGRESS = 50_000  # rows from which a migration's long step shows its progress


class Progress:
    """How far a migration's long step is, on stderr: a rich bar on a terminal,
    otherwise a line per tenth; nothing for a step of fewer than SHOW_PROGRESS rows."""

    def __init__(self, total: int, what: str) -> None:
        self.total = total
        self.what = what
        self.done = 0
        self.next_line = total // 10
        self.bar: Any = None
        self.shown = total >= SHOW_PROGRESS
        if self.shown and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress as Bar

            self.bar = Bar(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(what, total=total)
        elif self.shown:
            print(f"{what}: {total:,} entries ...", file=sys.stderr, flush=True)

    def advance(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)
        elif self.shown and self.done >= self.next_line:
            print(f"{self.what}: {self.done:,} of {self.total:,}", file=sys.stderr, flush=True)
            self.next_line = self.done + self.total // 10

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
