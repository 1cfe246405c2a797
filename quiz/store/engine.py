"""Where the store lives and how to open it safely.

`--db` / `QUIZ_DB` take a file path or a SQLAlchemy URL; the default is a file in
the platform's user data dir. SQLite gets WAL, foreign keys and a busy timeout on
every connection, so two sessions on one store wait for each other instead of
failing. PostgreSQL (a store shared by a class or a team) goes through the psycopg 3
driver: `postgresql://` and `postgres://` URLs are read as `postgresql+psycopg://`,
and a missing driver is one line naming the extra to install. Driver errors that a
user can act on (locked, not a database, unreachable server, wrong password) become
one-line StoreErrors; nothing dialect-specific leaves this package.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from quiz.errors import StoreError
from quiz.store.location import default_store_path, is_postgres, sqlite_path
from quiz.store.pragmas import BUSY_TIMEOUT_MS, SQLITE_PRAGMAS

__all__ = ["default_store_path", "is_postgres", "locate_store", "resolve_url", "sqlite_path"]

if TYPE_CHECKING:
    from quiz.store.location import Location

log = logging.getLogger("quiz.store.engine")

PG_CONNECT_TIMEOUT_S = 10


def resolve_url(db: str | None) -> str:
    """A SQLAlchemy URL from `--db`/`QUIZ_DB` (path or URL) or the default location
    (from the name alone: see `locate_store` for the rules checked on opening)."""
    from quiz.store import location

    try:
        return location.resolve_url(db)
    except location.LocationError as exc:
        raise StoreError(str(exc)) from None


def locate_store(db: str | None, *, create: bool = True) -> Location:
    """The one place that decides whether quiz may open the store named by `--db` /
    `QUIZ_DB`: blank names, in-memory databases, missing folders and databases that
    are not quiz stores are refused with one line (quiz.store.location)."""
    from quiz.store.location import LocationError, locate

    try:
        return locate(db, create=create)
    except LocationError as exc:
        raise StoreError(str(exc)) from None


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def make_engine(url: str, *, create: bool = True, read_only: bool = False) -> Engine:
    """An engine on a store `locate_store` has accepted (SQLite files get their pragmas;
    `read_only` opens the file so that nothing can be written to it)."""
    path = sqlite_path(url)
    if path is not None:
        if path.exists() and path.is_dir():
            raise StoreError(f"{path}: is a directory, not a quiz store")
        if not path.exists() and not create:
            raise StoreError(f"{path}: no such store")
        if read_only:
            return _read_only_engine(path)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _on_sqlite_connect)
        from quiz.store.lockwait import LockWatch

        LockWatch(path).attach(engine)
        return engine
    if url.startswith("sqlite"):
        raise StoreError(f"{url}: an in-memory store keeps nothing; give a store file instead")
    options: dict[str, Any] = {"pool_pre_ping": True}
    if is_postgres(url):
        options["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
        _keep_driver_logs_off_the_terminal()
    try:
        return create_engine(url, **options)
    except ImportError:
        raise StoreError(
            f"{_redact(url)}: the PostgreSQL driver is not installed; pip install 'quiz[postgres]'"
        ) from None
    except (SQLAlchemyError, ValueError) as exc:
        raise StoreError(f"cannot use store URL {_redact(url)}: {exc}") from None


def _keep_driver_logs_off_the_terminal() -> None:
    """psycopg logs a warning ("error ignored terminating <psycopg.Pipeline [BAD]>: the
    connection is lost") when the server goes away in the middle of a batch insert;
    with no logging set up, Python's last-resort handler printed it as a bare line
    before quiz's own message. A handler on the driver's logger keeps it off stderr;
    it still propagates to whatever logging `--debug` sets up."""
    driver = logging.getLogger("psycopg")
    if not any(isinstance(h, logging.NullHandler) for h in driver.handlers):
        driver.addHandler(logging.NullHandler())


def _read_only_engine(path: Path) -> Engine:
    """A store quiz may not write (file mode, a read-only folder or mount): opened with
    `mode=ro`, or `immutable=1` when the folder does not let SQLite make the shared
    memory file that a WAL store's readers need (then nobody can be writing it)."""
    import sqlite3
    from urllib.parse import quote

    flag = "mode=ro" if os.access(path.parent, os.W_OK) else "immutable=1"
    uri = f"file:{quote(str(path))}?{flag}"
    log.info("%s: read-only store, opened with %s", path, flag)

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    return create_engine("sqlite://", creator=connect)


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparsable URL>"


def describe_error(exc: BaseException, url: str) -> str:
    """One line a learner can act on, for a driver error on this store."""
    where = str(sqlite_path(url) or _redact(url))
    text = _first_line(str(getattr(exc, "orig", exc) or exc))
    low = text.lower()
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None) or ""
    if _disk_full(low, sqlstate, url):
        return (
            f"{where}: the disk is full; nothing was lost (this change was not saved, "
            "everything saved before is intact): free some space and try again"
        )
    if "locked" in low or "busy" in low:
        return f"{where}: the store is locked by another program (another quiz?); try again"
    if sqlstate in ("40001", "40P01", "23505"):
        return f"{where}: another quiz changed the same data at the same moment; try again ({text})"
    if sqlstate == "3D000" or ("database" in low and "does not exist" in low):
        return f"{where}: no such database on the server; create it first ({text})"
    if sqlstate == "28P01" or sqlstate == "28000" or "password authentication" in low:
        return f"{where}: the server refused the login ({text})"
    if (
        sqlstate.startswith("08")
        or "connection refused" in low
        or "could not connect" in low
        or "connection failed" in low
        or "timeout expired" in low
    ):
        return f"{where}: cannot reach the database server ({text})"
    if sqlstate == "42501" or "permission denied" in low:
        return f"{where}: not allowed ({text})"
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return f"{where}: not a quiz store, or it is damaged ({text})"
    if "readonly" in low or "read-only" in low:
        return f"{where}: the store is read-only ({text})"
    if "unable to open" in low:
        return f"{where}: cannot open the store ({text})"
    return f"{where}: store error: {text}"


def _disk_full(low: str, sqlstate: str, url: str) -> bool:
    """SQLite says "database or disk is full", or only "disk I/O error" when the WAL or
    journal could not grow: then the file system's free space tells."""
    if "disk is full" in low or "no space left" in low or sqlstate == "53100":
        return True
    path = sqlite_path(url)
    if "disk i/o error" not in low or path is None:
        return False
    try:
        stats = os.statvfs(path.parent)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < 64 * 1024


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else text


@contextlib.contextmanager
def translate_errors(url: str) -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        raise StoreError(describe_error(exc, url)) from exc
