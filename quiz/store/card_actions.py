"""The card actions — suspend, unsuspend, bury, unbury, forget, set due — as SQL text
that either driver runs.

`Repo` runs them through its session (PostgreSQL, a store to migrate, the keys of a
review session) and `quiz cards suspend ...` through the stdlib sqlite3 writer of a
current SQLite store (`open_lean`, over quiz.store.lean_write), so that acting on a
card does not load SQLAlchemy (issue #19). Values go over as the store keeps them
(`Selection.state_time`, `Selection.log_time`, an entry's kind as its number).

A flag (suspended, buried) is set on the learner's state of the card, made as a
never-answered card's when there is none. Forgetting and setting a due date append a
'manual' entry with the schedule it leaves, keep the schedule it started from where
the log cannot give it (migration 0012: quiz.store.history_reads `befores`), and write
the new schedule on the state: undo and `quiz rebuild` reproduce them, and no answer
is ever removed.
"""

from __future__ import annotations

from quiz.store.due import NEW
from quiz.store.values import AFTER_COLUMNS, ENTRY_KINDS, after_columns

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any

    from quiz.model import Schedule, StoredCard
    from quiz.store.lean_write import LeanWriter
    from quiz.store.selection import Selection

_KEY = "(learner_id, card_id)"
_NEW_STATE = f"{NEW}, 0, 0"  # state, reps, lapses of a card never answered
SUSPENDED = (
    "INSERT INTO card_states (learner_id, card_id, state, reps, lapses, suspended, leech)"
    f" VALUES (:learner, :card, {_NEW_STATE}, :suspended, FALSE)"
    f" ON CONFLICT {_KEY} DO UPDATE SET suspended = excluded.suspended"
)
BURIED = (
    "INSERT INTO card_states"
    " (learner_id, card_id, state, reps, lapses, suspended, leech, buried_until)"
    f" VALUES (:learner, :card, {_NEW_STATE}, FALSE, FALSE, :until)"
    f" ON CONFLICT {_KEY} DO UPDATE SET buried_until = excluded.buried_until"
)
_SCHEDULE = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
SCHEDULE = (
    f"INSERT INTO card_states (learner_id, card_id, {', '.join(_SCHEDULE)}, suspended, leech)"
    f" VALUES (:learner, :card, {', '.join(':' + c for c in _SCHEDULE)}, FALSE, FALSE)"
    f" ON CONFLICT {_KEY} DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in _SCHEDULE)
)
MANUAL_ENTRY = (
    "INSERT INTO reviews (learner_id, card_id, kind, rating, prev_state, reviewed_at,"
    f" duration_ms, {', '.join(AFTER_COLUMNS)}) VALUES (:learner, :card,"
    f" {ENTRY_KINDS.index('manual')}, 0, :prev_state, :at, 0,"
    f" {', '.join(':' + c for c in AFTER_COLUMNS)})"
)
BEFORE = (
    f"INSERT INTO review_befores (review_id, {', '.join(_SCHEDULE)})"
    f" VALUES (:entry, {', '.join(':' + c for c in _SCHEDULE)})"
)


