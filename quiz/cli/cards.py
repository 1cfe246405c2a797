"""`quiz cards`: find cards, see one card's history, and act on cards."""

from __future__ import annotations

from datetime import datetime

from quiz.cli import context
from quiz.cli.boundary import errors_as_exit
from quiz.cli.declare import MAX_COUNT, Argument, Option, command, group

TYPE_CHECKING = False
if TYPE_CHECKING:
    import typer

cards_app = group(
    "cards",
    help=(
        "Find cards and look after them: list, show one card's history, suspend, unsuspend, "
        "bury, unbury, forget, set due.\n\n"
        "Example: quiz cards --state suspended   |   quiz cards unsuspend closures/cl-late-binding"
    ),
    invoke_without_command=True,
)


def _choices(values: list[str] | None, allowed: tuple[str, ...], option: str) -> tuple[str, ...]:
    from quiz.errors import UsageError

    for value in values or ():
        if value not in allowed:
            raise UsageError(f"{option}: unknown value {value!r} (one of: {', '.join(allowed)})")
    return tuple(values or ())


# rows the table shows unless told otherwise: a terminal's worth, not a whole collection
SHOWN_BY_DEFAULT = 50


@cards_app.callback()
def cards(
    ctx: typer.Context,
    text: str | None = Option(
        None, "--text", "-s", help="Cards whose text (any language), code or id contains this."
    ),
    deck: list[str] | None = Option(None, "--deck", "-d", help="Only these decks."),
    tag: list[str] | None = Option(None, "--tag", "-t", help="Only these tags."),
    kind: list[str] | None = Option(None, "--type", help="Only these card types."),
    state: list[str] | None = Option(
        None,
        "--state",
        help="new, learning, review, suspended, buried or leech (repeatable: any of them).",
    ),
    due_before: str | None = Option(
        None, "--due-before", help="Cards due before this day (YYYY-MM-DD)."
    ),
    lapses: int = Option(0, "--lapses", min=0, max=MAX_COUNT, help="At least this many lapses."),
    sort: str = Option(
        "deck", "--sort", help="deck, due, interval, lapses, recall (lowest first) or reviews."
    ),
    limit: int | None = Option(
        None,
        "--limit",
        "-n",
        min=1,
        max=MAX_COUNT,
        help=f"Show at most N (the table: {SHOWN_BY_DEFAULT} unless --all; --json: all).",
    ),
    show_all: bool = Option(False, "--all", help="The table shows every matching card."),
    as_json: bool = Option(False, "--json", help="The listing as JSON."),
    lang: str | None = Option(None, "--lang", help="Language of the questions."),
) -> None:
    """List cards with their state, due date, interval, recall and lapses.

    Example: quiz cards --deck python-gil --sort recall --limit 20
    """
    # `quiz cards show ...` runs this callback first; a plain listing's line is called
    # directly (quiz.cli.lean's DIRECT lines), without a context or a subcommand
    if ctx is not None and ctx.invoked_subcommand is not None:
        return
    if limit is None and not (show_all or as_json):
        limit = SHOWN_BY_DEFAULT
    with errors_as_exit():
        _list(text, deck, tag, kind, state, due_before, lapses, sort, limit, as_json, lang)


def _list(
    text: str | None,
    deck: list[str] | None,
    tag: list[str] | None,
    kind: list[str] | None,
    state: list[str] | None,
    due_before: str | None,
    lapses: int,
    sort: str,
    limit: int | None,
    as_json: bool,
    lang: str | None,
) -> None:
    from quiz.browse import SORTS, STATES, CardQuery
    from quiz.manage import find_cards
    from quiz.ui.cards_view import print_listing_json, render_listing

    query = CardQuery(
        text=text or "",
        decks=tuple(deck or ()),
        tags=tuple(tag or ()),
        kinds=_choices(kind, context.KINDS, "--type"),
        states=_choices(state, STATES, "--state"),
        due_before=_start_of(due_before, "--due-before"),
        min_lapses=lapses,
        sort=_choices([sort], SORTS, "--sort")[0],
        limit=limit,
    )
    cfg = context.config()
    with context.late_unit(load_bundled=False) as (repo, _loaded, _start):
        found = find_cards(
            repo,
            query,
            config=cfg,
            day=context.day_clock(cfg),
            now=context.now(),
            lang=lang or cfg.lang,
        )
        if as_json:
            print_listing_json(found.chunks)
        else:
            render_listing(found.chunks, found.total)


