"""Learning effect: how well quiz's scheduler predicts recall on a real review log.

The log in data/bench/ (12,580 reviews of 1,205 cards; MIT, from py-fsrs's test data)
is replayed in time order through `quiz.scheduler.Scheduler` with FSRS-6's default
parameters; before every review on a later day than the card's previous one, the
predicted recall probability is scored against the rating (quiz.evaluate). Each
prediction comes from the reviews before it only.

Two protocols are shown: every scored review, and the test folds of a 5-way
time-series split (the log cut into 6 runs of equal review counts; the last 5 are
scored, as the FSRS benchmark's TimeSeriesSplit does). With the FSRS optimizer installed (`quiz[optimize]`),
fitted parameters are scored on the same folds, each fold fitted on the reviews
before it. Where the Rust reference (`fsrs_rs_python`) can be imported, its figures
for the same items and day boundaries are shown beside quiz's, and so are the folds
predicted by its own fit (`compute_parameters`) of the same items.

Day boundaries: the reviews fall between 16:00 and 05:59 UTC (none from 06:00 to 14:59),
so the learner's night is the UTC morning (UTC-7, US Pacific summer time, fits). The
headline uses a UTC day starting at 04:00 (the brief's default); the learner's own zone
and two others are listed: they differ by at most 0.001 in log loss, because few
reviews fall near any of these boundaries.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timezone, tzinfo
from zoneinfo import ZoneInfo

from quiz.clock import DayClock
from quiz.config import SchedulerSettings
from quiz.evaluate import Prediction, Score, predict, score
from quiz.replay_log import LoggedReview
from quiz.scheduler import Scheduler
from tests.optimize.reallog import read_log

REFERENCE = {"FSRS-6 default (brief)": (0.454, 0.079), "FSRS-6 fitted (brief)": (0.446, 0.054)}
CLOCKS: list[tuple[str, tzinfo, int]] = [
    ("UTC, day starts 04:00", timezone.utc, 4),
    ("UTC, day starts 10:00", timezone.utc, 10),
    ("America/Los_Angeles, 04:00", ZoneInfo("America/Los_Angeles"), 4),
    ("Asia/Shanghai, 04:00", ZoneInfo("Asia/Shanghai"), 4),
]
SPLITS = 5


@dataclass(frozen=True)
class Result:
    text: str
    data: dict


def _test_folds(
    preds: list[Prediction], log: list[LoggedReview], splits: int = SPLITS
) -> list[Prediction]:
    """The predictions a time-series split scores: from the first cutoff on (the same
    reviews the fitted parameters are scored on below)."""
    from quiz.evaluate import time_cutoffs

    start = time_cutoffs(log, splits + 1)[0]
    return [p for p in preds if p.at >= start]


def _rust_reference(log: list[LoggedReview], day: DayClock) -> tuple[float, float] | None:
    """fsrs-rs's own evaluation (default parameters) of the same items, if installed."""
    try:
        from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, FSRSItem, FSRSReview
    except ImportError:
        return None
    by_card: dict[str, list[LoggedReview]] = defaultdict(list)
    for entry in sorted(log, key=lambda e: e.at):
        by_card[entry.card].append(entry)
    items = []
    for entries in by_card.values():
        reviews, last = [], None
        for entry in entries:
            delta = 0 if last is None else day.days_between(last, entry.at)
            reviews.append(FSRSReview(int(entry.rating), delta))
            if delta > 0:
                items.append(FSRSItem(list(reviews)))
            last = entry.at
    result = FSRS(DEFAULT_PARAMETERS).evaluate([i for i in items if i.long_term_review_cnt() > 0])
    return result.log_loss, result.rmse_bins


class _RustFitter:
    """fsrs-rs's own optimizer (`compute_parameters`), fed the items quiz's fitter trains on."""

    name = "fsrs-rs"

    def fit(self, log: list[LoggedReview], day: DayClock) -> tuple[float, ...]:
        from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS, FSRSItem, FSRSReview

        from quiz.optimize import training_items

        items = [
            FSRSItem([FSRSReview(r, d) for r, d in zip(i.ratings, i.deltas, strict=True)])
            for i in training_items(log, day)
        ]
        return tuple(float(w) for w in FSRS(DEFAULT_PARAMETERS).compute_parameters(items))


def _rust_fitter() -> _RustFitter:
    from quiz.errors import QuizError

    try:
        import fsrs_rs_python  # noqa: F401
    except ImportError:
        raise QuizError("fsrs_rs_python is not installed") from None
    return _RustFitter()


