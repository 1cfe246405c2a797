"""Progress figures computed from small aggregates of the review log.

The store groups the log (a million rows, maybe) into a few thousand rows — answers
per clock hour, per card, per card-age bucket, due cards per hour — and everything
here works on those rows only, so `quiz stats` stays fast and this module stays pure:
no SQL, no terminal. Hours, not days, come from the store because the learner's day
(time zone, 4 a.m. boundary) is a `DayClock` question answered here.

Definitions (the same in the terminal report and in `--json`):
- an *answer* is one row of the log, of kind 'review' (moves the schedule) or 'drill';
- *right* is the answer's `correct` flag (for self-rated cards: not Again);
- *true retention* is the share of review-kind answers on review-state cards that were
  not Again — the figure FSRS's desired retention aims at;
- the heatmap and streaks count every answer, drills included: practising is activity;
- a *streak* is a run of learner days with at least one answer; the current streak
  still counts while today has no answer yet (it ends only when a whole day is missed).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from quiz.stats.rows import (
    AGE_BUCKETS,
    AgeCount,
    CardTally,
    DayCount,
    DueHour,
    HourCount,
    StateCount,
    StrictCard,
)


@dataclass(frozen=True)
class DayActivity:
    day: date
    reviews: int
    drills: int

    @property
    def answers(self) -> int:
        return self.reviews + self.drills


@dataclass(frozen=True)
class Streaks:
    current: int
    longest: int
    active_days: int


@dataclass(frozen=True)
class Rate:
    """`passed` of `answers` over one period (a day, a week, an age range)."""

    label: str
    answers: int
    passed: int

    @property
    def value(self) -> float | None:
        return self.passed / self.answers if self.answers else None


@dataclass(frozen=True)
class TagFigure:
    tag: str
    cards: int
    answers: int
    right: int
    lapses: int
    misses: int

    @property
    def right_share(self) -> float | None:
        return self.right / self.answers if self.answers else None


@dataclass(frozen=True)
class WeakCard:
    key: str
    deck: str
    lapses: int
    misses: int
    retrievability: float | None
    last_miss: datetime | None
    answers: int


@dataclass(frozen=True)
class Report:
    today: date
    since: date | None
    desired_retention: float
    answers: int
    reviews: int
    drills: int
    right: int
    duration_ms: int
    heatmap: tuple[DayActivity, ...]  # the last year, oldest first, every day
    streaks: Streaks
    true_retention: Rate
    retention_by_day: tuple[Rate, ...]
    retention_by_week: tuple[Rate, ...]
    retention_by_age: tuple[Rate, ...]
    forecast: tuple[tuple[date, int], ...]
    states: Mapping[str, int]
    weak_tags: tuple[TagFigure, ...]
    weak_cards: tuple[WeakCard, ...]
    output_by_tag: tuple[TagFigure, ...]
    fronts: Mapping[str, str] = field(
        default_factory=dict
    )  # card key -> question text, for display
    strict_grading: tuple[StrictCard, ...] = ()  # most overruled first, for deck authors

    @property
    def right_share(self) -> float | None:
        return self.right / self.answers if self.answers else None

    @property
    def average_ms(self) -> float | None:
        return self.duration_ms / self.answers if self.answers else None


# ---- the pieces --------------------------------------------------------------------


def activity_by_day(
    hours: Iterable[HourCount], day_of: Callable[[datetime], date]
) -> dict[date, DayActivity]:
    """Answers per learner day (drills apart from reviews)."""
    return _activity((day_of(h.hour), h.reviews, h.drills) for h in hours)


def _activity(days: Iterable[tuple[date, int, int]]) -> dict[date, DayActivity]:
    """(day, reviews, drills) summed per day, as DayActivity by day in day order."""
    reviews: dict[date, int] = defaultdict(int)
    drills: dict[date, int] = defaultdict(int)
    for d, r, dr in days:
        reviews[d] += r
        drills[d] += dr
    return {
        d: DayActivity(d, reviews.get(d, 0), drills.get(d, 0))
        for d in sorted(set(reviews) | set(drills))
    }


def streaks(active: Iterable[date], today: date) -> Streaks:
    days = sorted(set(active))
    longest = run = 0
    previous: date | None = None
    for d in days:
        run = run + 1 if previous is not None and (d - previous).days == 1 else 1
        longest = max(longest, run)
        previous = d
    present = set(days)
    current = 0
    cursor = today if today in present else today - timedelta(days=1)
    while cursor in present:
        current += 1
        cursor -= timedelta(days=1)
    return Streaks(current=current, longest=longest, active_days=len(present))


def heatmap_days(
    activity: Mapping[date, DayActivity], today: date, weeks: int = 53
) -> tuple[DayActivity, ...]:
    """Every day from the Monday `weeks - 1` weeks before this week up to today."""
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    out = []
    d = start
    while d <= today:
        out.append(activity.get(d) or DayActivity(d, 0, 0))
        d += timedelta(days=1)
    return tuple(out)


def heat_level(count: int, peak: int) -> int:
    """0 (none) to 4 (near the busiest day), like a contribution graph's five shades."""
    if count <= 0 or peak <= 0:
        return 0
    return min(4, 1 + int(4 * (count - 1) / peak)) if peak > 1 else 4


