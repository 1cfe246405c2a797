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

Below the scores: the same log replayed with the scheduler told right/wrong only, the
suggested ratings (what the answer time adds), or the learner's ratings
(`compare_signals`), and a simulated learner whose answer time carries how well a card
came back (`simulate`), for `quiz evaluate` until a real log holds suggestions.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from quiz.model import Rating, Schedule
from quiz.replay_log import LoggedReview, in_time_order
from quiz.scheduler import Scheduler

EPSILON = 1e-7  # predictions are clipped to [EPSILON, 1 - EPSILON] for the log loss


@dataclass(frozen=True, slots=True)
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


def as_rated(entry: LoggedReview) -> Rating:
    return entry.rating


def predictions(
    log: Iterable[LoggedReview],
    scheduler: Scheduler,
    grade: Callable[[LoggedReview], Rating] = as_rated,
) -> Iterator[Prediction]:
    """Replay `log` in time order through `scheduler`; one Prediction per scored review,
    made as the replay reaches it (a whole log's predictions are not held: `score` reads
    them as they come).

    `grade` is the rating the scheduler is told for each review (the learner's own by
    default; see `compare_signals`); whether the card was recalled is always the
    learner's rating (Again or not)."""
    states: dict[str, Schedule] = {}
    long_term: dict[str, int] = {}  # reviews on a later day than the card's previous review
    lapses: dict[str, int] = {}
    for entry in in_time_order(log):
        before = states.get(entry.card, Schedule())
        elapsed = 0  # the first review: the benchmark's delta_t is max(0, -1) = 0
        if before.last_review is not None:
            elapsed = scheduler.day.days_between(before.last_review, entry.at)
        if elapsed >= 1:
            long_term[entry.card] = long_term.get(entry.card, 0) + 1
            yield Prediction(
                card=entry.card,
                at=entry.at,
                p=scheduler.retrievability(0, before, entry.at),
                recalled=entry.rating != Rating.AGAIN,
                elapsed_days=elapsed,
                nth=long_term[entry.card] + 1,
                lapses=lapses.get(entry.card, 0),
            )
            if entry.rating == Rating.AGAIN:
                lapses[entry.card] = lapses.get(entry.card, 0) + 1
        states[entry.card] = scheduler.review(
            0, before, grade(entry), entry.at, fuzz_key=entry.card
        ).after


def predict(
    log: Iterable[LoggedReview],
    scheduler: Scheduler,
    grade: Callable[[LoggedReview], Rating] = as_rated,
) -> list[Prediction]:
    """Every prediction of `predictions`, as a list."""
    return list(predictions(log, scheduler, grade))


def _log_bin(x: float, scale: float, base: float, digits: int) -> float:
    return round(scale * base ** math.floor(math.log(x) / math.log(base)), digits)


def bin_of(p: Prediction) -> tuple[float, float, float]:
    """The FSRS benchmark's bin: (elapsed days, review number, lapses), each on a log scale."""
    lapses = _log_bin(p.lapses, 1.65, 1.73, 0) if p.lapses else 0.0
    return _log_bin(p.elapsed_days, 2.48, 3.62, 2), _log_bin(p.nth, 1.99, 1.89, 0), lapses


def score(predictions: Iterable[Prediction]) -> Score:
    """Both scores in one pass over the predictions, which may be a stream."""
    n = 0
    total = 0.0  # the log loss's sum
    bins: dict[tuple[float, float, float], list[float]] = {}
    for p in predictions:
        n += 1
        q = min(max(p.p, EPSILON), 1 - EPSILON)
        total -= math.log(q) if p.recalled else math.log(1 - q)
        acc = bins.setdefault(bin_of(p), [0.0, 0.0, 0.0])  # sum of p, sum of y, count
        acc[0] += p.p
        acc[1] += 1.0 if p.recalled else 0.0
        acc[2] += 1
    if not n:
        return Score(0, math.nan, math.nan)
    squared = sum(m * (sp / m - sy / m) ** 2 for sp, sy, m in bins.values())
    return Score(n, total / n, math.sqrt(squared / sum(m for _, _, m in bins.values())))


def log_loss(predictions: Iterable[Prediction]) -> float:
    return score(predictions).log_loss


def rmse_bins(predictions: Iterable[Prediction]) -> float:
    return score(predictions).rmse_bins


