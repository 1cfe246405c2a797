"""Commands for a store shared by several learners and machines: `quiz learners`,
`quiz class report` and `quiz store copy`."""

from __future__ import annotations

from quiz.cli import context
from quiz.cli.declare import MAX_COUNT, Argument, Option, command, group

class_app = group(
    "class",
    help="A shared store's class view.\n\nExample: quiz --db postgresql://host/quiz class report",
    no_args_is_help=True,
)
store_app = group(
    "store",
    help="Whole-store operations.\n\nExample: quiz store copy ~/quiz.db postgresql://host/quiz",
    no_args_is_help=True,
)


@command("learners")
def learners(as_json: bool = Option(False, "--json", help="Print the list as JSON.")) -> None:
    """List the learners of this store, with cards seen, reviews and their last review.

    Decks are shared by every learner of a store; progress is per learner (--learner NAME).

    Example: quiz --db postgresql://server/quiz learners --json
    """
    from quiz.store.classroom import learner_overview
    from quiz.ui.class_view import render_learners

    with context.store(create=False) as s, s.reader() as session:
        rows = learner_overview(session)
    render_learners(rows, as_json)


@command("report", group=class_app)
def class_report(
    deck: list[str] | None = Option(None, "--deck", "-d", help="Only these decks (repeatable)."),
    top: int = Option(
        10, "--top", min=1, max=MAX_COUNT, help="How many of the most missed cards to list."
    ),
    as_json: bool = Option(False, "--json", help="Print the report as JSON (every card)."),
) -> None:
    """Per learner: cards seen, true retention, streak, weakest tags; per card: who misses it.

    Any learner of a shared store may run it. A card many learners miss may be unclear.

    Example: quiz class report --deck python-gil --json
    """
    from quiz.stats.gather import class_report_of
    from quiz.ui.class_view import render_class_report

    day, now = context.day_clock(), context.now()
    with context.store(create=False) as s, s.reader() as session:
        report = class_report_of(session, day=day, now=now, decks=tuple(deck or ()))
    render_class_report(report, as_json, top)


@command("copy", group=store_app)
def store_copy(
    source: str = Argument(..., help="The store to copy: a file path or a SQLAlchemy URL."),
    dest: str = Argument(..., help="Where to copy it: a file path or a URL (must be empty)."),
    force: bool = Option(False, "--force", help="Replace everything the destination holds."),
    as_json: bool = Option(False, "--json", help="Print the per-table counts as JSON."),
) -> None:
    """Copy a whole store, history included (SQLite to PostgreSQL and back), verified by
    counting every table on both sides. Never merges: a non-empty destination is refused
    unless --force replaces it.

    Example: quiz store copy ~/.local/share/quiz/quiz.db postgresql://server/quiz
    """
    from quiz.errors import UsageError
    from quiz.store.copy import copy_store
    from quiz.ui.class_view import render_copy

    if not source.strip() or not dest.strip():
        raise UsageError("give both a source and a destination store")
    render_copy(copy_store(source, dest, force=force), as_json)
