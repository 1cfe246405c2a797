"""Stored values as either driver hands them over (SQLAlchemy's session or the stdlib
`sqlite3` of the lean path): one reading of each, without importing SQLAlchemy."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from quiz.clock import MICROSECOND, from_micros, micros_since_1970

if TYPE_CHECKING:
    from quiz.model import Schedule

# A log entry's kind as stored (reviews.kind): its index here (quiz.store.models.EntryKind).
ENTRY_KINDS = ("review", "drill", "manual")


def instant_of(value: object) -> datetime | None:
    """A stored time as a UTC-aware datetime: integer microseconds since 1970 (the log's
    times on SQLite), SQLite's text, or a naive UTC datetime (PostgreSQL)."""
    if value is None:
        return None
    if isinstance(value, int):
        return from_micros(value)
    if isinstance(value, str):  # raw text from SQLite, always UTC: parsed as such at once
        return datetime.fromisoformat(value + "+00:00")
    assert isinstance(value, datetime), value
    return value.replace(tzinfo=timezone.utc)


def micros_of(value: object) -> int | None:
    """A stored time as integer microseconds since 1970 (UTC): the log's times as SQLite
    keeps them; any other form read through `instant_of`."""
    if value is None or isinstance(value, int):
        return value
    at = instant_of(value)
    assert at is not None
    return micros_since_1970(at)


# ---- the schedule a log entry left (migration 0012: numbers, not JSON) ----------------


def due_after(at: datetime, due_lag: int | None) -> datetime | None:
    """When a card is due after a log entry at `at`, from the entry's `due_lag`."""
    return None if due_lag is None else at + due_lag * MICROSECOND


def after_of(row: Any) -> Schedule | None:
    """The schedule after a log entry, from any row with ReviewRow's schedule columns."""
    if row.state is None:
        return None
    from quiz.model import CardState, Schedule  # not for readers of times alone

    lag = row.last_review_lag
    return Schedule(
        state=CardState(row.state),
        step=row.step,
        stability=row.stability,
        difficulty=row.difficulty,
        due=due_after(row.reviewed_at, row.due_lag),
        last_review=None if lag is None else row.reviewed_at - lag * MICROSECOND,
        reps=row.reps,
        lapses=row.lapses,
    )


def after_columns(s: Schedule | None, at: datetime) -> dict[str, Any]:
    """ReviewRow's schedule columns for the schedule `s` left by an entry at `at`."""
    if s is None:
        return dict.fromkeys(AFTER_COLUMNS)
    lag = None if s.last_review is None else (at - s.last_review) // MICROSECOND
    return {
        "state": int(s.state),
        "step": s.step,
        "stability": s.stability,
        "difficulty": s.difficulty,
        "due_lag": None if s.due is None else (s.due - at) // MICROSECOND,
        "last_review_lag": lag,
        "reps": s.reps,
        "lapses": s.lapses,
    }


AFTER_COLUMNS = (
    "state",
    "step",
    "stability",
    "difficulty",
    "due_lag",
    "last_review_lag",
    "reps",
    "lapses",
)
