"""`quiz cards`: the listing, one card's history, and what an action changed.

Every deck-sourced string goes through `quiz.safe_text` and into rich `Text` objects,
so a card's text can neither move the terminal nor be read as rich markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from rich.table import Table
from rich.text import Text

from quiz.browse import Listing
from quiz.manage import HistoryRow
from quiz.safe_text import escape, one_line, shown
from quiz.ui.console import out, print_json_list
from quiz.ui.plural import counted


def _line(value: str, limit: int | None = None) -> str:
    """Deck text on one line of the listing: escaped (and cut to `limit`)."""
    line = " ".join(value.split())
    return shown(line, limit) if limit is not None else one_line(line)


def _safe(value: str, limit: int | None = None) -> Text:
    """`_line` as rich text: never read as markup."""
    return Text(_line(value, limit))


def _days(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}d" if value >= 1 else f"{value * 24:.0f}h"


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def _as_json(x: Listing) -> dict[str, object]:
    return {
        "card": x.key,
        "type": x.item.card.kind.value,
        "question": x.question,
        "states": list(x.states),
        "due": x.item.schedule.due.isoformat() if x.item.schedule.due else None,
        "interval_days": x.interval_days,
        "stability": x.item.schedule.stability,
        "recall": x.recall,
        "reviews": x.item.schedule.reps,
        "lapses": x.item.schedule.lapses,
        "file": f"{x.item.path}:{x.item.card.line}",
    }


def print_listing_json(chunks: Iterable[Sequence[Listing]]) -> None:
    """The listing as a JSON list, written a chunk of cards at a time."""
    print_json_list([_as_json(x) for x in chunk] for chunk in chunks)


# the listing's columns: name, justification
_COLUMNS = (
    ("card", "left"),
    ("question", "left"),
    ("state", "left"),
    ("due", "right"),
    ("ivl", "right"),
    ("recall", "right"),
    ("lapses", "right"),
)
# a longer listing is laid out in blocks of rows with the same column widths: rich
# measures and renders a table whole, and a whole collection's held every card at once
BLOCK_ROWS = 1000


def _cells(x: Listing) -> tuple[str, ...]:
    s = x.item.schedule
    return (
        _line(x.key),
        _line(x.question, 60),
        ", ".join(x.states),
        s.due.strftime("%Y-%m-%d") if s.due else "-",
        _days(x.interval_days),
        "-" if x.recall is None else f"{x.recall:.2f}",
        str(s.lapses),
    )


def _table(rows: Sequence[tuple[str, ...]], widths: Sequence[int] | None, header: bool) -> Table:
    table = Table(box=None, header_style="bold", expand=True, show_header=header)
    for i, (name, justify) in enumerate(_COLUMNS):
        # one line per card: the question is cut with an ellipsis, never wrapped
        table.add_column(
            name,
            justify=justify,  # type: ignore[arg-type]  # a plain str from the column table; rich wants its JustifyMethod literal
            no_wrap=True,
            overflow="ellipsis",
            ratio=1 if name == "question" else None,
            width=None if widths is None or name == "question" else widths[i],
        )
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    return table


def render_listing(chunks: Iterable[Sequence[Listing]], total: int) -> None:
    # only the cells are kept: a listing holds its card, content and all
    rows = [_cells(x) for chunk in chunks for x in chunk]
    if not rows:
        out().print("No card matches. See: quiz cards --help")
        return
    if len(rows) <= BLOCK_ROWS:
        out().print(_table(rows, None, header=True))
    else:
        from rich.cells import cell_len

        widths = [
            max(cell_len(name), *(cell_len(row[i]) for row in rows))
            for i, (name, _justify) in enumerate(_COLUMNS)
        ]
        for start in range(0, len(rows), BLOCK_ROWS):
            block = rows[start : start + BLOCK_ROWS]
            out().print(_table(block, widths, header=start == 0))
    if total > len(rows):
        out().print(
            f"[dim]{len(rows)} of {counted(total, 'card')} (--limit N or --all for more)[/]"
        )


def render_history(listing: Listing, rows: Sequence[HistoryRow]) -> None:
    item = listing.item
    s = item.schedule
    out().print(Text.assemble((escape(listing.key), "bold"), "  ", escape(item.card.kind.value)))
    out().print(Text(f"{escape(item.path)}:{item.card.line}", style="dim"))
    out().print(_safe(listing.question))
    out().print(
        f"state: {', '.join(listing.states)} · due {_when(s.due)} · interval "
        f"{_days(listing.interval_days)} · stability "
        f"{'-' if s.stability is None else f'{s.stability:.1f}d'} · recall "
        f"{'-' if listing.recall is None else f'{listing.recall:.2f}'} · "
        f"{counted(s.reps, 'review')}, {counted(s.lapses, 'lapse')}"
    )
    if not rows:
        out().print("[dim]never answered[/]")
        return
    table = Table(box=None, header_style="bold")
    for name in ("when", "kind", "rating", "right", "recall then", "interval", "time"):
        table.add_column(name)
    ratings = ("Again", "Hard", "Good", "Easy")
    for r in rows:
        table.add_row(
            Text(_when(r.when)),
            Text(r.kind),
            Text(ratings[r.rating - 1] if 1 <= r.rating <= 4 else "-"),
            Text("-" if r.correct is None else ("yes" if r.correct else "no")),
            Text("-" if r.recall is None else f"{r.recall:.2f}"),
            Text(_days(r.interval_days)),
            Text(f"{r.duration_ms / 1000:.1f}s"),
        )
    out().print(table)
