"""`quiz stats`: retention, forecast, streaks, weak spots (quiz.stats.gather does the work)."""

from __future__ import annotations

from pathlib import Path

from quiz.cli import context
from quiz.cli.boundary import echo
from quiz.cli.declare import Option, command


@command("stats")
def stats(
    deck: list[str] | None = Option(None, "--deck", "-d", help="Only these decks (repeatable)."),
    since: str | None = Option(None, "--since", help="Only answers from this day on (YYYY-MM-DD)."),
    as_json: bool = Option(False, "--json", help="The same figures as JSON."),
    export: Path | None = Option(
        None, "--export", help="Write the report to FILE.svg or FILE.html."
    ),
    lang: str | None = Option(None, "--lang", help="Language of card texts (en, zh, ...)."),
) -> None:
    """Retention, a year's heatmap, streaks, a 30-day forecast, card states and weak spots.

    Example: quiz stats --deck python-gil --since 2026-01-01
    """
    from quiz.stats.gather import stats_report

    cfg = context.config()
    decks = tuple(deck or ())
    start = context.parse_date(since, "--since") if since else None
    report = context.read_stats(
        lambda repo: stats_report(
            repo,
            config=cfg,
            day=context.day_clock(cfg),
            now=context.now(),
            decks=decks,
            since=start,
            lang=lang or cfg.lang,
        )
    )
    if as_json:
        import json

        from quiz.safe_text import json_text
        from quiz.stats.shape import report_to_dict

        echo(json_text(json.dumps(report_to_dict(report), ensure_ascii=False, indent=2)))
        return
    from quiz.ui import stats_view

    if export is not None:
        stats_view.export(report, export, decks)
        echo(f"wrote {export}")
        return
    from quiz.ui.console import out

    stats_view.render(report, out(), decks)
