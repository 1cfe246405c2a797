"""Scheduler.retrievability computes py-fsrs's formula without building an fsrs Card;
it must give the very same floats as py-fsrs on the card it would have built."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from quiz.clock import DayClock
from quiz.config import SchedulerSettings
from quiz.model import CardState, Schedule
from quiz.scheduler import Scheduler

NOW = datetime(2026, 6, 1, 9, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("tz", ["UTC", "Asia/Kolkata", "America/New_York"])
@pytest.mark.parametrize("parameters", [None, "fitted"])
def test_same_floats_as_py_fsrs(tz, parameters):
    settings = SchedulerSettings()
    if parameters:
        base = list(Scheduler(settings, DayClock(timezone.utc))._fsrs.parameters)
        base[20] = 0.35
        settings = SchedulerSettings(parameters=tuple(base))
    scheduler = Scheduler(settings, DayClock(ZoneInfo(tz), 4))
    checked = 0
    for hours in (0.5, 3, 7, 20, 23.9, 24, 25, 30, 47, 100, 24 * 40 + 5, 24 * 400):
        for stability in (0.1, 1.0, 2.38, 17.5, 300.0):
            for state in (CardState.LEARNING, CardState.REVIEW, CardState.RELEARNING):
                s = Schedule(
                    state=state,
                    stability=stability,
                    difficulty=5.0,
                    due=NOW,
                    last_review=NOW - timedelta(hours=hours),
                    reps=3,
                )
                expected = float(
                    scheduler._fsrs.get_card_retrievability(scheduler._to_fsrs(7, s, NOW), NOW)
                )
                assert scheduler.retrievability(7, s, NOW) == expected
                checked += 1
    assert checked > 100
    assert scheduler.retrievability(7, Schedule(), NOW) == 0.0
