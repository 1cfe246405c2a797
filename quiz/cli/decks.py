"""Commands that load decks into the store and count what is waiting."""

from __future__ import annotations

import sys
from pathlib import Path

from quiz.cli import context
from quiz.cli.boundary import GLOBALS, Exit, echo, echo_lines, errors_as_exit
from quiz.cli.declare import Argument, Option, command, group
from quiz.ui.plural import counted

TYPE_CHECKING = False
if TYPE_CHECKING:
    import typer

    from quiz.collection import ImportReport

decks_app = group(
    "decks",
    help=(
        "List decks with their new / learning / due counts, or remove one.\n\n"
        "Example: quiz decks --json   |   quiz decks remove my-deck"
    ),
    invoke_without_command=True,
)


@command("import")
def import_(
    paths: list[Path] = Argument(
        ..., help="Deck files (.yaml/.yml), folders of them, tables, or Anki packages."
    ),
    as_json: bool = Option(False, "--json", help="Print the result as JSON."),
    out: Path | None = Option(
        None, "--out", "-o", help="Folder for the decks of an Anki package (default: beside it)."
    ),
) -> None:
    """Load decks into the store (all or nothing; unchanged files are skipped).

    Edited cards keep their history; cards removed from a file are retired, not deleted,
    and come back with their history if they return.

    A .csv/.tsv/.txt table (front, back, tags; Anki's text export too) is first
    converted into NAME.yaml beside it, which is then imported (and is yours to edit).

    An Anki package (.apkg/.colpkg) becomes a folder of YAML decks (and its media)
    beside it, or in --out; its review history is replayed into quiz's log. Notes that
    quiz exported go back onto their own cards, with the answers given in Anki.

    Example: quiz import decks/ my-deck.yaml collection.apkg
    """
    from quiz.deck.yaml_nodes import gc_paused

    # The deck loader's modules (and, for the full store, SQLAlchemy and the mapped
    # classes) allocate much and free little: no collection while they load finds
    # anything (issue #19).
    with gc_paused():
        from quiz.collection import import_paths
        from quiz.ui.import_report import import_progress

    packages = _convert_packages(paths, out)
    paths = _convert_tables(paths)
    if not packages:  # a package's history is replayed through the full store
        from quiz.store.lean_write import open_writer

        writer = open_writer(GLOBALS.db, GLOBALS.learner)
        if writer is not None:  # a current SQLite store: no SQLAlchemy (issue #19)
            with writer, import_progress() as progress:
                report = import_paths(writer, paths, context.now(), progress)
                if report.changed:
                    writer.refresh_catalogue_stats()
                writer.commit()
            _say(report, as_json)
            return
    with context.unit() as repo, import_progress() as progress:
        report = import_paths(repo, paths, context.now(), progress)
        if report.changed:
            from quiz.store.tuning import refresh_catalogue_stats

            refresh_catalogue_stats(repo.session)  # planner statistics for the new shape
        repo.commit()
        histories = _import_histories(repo, packages)
    _say(report, as_json)
    for line in histories:
        echo(line, err=as_json)


def _say(report: ImportReport, as_json: bool) -> None:
    """The import's report: plain lines, written as they are (no rich: an import's
    output is a few short lines), or its JSON."""
    from quiz.ui.import_report import fitted, import_data, import_lines, terminal_width

    if as_json:
        from quiz.ui.console import print_json

        print_json(import_data(report))
        return
    lines, notes = import_lines(report)
    echo_lines(lines)
    echo_lines(fitted(notes, terminal_width(sys.stderr)), err=True)


def _convert_packages(paths: list[Path], out: Path | None) -> list:
    """Anki packages become folders of YAML decks (quiz.authoring.apkg); `paths` is
    edited in place to import those decks instead."""
    if not any(p.suffix.lower() in (".apkg", ".colpkg") for p in paths):
        return []  # no package: the reader (zip, SQLite, HTML parser) is not even imported
    from quiz.authoring.apkg import convert, is_package

    packages = []
    imported: dict[str, str] = {}
    stored: dict[str, str] = {}
    if any(is_package(p) for p in paths):
        with context.unit() as repo:  # what each deck file was when quiz last read it
            known = repo.decks_by_path()
            imported = {p: d.file_hash for p, d in known.items()}
            stored = {d.slug: p for p, d in known.items() if not d.removed}
    drop: set[int] = set()
    for index, path in enumerate(list(paths)):
        if is_package(path):
            package = convert(path, out, imported, stored)
            echo(
                f"converted {path} -> {package.folder} ({counted(package.notes, 'note')}, "
                f"{counted(len(package.deck_files), 'deck')}, {counted(len(package.media), 'media file')})",
                err=True,
            )
            for name in package.unknown_types:
                echo(f"  note type {name!r}: imported as basic cards", err=True)
            if package.missing_media:
                echo(
                    f"  {len(package.missing_media)} media files the cards name are not in the package",
                    err=True,
                )
            if package.onto:
                echo(
                    f"  notes exported by quiz went back onto their cards in: {', '.join(package.onto)}",
                    err=True,
                )
            # a package of nothing but quiz's own decks leaves no deck file to import
            paths[index] = package.folder
            if not package.deck_files:
                drop.add(index)
            packages.append(package)
    paths[:] = [p for i, p in enumerate(paths) if i not in drop]
    return packages


