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
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from quiz.errors import StoreError
from quiz.store.location import default_store_path, is_postgres, resolve_url, sqlite_path

__all__ = ["default_store_path", "is_postgres", "resolve_url", "sqlite_path"]

BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_TIMEOUT_S = 10


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def make_engine(url: str, *, create: bool = True) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        if path.exists() and path.is_dir():
            raise StoreError(f"{path}: is a directory, not a quiz store")
        if not path.exists():
            if not create:
                raise StoreError(f"{path}: no such store")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"{path.parent}: cannot create the store's folder: {exc.strerror}"
                ) from None
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    if url.startswith("sqlite"):  # sqlite:///:memory: and other forms quiz does not manage
        return create_engine(url)
    options: dict[str, Any] = {"pool_pre_ping": True}
    if is_postgres(url):
        options["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    try:
        return create_engine(url, **options)
    except ImportError:
        raise StoreError(
            f"{_redact(url)}: the PostgreSQL driver is not installed; pip install 'quiz[postgres]'"
        ) from None
    except (SQLAlchemyError, ValueError) as exc:
        raise StoreError(f"cannot use store URL {_redact(url)}: {exc}") from None


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


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else text


@contextlib.contextmanager
def translate_errors(url: str) -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        raise StoreError(describe_error(exc, url)) from exc
