"""Aiming decks at a date (an interview): goal → scheduler settings and a daily load.

While a goal is active its deck is scheduled for the date: desired retention is raised
(to at least GOAL_RETENTION) and the maximum interval is capped at the days left, so no
card answered from now on falls due after the date; cards already due after it are
pulled forward a share a day, and the deck's new cards are introduced a share a day, so
that every card is seen at least once more in time. On the date itself the goal still
holds (a last look on the morning); afterwards it lapses and the normal schedule
returns, as it does at once when the goal is cleared (nothing is rewritten: only the
settings used for the next answers change).

Pure: dates in, settings and numbers out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from quiz.config import Config

GOAL_RETENTION = 0.95


@dataclass(frozen=True)
class Goal:
    deck: str
    due_by: date  # the learner's day of the exam
    created_at: datetime  # answers after this count towards "seen once more"

    def days_left(self, today: date) -> int:
        return (self.due_by - today).days

    def active(self, today: date) -> bool:
        return self.days_left(today) >= 0


@dataclass(frozen=True)
class GoalLoad:
    """A goal deck's live cards (not suspended), by what they still need before the date."""

    new: int  # never answered: to be introduced
    pending: int  # answered, but not since the goal was set: need one more look
    scheduled: int  # looked at since the goal was set, and due again by the date
    late: int  # due after the date: to be pulled forward

    @property
    def to_do(self) -> int:
        return self.new + self.pending + self.scheduled


def goal_config(base: Config, goal: Goal, today: date) -> Config:
    """`base` (the deck's config) aimed at the goal date."""
    s = base.scheduler
    days = max(1, goal.days_left(today))
    return replace(
        base,
        scheduler=replace(
            s,
            desired_retention=max(s.desired_retention, GOAL_RETENTION),
            maximum_interval=max(1, min(s.maximum_interval, days)),
        ),
    )


def overrides(config: Config, goals: Iterable[Goal], today: date) -> dict[str, Config]:
    """Per-deck configs for `Schedulers(config, day, overrides)`: active goals only."""
    return {
        g.deck: goal_config(config.for_deck(g.deck), g, today) for g in goals if g.active(today)
    }


def share(remaining: int, days: int) -> int:
    """Cards a day that finish `remaining` within `days` days (today counted)."""
    if remaining <= 0:
        return 0
    return math.ceil(remaining / max(1, days))


def days_counted(goal: Goal, today: date) -> int:
    """Days to spread the work over: today up to the day before the date (the date
    itself is left for a last look), at least today."""
    return max(1, goal.days_left(today))


def quota_today(remaining: int, done_today: int, days: int) -> int:
    """How many more to take today so that today's share (done ones included) is met."""
    return max(0, share(remaining + done_today, days) - done_today)


def cards_per_day(load: GoalLoad, goal: Goal, today: date) -> int:
    """The rough daily load the goal asks for: every card still to see, plus the reviews
    already falling due before the date, spread over the days left."""
    return share(load.to_do, days_counted(goal, today))


def describe(goal: Goal, today: date, per_day: int | None) -> str:
    """One line for `quiz review` and `quiz goal`."""
    head = f"goal {goal.deck} by {goal.due_by.isoformat()}"
    left = goal.days_left(today)
    if left < 0:
        return f"{head}: the date has passed (clear it: quiz goal --deck {goal.deck} --clear)"
    when = "today" if left == 0 else "tomorrow" if left == 1 else f"in {left} days"
    load = "" if per_day is None else f": ~{per_day} cards/day"
    return f"{head}{load} ({when})"