def _import_histories(repo, packages: list) -> list[str]:
    if not packages:
        return []
    from quiz.anki_history import import_history
    from quiz.review.settings import with_fitted_parameters

    cfg = context.config()
    # the learner's own schedule, as `quiz rebuild` replays it (fitted parameters, no goals)
    fitted = with_fitted_parameters(cfg, repo)
    lines = []
    for package in packages:
        history = import_history(repo, package, fitted, context.day_clock(cfg))
        span = (
            f" ({history.first:%Y-%m-%d} .. {history.last:%Y-%m-%d})"
            if history.first and history.last
            else ""
        )
        lines.append(
            f"{package.folder}: {counted(history.answers, 'Anki answer')} imported for {counted(history.cards, 'card')}"
            f"{span}, {history.already} already imported"
        )
        if history.skipped_cards:
            lines.append(
                f"  {len(history.skipped_cards)} cards kept their quiz history "
                "(answered in quiz after Anki): " + ", ".join(history.skipped_cards[:5])
            )
    return lines


def _convert_tables(paths: list[Path]) -> list[Path]:
    """Tables become YAML deck files beside them (quiz.authoring.csv_import); the rest as given."""
    from quiz.deck.files import DECK_SUFFIXES

    if all(p.suffix.lower() in DECK_SUFFIXES or p.is_dir() for p in paths):
        return paths  # deck files and folders only: the table reader is not even imported
    from quiz.authoring.csv_import import convert, is_table

    out = []
    for path in paths:
        if is_table(path) and path.is_file():
            target = convert(path)
            echo(f"converted {path} -> {target}", err=True)
            path = target
        out.append(path)
    return out


@decks_app.callback()
def decks(
    ctx: typer.Context,
    as_json: bool = Option(False, "--json", help="Print the table as JSON."),
    lang: str | None = Option(None, "--lang", help="Language of deck titles (en, zh, ...)."),
    db: str | None = Option(None, "--db", help="Store (as before the command).", hidden=True),
    learner: str | None = Option(
        None, "--learner", help="Learner (as before the command).", hidden=True
    ),
) -> None:
    """List decks with their new / learning / due counts.

    Example: quiz decks --json
    """
    if db is not None:
        GLOBALS.db = db
    if learner is not None:
        GLOBALS.learner = learner
    if ctx.invoked_subcommand is not None:
        return
    from quiz.ui.reports import render_decks

    with errors_as_exit():
        with context.unit() as repo:
            loaded = context.ensure_bundled(repo)
            updated = context.take_bundled_updates(repo)
            summaries = repo.deck_summaries(context.now())
        if updated:
            echo(
                f"Updated bundled decks (corrected by a new version of quiz; your history "
                f"is kept): {', '.join(updated)}",
                err=True,
            )
        render_decks(summaries, as_json, lang or context.config().lang, loaded)


@command("remove", group=decks_app)
def remove(
    deck: str = Argument(..., help="The deck's id (as `quiz decks` lists it)."),
    keep_history: bool = Option(
        True,
        "--keep-history/--purge",
        help=(
            "Keep the review log (the default: statistics keep the past, and importing the "
            "deck again brings its cards back with their history), or purge every row of "
            "the deck: cards, states, tags, goals and log, for every learner of the store."
        ),
    ),
    yes: bool = Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Remove a deck from the collection (asks first; --yes to skip the question).

    Example: quiz decks remove my-deck   |   quiz decks remove my-deck --purge --yes
    """
    import sys

    from quiz.errors import NotFound, UsageError

    with context.unit() as repo:
        listed = repo.listed_deck_slugs()
        if deck not in listed:
            known = ", ".join(sorted(listed)) or "none"
            raise NotFound(f"no deck named {deck!r} (the store has: {known})")
        what = (
            "and delete its cards and every review of them (--purge)"
            if not keep_history
            else "(its review history is kept)"
        )
        if not yes:
            if not sys.stdin.isatty():
                raise UsageError(
                    f"quiz decks remove {deck}: not asking on a pipe; add --yes to remove it"
                )
            import typer  # its prompt, only here

            if not typer.confirm(f"Remove deck {deck} {what}?", default=False):
                echo("nothing removed")
                raise Exit(1)
        done = repo.remove_deck(deck, context.now(), purge=not keep_history)
        repo.commit()
    assert done is not None
    if done.purged:
        echo(
            f"removed {deck}: {counted(done.cards, 'card')} and {counted(done.reviews, 'review')} deleted (purged)"
        )
    else:
        echo(
            f"removed {deck}: {counted(done.cards, 'card')} retired, review history kept "
            f"(quiz import {listed[deck]} brings it back)"
        )


@command("due")
def due(
    as_json: bool = Option(False, "--json", help="Counts per deck as JSON."),
    deck: list[str] | None = Option(None, "--deck", "-d", help="Only these decks."),
) -> None:
    """How many cards are due now (one number, for shell prompts and cron).

    Example: quiz due   (prints e.g. 12)
    """
    from quiz.cli.boundary import GLOBALS
    from quiz.cli.lean import due_output

    context.config()  # no setting is used, but a bad config.toml is refused as everywhere
    echo(due_output(GLOBALS.db, GLOBALS.learner, list(deck or ()), as_json, context.now()))
