"""Stored values as either driver hands them over (SQLAlchemy's session or the stdlib
`sqlite3` of the lean path): one reading of each, without importing SQLAlchemy."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# A log entry's kind as stored (reviews.kind): its index here (quiz.store.models.EntryKind).
ENTRY_KINDS = ("review", "drill", "manual")


def instant_of(value: object) -> datetime | None:
    """A stored time as a UTC-aware datetime: integer microseconds since 1970 (the log's
    times on SQLite), SQLite's text, or a naive UTC datetime (PostgreSQL)."""
    if value is None:
        return None
    if isinstance(value, int):
        return EPOCH + timedelta(microseconds=value)
    if isinstance(value, str):  # raw text from SQLite
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime), value
    return value.replace(tzinfo=timezone.utc)


def micros_of(value: object) -> int | None:
    """A stored time as integer microseconds since 1970 (UTC): the log's times as SQLite
    keeps them; any other form read through `instant_of`."""
    if value is None or isinstance(value, int):
        return value
    at = instant_of(value)
    assert at is not None
    return (at - EPOCH) // timedelta(microseconds=1)
