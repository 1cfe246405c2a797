"""Commands that load decks into the store and count what is waiting."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from quiz.cli import context
from quiz.cli.app import command


@command("import")
def import_(
    paths: list[Path] = typer.Argument(..., help="Deck files (.yaml/.yml) or folders of them."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Load decks into the store (all or nothing; unchanged files are skipped).

    Edited cards keep their history; cards removed from a file are retired, not deleted,
    and come back with their history if they return.

    A .csv/.tsv/.txt table (front, back, tags; Anki's text export too) is first
    converted into NAME.yaml beside it, which is then imported (and is yours to edit).

    Example: quiz import decks/ my-deck.yaml
    """
    from quiz.collection import import_paths
    from quiz.ui.reports import import_progress, render_import

    paths = _convert_tables(paths)
    with context.unit() as repo, import_progress() as progress:
        report = import_paths(repo, paths, context.now(), progress)
        if report.changed:
            from quiz.store.tuning import refresh_catalogue_stats

            refresh_catalogue_stats(repo.session)  # planner statistics for the new shape
    render_import(report, as_json)


def _convert_tables(paths: list[Path]) -> list[Path]:
    """Tables become YAML deck files beside them (quiz.authoring.csv_import); the rest as given."""
    from quiz.authoring.csv_import import convert, is_table

    out = []
    for path in paths:
        if is_table(path) and path.is_file():
            target = convert(path)
            typer.echo(f"converted {path} -> {target}", err=True)
            path = target
        out.append(path)
    return out


@command("decks")
def decks(
    as_json: bool = typer.Option(False, "--json", help="Print the table as JSON."),
    lang: str | None = typer.Option(None, "--lang", help="Language of deck titles (en, zh, ...)."),
) -> None:
    """List decks with their new / learning / due counts.

    Example: quiz decks --json
    """
    from quiz.ui.reports import render_decks

    with context.unit() as repo:
        loaded = context.ensure_bundled(repo)
        summaries = repo.deck_summaries(context.now())
    render_decks(summaries, as_json, lang or context.config().lang, loaded)


@command("due")
def due(
    as_json: bool = typer.Option(False, "--json", help="Counts per deck as JSON."),
    deck: list[str] | None = typer.Option(None, "--deck", "-d", help="Only these decks."),
) -> None:
    """How many cards are due now (one number, for shell prompts and cron).

    Example: quiz due   (prints e.g. 12)
    """
    context.config()  # no setting is used, but a bad config.toml is refused as everywhere
    with context.unit() as repo:
        summaries = repo.deck_summaries(context.now())
    if deck:
        summaries = [s for s in summaries if s.deck in deck]
    total = sum(s.due for s in summaries)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "due": total,
                    "new": sum(s.new for s in summaries),
                    "decks": {
                        s.deck: {"due": s.due, "new": s.new, "learning": s.learning}
                        for s in summaries
                    },
                }
            )
        )
    else:
        typer.echo(str(total))
