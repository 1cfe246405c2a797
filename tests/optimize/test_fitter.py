"""The FSRS fitter behind `quiz optimize`: its training data, the initial stabilities it
fits first, and (with autograd installed) a short training run on the real log."""

from __future__ import annotations

import importlib.util
import math
from datetime import datetime, timedelta, timezone

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from quiz import optimize as opt
from quiz.clock import DayClock
from quiz.config import SchedulerSettings
from quiz.evaluate import evaluate
from quiz.model import Rating
from quiz.replay_log import LoggedReview
from quiz.scheduler import Scheduler
from tests.optimize.reallog import read_log

UTC4 = DayClock(timezone.utc, 4)
DEFAULTS = tuple(float(w) for w in DEFAULT_PARAMETERS)
needs_autograd = pytest.mark.skipif(
    importlib.util.find_spec("autograd") is None,
    reason="autograd is not installed (the optional extra quiz[optimize])",
)


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, 3, 1, hour, minute, tzinfo=timezone.utc) + timedelta(days=day)


def item(first: int, gap: int, recalled: bool) -> opt.Item:
    return opt.Item((first, 3 if recalled else 1), (0, gap))


# ---- the training data ------------------------------------------------------------


def test_items_are_later_day_reviews_with_the_whole_history_before_them():
    log = [
        LoggedReview("a", Rating.AGAIN, at(0, 9)),
        LoggedReview("a", Rating.GOOD, at(0, 9, 10)),  # a learning step: in the history only
        LoggedReview("b", Rating.GOOD, at(0, 10)),
        LoggedReview("a", Rating.GOOD, at(3, 9)),
        LoggedReview("b", Rating.AGAIN, at(1, 20)),
        LoggedReview("a", Rating.HARD, at(10, 9)),
    ]
    items = opt.training_items(log, UTC4)
    assert list(items) == [
        opt.Item((3, 1), (0, 1)),  # b, in time order of the review predicted
        opt.Item((1, 3, 3), (0, 0, 3)),
        opt.Item((1, 3, 3, 2), (0, 0, 3, 7)),
    ]
    assert [i.recalled for i in items] == [False, True, True]
    assert items[2].long_term_reviews == 2 and items[2].first_interval == 3


def test_item_intervals_are_learner_days():
    """20:30 and 08:00 the next morning are one learner day apart (days start at 04:00);
    08:00 and 03:00 the next night are the same learner day."""
    log = [
        LoggedReview("a", Rating.GOOD, at(0, 20, 30)),
        LoggedReview("a", Rating.GOOD, at(1, 8)),
        LoggedReview("a", Rating.GOOD, at(2, 3)),
        LoggedReview("a", Rating.GOOD, at(2, 5)),
    ]
    (first, second) = opt.training_items(log, UTC4)
    assert first.deltas == (0, 1)
    assert second.deltas == (0, 1, 0, 1)


def test_outlying_first_intervals_are_dropped_with_their_cards():
    common = [item(3, 1, True)] * 400 + [item(3, 2, False)] * 150
    rare = [item(3, 9, True)] * 5  # fewer than 6 cards first seen again after 9 days
    late = [item(3, 120, True)] * 40  # beyond 100 days
    again = [item(1, 1, True)] * 30  # the only group of its rating: under 20 would go
    later = opt.Item((3, 3, 3), (0, 9, 4))  # a later review of a card in the rare group
    firsts, kept = opt.drop_outliers(opt.Items.of(common + rare + late + again + [later]))
    assert len(firsts) == 550 + 30
    assert {(i.ratings[0], i.first_interval) for i in kept} == {(3, 1), (3, 2), (1, 1)}


def test_initial_stability_is_fitted_to_the_first_intervals():
    """Cards first rated Good and recalled as a forgetting curve of stability 6 predicts."""
    decay = DEFAULTS[20]
    firsts = []
    for gap in (1, 3, 7, 14):
        p = opt._curve(gap, 6.0, decay)
        hits = round(2000 * p)
        firsts += [item(3, gap, True)] * hits + [item(3, gap, False)] * (2000 - hits)
    stabilities, counts = opt.initial_stabilities(firsts, 0.9, DEFAULTS)
    assert counts == {3: 8000}
    assert stabilities[2] == pytest.approx(6.0, rel=0.05)
    # the other ratings, never given first, follow from Good as the defaults do
    assert stabilities[0] < stabilities[1] < stabilities[2] < stabilities[3]


def test_thin_data_stays_near_the_default():
    stabilities, _ = opt.initial_stabilities([item(3, 2, True)], 0.9, DEFAULTS)
    assert stabilities[2] == pytest.approx(DEFAULTS[2], rel=0.5)


