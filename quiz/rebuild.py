"""Re-deriving every card's scheduling state from the review log (the truth).

The log holds each rating and its time; replaying them through the scheduler gives
the state the cache should hold. Fuzz is seeded from the card and its review count,
so a replay with the same settings reproduces the cached state exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from quiz.clock import DayClock
from quiz.config import Config
from quiz.model import Rating, Schedule
from quiz.review.settings import Schedulers
from quiz.store import Repo
from quiz.store.repo import MANUAL
from quiz.store.values import after_of


@dataclass(frozen=True)
class RebuildReport:
    cards: int
    reviews: int
    differing: tuple[str, ...]


def _same(a: Schedule, b: Schedule) -> bool:
    def close(x: float | None, y: float | None) -> bool:
        return (x is None and y is None) or (x is not None and y is not None and abs(x - y) < 1e-9)

    return (
        a.state == b.state
        and a.step == b.step
        and a.due == b.due
        and a.last_review == b.last_review
        and a.reps == b.reps
        and a.lapses == b.lapses
        and close(a.stability, b.stability)
        and close(a.difficulty, b.difficulty)
    )


def rebuild_states(
    repo: Repo, config: Config, day: DayClock, *, write: bool = True
) -> RebuildReport:
    keys = repo.card_keys_by_id()
    cached = repo.all_schedules()
    schedulers = Schedulers(config, day)
    differing: list[str] = []
    replayed: set[int] = set()
    answers = 0
    for card_id, entries in groupby(
        repo.review_log(("review", MANUAL), schedules=True), key=lambda r: r.card_id
    ):
        key = keys[card_id]
        scheduler = schedulers.for_deck(key.split("/", 1)[0])
        state = Schedule()
        for entry in entries:
            if entry.kind == MANUAL:  # set by hand (forget, set due): taken as it was set
                state = after_of(entry) or Schedule()
                continue
            answers += 1
            state = scheduler.review(
                card_id, state, Rating(entry.rating), entry.reviewed_at, fuzz_key=key
            ).after
        replayed.add(card_id)
        old, _suspended, was_leech = cached.get(card_id, (Schedule(), False, False))
        leech = was_leech or state.lapses >= config.leech_lapses
        if not _same(old, state):
            differing.append(key)
            if write:
                repo.replace_schedule(card_id, state, leech)
    for card_id, (old, _suspended, _leech) in cached.items():
        if card_id not in replayed and old.reps > 0:
            differing.append(keys[card_id])
            if write:
                repo.replace_schedule(card_id, None, False)
    return RebuildReport(cards=len(replayed), reviews=answers, differing=tuple(sorted(differing)))