def evaluate(
    log: Iterable[LoggedReview], scheduler: Scheduler, since: datetime | None = None
) -> Score:
    """Replay the whole log; score the predictions made at or after `since` (all if None).

    With `since` set, the earlier reviews still shape each card's state (they happened)
    but are not scored: a held-out tail, each of its reviews predicted from the past.
    """
    return score(p for p in predictions(log, scheduler) if since is None or p.at >= since)


def time_cutoffs(log: Sequence[LoggedReview], parts: int) -> list[datetime]:
    """Instants that cut the log into `parts` runs of about equal review counts, in time
    order (the boundaries of a time-series split: fit on what precedes a cutoff)."""
    ordered = in_time_order(log)
    if parts < 2 or len(ordered) < parts:
        return []
    return [ordered[len(ordered) * k // parts].at for k in range(1, parts)]


# ---- with and without what the learner did (issue #16) ------------------------------
#
# The scheduler learns from a review only through its rating. A grader that knows only
# right or wrong tells it Good or Again; the suggestion (quiz.review.suggest) adds what
# the answer time says: Hard when slow, Easy when quick. `compare_signals` replays one
# log three times, each time telling the scheduler a different rating for the graded
# reviews, and scores the same predictions (recall is always the learner's own outcome):
#
# - right/wrong only: Good for a recall, Again for a miss (no signals);
# - suggested: the stored suggestion for a recall (Hard/Good/Easy; Good where none
#   was stored, or where the learner overruled a wrong verdict), Again for a miss;
# - as rated: the learner's own rating (in a simulation: the true grade).
#
# Self-rated reviews (basic, cloze) keep the learner's rating in all three. Closeness is recorded but no rating carries it (a miss is Again however
# close), so it does not enter these figures.


GRADED = ("typed", "choice", "output")  # the card kinds quiz grades (and suggests for)


def right_or_wrong(entry: LoggedReview) -> Rating:
    if entry.kind not in GRADED:
        return entry.rating
    return Rating.AGAIN if entry.rating == Rating.AGAIN else Rating.GOOD


def with_suggestion(entry: LoggedReview) -> Rating:
    if entry.kind not in GRADED or entry.rating == Rating.AGAIN:
        return entry.rating
    if entry.suggested in (Rating.HARD, Rating.GOOD, Rating.EASY):
        return entry.suggested
    return Rating.GOOD


@dataclass(frozen=True)
class SignalScores:
    reviews: int  # in the log
    suggested: int  # reviews with a stored suggestion
    right_or_wrong: Score
    with_suggestion: Score
    as_rated: Score


def compare_signals(
    log: Sequence[LoggedReview], scheduler: Scheduler, since: datetime | None = None
) -> SignalScores:
    """Score the scheduler told right/wrong only, the suggestions, and the ratings.

    Three replays one after the other, each reading the log anew: side by side they
    read it once, but held three schedules per card at the same time."""

    def scored(grade: Callable[[LoggedReview], Rating]) -> Score:
        replay = predictions(log, scheduler, grade)
        return score(p for p in replay if since is None or p.at >= since)

    return SignalScores(
        reviews=len(log),
        suggested=sum(1 for e in log if e.suggested is not None),
        right_or_wrong=scored(right_or_wrong),
        with_suggestion=scored(with_suggestion),
        as_rated=scored(as_rated),
    )


# ---- a simulated learner --------------------------------------------------------------
#
# Until a learner's log holds suggestions, a simulated log shows what they can do. The
# simulated learner's memory is FSRS itself (the scheduler given, without fuzz), driven
# by a true grade the learner never states: at each review the card is recalled with
# the true retrievability R; a recalled card's true grade follows how strongly it came
# back, e = R + ease + N(0, EFFORT_NOISE), where each card's ease ~ N(0, CARD_EASE) is
# what the scheduler cannot know from right/wrong alone (some cards are easy for this
# learner, some hard): Easy from EASY_FROM, Hard below HARD_BELOW, else Good. The answer time is what carries it: base[kind] * exp(TIME_SLOPE * (0.9 - e) +
# N(0, TIME_NOISE)), so weaker memories are slower, with noise. A miss is slower still
# and its closeness partial (output cards) or 0. Each card is first seen on a random
# day of the first half, then reviewed at its true interval stretched by a lateness
# factor (U(0.75, 1.6): learners are late, sometimes early), at most once a day.
# Suggestions are then made in time order from the simulated learner's own right-answer
# times, as quiz makes them (quiz.review.suggest), and the log's rating is the true one.
#
# It takes FSRS's own model of memory as the truth, so it measures how much of what a
# perfect self-rating tells the scheduler the answer time recovers when time carries
# the grade; only a real log can say how much it carries for a real learner.

CARD_EASE = 0.05
EFFORT_NOISE = 0.03
EASY_FROM = 0.95
HARD_BELOW = 0.80
TIME_SLOPE = 4.0
TIME_NOISE = 0.3
BASE_MS = {"typed": 6_000, "choice": 8_000, "output": 20_000}


@dataclass(frozen=True)
class Simulation:
    cards: int = 300
    days: int = 180


def simulate(
    sim: Simulation, scheduler: Scheduler, rng: random.Random, start: datetime
) -> list[LoggedReview]:
    """A simulated learner's log from `start` (see above); `rng` makes it repeatable."""
    from quiz.model import Schedule

    kinds = tuple(BASE_MS)
    end = start + timedelta(days=sim.days)
    raw: list[LoggedReview] = []
    for n in range(sim.cards):
        card, kind = f"sim/{n}", kinds[n % len(kinds)]
        truth = Schedule()
        ease = rng.gauss(0, CARD_EASE)
        at = _at_hour(start + timedelta(days=rng.randrange(max(1, sim.days // 2))), rng)
        while at < end:
            if truth.last_review is None:  # first sight: learnt, not recalled
                recalled, effort = True, 0.9 + ease
            else:
                r = scheduler.retrievability(0, truth, at)
                recalled = rng.random() < r
                effort = r + ease + rng.gauss(0, EFFORT_NOISE)
            if not recalled:
                grade = Rating.AGAIN
            elif effort >= EASY_FROM:
                grade = Rating.EASY
            elif effort < HARD_BELOW:
                grade = Rating.HARD
            else:
                grade = Rating.GOOD
            slow = TIME_SLOPE * (0.9 - effort) + (0.0 if recalled else 0.5)
            ms = int(BASE_MS[kind] * math.exp(slow + rng.gauss(0, TIME_NOISE)))
            close = 1.0 if recalled else _miss_closeness(kind, effort, rng)
            raw.append(LoggedReview(card, grade, at, kind, ms, recalled, close))
            outcome = scheduler.review(0, truth, grade, at, fuzz_key=card)
            truth = outcome.after
            days = (outcome.interval_days or 1) * rng.uniform(0.75, 1.6)
            at = _at_hour(at + timedelta(days=max(1, round(days))), rng)
    return suggest_in_order(raw)


def _at_hour(day: datetime, rng: random.Random) -> datetime:
    return day.replace(hour=rng.randrange(8, 22), minute=rng.randrange(60), second=0)


def _miss_closeness(kind: str, effort: float, rng: random.Random) -> float:
    if kind != "output":
        return 0.0
    return min(0.75, max(0.0, round((effort + rng.gauss(0, 0.25)) * 4) / 4))


def suggest_in_order(log: Sequence[LoggedReview]) -> list[LoggedReview]:
    """Each review with the suggestion quiz would have made then: from its right/wrong,
    its time and the right-answer times before it (quiz.review.suggest's window)."""
    from quiz.review import suggest as pace

    right: dict[str, list[tuple[datetime, int]]] = {}
    out: list[LoggedReview] = []
    for e in in_time_order(log):
        if e.kind not in GRADED or e.correct is None or e.duration_ms is None:
            out.append(e)
            continue
        seen = right.setdefault(e.kind, [])
        recent = [ms for at, ms in seen if at >= e.at - pace.WINDOW][-pace.RECENT :]
        learned = pace.Pace({e.kind: pace.thresholds(e.kind, recent)})
        offer = pace.suggest(e.kind, e.correct, e.duration_ms, learned)
        out.append(replace(e, suggested=offer.rating))
        if e.correct:
            seen.append((e.at, e.duration_ms))
            if len(seen) > 4 * pace.RECENT:
                del seen[: len(seen) - pace.RECENT]
    return out