def test_smooth_and_fill_orders_and_fills_the_four_stabilities():
    # Again above Good: the better attested one (Good) wins
    out = opt.smooth_and_fill({1: 5.0, 3: 2.0, 4: 9.0}, {1: 10, 3: 100, 4: 50}, DEFAULTS)
    assert out[0] == out[2] == 2.0 and out[3] == 9.0
    assert out[0] <= out[1] <= out[2]  # Hard filled between its neighbours
    # one rating known: the defaults scaled to it
    scaled = opt.smooth_and_fill({3: 2 * DEFAULTS[2]}, {3: 5}, DEFAULTS)
    assert scaled == pytest.approx([2 * w for w in DEFAULTS[:4]])
    # two known: the other two satisfy both relations between neighbours
    s1, s2, s3, s4 = opt.smooth_and_fill({1: 0.5, 4: 20.0}, {1: 9, 4: 9}, DEFAULTS)
    assert math.log(s2) == pytest.approx(opt.W1 * math.log(s1) + (1 - opt.W1) * math.log(s3))
    assert math.log(s3) == pytest.approx((1 - opt.W2) * math.log(s2) + opt.W2 * math.log(s4))
    # none: the defaults; and always within py-fsrs's bounds
    assert opt.smooth_and_fill({}, {}, DEFAULTS) == list(DEFAULTS[:4])
    assert opt.smooth_and_fill({3: 500.0}, {3: 1}, DEFAULTS)[3] == opt.INITIAL_S_MAX


# ---- training (autograd) ------------------------------------------------------------


def test_items_share_their_cards_histories():
    """Items are arrays: each card's reviews once, an item a start and a length in them."""
    log = [LoggedReview("a", Rating.GOOD, at(day)) for day in (0, 2, 5, 9)]
    items = opt.training_items(log, UTC4)
    assert list(items.ratings) == [3, 3, 3, 3] and list(items.deltas) == [0, 2, 3, 4]
    assert list(items.starts) == [0, 0, 0] and list(items.lengths) == [2, 3, 4]
    assert items[1] == opt.Item((3, 3, 3), (0, 2, 3)) and list(items[1:]) == list(items)[1:]
    apart = opt.Items.of(items)  # each item with a history of its own
    assert list(apart) == list(items) and len(apart.ratings) == 2 + 3 + 4


@needs_autograd
def test_the_trained_model_is_the_scheduler_quiz_predicts_with():
    """The loss the fitter minimises, at the default parameters, is quiz.evaluate's log
    loss of the same log: same items, same formulas, same learner days."""
    import numpy as np

    log = read_log(limit=2500)
    items = opt.training_items(log, UTC4)
    everything = range(len(items))
    batches = opt._batches(items, everything, opt.Training(batch_size=300))
    w = np.array(DEFAULTS, dtype=np.float64)
    total = sum(float(opt._batch_loss(w, b)) for b in batches)
    expected = evaluate(log, Scheduler(SchedulerSettings(fuzz=False), UTC4))
    assert len(items) == expected.reviews
    assert total / len(items) == pytest.approx(expected.log_loss, abs=1e-9)


@needs_autograd
def test_the_gradient_is_the_slope_of_the_loss():
    """autograd's gradient of a batch's loss against central differences, parameter by
    parameter (the clamps and the per-rating choices included)."""
    import numpy as np
    from autograd import grad

    items = opt.training_items(read_log(limit=1500), UTC4)
    (batch, *_) = opt._batches(items, range(len(items)), opt.Training(batch_size=400))
    w = np.array(DEFAULTS, dtype=np.float64)
    gradient = grad(opt._batch_loss)(w, batch)
    for k in range(21):
        step = np.zeros(21)
        step[k] = 1e-6
        slope = (opt._batch_loss(w + step, batch) - opt._batch_loss(w - step, batch)) / 2e-6
        assert gradient[k] == pytest.approx(slope, rel=1e-4, abs=1e-4), k


@needs_autograd
def test_a_short_fit_predicts_its_log_better_than_the_defaults():
    log = read_log(limit=1500)
    fitter = opt.FsrsFitter(opt.Training(epochs=2, min_steps=0, batch_size=256))
    fitted = fitter.fit(log, UTC4)
    assert len(fitted) == 21
    assert all(
        lo <= w <= hi
        for w, lo, hi in zip(fitted, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
    )
    before = evaluate(log, Scheduler(SchedulerSettings(fuzz=False), UTC4))
    after = evaluate(log, Scheduler(SchedulerSettings(fuzz=False, parameters=fitted), UTC4))
    assert after.log_loss < before.log_loss
    assert fitter.fit(log, UTC4) == fitted  # the same log, the same parameters


@needs_autograd
def test_a_log_without_later_day_reviews_keeps_the_defaults():
    log = [LoggedReview(str(k), Rating.GOOD, at(0, 9, k)) for k in range(50)]
    assert opt.FsrsFitter(opt.Training(epochs=1, min_steps=0)).fit(log, UTC4) == DEFAULTS


@needs_autograd
def test_quiz_optimize_fits_with_autograd_end_to_end(cli, env, monkeypatch):
    """`quiz optimize --json` with the real fitter (a few steps) on 1,500 real reviews."""
    import json

    from tests.optimize.reallog import load_into_store

    load_into_store(cli, env, limit=1500)
    quick = opt.FsrsFitter(opt.Training(epochs=2, min_steps=0, batch_size=256))
    monkeypatch.setattr(opt, "default_fitter", lambda: quick)
    result = cli("optimize", "--json", "--dry-run")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["fitter"] == opt.FsrsFitter.name and data["reviews"] == 1500
    assert len(data["parameters"]) == 21 and data["parameters"] != list(DEFAULTS)
    assert math.isfinite(data["after"]["log_loss"]) and not data["stored"]
