"""Fitting FSRS parameters to a learner's own review log, and adopting them only if better.

The log is split in time: the fitter sees the reviews before a cutoff (the head), and
both the current and the fitted parameters then predict the held-out tail (each tail
review from the whole past, as in quiz.evaluate). The fitted set is adopted only when
its log loss on the tail is lower. Nothing is fitted below MIN_REVIEWS reviews.

The fitter is py-fsrs's Optimizer, which needs PyTorch (a large download): it is the
optional extra `quiz[optimize]`, imported only here and only when fitting. py-fsrs counts
elapsed time in whole 24-hour periods (see quiz/scheduler.py); the adapter hands it
review times re-spaced so that 24-hour periods are exactly the learner's days.
(fsrs-rs-python, a small Rust build, was considered: its package declares no licence.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Protocol

from quiz.clock import DayClock
from quiz.config import SchedulerSettings
from quiz.errors import QuizError, UsageError
from quiz.evaluate import (
    LoggedReview,
    Score,
    SignalScores,
    Simulation,
    compare_signals,
    evaluate,
    simulate,
    time_cutoffs,
)
from quiz.review.settings import FITTED_PARAMETERS

if TYPE_CHECKING:
    from quiz.store import Repo

MIN_REVIEWS = 1000
HOLDOUT = 0.2  # the last fifth of the log (by time) is held out for the comparison
INSTALL_HINT = "quiz optimize needs the FSRS optimizer (PyTorch): pip install 'quiz[optimize]'"


class OptimizerMissing(QuizError):
    exit_code = 3


class Fitter(Protocol):
    name: str

    def fit(self, log: Sequence[LoggedReview], day: DayClock) -> tuple[float, ...]: ...


@dataclass(frozen=True)
class OptimizeResult:
    reviews: int  # in the whole log
    fitted_on: int  # reviews before the cutoff
    cutoff: datetime
    before: Score  # current parameters, on the held-out tail
    after: Score  # fitted parameters, on the held-out tail
    current: tuple[float, ...]
    fitted: tuple[float, ...]
    fitter: str

    @property
    def adopted(self) -> bool:
        return self.after.better_than(self.before)


def optimize(
    log: Sequence[LoggedReview],
    settings: SchedulerSettings,
    day: DayClock,
    fitter: Fitter,
    *,
    holdout: float = HOLDOUT,
    min_reviews: int = MIN_REVIEWS,
) -> OptimizeResult:
    """Fit on the head of `log`, compare current and fitted parameters on its tail."""
    from quiz.scheduler import Scheduler

    if len(log) < min_reviews:
        raise UsageError(
            f"{len(log)} reviews so far; fitting needs at least {min_reviews} (keep reviewing)"
        )
    parts = max(2, round(1 / holdout))
    cutoff = time_cutoffs(log, parts)[-1]
    head = [e for e in log if e.at < cutoff]
    current = Scheduler(replace(settings, fuzz=False), day)
    fitted = tuple(float(w) for w in fitter.fit(head, day))
    candidate = Scheduler(replace(settings, fuzz=False, parameters=fitted), day)
    return OptimizeResult(
        reviews=len(log),
        fitted_on=len(head),
        cutoff=cutoff,
        before=evaluate(log, current, since=cutoff),
        after=evaluate(log, candidate, since=cutoff),
        current=current.parameters,
        fitted=fitted,
        fitter=fitter.name,
    )


# ---- the learner's log and settings in the store ------------------------------------


def learner_log(repo: Repo) -> list[LoggedReview]:
    """The learner's scheduling reviews (drills excluded) as a log to replay, with what
    the learner did on graded cards (time, closeness, the suggested rating)."""
    from quiz.model import CardFilter, Rating

    keys = repo.card_keys_by_id()
    kinds = {c.row_id: c.card.kind.value for c in repo.cards(CardFilter(), include_retired=True)}
    return sorted(
        (
            LoggedReview(
                keys[r.card_id],
                Rating(r.rating),
                r.reviewed_at,
                kind=kinds.get(r.card_id, ""),
                duration_ms=r.duration_ms,
                correct=r.correct,
                closeness=r.closeness,
                suggested=Rating(r.suggested) if r.suggested else None,
            )
            for r in repo.review_log()
        ),
        key=lambda e: e.at,
    )


def signals_on_log(repo: Repo, settings: SchedulerSettings, day: DayClock) -> SignalScores:
    """The learner's log scored with and without the suggestions (quiz.evaluate)."""
    from quiz.scheduler import Scheduler

    return compare_signals(learner_log(repo), Scheduler(replace(settings, fuzz=False), day))


def signals_simulated(
    settings: SchedulerSettings, day: DayClock, sim: Simulation, seed: int, start: datetime
) -> SignalScores:
    """A simulated learner's log (quiz.evaluate.simulate) scored the same way."""
    import random

    from quiz.scheduler import Scheduler

    scheduler = Scheduler(replace(settings, fuzz=False), day)
    return compare_signals(simulate(sim, scheduler, random.Random(seed), start), scheduler)


def store_result(repo: Repo, result: OptimizeResult, now: datetime) -> None:
    from quiz.store.settings import set_setting

    set_setting(
        repo,
        FITTED_PARAMETERS,
        {
            "parameters": list(result.fitted),
            "fitted_at": now.isoformat(),
            "reviews": result.reviews,
            "fitter": result.fitter,
            "log_loss_before": result.before.log_loss,
            "log_loss_after": result.after.log_loss,
        },
    )


# ---- the fitter ---------------------------------------------------------------------


class PyFsrsFitter:
    """py-fsrs's Optimizer (PyTorch), fed learner days instead of 24-hour periods.

    Each review time is moved to `epoch + day_index * (24 h + 1 s) + seconds into that
    day / 86400 s`: reviews on the same learner day stay less than a second apart (0 days
    to py-fsrs, in their order), and reviews n learner days apart are n days and n seconds
    apart, which py-fsrs's `(later - earlier).days` counts as n.
    """

    name = "py-fsrs Optimizer"

    def __init__(self) -> None:
        try:
            from fsrs.optimizer import torch  # noqa: F401
        except ImportError:
            raise OptimizerMissing(INSTALL_HINT) from None

    def fit(self, log: Sequence[LoggedReview], day: DayClock) -> tuple[float, ...]:
        from fsrs import Rating as FsrsRating
        from fsrs import ReviewLog
        from fsrs.optimizer import Optimizer

        ids: dict[str, int] = {}
        logs = [
            ReviewLog(
                card_id=ids.setdefault(e.card, len(ids) + 1),
                rating=FsrsRating(int(e.rating)),
                review_datetime=learner_time(e.at, day),
                review_duration=None,
            )
            for e in log
        ]
        return tuple(float(w) for w in Optimizer(logs).compute_optimal_parameters())


EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


def learner_time(at: datetime, day: DayClock) -> datetime:
    """`at` re-spaced so that whole 24-hour periods between two results are learner days."""
    index = (day.day_of(at) - EPOCH.date()).days
    into = (at - day.start_of(day.day_of(at))).total_seconds() / 86400
    return EPOCH + timedelta(days=index, seconds=index + into)


def default_fitter() -> Fitter:
    """The installed fitter, or OptimizerMissing with the one line that says what to install."""
    return PyFsrsFitter()
