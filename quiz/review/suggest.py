"""The suggested rating: what the learner did, turned into the rating step's default.

A graded card (typed, choice, output) knows whether the answer was right and how long
the learner took to give it. The suggestion is:

- wrong → Again;
- right, and quicker than the 25th percentile of the learner's own right answers of
  that card kind → Easy ("quick");
- right, and slower than their 90th percentile → Hard ("slow");
- right otherwise → Good.

The thresholds are the learner's own, per card kind (`Pace`, from the store's recent
right answers: `quiz.store.stats_queries.answer_times`), because a typed name and a
ten-line output prediction take different times, and one learner reads faster than
another. Until MIN_HISTORY right answers of a kind are known, quiz does not call an
answer quick (an Easy from a guessed pace would stretch the interval of a card the
learner may not know well; a wrong Easy costs more than a wrong Good), and calls it
slow only past a generous fixed bound (DEFAULT_SLOW_MS). Answers under MIN_HUMAN_MS
are neither counted in the pace nor called quick: no one reads a card and answers in
that time, so they come from a script (a piped session) and say nothing about memory.

The suggestion is only the default: Enter accepts it, 1-4 override it, `r` overrules a
wrong verdict. Pure: times and history are passed in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType

from quiz.model import Rating

log = logging.getLogger("quiz.review.suggest")

GRADED_KINDS = ("typed", "choice", "output")
EASY_BELOW = 0.25  # percentile of the learner's right-answer times: quicker is Easy
HARD_ABOVE = 0.90  # slower than this percentile is Hard
MIN_HISTORY = 20  # right answers of a kind before its thresholds are the learner's own
MIN_HUMAN_MS = 500  # quicker than this is a script, not a pace
RECENT = 200  # the store hands in at most this many recent right answers per kind
WINDOW = timedelta(days=90)  # ... given in this window (a pace changes as one learns)
# Before the learner's pace is known: slower than this (ms) is Hard, nothing is Easy.
DEFAULT_SLOW_MS: Mapping[str, int] = MappingProxyType(
    {"typed": 30_000, "choice": 30_000, "output": 90_000}
)

QUICK = "quick"
SLOW = "slow"


@dataclass(frozen=True)
class Thresholds:
    """Where an answer of one card kind stops being usual."""

    quick_ms: int | None  # right and under this: Easy (None: the pace is not known yet)
    slow_ms: int  # right and over this: Hard
    learned_from: int  # right answers the thresholds come from (0: the defaults)


@dataclass(frozen=True)
class Suggestion:
    rating: Rating
    why: str = ""  # QUICK or SLOW when the answer time moved the rating off Good


def percentile(values: Iterable[int], q: float) -> float:
    """The q-quantile (0..1) of `values`, linearly interpolated between ranks."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def thresholds(kind: str, right_times: Iterable[int]) -> Thresholds:
    """The thresholds for `kind` from the learner's right-answer times (ms)."""
    times = [t for t in right_times if t >= MIN_HUMAN_MS]
    if len(times) < MIN_HISTORY:
        return Thresholds(None, DEFAULT_SLOW_MS.get(kind, DEFAULT_SLOW_MS["output"]), 0)
    quick = int(percentile(times, EASY_BELOW))
    slow = int(percentile(times, HARD_ABOVE))
    return Thresholds(max(quick, MIN_HUMAN_MS), max(slow, quick + 1), len(times))


@dataclass(frozen=True)
class Pace:
    """The learner's thresholds per card kind, taken once when a session starts."""

    by_kind: Mapping[str, Thresholds] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def learned(cls, right_times: Mapping[str, Iterable[int]]) -> Pace:
        """From each kind's recent right-answer times (kinds with none get the defaults)."""
        found = {kind: thresholds(kind, right_times.get(kind, ())) for kind in GRADED_KINDS}
        for kind, t in found.items():
            log.debug(
                "pace %s: quick < %s ms, slow > %s ms (from %d right answers)",
                kind,
                t.quick_ms,
                t.slow_ms,
                t.learned_from,
            )
        return cls(MappingProxyType(found))

    def of(self, kind: str) -> Thresholds:
        return self.by_kind.get(kind) or thresholds(kind, ())


def suggest(kind: str, correct: bool, duration_ms: int, pace: Pace) -> Suggestion:
    """The rating to offer for a graded answer (see the module docstring)."""
    if not correct:
        return Suggestion(Rating.AGAIN)
    limits = pace.of(kind)
    if duration_ms > limits.slow_ms:
        return Suggestion(Rating.HARD, SLOW)
    if limits.quick_ms is not None and MIN_HUMAN_MS <= duration_ms < limits.quick_ms:
        return Suggestion(Rating.EASY, QUICK)
    return Suggestion(Rating.GOOD)
