"""Which cards are weakest: one ranking, for `quiz stats`, `--weak` drills and both
ways the store feeds them (grouping the log itself, or its rollups).

A card's weakness is, in order: the lowest retrievability (rounded to 0.01; a card whose
latest answer, a drill's included, was wrong counts as 0 whatever FSRS predicts), the
most misses (review lapses plus drill misses), the most recent miss, then its key.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from quiz.model import Schedule
from quiz.stats.figures import WeakCard
from quiz.stats.rows import CardTally, WeakCandidate, utc_time

Rank = tuple[int, float, int, float]
Recall = Callable[[WeakCandidate], float | None]


class Coarse(NamedTuple):
    """The first two parts of a rank: rounded retrievability (0 when the latest answer
    was wrong, 1 when never reviewed) and minus the misses."""

    recall: float
    misses: int


def weakness_key(tally: CardTally | None, retrievability: float | None) -> Rank:
    """Sort key, weakest first, of a card's tally; cards never answered sort last."""
    if tally is None or tally.answers == 0:
        return (1, 1.0, 0, 0.0)
    return weakness_rank(
        retrievability,
        tally.last_right is False,
        tally.lapses + tally.drill_misses,
        tally.last_miss,
    )


def weakness_rank(
    retrievability: float | None, last_wrong: bool, misses: int, last_miss: datetime | None
) -> Rank:
    """`weakness_key` of an answered card from its plain figures: FSRS's retrievability
    (None: 1), whether its latest answer was wrong, lapses + drill misses, latest miss."""
    r = 0.0 if last_wrong else (retrievability if retrievability is not None else 1.0)
    recent = last_miss.timestamp() if last_miss else 0.0
    return (0, round(r, 2), -misses, -recent)


def recall_by(retrievability: Callable[[str, int, Schedule], float]) -> Recall:
    """A candidate's retrievability now (None: never reviewed), from the per-deck one."""

    def recall(c: WeakCandidate) -> float | None:
        schedule = c.schedule()
        return None if schedule is None else retrievability(c.deck, c.card_id, schedule)

    return recall


def coarse(
    candidates: Iterable[WeakCandidate], recall: Recall
) -> list[tuple[Coarse, WeakCandidate]]:
    """(rounded retrievability, -misses), the first two parts of the rank, per candidate:
    enough to find the cards that may be among the weakest before reading times."""
    out = []
    for c in candidates:
        if c.wrong_last:
            r2 = 0.0
        else:
            r = recall(c)
            r2 = round(r, 2) if r is not None else 1.0
        out.append((Coarse(r2, -(c.lapses + c.drill_misses)), c))
    return out


def weakest(
    ranked: Sequence[tuple[Coarse, WeakCandidate]],
    recall: Recall,
    keys: Callable[[Sequence[int]], Mapping[int, str]],
    limit: int = 10,
) -> tuple[tuple[WeakCard, ...], dict[str, int]]:
    """The `limit` weakest of `coarse` candidates, and the shown cards' ids by key.

    In two steps with the same result as sorting every candidate by `weakness_rank` and
    key: the coarse rank picks the candidates that tie with or beat the `limit`-th, and
    only those have their keys looked up (`keys`: ids -> card keys) and their full rank
    worked out."""
    if not ranked:
        return (), {}
    bar = heapq.nsmallest(limit, (ckey for ckey, _c in ranked))[-1]
    near = [(ckey, c) for ckey, c in ranked if ckey <= bar]
    key_of = keys([c.card_id for _ckey, c in near])
    full = []
    for ckey, c in near:
        last_miss = utc_time(c.last_miss)
        rank = weakness_rank(
            0.0 if c.wrong_last else (ckey.recall if ckey.recall != 1.0 else None),
            c.wrong_last,
            c.lapses + c.drill_misses,
            last_miss,
        )
        full.append((rank, key_of[c.card_id], c, last_miss))
    top = heapq.nsmallest(limit, full, key=lambda item: (item[0], item[1]))
    shown = tuple(
        WeakCard(
            key,
            c.deck,
            max(c.lapses, c.state_lapses or 0),
            c.misses,
            recall(c),
            last_miss,
            c.answers,
        )
        for _rank, key, c, last_miss in top
    )
    return shown, {key: c.card_id for _rank, key, c, _lm in top}


def candidates(
    tallies: Iterable[CardTally], schedules: Mapping[int, Schedule]
) -> list[WeakCandidate]:
    """The candidates among per-card tallies (with a miss or a lapse), each with its
    schedule's figures: the same rows the rollups give, from the log grouped directly."""
    out = []
    for t in tallies:
        s = schedules.get(t.card_id)
        if not (t.misses or t.lapses or (s is not None and s.lapses)):
            continue
        out.append(
            WeakCandidate(
                card_id=t.card_id,
                deck=t.deck,
                answers=t.answers,
                right=t.right,
                lapses=t.lapses,
                drill_misses=t.drill_misses,
                last_miss=t.last_miss,
                wrong_last=t.last_right is False,
                state=None if s is None else int(s.state),
                stability=None if s is None else s.stability,
                last_review=None if s is None else s.last_review,
                reps=None if s is None else s.reps,
                state_lapses=None if s is None else s.lapses,
            )
        )
    return out
