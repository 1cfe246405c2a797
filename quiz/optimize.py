"""Fitting FSRS parameters to a learner's own review log, and adopting them only if better.

The log is split in time: the fitter sees the reviews before a cutoff (the head), and
both the current and the fitted parameters then predict the held-out tail (each tail
review from the whole past, as in quiz.evaluate). The fitted set is adopted only when
its log loss on the tail is lower. Nothing is fitted below MIN_REVIEWS reviews.

The fitter (FsrsFitter) trains FSRS-6 as the reference optimizer, fsrs-rs, does, with
autograd (MIT) differentiating numpy: the optional extra `quiz[optimize]`, imported only
here and only when fitting. Elapsed time is counted in the learner's days, as
quiz.scheduler counts it. PyTorch, which it was first trained in, fits the same
parameters but its import alone is larger than the memory a command may use at a
million reviews; py-fsrs's own Optimizer (MIT, PyTorch) fits worse (see FsrsFitter);
fsrs-rs-python, the reference's own small Rust build, declares no licence.
"""

from __future__ import annotations

import logging
import math
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, overload

from quiz.clock import DayClock
from quiz.config import SchedulerSettings
from quiz.errors import QuizError, UsageError
from quiz.evaluate import (
    Score,
    SignalScores,
    Simulation,
    compare_signals,
    evaluate,
    simulate,
    time_cutoffs,
)
from quiz.model import Rating
from quiz.replay_log import LoggedReview, ReplayLog, ReplayLogBuilder, in_time_order
from quiz.review.settings import FITTED_PARAMETERS

if TYPE_CHECKING:
    from quiz.store import Repo

logger = logging.getLogger("quiz.optimize")

MIN_REVIEWS = 1000
HOLDOUT = 0.2  # the last fifth of the log (by time) is held out for the comparison
INSTALL_HINT = (
    "quiz optimize needs the FSRS optimizer (autograd and numpy): pip install 'quiz[optimize]'"
)


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
            f"fitting needs at least {min_reviews} reviews; reviews so far: {len(log)}"
            " (keep reviewing)"
        )
    parts = max(2, round(1 / holdout))
    replay = log if isinstance(log, ReplayLog) else ReplayLog.of(log)
    cutoff = time_cutoffs(replay, parts)[-1]
    head = replay.before(cutoff)
    current = Scheduler(replace(settings, fuzz=False), day)
    fitted = tuple(float(w) for w in fitter.fit(head, day))
    candidate = Scheduler(replace(settings, fuzz=False, parameters=fitted), day)
    return OptimizeResult(
        reviews=len(log),
        fitted_on=len(head),
        cutoff=cutoff,
        before=evaluate(replay, current, since=cutoff),
        after=evaluate(replay, candidate, since=cutoff),
        current=current.parameters,
        fitted=fitted,
        fitter=fitter.name,
    )


# ---- the learner's log and settings in the store ------------------------------------


def learner_log(repo: Repo, *, details: bool = True) -> ReplayLog:
    """The learner's scheduling reviews (drills excluded) as a log to replay, with what
    the learner did on graded cards (time, closeness, the suggested rating) unless
    `details` is False (a replay of the scheduler alone: quiz.replay_log)."""
    keys = repo.card_keys_by_id()
    kinds = repo.card_kinds_by_id() if details else {}
    log = ReplayLogBuilder(details=details)
    for r in repo.review_log(by_time=True, details=details):
        if details:
            log.add(
                keys[r.card_id],
                r.rating,
                r.reviewed_at,
                kinds.get(r.card_id, ""),
                r.duration_ms,
                r.correct,
                r.closeness,
                r.suggested,
            )
        else:
            log.add(keys[r.card_id], r.rating, r.reviewed_at)
    return log.build()


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


