"""The learner's day: it starts at a set hour (default 4 a.m.) in their time zone.

Daily limits, burying, "due today" and the elapsed days the scheduler sees are all
counted in these days, not in 24-hour periods: a card reviewed at 20:30 and again at
08:00 the next morning is one day later, as the learner experiences it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo


@dataclass(frozen=True)
class DayClock:
    tz: tzinfo
    starts_at: int = 4  # hour of local time at which a new day begins

    @classmethod
    def from_settings(cls, tz_name: str | None, starts_at: int) -> DayClock:
        if tz_name:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            from quiz.errors import UsageError

            try:
                return cls(ZoneInfo(tz_name), starts_at)
            except (ZoneInfoNotFoundError, ValueError):
                raise UsageError(f"unknown time zone {tz_name!r}") from None
        local = datetime.now().astimezone().tzinfo or timezone.utc
        return cls(local, starts_at)

    def day_of(self, instant: datetime) -> date:
        """The learner's calendar day that `instant` (UTC-aware) falls in."""
        local = instant.astimezone(self.tz) - timedelta(hours=self.starts_at)
        return local.date()

    def start_of(self, day: date) -> datetime:
        """The UTC instant at which learner day `day` begins."""
        local = datetime.combine(day, time(self.starts_at), tzinfo=self.tz)
        return local.astimezone(timezone.utc)

    def day_start(self, instant: datetime) -> datetime:
        return self.start_of(self.day_of(instant))

    def next_day_start(self, instant: datetime) -> datetime:
        return self.start_of(self.day_of(instant) + timedelta(days=1))

    def days_between(self, earlier: datetime, later: datetime) -> int:
        """Whole learner days from `earlier` to `later` (0 on the same day)."""
        return (self.day_of(later) - self.day_of(earlier)).days
