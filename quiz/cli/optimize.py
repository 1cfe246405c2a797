"""`quiz optimize`: fit the scheduler's parameters to your own review log."""

from __future__ import annotations

import json

from quiz.cli import context
from quiz.cli.boundary import echo
from quiz.cli.declare import Option, command
from quiz.ui.plural import counted


@command("optimize")
def optimize(
    as_json: bool = Option(False, "--json", help="Print the comparison as JSON."),
    dry_run: bool = Option(
        False, "--dry-run", help="Fit and compare, but keep the current parameters."
    ),
) -> None:
    """Fit FSRS parameters to your review log; keep them only if they predict better.

    Needs at least 1,000 reviews and the optimizer extra (pip install 'quiz[optimize]').
    The last fifth of your log is held out: the current and the fitted parameters both
    predict it, and the fitted ones are stored (for you alone) only if their log loss is lower.

    Example: quiz optimize --dry-run
    """
    from quiz.optimize import default_fitter, learner_log, store_result
    from quiz.optimize import (
        optimize as fit,
    )
    from quiz.review.settings import with_fitted_parameters

    fitter = default_fitter()  # says what to install before any work
    cfg = context.config()
    day = context.day_clock(cfg)
    with context.unit() as repo:
        settings = with_fitted_parameters(cfg, repo).scheduler
        # the replays read ratings and times only: the answer details are not held
        result = fit(learner_log(repo, details=False), settings, day, fitter)
        if result.adopted and not dry_run:
            store_result(repo, result, context.now())
    _render(result, as_json, dry_run)


def _render(result, as_json: bool, dry_run: bool) -> None:
    kept = result.adopted and not dry_run
    if as_json:
        echo(
            json.dumps(
                {
                    "reviews": result.reviews,
                    "fitted_on": result.fitted_on,
                    "held_out_from": result.cutoff.isoformat(),
                    "held_out_reviews": result.before.reviews,
                    "before": {
                        "log_loss": result.before.log_loss,
                        "rmse_bins": result.before.rmse_bins,
                    },
                    "after": {
                        "log_loss": result.after.log_loss,
                        "rmse_bins": result.after.rmse_bins,
                    },
                    "better": result.adopted,
                    "stored": kept,
                    "parameters": list(result.fitted),
                    "fitter": result.fitter,
                }
            )
        )
        return
    echo(
        f"Fitted on {result.fitted_on:,} of {result.reviews:,} reviews ({result.fitter}); "
        f"held out {result.before.reviews:,} reviews from {result.cutoff:%Y-%m-%d}."
    )
    echo(f"  log loss    current {result.before.log_loss:.4f}   fitted {result.after.log_loss:.4f}")
    echo(
        f"  RMSE(bins)  current {result.before.rmse_bins:.4f}   fitted {result.after.rmse_bins:.4f}"
    )
    if kept:
        echo("The fitted parameters predict better: stored; your reviews now use them.")
    elif result.adopted:
        echo("The fitted parameters predict better (dry run: not stored).")
    else:
        echo("The fitted parameters do not predict better: kept the current ones.")


@command("evaluate")
def evaluate(
    simulate: bool = Option(
        False, "--simulate", help="Score a simulated learner's log instead of yours."
    ),
    seed: int = Option(1, "--seed", help="The simulation's seed (the same seed, the same log)."),
    cards: int = Option(1000, "--cards", min=1, max=100_000, help="Simulated cards."),
    days: int = Option(365, "--days", min=1, max=3650, help="Simulated days."),
    as_json: bool = Option(False, "--json", help="Print the scores as JSON."),
) -> None:
    """How well the scheduler predicts recall, told right/wrong only or the suggested ratings.

    Replays the log three times: the scheduler told only right or wrong (Good / Again),
    told the suggested rating (Hard when slow, Easy when quick), and told your own
    rating, and scores each by log loss and RMSE(bins) (lower is better). Suggestions
    are recorded from this version on; --simulate scores a documented simulated learner
    (quiz/evaluate.py) whose answer time carries how well a card was remembered.

    Example: quiz evaluate --simulate --seed 1
    """
    from quiz.evaluate import Simulation
    from quiz.optimize import signals_on_log, signals_simulated
    from quiz.review.settings import with_fitted_parameters

    cfg = context.config()
    day = context.day_clock(cfg)
    if simulate:
        settings = cfg.scheduler
        start = day.start_of(day.day_of(context.now()))  # the same seed, the same figures
        result = signals_simulated(settings, day, Simulation(cards, days), seed, start)
        source = f"simulated log ({cards:,} cards, {days:,} days, seed {seed})"
    else:
        with context.unit() as repo:
            settings = with_fitted_parameters(cfg, repo).scheduler
            result = signals_on_log(repo, settings, day)
        source = "your log"
    _render_signals(result, source, as_json, simulate)


def _render_signals(result, source: str, as_json: bool, simulated: bool) -> None:
    rows = (
        ("right_or_wrong", "right/wrong only", result.right_or_wrong),
        ("suggested", "suggested ratings", result.with_suggestion),
        ("as_rated", "true grades" if simulated else "your ratings", result.as_rated),
    )
    if as_json:
        echo(
            json.dumps(
                {
                    "source": source,
                    "reviews": result.reviews,
                    "with_suggestion": result.suggested,
                    "scored": result.as_rated.reviews,
                    **{
                        key: {"log_loss": _finite(s.log_loss), "rmse_bins": _finite(s.rmse_bins)}
                        for key, _, s in rows
                    },
                }
            )
        )
        return
    scored = result.as_rated.reviews
    echo(
        f"{source.capitalize()}: {counted(result.reviews, 'review', grouped=True)}, {scored:,} scored "
        f"(a later day than the card's previous review), {result.suggested:,} with a suggested rating."
    )
    if not scored:
        echo("Nothing to score yet; try: quiz evaluate --simulate")
        return
    echo(f"  {'scheduler told':<20} {'log loss':>9} {'RMSE(bins)':>11}")
    for _, label, s in rows:
        echo(f"  {label:<20} {s.log_loss:>9.4f} {s.rmse_bins:>11.4f}")
    if not result.suggested:
        echo(
            "No suggested ratings in this log yet (they are recorded from now on, on typed, "
            "choice and output cards): the first two lines agree."
        )


def _finite(x: float) -> float | None:
    import math

    return x if math.isfinite(x) else None
