"""`quiz drill` (practice outside the schedule), `quiz goal` (aim decks at a date) and
`quiz stats` (retention, forecast, streaks, weak spots)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from quiz.cli import context
from quiz.cli.base import command

KINDS = ("basic", "typed", "choice", "cloze", "output")


def _date(value: str, option: str) -> date:
    from quiz.errors import UsageError

    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{option}: not a date (YYYY-MM-DD): {value!r}") from None


@command("drill")
def drill(
    deck: list[str] | None = typer.Option(
        None, "--deck", "-d", help="Only these decks (repeatable)."
    ),
    tag: list[str] | None = typer.Option(
        None, "--tag", "-t", help="Only cards with these tags (repeatable)."
    ),
    kind: list[str] | None = typer.Option(
        None, "--type", help="Only these card types: " + ", ".join(KINDS) + "."
    ),
    weak: bool = typer.Option(
        False, "--weak", help="Weakest cards first: low recall, many misses, recent misses."
    ),
    count: int = typer.Option(10, "--count", "-n", min=1, help="Questions in this drill."),
    seed: int | None = typer.Option(None, "--seed", help="Shuffle seed, to repeat the same drill."),
    timed: float | None = typer.Option(
        None, "--timed", min=1, help="Seconds per question; over time is wrong."
    ),
    exam: bool = typer.Option(False, "--exam", help="No feedback until the end, then the report."),
    graded: bool = typer.Option(
        False, "--graded", help="Record answers as real reviews (moves the schedule)."
    ),
    lang: str | None = typer.Option(
        None, "--lang", help="Language to show cards in (en, zh, ...)."
    ),
) -> None:
    """Practise outside the daily schedule: by deck, tag, type or weakness; timed or as an exam.

    A drill does not move the schedule unless --graded; its answers are kept all the same,
    so --weak and `quiz stats` know what you miss. Answers as in `quiz review` (piped: one a line).

    Example: quiz drill --tag gil --weak --timed 30 --count 15
    """
    from quiz.errors import UsageError
    from quiz.review.drill import DrillOptions, run_drill
    from quiz.ui.console import out
    from quiz.ui.drill_view import DrillPrompter, report_view

    bad = [k for k in kind or () if k not in KINDS]
    if bad:
        raise UsageError(f"--type: unknown card type {bad[0]!r} (one of: {', '.join(KINDS)})")
    options = DrillOptions(
        decks=tuple(deck or ()),
        tags=tuple(tag or ()),
        kinds=tuple(kind or ()),
        weak=weak,
        count=count,
        seed=seed,
        timed=timed,
        exam=exam,
        graded=graded,
    )
    cfg = context.config()
    lang = lang or cfg.lang
    prompter = DrillPrompter(out(), lang, time_limit=timed, exam=exam)
    if timed:
        out().print(f"[dim]⏱ {timed:g}s per question; over time counts as wrong[/]")
    with context.unit() as repo:
        context.ensure_bundled(repo)
        result = run_drill(
            repo,
            options,
            config=cfg,
            day=context.day_clock(cfg),
            now=context.now(),
            prompter=prompter,
            runner=context.snippet_runner(),
            clock=context.now,
        )
    if result is None:
        out().print("No cards match this drill. See: quiz decks")
        return
    out().rule(style="dim")
    out().print(report_view(result, lang, exam=exam))


@command("goal")
def goal(
    deck: str | None = typer.Option(None, "--deck", "-d", help="The deck to aim at a date."),
    by: str | None = typer.Option(None, "--by", help="The date (YYYY-MM-DD), e.g. your interview."),
    clear: bool = typer.Option(
        False, "--clear", help="Remove the deck's goal: the normal schedule returns."
    ),
    as_json: bool = typer.Option(False, "--json", help="List goals as JSON."),
) -> None:
    """Aim a deck at a date: every card is seen once more before it, new ones in time.

    Without options, lists your goals and the cards a day each takes.

    Example: quiz goal --deck python-gil --by 2026-12-15
    """
    import json

    from quiz.errors import UsageError
    from quiz.review.plan import describe_goals
    from quiz.store import goals as goals_q

    if (by or clear) and not deck:
        raise UsageError("--by and --clear need --deck")
    if deck and not (by or clear):
        raise UsageError("--deck needs --by YYYY-MM-DD or --clear")
    if by and clear:
        raise UsageError("give --by or --clear, not both")
    cfg = context.config()
    day = context.day_clock(cfg)
    now = context.now()
    with context.unit() as repo:
        if clear:
            assert deck is not None
            removed = goals_q.clear_goal(repo, deck)
            typer.echo(
                f"goal for {deck} cleared: its normal schedule is back"
                if removed
                else f"{deck} had no goal"
            )
            return
        if by:
            assert deck is not None
            due = _date(by, "--by")
            if due < day.day_of(now):
                raise UsageError(f"--by: {due.isoformat()} is in the past")
            goals_q.set_goal(repo, deck, due, now)
        goals = goals_q.goals(repo)
        if deck:
            goals = [g for g in goals if g.deck == deck]
        lines = describe_goals(repo, goals, day, now)
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {"deck": g.deck, "by": g.due_by.isoformat(), "line": line}
                    for g, line in zip(goals, lines, strict=False)
                ],
                ensure_ascii=False,
            )
        )
        return
    if not goals:
        typer.echo("No goals. Set one: quiz goal --deck DECK --by YYYY-MM-DD")
    for line in lines:
        typer.echo(line)


@command("stats")
def stats(
    deck: list[str] | None = typer.Option(
        None, "--deck", "-d", help="Only these decks (repeatable)."
    ),
    since: str | None = typer.Option(
        None, "--since", help="Only answers from this day on (YYYY-MM-DD)."
    ),
    as_json: bool = typer.Option(False, "--json", help="The same figures as JSON."),
    export: Path | None = typer.Option(
        None, "--export", help="Write the report to FILE.svg or FILE.html."
    ),
    lang: str | None = typer.Option(None, "--lang", help="Language of card texts (en, zh, ...)."),
) -> None:
    """Retention, a year's heatmap, streaks, a 30-day forecast, card states and weak spots.

    Example: quiz stats --deck python-gil --since 2026-01-01
    """
    from quiz.store import progress

    cfg = context.config()
    day = context.day_clock(cfg)
    now = context.now()
    decks = tuple(deck or ())
    start = _date(since, "--since") if since else None
    lang = lang or cfg.lang
    desired = (cfg.for_deck(decks[0]) if len(decks) == 1 else cfg).scheduler.desired_retention
    with context.unit() as repo:
        recall, zero_ratio = _retrievability(_learned(cfg, repo), day, now)
        report = progress.gather_stats(
            repo,
            day=day,
            now=now,
            decks=decks,
            since=start,
            desired_retention=desired,
            retrievability=recall,
            front=lambda c: _front(c, lang),
            zero_ratio=zero_ratio,
        )
        strict = repo.overruled_cards(decks) if as_json else []
    if as_json:
        import json

        from quiz.stats import report_to_dict

        data = report_to_dict(report)
        # cards the learner overruled ("I was right"): their grading may be too strict
        data["strict_grading"] = [
            {"card": key, "overruled": n, "answers": total} for key, n, total in strict
        ]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from quiz.ui import stats_view

    if export is not None:
        stats_view.export(report, export, decks)
        typer.echo(f"wrote {export}")
        return
    from quiz.ui.console import out

    stats_view.render(report, out(), decks)


def _learned(cfg, repo):
    """The config with FSRS parameters fitted by `quiz optimize`, when there are any."""
    from quiz.review.settings import with_fitted_parameters

    return with_fitted_parameters(cfg, repo)


def _retrievability(cfg, day, now):
    """Each deck's retrievability now, and for some decks the elapsed/stability ratio
    below which no card can show 0.00 (round(r, 2) == 0 needs r < 0.005; 0.006: margin)."""
    from quiz.review.settings import Schedulers

    schedulers = Schedulers(cfg, day)

    def recall(deck, card_id, schedule):
        return schedulers.for_deck(deck).retrievability(card_id, schedule, now)

    def zero_ratio(decks):
        return min((schedulers.for_deck(d).elapsed_ratio(0.006) for d in decks), default=0.0)

    return recall, zero_ratio


def _front(item, lang):
    from quiz.deck import cloze
    from quiz.model import CardKind

    card = item.card
    if card.kind == CardKind.CLOZE:
        return cloze.question(item.text(card.text, lang), card.cloze or 1)
    if card.front is not None:
        return item.text(card.front, lang)
    code = (card.code or "").strip().splitlines()
    return code[0] if code else ""