def retention_by(
    hours: Iterable[HourCount], period_of: Callable[[datetime], date]
) -> tuple[Rate, ...]:
    return _rates((period_of(h.hour), h.graded, h.passed) for h in hours if h.graded)


def _rates(samples: Iterable[tuple[date, int, int]]) -> tuple[Rate, ...]:
    """(period, graded answers, passed) summed per period, in period order."""
    answers: dict[date, int] = defaultdict(int)
    passed: dict[date, int] = defaultdict(int)
    for p, graded, n in samples:
        answers[p] += graded
        passed[p] += n
    return tuple(Rate(p.isoformat(), answers[p], passed[p]) for p in sorted(answers))


def retention_by_age(ages: Iterable[AgeCount]) -> tuple[Rate, ...]:
    by_min = {a.min_days: a for a in ages}
    return tuple(
        Rate(
            label,
            by_min[lo].answers if lo in by_min else 0,
            by_min[lo].passed if lo in by_min else 0,
        )
        for lo, _hi, label in AGE_BUCKETS
    )


def age_bucket(age_days: float) -> int:
    """The lower bound of the AGE_BUCKETS range an age falls in."""
    for lo, hi, _label in AGE_BUCKETS:
        if hi is None or age_days < hi:
            return lo
    return AGE_BUCKETS[-1][0]


def forecast(
    due: Iterable[DueHour],
    day_of: Callable[[datetime], date],
    today: date,
    days: int = 30,
) -> tuple[tuple[date, int], ...]:
    """Cards falling due on each of the next `days` days; overdue ones count today."""
    counts: dict[date, int] = defaultdict(int)
    for d in due:
        counts[max(today, day_of(d.hour))] += d.cards
    return tuple(
        (today + timedelta(days=i), counts.get(today + timedelta(days=i), 0)) for i in range(days)
    )


STATE_NAMES = ("new", "learning", "review", "relearning", "suspended", "leech")


def state_counts(cards: Iterable[StateCount]) -> dict[str, int]:
    """Counts per state name that add up to the card total.

    A leech is counted as a leech (not as suspended); other suspended cards as suspended;
    the rest by their scheduling state.
    """
    out = dict.fromkeys(STATE_NAMES, 0)
    for c in cards:
        if c.leech:
            out["leech"] += c.cards
        elif c.suspended:
            out["suspended"] += c.cards
        else:
            out[STATE_NAMES[c.state] if 0 <= c.state <= 3 else "new"] += c.cards
    return out


def tag_figures(
    tallies: Iterable[CardTally], *, untagged: str = "(untagged)"
) -> tuple[TagFigure, ...]:
    """Per tag (untagged cards under `untagged`): cards, answers, right, lapses, misses."""
    cards: dict[str, int] = defaultdict(int)
    answers: dict[str, int] = defaultdict(int)
    right: dict[str, int] = defaultdict(int)
    lapses: dict[str, int] = defaultdict(int)
    misses: dict[str, int] = defaultdict(int)
    for t in tallies:
        for tag in t.tags or (untagged,):
            cards[tag] += 1
            answers[tag] += t.answers
            right[tag] += t.right
            lapses[tag] += t.lapses
            misses[tag] += t.misses
    return tuple(
        TagFigure(tag, cards[tag], answers[tag], right[tag], lapses[tag], misses[tag])
        for tag in sorted(cards)
    )


