"""`quiz import` into a current SQLite store through the stdlib `sqlite3` driver.

Loading SQLAlchemy, its ORM and the mapped classes cost an import of a new deck more
than its writes (issue #19). A current SQLite store the learner already uses needs
none of it: this writer runs `quiz.store.deck_sync` (the statements `Repo.sync_deck`
runs through the session) and the planner statistics of `quiz.store.tuning` on one
sqlite3 connection, with the full store's connection settings (`quiz.store.pragmas`),
in one transaction: all or nothing, as the full store's unit of work. A deck's writes
run on a second thread while its next rows are made (`Beside`).

It declines (`open_writer` returns None) wherever it does not own the case, and the
full store then opens as usual: another database, a missing, read-only or older store
(to create or migrate), a learner the store does not know yet (the full store enrols
them), `QUIZ_DEBUG`, any error before anything is read. Once it has begun, a driver
error is one line, worded as the full store words it (`quiz.store.engine`), and
nothing is written. The reads come before the write lock (as the sqlite3 module's own
transactions begin at the first write): the write transaction starts with the first
deck written, under the lock watcher's notice (`quiz.store.lockwait`), and checks the
store's revision again once it holds the lock.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from queue import SimpleQueue
from threading import Thread

from quiz.errors import StoreError
from quiz.store import deck_sync
from quiz.store.lean import head_revision
from quiz.store.pragmas import writer_connection
from quiz.store.tuning import CATALOGUE_STATS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime
    from typing import Any

    from quiz.model import Deck
    from quiz.store.lockwait import LockWatch


def open_writer(db: str | None, learner: str | None) -> LeanWriter | None:
    """The writer for the store `--db`/`QUIZ_DB` names, or None (see the module)."""
    import os

    if os.environ.get("QUIZ_DEBUG"):
        return None
    from quiz.store.location import learner_name, locate

    try:
        found = locate(db, create=False)
        name = learner_name(learner)
    except Exception:  # refused, a name too long, a bad path: the full store words it
        return None
    if found.path is None or found.read_only:
        return None
    try:
        conn = writer_connection(str(found.path), threads=True)
    except sqlite3.Error:
        return None
    try:
        if (
            _revision(conn) == head_revision()
            and conn.execute("SELECT 1 FROM learners WHERE name = ?", (name,)).fetchone()
        ):
            return LeanWriter(conn, found.path, found.url)
    except sqlite3.Error:
        pass
    conn.close()
    return None


def _revision(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])


def _variables(conn: sqlite3.Connection) -> int:
    """How many parameters one statement may bind: the connection's limit where the
    driver tells it (Python 3.11), else SQLite's smallest default."""
    getlimit = getattr(conn, "getlimit", None)
    limit = getattr(sqlite3, "SQLITE_LIMIT_VARIABLE_NUMBER", None)
    if getlimit is None or limit is None:
        return 999
    return int(getlimit(limit))


