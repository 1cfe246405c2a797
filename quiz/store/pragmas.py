"""The settings every SQLite connection that may write a store gets: the full store's
engine (`quiz.store.engine`) and the sqlite3 writer of `quiz import`
(`quiz.store.lean_write`) alike, so two programs on one store wait for each other
(the busy timeout) and write the same way (WAL, foreign keys).

Its own module, free of SQLAlchemy, because the lean writer must not import it."""

from __future__ import annotations

BUSY_TIMEOUT_MS = 10_000

SQLITE_PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
)
