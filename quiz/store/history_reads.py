"""A card's log and the schedule each entry started from: SQL text that both drivers run.

The log keeps the schedule an entry left, not the one it started from (migration 0012):
that is the schedule the learner's previous review or manual entry of the card left (a
new card's when there is none), unless `review_befores` keeps one where the card changed
without a log entry. `befores` is that rule, for the Repo (undo, goals) and for `quiz
cards show`, which reads a current SQLite store through sqlite3 without loading
SQLAlchemy (quiz.store.lean).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING

from quiz.model import Schedule
from quiz.store.log_packs import ids_after
from quiz.store.selection import schedule_from
from quiz.store.values import ENTRY_KINDS, after_of, instant_of

if TYPE_CHECKING:
    from quiz.store.due import Execute

_SETS_SCHEDULE = f"({ENTRY_KINDS.index('review')}, {ENTRY_KINDS.index('manual')})"
_AFTER = "state, step, stability, difficulty, due_lag, last_review_lag, reps, lapses"
_CHUNK = 500


@dataclass(frozen=True)
class LogEntry:
    """One entry of a card's log, as `quiz cards show` lists it."""

    id: int
    kind: str  # review, drill or manual
    rating: int
    correct: bool | None
    reviewed_at: datetime
    duration_ms: int
    after: Schedule | None  # the schedule it left (None: a drill)


def _after(reviewed_at: datetime, columns: Sequence[object]) -> Schedule | None:
    names = ("state", "step", "stability", "difficulty", "due_lag", "last_review_lag")
    row = SimpleNamespace(reviewed_at=reviewed_at, **dict(zip(names, columns[:6], strict=True)))
    row.reps, row.lapses = columns[6], columns[7]
    return after_of(row)


class HistoryReads:
    """One learner's log reads through `execute(sql, params)` (quiz.store.due)."""

    def __init__(self, execute: Execute, learner_id: int, *, sqlite: bool) -> None:
        self.execute = execute
        self.learner_id = learner_id
        self.sqlite = sqlite

    def card_history(self, card_id: int) -> list[LogEntry]:
        """Every entry of this learner's for one card (answers, drills, manual changes),
        oldest first. (Sorted here: an ORDER BY on the time makes SQLite walk the
        learner's whole log in time order instead of finding the card's few entries.)"""
        rows = self.execute(
            "SELECT id, kind, rating, correct, reviewed_at, duration_ms, "
            + _AFTER
            + " FROM reviews WHERE learner_id = :learner AND card_id = :card",
            {"learner": self.learner_id, "card": int(card_id)},
        )
        out = []
        for r in rows:
            at = instant_of(r[4])
            assert at is not None
            correct = None if r[3] is None else bool(r[3])
            out.append(
                LogEntry(r[0], ENTRY_KINDS[r[1]], r[2], correct, at, r[5], _after(at, r[6:]))
            )
        return sorted(out, key=lambda e: (e.reviewed_at, e.id))

    def befores(
        self, entry_ids: Sequence[int], card_ids: Sequence[int] = ()
    ) -> dict[int, Schedule]:
        """The schedule each entry started from, by entry id (module docstring).
        `card_ids`: the entries' cards, where the caller knows them: on PostgreSQL an
        entry is then read from its card's pack, not found among every pack written
        since the oldest of them (a card shown in `quiz cards show` read thousands)."""
        ids = [int(i) for i in entry_ids]
        out: dict[int, Schedule] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            for r in self.execute(
                "SELECT review_id, state, step, stability, difficulty, due, last_review, reps,"
                f" lapses FROM review_befores WHERE review_id IN ({_listed(chunk)})",
                {},
            ):
                out[r[0]] = schedule_from(
                    r[1], r[2], r[3], r[4], instant_of(r[5]), instant_of(r[6]), r[7], r[8]
                )
            rest = [i for i in chunk if i not in out]
            links: dict[int, int | None] = {}
            cards: set[int] = set()
            if rest:
                # (on PostgreSQL an entry's pack holds no id below it: ids_after finds the
                # few packs written since the oldest of these, quiz.store.log_packs)
                since = ids_after("r", str(min(rest) - 1), sqlite=self.sqlite)
                by_card = (
                    f" AND r.card_id IN ({_listed(sorted(set(card_ids)))})" if card_ids else ""
                )
                for r in self.execute(
                    "SELECT r.id, r.card_id, (SELECT MAX(p.id) FROM reviews AS p"
                    " WHERE p.learner_id = r.learner_id AND p.card_id = r.card_id"
                    f" AND p.kind IN {_SETS_SCHEDULE} AND p.id < r.id)"
                    f" FROM reviews AS r WHERE r.id IN ({_listed(rest)}) AND {since}{by_card}",
                    {},
                ):
                    links[r[0]] = r[2]
                    cards.add(int(r[1]))
            previous = [p for p in links.values() if p is not None]
            afters: dict[int, Schedule | None] = {}
            if previous:
                for r in self.execute(  # by their cards too: a pack is found by its card
                    f"SELECT id, reviewed_at, {_AFTER} FROM reviews"
                    f" WHERE card_id IN ({_listed(sorted(cards))}) AND id IN ({_listed(previous)})",
                    {},
                ):
                    at = instant_of(r[1])
                    assert at is not None
                    afters[r[0]] = _after(at, r[2:])
            for entry_id, prev_id in links.items():
                out[entry_id] = (afters.get(prev_id) if prev_id is not None else None) or Schedule()
        return out


def _listed(ids: Sequence[int]) -> str:
    return ", ".join(str(int(i)) for i in ids)
