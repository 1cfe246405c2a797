"""Tables and one-line reports for the deck commands."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from quiz.ui.console import err, out, print_json
from quiz.ui.i18n import tr
from quiz.ui.plural import counted

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from quiz.collection import ImportReport
    from quiz.store import DeckSummary


@contextlib.contextmanager
def import_progress(after_seconds: float = 0.7) -> Iterator[Callable[[int, int], None]]:
    """A progress callback that shows a bar only once the work takes a moment."""
    started = time.monotonic()
    shown: list[tuple[Progress, TaskID]] = []  # the bar, once it is shown

    def update(done: int, total: int) -> None:
        if not shown:
            if time.monotonic() - started < after_seconds or not err().is_terminal:
                return
            from rich.progress import Progress

            bar = Progress(console=err(), transient=True)
            bar.start()
            shown.append((bar, bar.add_task("importing", total=total)))
        bar, task = shown[0]
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        for bar, _task in shown:
            bar.stop()


def render_import(report: ImportReport, as_json: bool) -> None:
    from quiz.deck.loader import NOTHING_CHANGED, skipped_line

    if as_json:
        print_json({"decks": [d.__dict__ for d in report.decks], "changed": report.changed})
        return
    for d in report.decks:
        if d.skipped:
            out().print(skipped_line(d.deck), markup=False)
        elif not d.changed:
            out().print(f"{d.deck}: unchanged ({counted(d.unchanged, 'card')})", markup=False)
        else:
            parts = [
                f"{n} {label}"
                for n, label in (
                    (d.added, "added"),
                    (d.updated, "updated"),
                    (d.retired, "retired"),
                    (d.restored, "restored"),
                    (d.unchanged, "unchanged"),
                )
                if n
            ]
            out().print(f"{d.deck}: " + ", ".join(parts), markup=False)
    if not report.changed:
        out().print(NOTHING_CHANGED)
    for d in report.decks:
        if d.changed and d.output_cards:
            cards = "1 output card" if d.output_cards == 1 else f"{d.output_cards} output cards"
            err().print(
                f"note: {d.deck} has {cards}, not run on import; verify them with: "
                f"quiz check {d.path} (a snippet that fails in review is skipped, not graded)",
                soft_wrap=True,
            )


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
