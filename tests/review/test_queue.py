from __future__ import annotations

from datetime import datetime, timezone

from quiz.model import Card, CardKind, CardState, Schedule, StoredCard
from quiz.review.queue import Limits, build_queue

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def item(
    i: int,
    key: str,
    state: CardState = CardState.NEW,
    requires: tuple[str, ...] = (),
    note: str = "",
    due_day: int = 1,
) -> StoredCard:
    card = Card(deck="d", id=key, kind=CardKind.BASIC, requires=requires, note=note)
    return StoredCard(i, card, Schedule(state=state, due=T0.replace(day=due_day)))


def keys(queue: list[StoredCard]) -> list[str]:
    return [c.card.id for c in queue]


def test_order_learning_then_reviews_by_retrievability_then_new():
    learning = [item(1, "l1", CardState.LEARNING)]
    reviews = [item(2, "r-high", CardState.REVIEW), item(3, "r-low", CardState.REVIEW)]
    new = [item(4, "n1"), item(5, "n2")]
    r = {"r-high": 0.9, "r-low": 0.4}
    queue = build_queue(
        learning,
        reviews,
        new,
        limits=Limits(new=5, reviews=5),
        seen=(),
        answered_notes=(),
        retrievability=lambda c: r[c.card.id],
    )
    assert keys(queue) == ["l1", "r-low", "r-high", "n1", "n2"]


def test_limits_and_requires_and_siblings():
    new = [
        item(1, "a"),
        item(2, "b", requires=("d/zzz",)),  # never seen: held back
        item(3, "c", requires=("d/a",)),  # a comes earlier today: allowed
        item(4, "x#c1", note="x"),
        item(5, "x#c2", note="x"),  # sibling of x#c1: tomorrow
        item(6, "e"),
    ]
    queue = build_queue(
        [],
        [],
        new,
        limits=Limits(new=3, reviews=0),
        seen=(),
        answered_notes=(),
        retrievability=lambda c: 0,
    )
    assert keys(queue) == ["a", "c", "x#c1"]
    queue = build_queue(
        [],
        [],
        new,
        limits=Limits(new=10, reviews=0),
        seen=(),
        answered_notes={"d/x"},
        retrievability=lambda c: 0,
    )
    assert keys(queue) == ["a", "c", "e"]


def test_total_limit():
    new = [item(i, f"n{i}") for i in range(10)]
    queue = build_queue(
        [],
        [],
        new,
        limits=Limits(new=10, reviews=0, total=4),
        seen=(),
        answered_notes=(),
        retrievability=lambda c: 0,
    )
    assert len(queue) == 4
