"""`quiz review` (the daily session) and `quiz rebuild` (state from the log)."""

from __future__ import annotations

import typer

from quiz.cli import context
from quiz.cli.app import command

MAX_COUNT = 1_000_000  # --limit / --new: more than any session, less than SQL's integers


@command("review")
def review(
    deck: list[str] | None = typer.Option(
        None, "--deck", "-d", help="Only these decks (repeatable)."
    ),
    tag: list[str] | None = typer.Option(
        None, "--tag", "-t", help="Only cards with these tags (repeatable)."
    ),
    limit: int | None = typer.Option(
        None, "--limit", "-n", min=1, max=MAX_COUNT, help="At most this many answers this session."
    ),
    new: int | None = typer.Option(
        None,
        "--new",
        min=0,
        max=MAX_COUNT,
        help="New cards to introduce today (overrides the daily limit).",
    ),
    lang: str | None = typer.Option(
        None, "--lang", help="Language to show cards in (en, zh, ...)."
    ),
) -> None:
    """The daily session: due cards first, then a few new ones; every answer saved at once.

    In a terminal: Enter reveals, 1-4 rate (Again/Hard/Good/Easy), u undo, s skip, b bury,
    ! suspend, e show the card's file:line, q quit. With piped stdin, one answer per line
    (see README, "Scripted sessions").

    Example: quiz review --deck python-gil --limit 20
    """
    from quiz.daily import (
        CardGrader,
        Schedulers,
        StoreRecorder,
        add_goal_work,
        goal_overrides,
        plan_day,
    )
    from quiz.optimize import learned_config
    from quiz.session import ReviewSession
    from quiz.store import CardFilter
    from quiz.ui.console import out
    from quiz.ui.prompter import TerminalPrompter
    from quiz.ui.reports import render_summary

    cfg = context.config()
    day = context.day_clock(cfg)
    flt = CardFilter(decks=tuple(deck or ()), tags=tuple(tag or ()))
    with context.unit() as repo:
        loaded = context.ensure_bundled(repo)
        if loaded:
            out().print(f"[dim]Loaded the bundled decks: {', '.join(loaded)}[/]")
        cfg = learned_config(cfg, repo)  # parameters fitted by `quiz optimize`, if any
        goals, overrides = goal_overrides(repo, cfg, day, context.now())
        schedulers = Schedulers(cfg, day, overrides)
        plan = plan_day(repo, cfg, day, schedulers, context.now(), flt, new, limit)
        if goals:
            plan, goal_lines = add_goal_work(plan, repo, goals, day, context.now(), flt, limit)
            for line in goal_lines:
                out().print(f"[cyan]{line}[/]", soft_wrap=True)
        if not plan.queue:
            out().print("Nothing to review right now. " + _next_hint(repo, flt))
            return
        session = ReviewSession(
            queue=plan.queue,
            recorder=StoreRecorder(repo, day, flt),
            prompter=TerminalPrompter(out(), lang or cfg.lang),
            grader=CardGrader(),
            scheduler_for=schedulers.for_card,
            runner=context.snippet_runner(),
            clock=context.now,
            next_day=day.next_day_start,
            leech_lapses=cfg.leech_lapses,
            limit=limit,
        )
        summary = session.run()
    render_summary(summary)


def _next_hint(repo, flt) -> str:
    if not repo.deck_slugs():
        return "Load a deck first: quiz import PATH"
    return "Come back later, or drill outside the schedule with: quiz drill"


@command("rebuild")
def rebuild(
    check: bool = typer.Option(
        False, "--check", help="Only report cards whose cached state differs from the log."
    ),
) -> None:
    """Re-derive every card's scheduling state by replaying the review log.

    Example: quiz rebuild --check
    """
    from quiz.optimize import learned_config
    from quiz.rebuild import rebuild_states

    cfg = context.config()
    with context.unit() as repo:
        report = rebuild_states(
            repo, learned_config(cfg, repo), context.day_clock(cfg), write=not check
        )
    for key in report.differing:
        typer.echo(f"differs: {key}")
    verb = "would change" if check else "rebuilt"
    typer.echo(
        f"{report.cards} cards replayed from {report.reviews} reviews; {verb} {len(report.differing)}"
    )
    if check and report.differing:
        raise typer.Exit(1)
