"""The rows the store hands to the figures: small aggregates of the review log.

Named tuples, not frozen dataclasses: there are up to ~20k hours and, on a big log,
tens of thousands of weak-card candidates, and building them must stay a small part of
`quiz stats`. The store fills them by name (never by position), the figures read them
by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, NamedTuple

from quiz.model import CardState, Schedule

if TYPE_CHECKING:
    from quiz.clock import DayClock

# Card-age buckets for retention by age: (lowest day, first day beyond, label). The store
# groups by the lower bounds (in SQL), the figures label them.
AGE_BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (0, 7, "< 1 week"),
    (7, 30, "1-4 weeks"),
    (30, 90, "1-3 months"),
    (90, 365, "3-12 months"),
    (365, None, "> 1 year"),
)


class HourCount(NamedTuple):
    """Answers in one clock hour (its UTC start): all of them, the drills among them,
    the right ones, and the review-kind answers on review-state cards (`graded`) with
    how many of those were not Again (`passed`) — the true-retention sample."""

    hour: datetime
    answers: int
    drills: int
    right: int
    graded: int
    passed: int
    duration_ms: int

    @property
    def reviews(self) -> int:
        return self.answers - self.drills


class DayCount(NamedTuple):
    """Answers on one learner day: HourCount's figures summed over the day's hours."""

    day: date
    answers: int
    drills: int
    right: int
    graded: int
    passed: int
    duration_ms: int

    @property
    def reviews(self) -> int:
        return self.answers - self.drills


@dataclass(frozen=True)
class LearnerDays:
    """The clock the day rollups are kept in: the learner's days (`clock`) over hours
    shifted by the zone's minutes past the hour (`shift`), as `quiz stats` groups the
    log itself (figures.days_of). `key` names it in the store: another zone, day start
    or shift is another clock, whose days the rollups are rebuilt in."""

    clock: DayClock
    shift: int

    @property
    def key(self) -> str:
        zone = getattr(self.clock.tz, "key", None) or repr(self.clock.tz)
        return f"{zone} {self.clock.starts_at} {self.shift}"


class AgeCount(NamedTuple):
    """Review-state answers whose card was `min_days` or more days old (first review)."""

    min_days: int
    answers: int
    passed: int


class DueHour(NamedTuple):
    """Cards falling due in one clock hour (its UTC start)."""

    hour: datetime
    cards: int


class StateCount(NamedTuple):
    """How many live cards stand in one (state, suspended, leech) combination."""

    state: int
    suspended: bool
    leech: bool
    cards: int


@dataclass(frozen=True)
class CardTally:
    """One card's answers over the log (both kinds unless said); also what `quiz drill
    --weak` ranks by."""

    card_id: int
    key: str
    deck: str
    kind: str  # the card's kind: basic, typed, choice, cloze, output
    reviews: int
    drills: int
    right: int
    lapses: int  # review-kind Again on a review-state card
    misses: int  # wrong answers of any kind
    drill_misses: int
    last_miss: datetime | None
    last_answer: datetime | None
    last_right: bool | None  # was the most recent answer right?
    duration_ms: int
    tags: tuple[str, ...] = ()

    @property
    def answers(self) -> int:
        return self.reviews + self.drills


class StrictCard(NamedTuple):
    """A card the learner overruled ("I was right"): its grading may be too strict."""

    key: str
    overruled: int
    answers: int


class WeakCandidate(NamedTuple):
    """An answered card with a miss or a lapse, and what its weakness rank needs: its
    answer counts, its latest miss, whether its latest answer was wrong, and the parts
    of its schedule that retrievability needs (None: the card has no schedule).

    Times may come as the store's text (SQLite) and are read with `utc_time` only for
    the few candidates whose rank needs them."""

    card_id: int
    deck: str
    answers: int
    right: int
    lapses: int  # review lapses in the log
    drill_misses: int
    last_miss: datetime | str | int | None
    wrong_last: bool
    state: int | None
    stability: float | None
    last_review: datetime | str | None
    reps: int | None
    state_lapses: int | None

    @property
    def misses(self) -> int:
        return self.answers - self.right

    def schedule(self) -> Schedule | None:
        """The schedule retrievability is computed from; None when never reviewed."""
        if self.state is None or not self.reps:
            return None
        return Schedule(
            state=CardState(self.state),
            stability=self.stability,
            last_review=utc_time(self.last_review),
            reps=self.reps,
            lapses=self.state_lapses or 0,
        )


def utc_time(value: datetime | str | int | None) -> datetime | None:
    """A UTC time as the store returns it: text or integer microseconds since 1970
    (SQLite, where reading the column raw skips SQLAlchemy's conversion) or a naive or
    UTC datetime; UTC-aware."""
    if value is None:
        return None
    if isinstance(value, int):
        return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=value)
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc)