class CardActions:
    """One learner's card actions through a card `Selection` (either driver); each a
    few statements inside the caller's transaction."""

    def __init__(self, selection: Selection) -> None:
        self.sel = selection

    def _run(self, sql: str, params: dict[str, object]) -> Any:
        return self.sel.execute(sql, {"learner": self.sel.learner_id, **params})

    def set_suspended(self, card_id: int, suspended: bool) -> None:
        self._run(SUSPENDED, {"card": card_id, "suspended": suspended})

    def bury(self, card_id: int, until: datetime | None) -> None:
        """Bury until `until` (None: unbury)."""
        at = None if until is None else self.sel.state_time(until)
        self._run(BURIED, {"card": card_id, "until": at})

    def reschedule(self, item: StoredCard, after: Schedule, at: datetime) -> int:
        """Set a card's schedule by hand: the 'manual' entry's id (module docstring)."""
        entry = {
            "card": item.row_id,
            "prev_state": int(item.schedule.state),
            "at": self.sel.log_time(at),
            **after_columns(after, at),
        }
        if self.sel.sqlite:
            entry_id = int(self._run(MANUAL_ENTRY, entry).lastrowid)
        else:
            entry_id = int(next(iter(self._run(MANUAL_ENTRY + " RETURNING id", entry)))[0])
        from quiz.store.history_reads import HistoryReads

        derived = HistoryReads(
            self.sel.execute, self.sel.learner_id, sqlite=self.sel.sqlite
        ).befores([entry_id], [item.row_id])
        if item.schedule != derived[entry_id]:
            self._run(BEFORE, {"entry": entry_id, **self._schedule(item.schedule, log=True)})
        self._run(SCHEDULE, {"card": item.row_id, **self._schedule(after, log=False)})
        return entry_id

    def _schedule(self, s: Schedule, *, log: bool) -> dict[str, object]:
        """A schedule's columns, its times as the log (`log`) or card_states keeps them."""
        time = self.sel.log_time if log else self.sel.state_time
        return {
            "state": int(s.state),
            "step": s.step,
            "stability": s.stability,
            "difficulty": s.difficulty,
            "due": None if s.due is None else time(s.due),
            "last_review": None if s.last_review is None else time(s.last_review),
            "reps": s.reps,
            "lapses": s.lapses,
        }


class LeanCards:
    """What `quiz.manage.act` asks of a store, on a current SQLite store through the
    sqlite3 writer: the card reads of `quiz.store.selection` and these actions on its
    connection, in one transaction that takes the write lock at the first action
    (`LeanWriter.begin`); a driver error is worded as the full store words it."""

    def __init__(self, writer: LeanWriter, learner_id: int) -> None:
        from quiz.store.selection import Selection

        self.writer = writer
        conn = writer.conn
        self.actions = CardActions(
            Selection(lambda sql, params: conn.execute(sql, params), learner_id, sqlite=True)
        )

    def _guarded(self, work: Any, *args: Any, write: bool = True) -> Any:
        import sqlite3

        try:
            if write:
                self.writer.begin()
            return work(*args)
        except sqlite3.Error as exc:
            from quiz.errors import StoreError
            from quiz.store.engine import describe_error  # an error: SQLAlchemy may load

            raise StoreError(describe_error(exc, self.writer.url)) from exc

    def get_card(self, key: str) -> StoredCard | None:
        return self._guarded(self.actions.sel.get_card, key, write=False)

    def set_suspended(self, card_id: int, suspended: bool) -> None:
        self._guarded(self.actions.set_suspended, card_id, suspended)

    def bury(self, card_id: int, until: datetime) -> None:
        self._guarded(self.actions.bury, card_id, until)

    def unbury(self, card_id: int) -> None:
        self._guarded(self.actions.bury, card_id, None)

    def reschedule(self, item: StoredCard, after: Schedule, at: datetime) -> int:
        return self._guarded(self.actions.reschedule, item, after, at)

    def commit(self) -> None:
        self.writer.commit()


def open_lean(db: str | None, learner: str | None) -> tuple[LeanWriter, LeanCards] | None:
    """The sqlite3 writer and the actions on it, for the store `--db`/`QUIZ_DB` names,
    or None where the full store must act (quiz.store.lean_write `open_writer`)."""
    from quiz.store.lean_write import open_writer
    from quiz.store.location import learner_name

    writer = open_writer(db, learner)
    if writer is None:
        return None
    try:
        row = writer.conn.execute(
            "SELECT id FROM learners WHERE name = ?", (learner_name(learner),)
        ).fetchone()
    except Exception:
        row = None
    if row is None:
        writer.conn.close()
        return None
    return writer, LeanCards(writer, int(row[0]))
