"""The refresh of a learner's rollups (quiz.store.rollups) on a current SQLite store
through the stdlib `sqlite3` driver: what `quiz stats` runs while it reads the store
through the lean connection (quiz.store.late), so that a store whose rollups lag the
log is brought up to date without loading SQLAlchemy.

The statements are quiz.store.rollups' `Refresh`, the very text the Repo's session
runs, in one transaction (all or nothing) on a connection with the full store's
settings (quiz.store.pragmas), begun by taking the write lock, the store's revision
checked again once it is held.

It declines (returns None, having written nothing) wherever the full store should
refresh instead, which then does what it has always done: `QUIZ_DEBUG`; a store locked
by another program (the lock is asked for without waiting: the full store waits, with
its notice, and retries); a read-only file (it groups the log directly); a store
migrated meanwhile; any driver error (it words it).

When the day rollups are to be built anew (the first `quiz stats` on a store, another
clock), their rows are grouped on a second, read-only connection on a thread
(`DaysAhead`) while the writer builds the card rollups: the two passes over the log
run side by side on two cores. The reader begins after the writer holds the lock, so
both see the same log (the writer writes only rollups), and it groups the same
entries with the same SQL (`Refresh.day_rows`), each card's first review grouped
from the log rather than read from the card rollups being written.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from quiz.store.rollups import Refresh

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quiz.stats.rows import LearnerDays
    from quiz.store.lean import LeanStore

log = logging.getLogger("quiz.store.rollups")


def refresh(lean: LeanStore, days: LearnerDays | None) -> str | None:
    """Bring the rollups of the learner `lean` reads up to the end of the log (and the
    day rollups in the clock `days`); commits. The word of `Refresh.run`, or None
    where the full store should refresh (module docstring)."""
    import os

    from quiz.store.lean import head_revision
    from quiz.store.pragmas import BUSY_TIMEOUT_MS, writer_connection

    if os.environ.get("QUIZ_DEBUG") or lean.path is None:
        return None
    path = lean.path
    try:
        conn = writer_connection(str(path))
    except sqlite3.Error:
        return None
    try:
        conn.execute("PRAGMA busy_timeout = 0")  # held by another program: the full store waits
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if row is None or row[0] != head_revision():  # migrated meanwhile
            return None
        ahead = DaysAhead.start(conn, path, lean.learner_id, days)
        try:
            word = Refresh(conn.execute, lean.learner_id, sqlite=True).run(days, ahead)
        finally:
            if ahead is not None:
                ahead.join()
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        log.debug("rollups not refreshed through sqlite3 (%s): the full store refreshes", exc)
        return None
    finally:
        if conn.in_transaction:
            conn.rollback()
        conn.close()
    log.debug("rollups %s through sqlite3", word)
    return word


class DaysAhead:
    """The day rollups' rows of a rebuild (`Refresh.day_rows`), grouped on a read-only
    connection of their own on a thread; called with the newest id the writer holds,
    the rows if they hold the learner's entries up to it, else None (a driver error,
    another id: the writer groups them itself)."""

    def __init__(self, path: Path, learner_id: int, days: LearnerDays) -> None:
        self.path = path
        self.learner_id = learner_id
        self.days = days
        self.rows: tuple[int, list[Sequence[Any]]] | None = None
        self.thread = threading.Thread(target=self._group, name="quiz-day-rollups", daemon=True)

    @classmethod
    def start(
        cls, conn: sqlite3.Connection, path: Path, learner_id: int, days: LearnerDays | None
    ) -> DaysAhead | None:
        """Started when the refresh will build the day rollups anew: no rollups, or
        day rollups of no clock or of another one (`Refresh._days_up_to`)."""
        if days is None:
            return None
        marks = conn.execute(
            "SELECT (SELECT 1 FROM review_rollup_marks WHERE learner_id = :learner),"
            " (SELECT clock FROM review_day_marks WHERE learner_id = :learner)",
            {"learner": learner_id},
        ).fetchone()
        if marks is not None and marks[0] is not None and marks[1] == days.key:
            return None
        ahead = cls(path, learner_id, days)
        ahead.thread.start()
        return ahead

    def _group(self) -> None:
        from quiz.store.lean import connect

        conn = connect(self.path)  # read-only, at the writer's revision
        if conn is None:
            return
        try:
            conn.execute("BEGIN")  # one snapshot for both statements
            top = int(conn.execute("SELECT MAX(reviews.id) FROM reviews").fetchone()[0] or 0)
            reads = Refresh(conn.execute, self.learner_id, sqlite=True)
            self.rows = (top, reads.day_rows(self.days, top))
        except sqlite3.Error as exc:
            log.debug("day rollups not grouped ahead (%s): the writer groups them", exc)
        finally:
            conn.close()

    def join(self) -> None:
        self.thread.join()

    def __call__(self, top: int) -> list[Sequence[Any]] | None:
        self.join()
        if self.rows is None or self.rows[0] != top:
            return None
        return self.rows[1]
