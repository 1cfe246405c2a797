"""The settings every SQLite connection that may write a store gets: the full store's
engine (`quiz.store.engine`) and the sqlite3 writers of `quiz import`
(`quiz.store.lean_write`) and of the rollups (`quiz.store.rollup_write`) alike, so two programs on one store wait for each other
(the busy timeout) and write the same way (WAL, foreign keys).

Its own module, free of SQLAlchemy, because the lean writer must not import it."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3

BUSY_TIMEOUT_MS = 10_000

SQLITE_PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
)


# The page cache of a sqlite3 writer's connection, in KiB. An import adds index entries
# for every card and tag in one transaction, and a first `quiz stats` writes a big log's
# card rollups in one statement: SQLite's default cache (2 MiB) cannot hold those pages
# of a big store and reads them again and again. Pages are taken only as they are touched.
WRITER_CACHE_KIB = 16 * 1024


def writer_connection(path: str, threads: bool = False) -> sqlite3.Connection:
    """A sqlite3 connection to the store file at `path`, in autocommit (the writer begins
    its own transaction), with every setting above and the writer's page cache.
    `threads`: a second thread of the caller's may run its statements (one at a time)."""
    import sqlite3

    conn = sqlite3.connect(
        path,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=not threads,
    )
    try:
        for pragma in SQLITE_PRAGMAS:
            conn.execute(pragma)
        conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
    except BaseException:
        conn.close()
        raise
    return conn