@dataclass(frozen=True, slots=True)
class Item:
    """One review on a later learner day than the card's previous one (a prediction to
    learn from), with every review of the card up to and including it."""

    ratings: tuple[int, ...]
    # learner days since the previous review: 0 for the first and same-day ones
    deltas: tuple[int, ...]

    def __len__(self) -> int:
        """The reviews in the item's history, the predicted one included."""
        return len(self.ratings)

    @property
    def recalled(self) -> bool:
        return recalled(self.ratings[-1])

    @property
    def long_term_reviews(self) -> int:
        return sum(1 for d in self.deltas if d > 0)

    @property
    def first_interval(self) -> int:
        """Learner days before the card's first review on a later day."""
        return next(d for d in self.deltas if d > 0)


def recalled(rating: int) -> bool:
    return rating != int(Rating.AGAIN)


class Items(Sequence[Item]):
    """Training items held as arrays, handed out as `Item`s one at a time.

    Each card's reviews lie together in `ratings` and `deltas`; an item is where its
    card's reviews start there and how many are its own (`starts`, `lengths`). A log's
    items share their card's history this way, and as objects (a million items of a
    million-review log) they held far more than the arrays do.
    """

    __slots__ = ("deltas", "lengths", "ratings", "starts")

    def __init__(
        self, ratings: array[int], deltas: array[int], starts: array[int], lengths: array[int]
    ) -> None:
        self.ratings, self.deltas = ratings, deltas  # typecodes "b" and "i": numpy reads them
        self.starts, self.lengths = starts, lengths  # "l" and "i"

    @classmethod
    def of(cls, items: Iterable[Item]) -> Items:
        """Items given one by one, each with a history of its own."""
        out = cls(array("b"), array("i"), array("l"), array("i"))
        for item in items:
            out.starts.append(len(out.ratings))
            out.lengths.append(len(item))
            out.ratings.extend(item.ratings)
            out.deltas.extend(item.deltas)
        return out

    def take(self, positions: Iterable[int]) -> Items:
        """The items at these positions, in this order (sharing the histories)."""
        starts, lengths = array("l"), array("i")
        for k in positions:
            starts.append(self.starts[k])
            lengths.append(self.lengths[k])
        return Items(self.ratings, self.deltas, starts, lengths)

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, k: int) -> Item: ...
    @overload
    def __getitem__(self, k: slice) -> Items: ...
    def __getitem__(self, k: int | slice) -> Item | Items:
        if isinstance(k, slice):
            return self.take(range(len(self))[k])
        start, length = self.starts[k], self.lengths[k]
        end = start + length
        return Item(tuple(self.ratings[start:end]), tuple(self.deltas[start:end]))


def training_items(log: Sequence[LoggedReview], day: DayClock) -> Items:
    """The log as items in the time order of the review each one predicts.

    Same-day reviews (learning steps) are in the histories, as the scheduler sees them
    (they update stability through the short-term formula), but are not items: the
    model predicts recall across days, as quiz.evaluate scores it.
    """
    cards: dict[str, int] = {}
    last: list[datetime] = []  # per card: its latest review so far
    card, ratings, deltas = array("l"), array("b"), array("i")
    for entry in in_time_order(log):
        c = cards.get(entry.card)
        if c is None:
            c = cards[entry.card] = len(last)
            last.append(entry.at)
            delta = 0
        else:
            delta = day.days_between(last[c], entry.at)
            last[c] = entry.at
        card.append(c)
        ratings.append(int(entry.rating))
        deltas.append(delta)
    del cards, last
    # each card's reviews together, in time order (a counting sort by card)
    begins = array("l", [0]) * (max(card, default=-1) + 1)
    for c in card:
        begins[c] += 1
    total = 0
    for c, n in enumerate(begins):
        begins[c], total = total, total + n
    at = array("l", begins)  # per card: where its next review goes
    out = Items(
        array("b", bytes(len(card))), array("i", bytes(4 * len(card))), array("l"), array("i")
    )
    for i, c in enumerate(card):
        k = at[c]
        at[c] = k + 1
        out.ratings[k], out.deltas[k] = ratings[i], deltas[i]
        if deltas[i] > 0:
            out.starts.append(begins[c])
            out.lengths.append(k - begins[c] + 1)
    return out


