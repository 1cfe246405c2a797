"""`quiz optimize`: fit on the head of the log, compare on the held-out tail, adopt only if better."""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import timezone

import pytest

from quiz import optimize as opt
from quiz.clock import DayClock
from quiz.config import Config, SchedulerSettings
from quiz.errors import UsageError
from quiz.replay_log import LoggedReview
from quiz.review.settings import FITTED_PARAMETERS, with_fitted_parameters
from tests.optimize.reallog import load_into_store, read_log

UTC4 = DayClock(timezone.utc, 4)
DEFAULTS = SchedulerSettings(fuzz=False)
# What py-fsrs's Optimizer (PyTorch) fitted on the first 80% of data/bench's log, UTC days
# from 04:00 (measured once with `quiz[optimize]` installed; it improves the tail's log loss).
FITTED = (
    0.1794,
    1.2931,
    2.6070,
    8.2956,
    6.9239,
    0.5085,
    2.9826,
    0.0371,
    1.6506,
    0.1258,
    0.5962,
    1.6952,
    0.0111,
    0.4483,
    1.8252,
    0.9185,
    1.8729,
    0.6843,
    0.0799,
    0.2255,
    0.6430,
)
# A set that forgets far too fast: initial stabilities of a few minutes
BAD = (0.001, 0.001, 0.001, 0.001) + FITTED[4:]


class FakeFitter:
    """Returns fixed parameters and remembers what it was shown."""

    name = "fake"

    def __init__(self, parameters: tuple[float, ...]) -> None:
        self.parameters = parameters
        self.seen: list[LoggedReview] = []

    def fit(self, log, day):  # type: ignore[no-untyped-def]
        self.seen = list(log)
        return self.parameters


@pytest.fixture(scope="module")
def real_log() -> list[LoggedReview]:
    return read_log()


def test_fitted_parameters_that_predict_better_are_adopted(real_log):
    fitter = FakeFitter(FITTED)
    result = opt.optimize(real_log, DEFAULTS, UTC4, fitter)
    assert result.adopted
    assert result.after.log_loss < result.before.log_loss
    assert result.before.reviews == result.after.reviews > 1000  # the same held-out reviews
    assert result.fitted == FITTED and len(result.current) == 21


def test_worse_parameters_are_not_adopted(real_log):
    result = opt.optimize(real_log, DEFAULTS, UTC4, FakeFitter(BAD))
    assert not result.adopted
    assert result.after.log_loss > result.before.log_loss


def test_the_fitter_sees_only_the_head_and_the_tail_is_held_out(real_log):
    fitter = FakeFitter(FITTED)
    result = opt.optimize(real_log, DEFAULTS, UTC4, fitter)
    assert max(e.at for e in fitter.seen) < result.cutoff
    assert len(fitter.seen) == result.fitted_on == pytest.approx(0.8 * len(real_log), rel=0.01)


def test_too_few_reviews_is_a_clear_error(real_log):
    with pytest.raises(UsageError, match="at least 1000"):
        opt.optimize(real_log[:999], DEFAULTS, UTC4, FakeFitter(FITTED))
    with pytest.raises(UsageError) as one:  # a count that reads right for one review too
        opt.optimize(real_log[:1], DEFAULTS, UTC4, FakeFitter(FITTED))
    assert str(one.value) == (
        "fitting needs at least 1000 reviews; reviews so far: 1 (keep reviewing)"
    )


def test_without_the_extra_optimize_says_what_to_install(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "autograd", None)  # as if the extra were not installed
    result = cli("optimize")
    assert result.exit_code != 0
    assert result.stderr.strip() == "quiz: " + opt.INSTALL_HINT
    assert "Traceback" not in result.output


def test_optimize_end_to_end_on_the_real_log(cli, env, monkeypatch):
    load_into_store(cli, env)
    fitter = FakeFitter(FITTED)
    monkeypatch.setattr(opt, "default_fitter", lambda: fitter)

    dry = cli("optimize", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "dry run: not stored" in dry.stdout
    assert _stored(env) is None

    result = cli("optimize", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["reviews"] == 12580 and data["better"] and data["stored"]
    assert data["after"]["log_loss"] < data["before"]["log_loss"]
    stored = _stored(env)
    assert stored["parameters"] == list(FITTED) and stored["reviews"] == 12580

    # the scheduler now uses them: a rebuild under the learned parameters changes the states
    check = cli("rebuild", "--check")
    assert check.exit_code == 1 and "would change" in check.stdout
    assert cli("rebuild").exit_code == 0
    assert cli("rebuild", "--check").exit_code == 0


def test_learned_parameters_apply_per_learner_and_yield_to_the_config_file(cli, env, monkeypatch):
    load_into_store(cli, env, limit=1500)
    monkeypatch.setattr(opt, "default_fitter", lambda: FakeFitter(FITTED))
    assert cli("optimize").exit_code == 0
    from quiz.store import open_store

    with open_store(str(env / "store.db")) as store:
        with store.unit("tester") as repo:
            assert with_fitted_parameters(Config(), repo).scheduler.parameters == FITTED
            mine = Config(scheduler=SchedulerSettings(parameters=BAD))
            assert with_fitted_parameters(mine, repo).scheduler.parameters == BAD
        with store.unit("someone-else") as repo:
            assert with_fitted_parameters(Config(), repo).scheduler.parameters is None


def test_worse_fit_leaves_the_store_alone(cli, env, monkeypatch):
    load_into_store(cli, env, limit=1500)
    monkeypatch.setattr(opt, "default_fitter", lambda: FakeFitter(BAD))
    result = cli("optimize")
    assert result.exit_code == 0
    assert "do not predict better" in result.stdout
    assert _stored(env) is None


def _stored(env) -> dict | None:  # type: ignore[no-untyped-def]
    with sqlite3.connect(env / "store.db") as conn:
        row = conn.execute(
            "SELECT value FROM settings WHERE name = ?", (FITTED_PARAMETERS,)
        ).fetchone()
    return json.loads(row[0]) if row else None
