"""Today's queue: what to ask, in what order, within the daily limits.

Order: learning cards that are due, then reviews (lowest retrievability first), then
new cards in the store's order (interleaved across decks, or deck by deck: the
`new_order` setting). A new card waits until every card it `requires` has been
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


class Admission:
    """Who may still join today's queue: one card per note a day (a note answered today,
    or with a sibling already queued, waits for tomorrow), and a card only once every
    card it `requires` has been seen or is queued before it. The daily plan and a goal's
    share of the day both admit cards through this one rule."""

    def __init__(
        self, queued: Iterable[StoredCard], seen: Iterable[str], answered_notes: Iterable[str]
    ) -> None:
        self.taken: set[int] = set()
        self.notes: set[str] = set(answered_notes)
        self.known: set[str] = set(seen)
        for c in queued:
            self.take(c)

    def admits(self, c: StoredCard, *, check_requires: bool = True) -> bool:
        if c.row_id in self.taken or c.card.note_key in self.notes:
            return False
        return not check_requires or all(r in self.known for r in c.card.requires)

    def take(self, c: StoredCard) -> None:
        self.taken.add(c.row_id)
        self.notes.add(c.card.note_key)
        self.known.add(c.card.key)


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
    # Learning cards come back within the day whatever their siblings do: they are
    # queued first and do not close their notes.
    queue: list[StoredCard] = list(learning)
    admission = Admission((), seen, answered_notes)
    ranked = sorted(reviews, key=lambda c: (retrievability(c), c.schedule.due, c.row_id))
    for pool, limit, check_requires in ((ranked, limits.reviews, False), (new, limits.new, True)):
        taken = 0
        waiting = list(pool)
        # a card whose prerequisite comes later in the pool (interleaved decks) gets
        # another pass once that prerequisite is queued, instead of waiting a day
        while waiting and taken < limit:
            rest: list[StoredCard] = []
            for c in waiting:
                if taken >= limit:
                    break
                if admission.admits(c, check_requires=check_requires):
                    admission.take(c)
                    queue.append(c)
                    taken += 1
                else:
                    rest.append(c)
            if len(rest) == len(waiting):
                break
            waiting = rest
    if limits.total is not None:
        queue = queue[: limits.total]
    return queue