class LeanWriter:
    """One unit of work of `quiz import` on a current SQLite store: what
    `quiz.collection.import_paths` asks of a store (`decks_by_path`, `sync_deck`),
    then `refresh_catalogue_stats` and `commit`; leaving the block without a commit
    rolls everything back."""

    def __init__(self, conn: sqlite3.Connection, path: Path, url: str) -> None:
        self.conn = conn
        self.path = path
        self.url = url
        self.runner = Beside(
            deck_sync.SqliteRunner(
                conn.execute, conn.executemany, lambda: conn.in_transaction, _variables(conn)
            )
        )
        self.watch: LockWatch | None = None

    def __enter__(self) -> LeanWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.runner.stop()
            if self.conn.in_transaction:
                self.conn.rollback()
        finally:
            self.conn.close()
            if self.watch is not None:
                self.watch.close()

    def _worded(self, exc: sqlite3.Error) -> StoreError:
        from quiz.store.engine import describe_error  # an error: SQLAlchemy may load now

        return StoreError(describe_error(exc, self.url))

    def _waiting(self, sql: str) -> None:
        """A statement that may wait for another program's lock, watched for the notice."""
        if self.watch is None:
            from quiz.store.lockwait import LockWatch

            self.watch = LockWatch(self.path)
        self.watch.started()
        try:
            self.conn.execute(sql)
        finally:
            self.watch.stopped()

    def decks_by_path(self) -> dict[str, deck_sync.StoredDeckInfo]:
        try:
            return deck_sync.decks_by_path(self.runner)
        except sqlite3.Error as exc:
            raise self._worded(exc) from exc

    def begin(self) -> None:
        """Take the write lock, once (the first write; `quiz cards` actions too)."""
        if not self.conn.in_transaction:
            self._waiting("BEGIN IMMEDIATE")
            if _revision(self.conn) != head_revision():  # migrated meanwhile
                raise StoreError(f"{self.path}: the store was upgraded meanwhile; try again")

    def sync_deck(self, deck: Deck, path: str, file_hash: str, now: datetime) -> dict[str, int]:
        try:
            self.begin()
            return deck_sync.sync_deck(self.runner, deck, path, file_hash, now)
        except sqlite3.Error as exc:
            raise self._worded(exc) from exc

    def refresh_catalogue_stats(self) -> None:
        """The planner statistics the full import refreshes (quiz.store.tuning)."""
        try:
            for sql in CATALOGUE_STATS:
                self.conn.execute(sql)
        except sqlite3.Error as exc:
            raise self._worded(exc) from exc

    def commit(self) -> None:
        if not self.conn.in_transaction:
            return
        try:
            self._waiting("COMMIT")
        except sqlite3.Error as exc:
            raise self._worded(exc) from exc


# The interpreter's switch interval while the writer runs (seconds): short enough that
# its turns come soon after each step, long enough that switching costs little.
WRITER_SWITCH_S = 0.0005


class Beside:
    """deck_sync's runner with its writes (`run_many`) run on a second thread, in the
    order asked, while this one makes the next rows: SQLite writes a statement's rows
    without holding the interpreter (the SqliteRunner binds many rows a statement), so
    a big deck's inserts cost little more than making their rows. Anything else it is
    asked waits for the writes before it; the first write that fails skips the rest,
    and its error is raised by the next thing asked. One thread at a time uses the
    connection."""

    def __init__(self, runner: deck_sync.SqliteRunner) -> None:
        self.runner = runner
        self.jobs: SimpleQueue[tuple[str, list[tuple[Any, ...]], str | None] | None] = SimpleQueue()
        self.thread: Thread | None = None
        self.error: BaseException | None = None
        self.cancelled = False
        self.interval = 0.0

    def _work(self) -> None:
        while (job := self.jobs.get()) is not None:
            if self.error is None and not self.cancelled:
                try:
                    self.runner.run_many(*job)
                except BaseException as exc:  # raised by the thread that asked: wait()
                    self.error = exc

    def run_many(self, sql: str, rows: list[tuple[Any, ...]], once: str | None = None) -> None:
        if self.thread is None:
            self.thread = Thread(target=self._work, name="quiz-import-writer", daemon=True)
            # The writer takes the interpreter back after each statement's step: at the
            # default interval it waits for this thread's turn to end (milliseconds) to
            # bind a statement, and writes a fraction of what it could meanwhile.
            self.interval = sys.getswitchinterval()
            sys.setswitchinterval(WRITER_SWITCH_S)
            self.thread.start()
        self.jobs.put((sql, rows, once))

    def wait(self) -> None:
        """Every write asked for is done; the first one's error, if one failed."""
        if self.thread is not None:
            self.jobs.put(None)
            self.thread.join()
            self.thread = None
            sys.setswitchinterval(self.interval)
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def stop(self) -> None:
        """Leaving early (an error, an interrupt): the writes not begun are dropped."""
        self.cancelled = True
        try:
            self.wait()
        except Exception:
            pass  # the caller's own error is the one to tell; the rollback follows

    def rows(self, sql: str, params: dict[str, Any]) -> list[Sequence[Any]]:
        self.wait()
        return self.runner.rows(sql, params)

    def run(self, sql: str, params: dict[str, Any]) -> None:
        self.wait()
        self.runner.run(sql, params)

    def form(self, name: str) -> Callable[[Any], Any]:
        return self.runner.form(name)

    def card_ids(self, count: int) -> Sequence[int]:
        self.wait()
        return self.runner.card_ids(count)

    def finish(self) -> None:
        self.wait()
        self.runner.finish()
