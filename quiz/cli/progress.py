"""`quiz drill` (practice outside the schedule) and `quiz goal` (aim decks at a date);
`quiz stats` is in quiz.cli.stats."""

from __future__ import annotations

from quiz.cli import context
from quiz.cli.boundary import echo
from quiz.cli.declare import MAX_COUNT, Option, command

KINDS = context.KINDS
parse_date = context.parse_date


@command("drill")
def drill(
    deck: list[str] | None = Option(None, "--deck", "-d", help="Only these decks (repeatable)."),
    tag: list[str] | None = Option(
        None, "--tag", "-t", help="Only cards with these tags (repeatable)."
    ),
    kind: list[str] | None = Option(
        None, "--type", help="Only these card types: " + ", ".join(KINDS) + "."
    ),
    weak: bool = Option(
        False, "--weak", help="Weakest cards first: low recall, many misses, recent misses."
    ),
    count: int = Option(10, "--count", "-n", min=1, max=MAX_COUNT, help="Questions in this drill."),
    seed: int | None = Option(None, "--seed", help="Shuffle seed, to repeat the same drill."),
    timed: float | None = Option(
        None, "--timed", min=1, max=86400, help="Seconds per question; over time is wrong."
    ),
    exam: bool = Option(False, "--exam", help="No feedback until the end, then the report."),
    graded: bool = Option(
        False, "--graded", help="Record answers as real reviews (moves the schedule)."
    ),
    lang: str | None = Option(None, "--lang", help="Language to show cards in (en, zh, ...)."),
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
    from quiz.ui.i18n import tr

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
    if timed:
        out().print(
            tr("⏱ {seconds}s per question; over time counts as wrong", lang, seconds=f"{timed:g}"),
            style="dim",
        )
    with context.late_unit() as (repo, _loaded, on_screen):
        prompter = DrillPrompter(
            out(),
            lang,
            time_limit=timed,
            exam=exam,
            shuffle=cfg.shuffle_choices,
            on_screen=on_screen,
        )
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
        out().print(tr("No cards match this drill. See: quiz decks", lang))
        return
    out().rule(style="dim")
    out().print(report_view(result, lang, exam=exam))


@command("goal")
def goal(
    deck: str | None = Option(None, "--deck", "-d", help="The deck to aim at a date."),
    by: str | None = Option(None, "--by", help="The date (YYYY-MM-DD), e.g. your interview."),
    clear: bool = Option(
        False, "--clear", help="Remove the deck's goal: the normal schedule returns."
    ),
    as_json: bool = Option(False, "--json", help="List goals as JSON."),
) -> None:
    """Aim a deck at a date: every card is seen once more before it, new ones in time.

    Without options, lists your goals and the cards a day each takes.

    Example: quiz goal --deck python-gil --by 2026-12-15
    """
    import json

    from quiz.errors import UsageError
    from quiz.review.plan import describe_goals

    if (by or clear) and not deck:
        raise UsageError("--by and --clear need --deck")
    if deck and not (by or clear):
        raise UsageError("--deck needs --by YYYY-MM-DD or --clear")
    if by and clear:
        raise UsageError("give --by or --clear, not both")
    cfg = context.config()
    day = context.day_clock(cfg)
    now = context.now()
    if by or clear:
        from quiz.store import goals as goals_q

        with context.unit() as repo:
            if clear:
                assert deck is not None
                removed = goals_q.clear_goal(repo, deck)
                echo(
                    f"goal for {deck} cleared: its normal schedule is back"
                    if removed
                    else f"{deck} had no goal"
                )
                return
            assert deck is not None and by is not None
            due = parse_date(by, "--by")
            if due < day.day_of(now):
                raise UsageError(f"--by: {due.isoformat()} is in the past")
            goals_q.set_goal(repo, deck, due, now)
    with context.late_unit(load_bundled=False) as (repo, _loaded, _on_screen):
        goals = repo.goals()
        if deck:
            goals = [g for g in goals if g.deck == deck]
        lines = describe_goals(repo, goals, day, now)
    if as_json:
        echo(
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
        echo("No goals. Set one: quiz goal --deck DECK --by YYYY-MM-DD")
    for line in lines:
        echo(line)
