"""Time as the learner lives it: the one place that reads the wall clock, and the
learner's day.

`QUIZ_NOW` (ISO-8601; a naive value is taken as UTC) overrides the clock for a whole
process: tests and simulations drive sessions across days with it.

The learner's day starts at a set hour (default 4 a.m.) in their time zone. Daily
limits, burying, "due today" and the elapsed days the scheduler sees are all counted in
these days, not in 24-hour periods: a card reviewed at 20:30 and again at 08:00 the next
morning is one day later, as the learner experiences it.

`quiz due` imports this module on its lean path, so it imports neither `dataclasses`
nor `typing` (DayClock is a small immutable class written out for that reason).
"""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta, timezone, tzinfo

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MICROSECOND = timedelta(microseconds=1)


def micros_since_1970(at: datetime) -> int:
    """An aware time as integer microseconds since 1970 (UTC): exact, and ordered as the
    times are (how SQLite keeps the log's times, and a replay its log in memory)."""
    return (at - EPOCH) // MICROSECOND


def from_micros(micros: int) -> datetime:
    """The UTC time `micros_since_1970` gave."""
    return EPOCH + micros * MICROSECOND


def parse_instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        from quiz.errors import UsageError

        raise UsageError(f"QUIZ_NOW: not an ISO-8601 date/time: {text!r}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def now_utc() -> datetime:
    override = os.environ.get("QUIZ_NOW")
    if override:
        return parse_instant(override)
    return datetime.now(timezone.utc)


EARLIEST_YEAR, LATEST_YEAR = 1900, 8999  # QUIZ_NOW's range: room for a year of stats
# behind and a century of intervals ahead within what `datetime` can hold


def command_now() -> datetime | None:
    """The clock of a command (QUIZ_NOW or the wall clock), or None for a QUIZ_NOW so far
    out that date arithmetic would overflow (a usage error, quiz.cli.context.now)."""
    try:
        value = now_utc()
    except OverflowError:
        return None
    return value if in_range(value) else None


def in_range(value: date) -> bool:
    """Whether a day (QUIZ_NOW's, or a date a command line names) leaves the date arithmetic
    around it — a zone's offset, a year of stats, a forecast — inside what datetime holds."""
    return EARLIEST_YEAR <= value.year <= LATEST_YEAR


class DayClock:
    """The learner's days: a time zone and the local hour at which a day begins."""

    __slots__ = ("starts_at", "tz")
    tz: tzinfo
    starts_at: int

    def __init__(self, tz: tzinfo, starts_at: int = 4) -> None:
        object.__setattr__(self, "tz", tz)
        object.__setattr__(self, "starts_at", starts_at)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"DayClock is immutable ({name})")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DayClock) and (self.tz, self.starts_at) == (
            other.tz,
            other.starts_at,
        )

    def __hash__(self) -> int:
        return hash((self.tz, self.starts_at))

    def __repr__(self) -> str:
        return f"DayClock(tz={self.tz!r}, starts_at={self.starts_at!r})"

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