def _fitted(
    log: list[LoggedReview], day: DayClock, log_fn, make_fitter
) -> tuple[Score, list[Score]] | str:  # type: ignore[no-untyped-def]
    """Time-series split: fold k's reviews are predicted with parameters fitted on the
    reviews before it (and the replay of everything before it)."""
    from quiz.errors import QuizError
    from quiz.evaluate import time_cutoffs

    try:
        fitter = make_fitter()
    except QuizError as exc:
        return f"not measured: {exc.message}"
    cuts = time_cutoffs(log, SPLITS + 1)
    scored: list[Prediction] = []
    folds: list[Score] = []
    for k, start in enumerate(cuts):
        end = cuts[k + 1] if k + 1 < len(cuts) else None
        log_fn(f"  fitting fold {k + 1}/{len(cuts)} ...")
        params = fitter.fit([e for e in log if e.at < start], day)
        scheduler = Scheduler(SchedulerSettings(fuzz=False, parameters=params), day)
        fold = [p for p in predict(log, scheduler) if p.at >= start and (end is None or p.at < end)]
        folds.append(score(fold))
        scored += fold
    return score(scored), folds


def run(log_fn=print) -> Result:  # type: ignore[no-untyped-def]
    log = read_log()
    lines = [
        f"Learning effect: {len(log):,} reviews of {len({e.card for e in log}):,} cards "
        f"(data/bench/review-log-real.csv), FSRS-6 default parameters (py-fsrs {_fsrs_version()})",
        "",
        f"{'day boundaries':30} {'protocol':24} {'reviews':>7} {'log loss':>9} {'RMSE(bins)':>10}"
        f"  {'fsrs-rs (same items)':>20}",
    ]
    data: dict = {"clocks": {}}
    for name, tz, hour in CLOCKS:
        day = DayClock(tz, hour)
        started = time.perf_counter()
        preds = predict(log, Scheduler(SchedulerSettings(fuzz=False), day))
        seconds = time.perf_counter() - started
        whole, folds = score(preds), score(_test_folds(preds, log))
        rust = _rust_reference(log, day)
        rust_text = f"{rust[0]:.4f} / {rust[1]:.4f}" if rust else "not installed"
        lines.append(
            f"{name:30} {'all scored reviews':24} {whole.reviews:7} {whole.log_loss:9.4f} "
            f"{whole.rmse_bins:10.4f}  {rust_text:>20}"
        )
        lines.append(
            f"{'':30} {'time-series test folds':24} {folds.reviews:7} {folds.log_loss:9.4f} "
            f"{folds.rmse_bins:10.4f}"
        )
        data["clocks"][name] = {
            "all": whole.__dict__,
            "folds": folds.__dict__,
            "replay_s": seconds,
            "fsrs_rs": rust,
        }
    day = DayClock(timezone.utc, 4)
    from quiz.optimize import default_fitter

    for key, label, make_fitter in (
        ("fitted", "fitted, time-series", default_fitter),
        ("fitted_fsrs_rs", "fsrs-rs fitted, same", _rust_fitter),
    ):
        result = _fitted(log, day, log_fn, make_fitter)
        if isinstance(result, str):
            lines.append(f"{label}: {result}")
            data[key] = result
            continue
        fitted, folds = result
        lines.append(
            f"{'UTC, day starts 04:00':30} {label:24} {fitted.reviews:7} "
            f"{fitted.log_loss:9.4f} {fitted.rmse_bins:10.4f}"
        )
        lines.append(
            f"{'':30} {'  per fold':24} "
            + "  ".join(f"{f.log_loss:.4f} ({f.reviews})" for f in folds)
        )
        data[key] = {**fitted.__dict__, "folds": [f.__dict__ for f in folds]}
    lines.append("")
    for name, (loss, rmse) in REFERENCE.items():
        lines.append(f"reference {name}: log loss {loss}, RMSE(bins) {rmse}")
    lines.append(
        "RMSE(bins) here follows the FSRS benchmark's Python rmse_matrix (bins by elapsed days,"
        " review number, lapses; the review number and lapses counted over reviews on a later day, as"
        " srs-benchmark's features/base.py does); fsrs-rs bins differently, so its RMSE column is not"
        " comparable."
    )
    return Result("\n".join(lines), data)


def _fsrs_version() -> str:
    from importlib.metadata import version

    return version("fsrs")
