"""`quiz.store.values.instant_of`: every stored form of a time reads as the same aware
UTC datetime (SQLite's text is parsed with its zone at once)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from quiz.clock import micros_since_1970
from quiz.store.values import instant_of, micros_of

WHEN = datetime(2026, 7, 21, 21, 26, 34, 144896, tzinfo=timezone.utc)
WHOLE = datetime(2026, 7, 21, 21, 26, 34, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("2026-07-21 21:26:34.144896", WHEN),  # SQLite's text, as SQLAlchemy writes it
        ("2026-07-21 21:26:34", WHOLE),  # a whole second: no fraction written
        (datetime(2026, 7, 21, 21, 26, 34, 144896), WHEN),  # PostgreSQL: naive UTC
        (micros_since_1970(WHEN), WHEN),  # the log's times on SQLite
    ],
)
def test_every_stored_form_is_the_same_utc_instant(stored: object, expected: datetime) -> None:
    got = instant_of(stored)
    assert got == expected and got is not None and got.tzinfo is timezone.utc
    assert micros_of(stored) == micros_since_1970(expected)


def test_no_time_is_none() -> None:
    assert instant_of(None) is None and micros_of(None) is None
