from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from quiz.clock import DayClock

UTC = timezone.utc


def test_day_starts_at_four_local():
    clock = DayClock(ZoneInfo("Europe/Berlin"), 4)
    # 02:30 UTC on Jan 2 is 03:30 in Berlin: still Jan 1's learner day
    assert clock.day_of(datetime(2026, 1, 2, 2, 30, tzinfo=UTC)) == date(2026, 1, 1)
    assert clock.day_of(datetime(2026, 1, 2, 3, 30, tzinfo=UTC)) == date(2026, 1, 2)
    assert clock.start_of(date(2026, 1, 2)) == datetime(2026, 1, 2, 3, 0, tzinfo=UTC)


def test_days_between_counts_boundaries():
    clock = DayClock(UTC, 4)
    evening = datetime(2026, 3, 1, 20, 30, tzinfo=UTC)
    morning = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    night = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    assert clock.days_between(evening, morning) == 1
    assert clock.days_between(evening, night) == 0
    assert clock.next_day_start(evening) == datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
