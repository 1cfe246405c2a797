"""Today's queue: what to ask, in what order, within the daily limits.

Order: learning cards that are due, then reviews (lowest retrievability first), then
new cards in deck order. A new card waits until every card it `requires` has been
seen (or comes earlier in today's queue); a note whose sibling was answered today is
left for tomorrow. Pure: the store supplies candidates, this decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from quiz.model import StoredCard


@dataclass(frozen=True)
class Limits:
    new: int
    reviews: int
    total: int | None = None  # --limit: cards in this session at most


def build_queue(
    learning: Sequence[StoredCard],
    reviews: Sequence[StoredCard],
    new: Sequence[StoredCard],
    *,
    limits: Limits,
    seen: Iterable[str],
    answered_notes: Iterable[str],
    retrievability: Callable[[StoredCard], float],
) -> list[StoredCard]:
    answered = set(answered_notes)
    queue: list[StoredCard] = list(learning)

    ranked = sorted(
        (c for c in reviews if c.card.note_key not in answered),
        key=lambda c: (retrievability(c), c.schedule.due, c.row_id),
    )
    notes_today: set[str] = set()
    taken = 0
    for c in ranked:
        if taken >= limits.reviews:
            break
        if c.card.note_key in notes_today:
            continue
        notes_today.add(c.card.note_key)
        queue.append(c)
        taken += 1

    known = set(seen)
    taken = 0
    for c in new:
        if taken >= limits.new:
            break
        note = c.card.note_key
        if note in answered or note in notes_today:
            continue
        if any(req not in known for req in c.card.requires):
            continue
        notes_today.add(note)
        known.add(c.card.key)
        queue.append(c)
        taken += 1

    if limits.total is not None:
        queue = queue[: limits.total]
    return queue