def drop_outliers(items: Items) -> tuple[Items, Items]:
    """(first long-term reviews kept for the initial stabilities, items kept for training).

    Items are grouped by the card's first rating and its first interval. Per first
    rating, the smallest groups are dropped until at least 5% of that rating's first
    intervals (20 at least) are gone, and so are groups of fewer than 6 or with an
    interval beyond 100 days (365 after Easy): a handful of cards first seen again
    after an odd gap would otherwise set the initial stability. A dropped group's
    cards leave the training set too, as in fsrs-rs.
    """
    groups: dict[int, dict[int, list[int]]] = {}
    for k, item in enumerate(items):
        if item.long_term_reviews == 1:
            by_gap = groups.setdefault(item.ratings[0], {})
            by_gap.setdefault(item.first_interval, []).append(k)
    dropped: set[tuple[int, int]] = set()
    firsts: list[int] = []
    for rating, by_gap in sorted(groups.items()):
        total = sum(len(g) for g in by_gap.values())
        removed = 0
        for gap, group in sorted(by_gap.items(), key=lambda kv: (len(kv[1]), kv[0])):
            if removed + len(group) < max(20, total // 20):
                removed += len(group)
                dropped.add((rating, gap))
            elif len(group) < 6 or gap > (365 if rating == int(Rating.EASY) else 100):
                dropped.add((rating, gap))
            else:
                firsts.extend(group)
    del groups
    kept = (k for k, i in enumerate(items) if (i.ratings[0], i.first_interval) not in dropped)
    return items.take(firsts), items.take(kept)


S_MIN = 0.001  # py-fsrs's floor for any stability
INITIAL_S_MAX = 100.0  # py-fsrs's ceiling for an initial stability


def _curve(elapsed: float, stability: float, decay: float) -> float:
    factor = 0.9 ** (-1 / decay) - 1
    return float((1 + factor * elapsed / stability) ** -decay)


def initial_stabilities(
    firsts: Sequence[Item], average_recall: float, defaults: Sequence[float]
) -> tuple[list[float], dict[int, int]]:
    """Each first rating's initial stability, fitted to how often its cards were
    recalled at their first interval (fsrs-rs's pre-training), and the counts behind it.

    Per rating: recall rates by interval, each pulled towards the average recall as one
    extra review would (Laplace), then the stability whose forgetting curve fits them
    best (log loss weighted by count, plus |S - default| / 16 to stay near the default
    where the data are thin), by ternary search over [S_MIN, INITIAL_S_MAX].
    """
    decay = defaults[20]
    stats: dict[int, dict[int, list[int]]] = {}
    for item in firsts:
        acc = stats.setdefault(item.ratings[0], {}).setdefault(item.first_interval, [0, 0])
        acc[0] += item.recalled
        acc[1] += 1
    fitted: dict[int, float] = {}
    for rating, by_gap in stats.items():
        points = [(gap, (hits + average_recall) / (n + 1), n) for gap, (hits, n) in by_gap.items()]
        default = defaults[rating - 1]

        def loss(
            s: float, points: list[tuple[int, float, int]] = points, default: float = default
        ) -> float:
            total = abs(s - default) / 16
            for gap, y, n in points:
                p = _curve(gap, s, decay)
                total -= n * (y * math.log(p) + (1 - y) * math.log(1 - p))
            return total

        low, high = S_MIN, INITIAL_S_MAX
        for _ in range(200):
            if high - low <= 1e-12:
                break
            m1, m2 = low + (high - low) / 3, high - (high - low) / 3
            if loss(m1) < loss(m2):
                high = m2
            else:
                low = m1
        fitted[rating] = (low + high) / 2
    counts = {r: sum(n for _, n in by_gap.values()) for r, by_gap in stats.items()}
    return smooth_and_fill(fitted, counts, defaults), counts


# In log space fsrs-rs relates neighbouring initial stabilities linearly:
# ln S2 = W1 ln S1 + (1 - W1) ln S3 and ln S3 = (1 - W2) ln S2 + W2 ln S4.
W1, W2 = 0.41, 0.54


def smooth_and_fill(
    fitted: dict[int, float], counts: dict[int, int], defaults: Sequence[float]
) -> list[float]:
    """Four initial stabilities, ordered Again ≤ Hard ≤ Good ≤ Easy, from those fitted.

    Out of order pairs take the value of the better-attested rating; ratings never
    given first are filled from the others through the two relations above (one known:
    the defaults scaled to it; none: the defaults).
    """
    s = {r: v for r, v in fitted.items() if counts.get(r)}
    for small, big in ((1, 2), (2, 3), (3, 4), (1, 3), (2, 4), (1, 4)):
        if small in s and big in s and s[small] > s[big]:
            if counts[small] > counts[big]:
                s[big] = s[small]
            else:
                s[small] = s[big]
    if not s:
        out = list(defaults[:4])
    elif len(s) == 1:
        ((rating, value),) = s.items()
        out = [d * value / defaults[rating - 1] for d in defaults[:4]]
    else:
        x = {r: math.log(v) for r, v in s.items()}
        # rows: coefficients of ln S1..ln S4 in the two relations (each = 0)
        rows = [(W1, -1.0, 1 - W1, 0.0), (0.0, 1 - W2, -1.0, W2)]
        missing = [r for r in (1, 2, 3, 4) if r not in x]
        if len(missing) == 2:
            (a, b) = missing
            m = [[row[a - 1], row[b - 1]] for row in rows]
            rhs = [-sum(row[r - 1] * v for r, v in x.items()) for row in rows]
            det = m[0][0] * m[1][1] - m[0][1] * m[1][0]
            x[a] = (rhs[0] * m[1][1] - m[0][1] * rhs[1]) / det
            x[b] = (m[0][0] * rhs[1] - rhs[0] * m[1][0]) / det
        elif len(missing) == 1:
            (a,) = missing
            row = rows[0] if a in (1, 2) else rows[1]
            x[a] = -sum(row[r - 1] * v for r, v in x.items()) / row[a - 1]
        out = [s[r] if r in s else math.exp(x[r]) for r in (1, 2, 3, 4)]
    return [min(max(v, S_MIN), INITIAL_S_MAX) for v in out]


# How far each parameter may stray from where training starts, in fsrs-rs's units
# (the spread of its fitted parameters over many learners): each batch pays
# gamma * (batch / items) * sum(((w - w0) / spread) ** 2), so a small log moves them less.
PARAMETER_SPREAD = (
    6.43, 9.66, 17.58, 27.85, 0.57, 0.28, 0.6, 0.12, 0.39, 0.18, 0.33,
    0.3, 0.09, 0.16, 0.57, 0.25, 1.03, 0.31, 0.32, 0.14, 0.27,
)  # fmt: skip


@dataclass(frozen=True)
class Training:
    """How the fitter trains: fsrs-rs's settings, except the two measured below.

    Steps: fsrs-rs makes 5 passes in batches of 512 items, which on a log of a few
    thousand reviews is 10 to 50 Adam steps, far from the optimum. Here the passes go
    on until at least `min_steps` steps (5 passes still for a big log, whose cost
    this bounds). Recency: fsrs-rs weights the oldest item 0.25 and the newest 1
    (`recency_floor=0.25`, rising with the cube of the position); on the real log in
    data/bench that predicts its later folds worse (log loss 0.4466 against 0.4449
    with every item weighted alike, time-series folds as in tests/bench/bench_learning).
    Passed in, so a test trains for a few steps only.
    """

    epochs: int = 5  # passes over the items, at least
    min_steps: int = 200  # Adam steps, at least
    batch_size: int = 512
    learning_rate: float = 4e-2  # the start of a cosine decay to 0 over all the steps
    gamma: float = 1.0  # weight of the pull towards the starting parameters
    max_history: int = 64  # items with a longer history are left out (rare; they cost most)
    recency_floor: float = 1.0  # the oldest item's weight (the newest: 1)
    seed: int = 2023  # the order of the batches in each pass


class FsrsFitter:
    """FSRS-6 fitted the way the reference optimizer (fsrs-rs) fits it, with autograd.

    Where py-fsrs's own Optimizer (log loss 0.4502 on the real log's folds) differs
    from the reference: it starts from the default initial stabilities instead of
    fitting them to the first intervals first (`initial_stabilities`), keeps outlying
    first intervals (`drop_outliers`), has no pull towards the starting parameters
    (`PARAMETER_SPREAD`), and trains for a fixed 5 passes. Items are the later-day
    reviews, each with the card's whole history before it, same-day reviews included
    (they move stability through the short-term formula, as in quiz.scheduler); the
    model is py-fsrs's formulas and bounds, so the fitted set predicts in quiz.scheduler
    exactly as it was trained. Of the passes, the one with the lowest training loss wins.
    """

    name = "FSRS-6 fitter (autograd)"

    def __init__(self, training: Training | None = None) -> None:
        try:
            import autograd  # noqa: F401
        except ImportError:
            raise OptimizerMissing(INSTALL_HINT) from None
        self.training = training or Training()

    def fit(self, log: Sequence[LoggedReview], day: DayClock) -> tuple[float, ...]:
        from fsrs.scheduler import DEFAULT_PARAMETERS

        defaults = tuple(float(w) for w in DEFAULT_PARAMETERS)
        t = self.training
        firsts, items = drop_outliers(training_items(log, day))
        if len(items) < 8 or not firsts:
            logger.info("%d later-day reviews: too few to fit, default parameters", len(items))
            return defaults
        average_recall = sum(i.recalled for i in items) / len(items)
        starts, counts = initial_stabilities(firsts, average_recall, defaults)
        start = tuple(starts) + defaults[4:]
        if len(items) < 64 or len(items) == len(firsts):
            logger.info("only first intervals to learn from: initial stabilities fitted alone")
            return start
        kept = array("l", (k for k, n in enumerate(items.lengths) if n <= t.max_history))
        if not kept:
            return start
        batches, total = _batches(items, kept, t), len(kept)
        del items, firsts, kept  # the batches hold what training needs: free the rest for it
        fitted = _train(batches, total, start, t)
        stabilities = smooth_and_fill({r: fitted[r - 1] for r in (1, 2, 3, 4)}, counts, defaults)
        return tuple(stabilities) + tuple(fitted[4:])


# py-fsrs's bounds for each parameter (fsrs-rs clips to the same ones after every step)
def _bounds() -> tuple[tuple[float, ...], tuple[float, ...]]:
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    return tuple(LOWER_BOUNDS_PARAMETERS), tuple(UPPER_BOUNDS_PARAMETERS)


def _batches(items: Items, kept: Sequence[int], t: Training) -> list[_Batch]:
    """The kept items (positions in `items`) in batches, shortest histories first, each
    weighted by its position in time (`Training.recency_floor`).

    The batches are views into a few arrays, one of each field for all of them: the
    memory goes back to the system in one piece when training ends (the replays that
    score the fitted set come next), where a few thousand small arrays each of their
    own left it scattered."""
    import numpy as np

    last = max(len(items) - 1, 1)

    def weight(k: int) -> float:
        return t.recency_floor + (1 - t.recency_floor) * (k / last) ** 3

    all_ratings = np.frombuffer(items.ratings, dtype=np.int8)
    all_deltas = np.frombuffer(items.deltas, dtype=np.int32)
    positions = np.asarray(kept, dtype=np.int64)
    lengths = np.frombuffer(items.lengths, dtype=np.int32)[positions]
    order = np.argsort(lengths, kind="stable")  # as sorted() orders: ties keep time order
    ordered, history = positions[order], lengths[order] - 1  # the history before each item
    del positions, lengths, order
    starts = np.frombuffer(items.starts, dtype=np.int64)[ordered]
    predicted = starts + history
    elapsed = all_deltas[predicted]
    outcome = np.fromiter(map(recalled, all_ratings[predicted].tolist()), dtype=np.int8)
    del predicted
    weights = np.empty(len(ordered))
    cuts = range(0, len(ordered), t.batch_size)
    # [history length, items] per batch, laid end to end (padding: Good after a day)
    shapes = [
        (int(history[min(n + t.batch_size, len(ordered)) - 1]), len(ordered[n : n + t.batch_size]))
        for n in cuts
    ]
    cells = sum(rows * cols for rows, cols in shapes)
    flat_ratings = np.full(cells, 3, dtype=np.int8)
    flat_deltas = np.ones(cells, dtype=np.int32)
    batches = []
    offset = 0
    for n, (rows, cols) in zip(cuts, shapes, strict=True):
        end = n + cols
        weights[n:end] = [weight(k) for k in ordered[n:end].tolist()]
        ratings = flat_ratings[offset : offset + rows * cols].reshape(rows, cols)
        deltas = flat_deltas[offset : offset + rows * cols].reshape(rows, cols)
        offset += rows * cols
        for col, (start, length) in enumerate(
            zip(starts[n:end].tolist(), history[n:end].tolist(), strict=True)
        ):
            ratings[:length, col] = all_ratings[start : start + length]
            deltas[:length, col] = all_deltas[start : start + length]
        batches.append(
            _Batch(ratings, deltas, history[n:end], elapsed[n:end], outcome[n:end], weights[n:end])
        )
    return batches


def _train(
    batches: Sequence[_Batch], total: int, start: tuple[float, ...], t: Training
) -> tuple[float, ...]:
    import random

    import autograd.numpy as anp
    from autograd import grad

    low, high = (anp.array(b, dtype=anp.float64) for b in _bounds())
    w0 = anp.array(start, dtype=anp.float64)
    spread = anp.array(PARAMETER_SPREAD, dtype=anp.float64)

    def loss(w: Any, batch: _Batch) -> Any:
        penalty = t.gamma * batch.size / total * anp.sum(((w - w0) / spread) ** 2)
        return _batch_loss(w, batch) + penalty

    gradient_of = grad(loss)
    epochs = max(t.epochs, -(-t.min_steps // len(batches)))  # ceiling division
    adam = _Adam(len(start), t.learning_rate, (total // t.batch_size + 1) * epochs)
    rng = random.Random(t.seed)
    w = w0
    best, best_loss = start, math.inf
    for _ in range(epochs):
        order = list(range(len(batches)))
        rng.shuffle(order)
        for k in order:
            w = anp.clip(adam.step(w, gradient_of(w, batches[k])), low, high)
        epoch_loss = sum(float(loss(w, b)) for b in batches) / total
        if epoch_loss < best_loss:
            best_loss, best = epoch_loss, tuple(float(x) for x in w)
    return best


class _Adam:
    """Adam with a cosine decay of its learning rate to 0 over `steps`, as fsrs-rs trains
    (and as torch.optim.Adam with CosineAnnealingLR computes it). autograd's own
    `misc.optimizers.adam` keeps one step size and cannot clip between steps."""

    def __init__(self, size: int, learning_rate: float, steps: int) -> None:
        import numpy as np

        self.learning_rate, self.steps, self.done = learning_rate, steps, 0
        self.m, self.v = np.zeros(size), np.zeros(size)

    def step(
        self, w: Any, gradient: Any, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8
    ) -> Any:
        """The parameters `w` after one step down `gradient`."""
        import numpy as np

        lr = self.learning_rate * (1 + math.cos(math.pi * self.done / self.steps)) / 2
        self.done += 1
        self.m = b1 * self.m + (1 - b1) * gradient
        self.v = b2 * self.v + (1 - b2) * gradient * gradient
        correction1, correction2 = 1 - b1**self.done, 1 - b2**self.done
        return w - lr / correction1 * self.m / (np.sqrt(self.v / correction2) + eps)


@dataclass(frozen=True)
class _Batch:
    # integers where they are (exact as floats, and a big log's batches are a large part
    # of what it holds), made floats in the loss
    ratings: Any  # [history length, items]: ratings before the predicted review (3 as padding)
    deltas: Any  # the same for learner days (1 as padding)
    lengths: Any  # [items]: how many of the rows are the item's own
    elapsed: Any  # [items]: learner days before the predicted review
    recalled: Any  # [items]: 1 or 0
    weights: Any  # [items]: recency weights

    @property
    def size(self) -> int:
        return int(self.lengths.shape[0])


def _clamp(x: Any, low: float, high: float = math.inf) -> Any:
    """x within [low, high], passing the gradient on at the bounds themselves (as PyTorch's
    clamp does; numpy's clip under autograd stops it there)."""
    import autograd.numpy as anp

    if high < math.inf:
        x = anp.where(x > high, high, x)
    return anp.where(x < low, low, x)


def _batch_loss(w: Any, b: _Batch) -> Any:
    """The recency-weighted log loss summed over the batch (py-fsrs's formulas).

    Every operation on the parameters is recorded for the gradient, and each costs far
    more to record than to compute on a batch: what does not change from one history
    step to the next (each parameter picked out of `w`, their exponentials) is computed
    once, before the steps."""
    import autograd.numpy as anp

    p = [w[k] for k in range(21)]
    decay = p[20]
    factor = 0.9 ** (-1 / decay) - 1

    def recall(elapsed: Any, s: Any) -> Any:
        return (1 + factor * elapsed / s) ** -decay

    ratings, deltas = b.ratings.astype(anp.float64), b.deltas.astype(anp.float64)
    first = ratings[0]
    ones = anp.ones_like(first)
    # autograd's `where` does not sum a broadcast scalar's gradient: rows, not scalars
    hard_bonus, easy_bonus = p[15] * ones, p[16] * ones
    s = _clamp(w[b.ratings[0].astype(anp.intp) - 1], S_MIN)
    d = _clamp(p[4] - anp.exp(p[5] * (first - 1)) + 1, 1, 10)
    easy_d = p[4] - anp.exp(p[5] * 3) + 1
    exp_w8, fail_cap = anp.exp(p[8]), anp.exp(p[17] * p[18])
    for k in range(1, ratings.shape[0]):
        g, dt = ratings[k], deltas[k]
        forgot = 1 - recall(dt, s)
        bonus = anp.where(g == 2, hard_bonus, anp.where(g == 4, easy_bonus, ones))
        success = s * (1 + exp_w8 * (11 - d) * s ** -p[9] * (anp.exp(forgot * p[10]) - 1) * bonus)
        failure = anp.minimum(
            p[11] * d ** -p[12] * ((s + 1) ** p[13] - 1) * anp.exp(forgot * p[14]),
            s / fail_cap,
        )
        growth = anp.exp(p[17] * (g - 3 + p[18])) * s ** -p[19]
        growth = anp.where(g >= 2, _clamp(growth, 1.0), growth)
        new_s = anp.where(dt == 0, s * growth, anp.where(g == 1, failure, success))
        new_d = d + (10 - d) * (-p[6] * (g - 3)) / 9
        new_d = _clamp(p[7] * easy_d + (1 - p[7]) * new_d, 1, 10)
        live = k < b.lengths
        s = anp.where(live, _clamp(new_s, S_MIN), s)
        d = anp.where(live, new_d, d)
    predicted = _clamp(recall(b.elapsed.astype(anp.float64), s), 1e-7, 1 - 1e-7)
    y = b.recalled.astype(anp.float64)
    return -anp.sum(b.weights * (y * anp.log(predicted) + (1 - y) * anp.log(1 - predicted)))


def default_fitter() -> Fitter:
    """The installed fitter, or OptimizerMissing with the one line that says what to install."""
    return FsrsFitter()
