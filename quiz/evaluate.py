"""How well the scheduler predicts memory: replay a review log, score each prediction.

Every review of a card on a later learner day than its previous review is a test of
the model: just before it, the scheduler states a probability of recall (its
retrievability), and the rating says what happened (Again = forgotten, else recalled).
The replay is a time series: each prediction is made from the reviews before it only,
and the card's state is then updated with the real rating, as it was at the time.

Two scores, as the FSRS benchmark defines them:
- log loss: the mean of -[y log p + (1 - y) log(1 - p)] over the scored reviews;
- RMSE(bins): reviews grouped by elapsed days, review number and lapse count (each on
  a log scale), the root of the count-weighted mean squared gap between each group's
  mean prediction and its mean outcome. It measures calibration; log loss also
  rewards telling easy cards from hard ones.

Same-day reviews (learning steps) update the state but are not scored: FSRS predicts
recall across days, and the benchmark leaves them out too. The bins follow the FSRS
benchmark (srs-benchmark: features/base.py and rmse_matrix): the review number `i` is
1 + the card's reviews so far that came on a later day than their previous review, and
a lapse is an Again given on such a review (the first review's delta_t is 0, so an
Again there is not a lapse; nor is one in a same-day step). Pure: no files, no store.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from quiz.model import Rating, Schedule
from quiz.scheduler import Scheduler

EPSILON = 1e-7  # predictions are clipped to [EPSILON, 1 - EPSILON] for the log loss


@dataclass(frozen=True)
class LoggedReview:
    """One entry of a review log: which card, the rating, when (UTC-aware)."""

    card: str
    rating: Rating
    at: datetime


@dataclass(frozen=True)
class Prediction:
    """The scheduler's forecast for one review, and what the learner then did."""

    card: str
    at: datetime
    p: float  # predicted probability of recall
    recalled: bool  # rated Hard, Good or Easy
    elapsed_days: int  # learner days since the card's previous review (>= 1)
    nth: int  # the benchmark's review number `i`: 1 + this card's reviews so far on a later day than their previous one
    lapses: int  # earlier Again ratings given on a later day than the review before them


@dataclass(frozen=True)
class Score:
    reviews: int  # scored reviews
    log_loss: float
    rmse_bins: float

    def better_than(self, other: Score) -> bool:
        """Lower log loss wins; RMSE(bins) breaks a tie."""
        return (self.log_loss, self.rmse_bins) < (other.log_loss, other.rmse_bins)


def predict(log: Iterable[LoggedReview], scheduler: Scheduler) -> list[Prediction]:
    """Replay `log` in time order through `scheduler`; one Prediction per scored review."""
    states: dict[str, Schedule] = {}
    long_term: dict[str, int] = {}  # reviews on a later day than the card's previous review
    lapses: dict[str, int] = {}
    out: list[Prediction] = []
    for entry in sorted(log, key=lambda e: e.at):
        before = states.get(entry.card, Schedule())
        elapsed = 0  # the first review: the benchmark's delta_t is max(0, -1) = 0
        if before.last_review is not None:
            elapsed = scheduler.day.days_between(before.last_review, entry.at)
        if elapsed >= 1:
            long_term[entry.card] = long_term.get(entry.card, 0) + 1
            out.append(
                Prediction(
                    card=entry.card,
                    at=entry.at,
                    p=scheduler.retrievability(0, before, entry.at),
                    recalled=entry.rating != Rating.AGAIN,
                    elapsed_days=elapsed,
                    nth=long_term[entry.card] + 1,
                    lapses=lapses.get(entry.card, 0),
                )
            )
            if entry.rating == Rating.AGAIN:
                lapses[entry.card] = lapses.get(entry.card, 0) + 1
        states[entry.card] = scheduler.review(
            0, before, entry.rating, entry.at, fuzz_key=entry.card
        ).after
    return out


def log_loss(predictions: Sequence[Prediction]) -> float:
    if not predictions:
        return math.nan
    total = 0.0
    for p in predictions:
        q = min(max(p.p, EPSILON), 1 - EPSILON)
        total -= math.log(q) if p.recalled else math.log(1 - q)
    return total / len(predictions)


def _log_bin(x: float, scale: float, base: float, digits: int) -> float:
    return round(scale * base ** math.floor(math.log(x) / math.log(base)), digits)


def bin_of(p: Prediction) -> tuple[float, float, float]:
    """The FSRS benchmark's bin: (elapsed days, review number, lapses), each on a log scale."""
    lapses = _log_bin(p.lapses, 1.65, 1.73, 0) if p.lapses else 0.0
    return _log_bin(p.elapsed_days, 2.48, 3.62, 2), _log_bin(p.nth, 1.99, 1.89, 0), lapses


def rmse_bins(predictions: Sequence[Prediction]) -> float:
    if not predictions:
        return math.nan
    bins: dict[tuple[float, float, float], list[float]] = {}
    for p in predictions:
        acc = bins.setdefault(bin_of(p), [0.0, 0.0, 0.0])  # sum of p, sum of y, count
        acc[0] += p.p
        acc[1] += 1.0 if p.recalled else 0.0
        acc[2] += 1
    squared = sum(n * (sp / n - sy / n) ** 2 for sp, sy, n in bins.values())
    return math.sqrt(squared / sum(n for _, _, n in bins.values()))


def score(predictions: Sequence[Prediction]) -> Score:
    return Score(len(predictions), log_loss(predictions), rmse_bins(predictions))


def evaluate(
    log: Sequence[LoggedReview], scheduler: Scheduler, since: datetime | None = None
) -> Score:
    """Replay the whole log; score the predictions made at or after `since` (all if None).

    With `since` set, the earlier reviews still shape each card's state (they happened)
    but are not scored: a held-out tail, each of its reviews predicted from the past.
    """
    preds = predict(log, scheduler)
    if since is not None:
        preds = [p for p in preds if p.at >= since]
    return score(preds)


def time_cutoffs(log: Sequence[LoggedReview], parts: int) -> list[datetime]:
    """Instants that cut the log into `parts` runs of about equal review counts, in time
    order (the boundaries of a time-series split: fit on what precedes a cutoff)."""
    times = sorted(e.at for e in log)
    if parts < 2 or len(times) < parts:
        return []
    return [times[len(times) * k // parts] for k in range(1, parts)]