def _start_of(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    cfg = context.config()
    return context.day_clock(cfg).start_of(context.parse_date(value, option))


@command("show", group=cards_app)
def show(
    key: str = Argument(..., help="The card, as DECK/CARD."),
    lang: str | None = Option(None, "--lang", help="Language of the question."),
) -> None:
    """One card: its text, state, and every answer with its rating, the interval it gave
    and the recall the scheduler predicted at the time.

    Example: quiz cards show closures/cl-late-binding
    """
    from quiz.manage import history
    from quiz.ui.cards_view import render_history

    cfg = context.config()
    with context.late_unit(load_bundled=False) as (repo, _loaded, _start):
        listing, rows = history(
            repo,
            key,
            config=cfg,
            day=context.day_clock(cfg),
            now=context.now(),
            lang=lang or cfg.lang,
        )
    render_history(listing, rows)


def _act(action: str, keys: list[str], due: datetime | None = None) -> None:
    from quiz.cli.boundary import GLOBALS
    from quiz.manage import act
    from quiz.store.card_actions import open_lean

    cfg = context.config()
    day, now = context.day_clock(cfg), context.now()
    # a current SQLite store: through sqlite3, in one transaction (quiz.store.card_actions)
    lean = open_lean(GLOBALS.db, GLOBALS.learner)
    if lean is not None:
        writer, cards = lean
        with writer:
            lines = act(cards, action, keys, day=day, now=now, due=due)
            cards.commit()
    else:
        with context.unit() as repo:
            lines = act(repo, action, keys, day=day, now=now, due=due)
    from rich.text import Text

    from quiz.safe_text import escape
    from quiz.ui.console import out

    for line in lines:
        out().print(Text(escape(line)))


KEYS = Argument(..., help="Cards, as DECK/CARD (see: quiz cards).")


@command("suspend", group=cards_app)
def suspend(keys: list[str] = KEYS) -> None:
    """Keep cards out of reviews until unsuspended.

    Example: quiz cards suspend closures/cl-late-binding
    """
    _act("suspend", keys)


@command("unsuspend", group=cards_app)
def unsuspend(keys: list[str] = KEYS) -> None:
    """Bring suspended cards (a stray `!`, a leech you rewrote) back into reviews.

    Example: quiz cards unsuspend closures/cl-late-binding
    """
    _act("unsuspend", keys)


@command("bury", group=cards_app)
def bury(keys: list[str] = KEYS) -> None:
    """Leave cards out until tomorrow.

    Example: quiz cards bury python-gil/gil-what
    """
    _act("bury", keys)


@command("unbury", group=cards_app)
def unbury(keys: list[str] = KEYS) -> None:
    """Bring buried cards back today.

    Example: quiz cards unbury python-gil/gil-what
    """
    _act("unbury", keys)


@command("forget", group=cards_app)
def forget(keys: list[str] = KEYS) -> None:
    """Reset cards to new (their answers stay in the log; `quiz rebuild` keeps the reset).

    Example: quiz cards forget python-gil/gil-what
    """
    _act("forget", keys)


@command("set-due", group=cards_app)
def set_due(
    keys: list[str] = KEYS,
    on: str = Option(..., "--on", help="The day the cards fall due (YYYY-MM-DD)."),
) -> None:
    """Move answered cards to another due day.

    Example: quiz cards set-due python-gil/gil-what --on 2026-12-24
    """
    _act("set-due", keys, _start_of(on, "--on"))
