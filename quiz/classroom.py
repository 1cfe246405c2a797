"""The class view: how each learner of a shared store is doing, and which cards the
class keeps missing. Pure aggregates over rows the store hands in (no SQL, no terminal).

Definitions (the same in the terminal table and in `--json`; they match `quiz stats`):
- an *answer* is one row of the review log, of kind 'review' or 'drill';
- *cards seen*: distinct cards the learner has answered at least once;
- *true retention*: the share of review-kind answers on cards in the Review state that
  were not Again — what the scheduler's desired retention aims at;
- *streak*: consecutive learner days with at least one answer, ending today or
  yesterday (a streak is not broken until a whole day is missed). Days are cut by the
  day clock of whoever runs the report (the store does not know each learner's zone);
- a learner's *weakest tags*: tags of the cards they answered in review-kind answers,
  with the highest share of Again (at least `min_tag_answers` answers, at least one miss);
- a card is *missed* by a learner who answered it Again at least once (review kind):
  its *miss share* over the learners who answered it is the deck author's signal that
  the card may be unclear.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

AGAIN = 1
REVIEW_STATE = 2


@dataclass(frozen=True)
class Answer:
    """One row of the class's review log, as the store hands it in."""

    learner: str
    card: str  # the card's key, deck/id
    deck: str
    kind: str  # 'review' | 'drill'
    rating: int
    prev_state: int
    at: datetime


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
class CardMisses:
    card: str
    deck: str
    learners: int  # learners who answered it (review kind)
    missed_by: int  # of those, how many answered it Again at least once
    answers: int
    agains: int

    @property
    def miss_share(self) -> float:
        return self.missed_by / self.learners if self.learners else 0.0


@dataclass(frozen=True)
class ClassReport:
    today: date
    decks: tuple[str, ...]  # the filter; () for all
    learners: tuple[LearnerFigures, ...]  # by name
    cards: tuple[CardMisses, ...]  # most missed first; only cards someone answered


def streak(days: Iterable[date], today: date) -> int:
    """Consecutive days with activity, ending today or (today still open) yesterday."""
    active = set(days)
    day = today if today in active else today - timedelta(days=1)
    count = 0
    while day in active:
        count += 1
        day -= timedelta(days=1)
    return count


def _weakest(
    answers: Sequence[Answer], tags: Mapping[str, Sequence[str]], limit: int, min_answers: int
) -> tuple[TagMisses, ...]:
    asked: dict[str, int] = defaultdict(int)
    missed: dict[str, int] = defaultdict(int)
    for a in answers:
        if a.kind != "review":
            continue
        for tag in tags.get(a.card, ()):
            asked[tag] += 1
            missed[tag] += a.rating == AGAIN
    figures = [
        TagMisses(t, asked[t], missed[t]) for t in asked if asked[t] >= min_answers and missed[t]
    ]
    figures.sort(key=lambda f: (-f.miss_share, -f.answers, f.tag))
    return tuple(figures[:limit])


def learner_figures(
    learner: str,
    answers: Sequence[Answer],
    tags: Mapping[str, Sequence[str]],
    day_of: Callable[[datetime], date],
    today: date,
    weakest: int = 3,
    min_tag_answers: int = 3,
) -> LearnerFigures:
    reviews = [a for a in answers if a.kind == "review"]
    on_review = [a for a in reviews if a.prev_state == REVIEW_STATE]
    return LearnerFigures(
        learner=learner,
        cards_seen=len({a.card for a in answers}),
        answers=len(answers),
        reviews=len(reviews),
        retention_answers=len(on_review),
        retention_passed=sum(1 for a in on_review if a.rating != AGAIN),
        streak=streak((day_of(a.at) for a in answers), today),
        last_answer=max((a.at for a in answers), default=None),
        weakest_tags=_weakest(answers, tags, weakest, min_tag_answers),
    )


def card_misses(answers: Iterable[Answer]) -> tuple[CardMisses, ...]:
    """Per card: how many learners answered it, and how many of them missed it."""
    deck_of: dict[str, str] = {}
    who: dict[str, set[str]] = defaultdict(set)
    missed: dict[str, set[str]] = defaultdict(set)
    count: dict[str, int] = defaultdict(int)
    agains: dict[str, int] = defaultdict(int)
    for a in answers:
        if a.kind != "review":
            continue
        deck_of[a.card] = a.deck
        who[a.card].add(a.learner)
        count[a.card] += 1
        if a.rating == AGAIN:
            missed[a.card].add(a.learner)
            agains[a.card] += 1
    rows = [
        CardMisses(
            card, deck_of[card], len(who[card]), len(missed[card]), count[card], agains[card]
        )
        for card in who
    ]
    rows.sort(key=lambda c: (-c.miss_share, -c.missed_by, -c.agains, c.card))
    return tuple(rows)


def class_report(
    learners: Sequence[str],
    answers: Iterable[Answer],
    tags: Mapping[str, Sequence[str]],
    day_of: Callable[[datetime], date],
    today: date,
    decks: Sequence[str] = (),
    weakest: int = 3,
    min_tag_answers: int = 3,
) -> ClassReport:
    """Every learner of the store (those without answers too), and every answered card."""
    rows = [a for a in answers if not decks or a.deck in decks]
    by_learner: dict[str, list[Answer]] = defaultdict(list)
    for a in rows:
        by_learner[a.learner].append(a)
    names = sorted(set(learners) | set(by_learner))
    return ClassReport(
        today=today,
        decks=tuple(decks),
        learners=tuple(
            learner_figures(n, by_learner.get(n, []), tags, day_of, today, weakest, min_tag_answers)
            for n in names
        ),
        cards=card_misses(rows),
    )
