"""`quiz review` (the daily session) and `quiz rebuild` (state from the log)."""

from __future__ import annotations

from quiz.cli import context
from quiz.cli.boundary import Exit, echo
from quiz.cli.declare import MAX_COUNT, Option, command
from quiz.review.options import ReviewOptions
from quiz.ui.plural import counted


@command("review")
def review(
    deck: list[str] | None = Option(None, "--deck", "-d", help="Only these decks (repeatable)."),
    tag: list[str] | None = Option(
        None, "--tag", "-t", help="Only cards with these tags (repeatable)."
    ),
    limit: int | None = Option(
        None, "--limit", "-n", min=1, max=MAX_COUNT, help="At most this many answers this session."
    ),
    new: int | None = Option(
        None,
        "--new",
        min=0,
        max=MAX_COUNT,
        help="New cards to introduce today (overrides the daily limit).",
    ),
    lang: str | None = Option(None, "--lang", help="Language to show cards in (en, zh, ...)."),
) -> None:
    """The daily session: due cards first, then a few new ones; every answer saved at once.

    In a terminal: Enter reveals, 1-4 rate (Again/Hard/Good/Easy), u undo, s skip, b bury,
    ! suspend, e show the card's file:line, q quit. With piped stdin, one answer per line
    (see README, "Scripted sessions").

    Example: quiz review --deck python-gil --limit 20
    """
    run_review(
        ReviewOptions(
            decks=tuple(deck or ()), tags=tuple(tag or ()), limit=limit, new=new, lang=lang
        )
    )


def run_review(options: ReviewOptions) -> None:
    """`quiz review` with these options (a bare `quiz review` comes here straight from
    quiz.cli.lean, without click's parsing)."""
    from quiz.review.today import review_today
    from quiz.ui.console import out
    from quiz.ui.i18n import tr
    from quiz.ui.prompter import TerminalPrompter
    from quiz.ui.reports import render_summary

    cfg = context.config()
    lang = options.lang or cfg.lang
    with context.late_unit() as (repo, loaded, on_screen):
        if loaded:
            out().print(
                tr("Loaded the bundled decks: {decks}", lang, decks=", ".join(loaded)), style="dim"
            )
        summary = review_today(
            repo,
            options,
            config=cfg,
            day=context.day_clock(cfg),
            now=context.now(),
            clock=context.now,
            prompter=TerminalPrompter(
                out(), lang, shuffle=cfg.shuffle_choices, on_screen=on_screen
            ),
            runner=context.snippet_runner(),
            announce=lambda line: out().print(f"[cyan]{line}[/]", soft_wrap=True),
            edit=lambda item: context.card_editor(repo)(item),
        )
        if summary is None:
            out().print(tr("Nothing to review right now. ", lang) + _next_hint(repo, lang))
            return
    render_summary(summary, lang)


def _next_hint(repo, lang: str | None = None) -> str:
    from quiz.ui.i18n import tr

    if not repo.deck_slugs():
        return tr("Load a deck first: quiz import PATH", lang)
    return tr("Come back later, or drill outside the schedule with: quiz drill", lang)


@command("rebuild")
def rebuild(
    check: bool = Option(
        False, "--check", help="Only report cards whose cached state differs from the log."
    ),
) -> None:
    """Re-derive every card's scheduling state by replaying the review log.

    Example: quiz rebuild --check
    """
    from quiz.rebuild import rebuild_states
    from quiz.review.settings import with_fitted_parameters

    cfg = context.config()
    with context.unit() as repo:
        report = rebuild_states(
            repo, with_fitted_parameters(cfg, repo), context.day_clock(cfg), write=not check
        )
    for key in report.differing:
        echo(f"differs: {key}")
    verb = "would change" if check else "rebuilt"
    echo(
        f"{counted(report.cards, 'card')} replayed from {counted(report.reviews, 'review')}; {verb} {len(report.differing)}"
    )
    if check and report.differing:
        raise Exit(1)