def weakest_tags(figures: Iterable[TagFigure], limit: int | None = None) -> tuple[TagFigure, ...]:
    """Tags with answers, lowest share right first (then most misses)."""
    ranked = sorted(
        (f for f in figures if f.answers), key=lambda f: (f.right_share, -f.misses, f.tag)
    )
    return tuple(ranked[:limit] if limit is not None else ranked)


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def days_of(hours: Iterable[HourCount], day_of: Callable[[datetime], date]) -> list[DayCount]:
    """The hours' figures summed per learner day (each hour's day: `day_of` of its start),
    in day order: what the report reads of the hours, and what the store's day rollups
    hold (quiz.store.rollups folds the log's hours through here)."""
    sums: dict[date, list[int]] = {}
    for h in hours:
        d = day_of(h.hour)
        s = sums.get(d)
        if s is None:
            sums[d] = [h.answers, h.drills, h.right, h.graded, h.passed, h.duration_ms]
        else:
            s[0] += h.answers
            s[1] += h.drills
            s[2] += h.right
            s[3] += h.graded
            s[4] += h.passed
            s[5] += h.duration_ms
    return [DayCount(d, *sums[d]) for d in sorted(sums)]


def build_report(
    *,
    days: Sequence[DayCount],
    ages: Iterable[AgeCount],
    due: Iterable[DueHour],
    states: Iterable[StateCount],
    tags: Iterable[TagFigure],
    output_tags: tuple[TagFigure, ...],
    weak_cards: tuple[WeakCard, ...],
    fronts: Mapping[str, str],
    day_of: Callable[[datetime], date],
    today: date,
    since: date | None,
    desired_retention: float,
    strict_grading: Iterable[StrictCard] = (),
) -> Report:
    """Every figure of `quiz stats`, whichever way the store grouped the log.

    `days` cover the whole log (the heatmap shows the last year and streaks need all of
    it); the other figures use the days from `since` on. `ages`, the tag figures and
    the weakest cards come already limited to `--since`; `tags` are every tag's figures
    (ranked here), `output_tags` those of output cards only.
    """
    activity: list[tuple[date, int, int]] = []
    graded_days: dict[date, list[int]] = {}
    answers = drills = right = duration_ms = true_n = passed = 0
    for day in days:
        d = day.day
        activity.append((d, day.answers - day.drills, day.drills))
        if since is None or d >= since:
            answers += day.answers
            drills += day.drills
            right += day.right
            duration_ms += day.duration_ms
            if day.graded:
                true_n += day.graded
                passed += day.passed
                sums = graded_days.setdefault(d, [0, 0])
                sums[0] += day.graded
                sums[1] += day.passed
    all_activity = _activity(activity)
    return Report(
        today=today,
        since=since,
        desired_retention=desired_retention,
        answers=answers,
        reviews=answers - drills,
        drills=drills,
        right=right,
        duration_ms=duration_ms,
        heatmap=heatmap_days(all_activity, today),
        streaks=streaks(all_activity, today),
        true_retention=Rate("all", true_n, passed),
        retention_by_day=_rates((d, g, n) for d, (g, n) in graded_days.items()),
        retention_by_week=_rates((week_of(d), g, n) for d, (g, n) in graded_days.items()),
        retention_by_age=retention_by_age(ages),
        forecast=forecast(due, day_of, today),
        states=state_counts(states),
        weak_tags=weakest_tags(tags),
        weak_cards=weak_cards,
        output_by_tag=output_tags,
        fronts=dict(fronts),
        strict_grading=tuple(strict_grading),
    )


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def seconds(ms: float | None) -> str:
    return "–" if ms is None else f"{ms / 1000:.1f}s"


def ceil_div(a: int, b: int) -> int:
    return math.ceil(a / b) if b > 0 else a
