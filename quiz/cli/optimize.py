"""`quiz optimize`: fit the scheduler's parameters to your own review log."""

from __future__ import annotations

import json

import typer

from quiz.cli import context
from quiz.cli.base import command


@command("optimize")
def optimize(
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    dry_run: bool = typer.Option(
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
        result = fit(learner_log(repo), settings, day, fitter)
        if result.adopted and not dry_run:
            store_result(repo, result, context.now())
    _render(result, as_json, dry_run)


def _render(result, as_json: bool, dry_run: bool) -> None:
    kept = result.adopted and not dry_run
    if as_json:
        typer.echo(
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
    typer.echo(
        f"Fitted on {result.fitted_on:,} of {result.reviews:,} reviews ({result.fitter}); "
        f"held out {result.before.reviews:,} reviews from {result.cutoff:%Y-%m-%d}."
    )
    typer.echo(
        f"  log loss    current {result.before.log_loss:.4f}   fitted {result.after.log_loss:.4f}"
    )
    typer.echo(
        f"  RMSE(bins)  current {result.before.rmse_bins:.4f}   fitted {result.after.rmse_bins:.4f}"
    )
    if kept:
        typer.echo("The fitted parameters predict better: stored; your reviews now use them.")
    elif result.adopted:
        typer.echo("The fitted parameters predict better (dry run: not stored).")
    else:
        typer.echo("The fitted parameters do not predict better: kept the current ones.")
