"""Tables and one-line reports for the deck commands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from quiz.ui.console import err, out, print_json
from quiz.ui.i18n import tr

if TYPE_CHECKING:
    from quiz.store import DeckSummary


# `quiz decks`' columns (their names are messages of quiz.ui.i18n)
DECK_COLUMNS = (
    ("deck", "left"),
    ("title", "left"),
    ("cards", "right"),
    ("new", "right"),
    ("learning", "right"),
    ("due now", "right"),
    ("suspended", "right"),
    ("buried", "right"),
)


def render_decks(
    summaries: Sequence[DeckSummary], as_json: bool, lang: str | None, loaded: Sequence[str]
) -> None:
    if as_json:
        data = [
            {
                "deck": s.deck,
                "title": s.title.get(lang, s.lang),
                "cards": s.cards,
                "new": s.new,
                "learning": s.learning,
                "due": s.due,
                "suspended": s.suspended,
                "buried": s.buried,
            }
            for s in summaries
        ]
        print_json(data)
        return
    if loaded:
        err().print(
            tr(
                "Loaded the bundled decks into your new store: {decks}",
                lang,
                decks=", ".join(loaded),
            ),
            markup=False,
        )
    if not summaries:
        out().print(tr("No decks yet. Load some with: quiz import PATH", lang), markup=False)
        return
    from rich.table import Table

    table = Table(box=None, header_style="bold")
    for name, justify in DECK_COLUMNS:
        table.add_column(tr(name, lang), justify=justify)  # type: ignore[arg-type]  # a plain str from the column table; rich wants its JustifyMethod literal
    from quiz.ui.safe import text as safe

    for s in summaries:
        table.add_row(
            safe(s.deck),
            safe(s.title.get(lang, s.lang)),
            str(s.cards),
            f"[blue]{s.new}[/]",
            f"[red]{s.learning}[/]",
            f"[green]{s.due}[/]",
            str(s.suspended) if s.suspended else "[dim]0[/]",
            str(s.buried) if s.buried else "[dim]0[/]",
        )
    out().print(table)


def render_summary(summary, lang: str | None = None) -> None:
    """The end of a session: how it went and what tomorrow holds."""
    from rich.text import Text

    from quiz.safe_text import escape

    minutes, seconds = divmod(summary.duration_ms // 1000, 60)
    if not summary.reviewed:  # "Reviewed 0 · 0% right" reads like a failure
        line = tr("Nothing answered · due tomorrow: {due}", lang, due=summary.due_tomorrow)
        out().print(Text(line, style="bold"))
        return
    line = tr(
        "Reviewed {n} · {share} right · {minutes}m{seconds}s · due tomorrow: {due}",
        lang,
        n=summary.reviewed,
        share=f"{summary.right_share:.0%}",
        minutes=minutes,
        seconds=f"{seconds:02d}",
        due=summary.due_tomorrow,
    )
    out().print(Text(line, style="bold"))
    for key in summary.leeches:
        out().print(Text(tr("leech suspended: {key}", lang, key=escape(key)), style="yellow"))
