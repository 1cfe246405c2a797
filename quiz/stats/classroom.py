"""The class view: how each learner of a shared store is doing, and which cards the
class keeps missing. Pure figures over per-learner aggregates that the store groups in
SQL (quiz.store.classroom): the log itself is never loaded.

Definitions (the same in the terminal table and in `--json`; they match `quiz stats`):
- an *answer* is one row of the review log, of kind 'review' or 'drill';
- *cards seen*: distinct cards the learner has answered at least once;
- *true retention*: the share of review-kind answers on cards in the Review state that
  were not Again — what the scheduler's desired retention aims at;
- *streak*: `quiz stats`' current streak (quiz.stats.figures.streaks). Days are cut by
  the day clock of whoever runs the report (the store does not know each learner's zone);
- a learner's *weakest tags*: tags of the cards they answered in review-kind answers,
  with the highest share of Again (at least `min_tag_answers` answers, at least one miss);
- a card is *missed* by a learner who answered it Again at least once (review kind):
  its *miss share* over the learners who answered it is the deck author's signal that
  the card may be unclear.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from quiz.stats.figures import streaks

# ---- rows the store hands in (grouped in SQL) ---------------------------------------


class LearnerTotals(NamedTuple):
    """One learner's answers (in the decks asked for)."""

    learner: str
    cards_seen: int
    answers: int
    reviews: int
    graded: int  # review-kind answers on review-state cards
    passed: int  # of those, not Again
    last_answer: datetime | None


class LearnerHour(NamedTuple):
    """A clock hour (its UTC start) in which a learner answered at least once."""

    learner: str
    hour: datetime


class LearnerTag(NamedTuple):
    """A learner's review-kind answers on cards with one tag, and the Again among them."""

    learner: str
    tag: str
    answers: int
    misses: int


class CardMisses(NamedTuple):
    """A card's review-kind answers over the class."""

    card: str  # the card's key, deck/id
    deck: str
    learners: int  # learners who answered it (review kind)
    missed_by: int  # of those, how many answered it Again at least once
    answers: int
    agains: int

    @property
    def miss_share(self) -> float:
        return self.missed_by / self.learners if self.learners else 0.0


# ---- figures -----------------------------------------------------------------------


@dataclass(frozen=True)
class TagMisses:
    tag: str
    answers: int
    misses: int

    @property
    def miss_share(self) -> float:
        return self.misses / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class LearnerFigures:
    learner: str
    cards_seen: int
    answers: int
    reviews: int
    retention_answers: int  # review-kind answers on review-state cards
    retention_passed: int
    streak: int
    last_answer: datetime | None
    weakest_tags: tuple[TagMisses, ...] = ()

    @property
    def retention(self) -> float | None:
        return self.retention_passed / self.retention_answers if self.retention_answers else None


@dataclass(frozen=True)
class ClassReport:
    today: date
    decks: tuple[str, ...]  # the filter; () for all
    learners: tuple[LearnerFigures, ...]  # by name
    cards: tuple[CardMisses, ...]  # most missed first; only cards someone answered


def weakest_tags(
    rows: Iterable[LearnerTag], limit: int = 3, min_answers: int = 3
) -> tuple[TagMisses, ...]:
    """One learner's tags with the highest share of Again (enough answers, a miss)."""
    figures = [
        TagMisses(r.tag, r.answers, r.misses) for r in rows if r.answers >= min_answers and r.misses
    ]
    figures.sort(key=lambda f: (-f.miss_share, -f.answers, f.tag))
    return tuple(figures[:limit])


def most_missed(cards: Iterable[CardMisses]) -> tuple[CardMisses, ...]:
    """Most missed first: by share of learners, then learners, then Agains, then key."""
    return tuple(sorted(cards, key=lambda c: (-c.miss_share, -c.missed_by, -c.agains, c.card)))


def class_report(
    learners: Sequence[str],
    totals: Iterable[LearnerTotals],
    hours: Iterable[LearnerHour],
    tags: Iterable[LearnerTag],
    cards: Iterable[CardMisses],
    day_of: Callable[[datetime], date],
    today: date,
    decks: Sequence[str] = (),
    weakest: int = 3,
    min_tag_answers: int = 3,
) -> ClassReport:
    """Every learner of the store (those without answers too), and every answered card."""
    by_learner = {t.learner: t for t in totals}
    days: dict[str, set[date]] = defaultdict(set)
    for h in hours:
        days[h.learner].add(day_of(h.hour))
    tag_rows: dict[str, list[LearnerTag]] = defaultdict(list)
    for row in tags:
        tag_rows[row.learner].append(row)
    names = sorted(set(learners) | set(by_learner))
    none = LearnerTotals("", 0, 0, 0, 0, 0, None)
    figures = []
    for name in names:
        t = by_learner.get(name, none)
        figures.append(
            LearnerFigures(
                learner=name,
                cards_seen=t.cards_seen,
                answers=t.answers,
                reviews=t.reviews,
                retention_answers=t.graded,
                retention_passed=t.passed,
                streak=streaks(days.get(name, ()), today).current,
                last_answer=t.last_answer,
                weakest_tags=weakest_tags(tag_rows.get(name, ()), weakest, min_tag_answers),
            )
        )
    return ClassReport(
        today=today, decks=tuple(decks), learners=tuple(figures), cards=most_missed(cards)
    )
