"""`quiz cards`: the listing, one card's history, and what an action changed.

Every deck-sourced string goes through `quiz.safe_text` and into rich `Text` objects,
so a card's text can neither move the terminal nor be read as rich markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.console import Console
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
    item = x.item
    s = item.schedule
    return {
        "card": item.key,
        "type": item.kind.value,
        "question": x.question,
        "states": list(x.states),
        "due": s.due.isoformat() if s.due else None,
        "interval_days": x.interval_days,
        "stability": s.stability,
        "recall": x.recall,
        "reviews": s.reps,
        "lapses": s.lapses,
        "file": f"{item.path}:{item.line}",
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
_NAMES = tuple(name for name, _justify in _COLUMNS)
_RIGHT = tuple(justify == "right" for _name, justify in _COLUMNS)
# lines written at a time
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


def _table(rows: Sequence[tuple[str, ...]]) -> Table:
    """The listing as a rich table: what decides its column widths (`_Layout.of`)."""
    table = Table(box=None, header_style="bold", expand=True)
    for name, justify in _COLUMNS:
        # one line per card: the question is cut with an ellipsis, never wrapped
        table.add_column(
            name,
            justify=justify,  # type: ignore[arg-type]  # a plain str from the column table; rich wants its JustifyMethod literal
            no_wrap=True,
            overflow="ellipsis",
            ratio=1 if name == "question" else None,
        )
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    return table


@dataclass(frozen=True)
class _Layout:
    """The listing's columns as rich lays its table out on this console: each column's
    width (its padding of a space either side included), decided once for every row.

    Rich measures and renders a table cell by cell, for the whole table at once: a
    collection's listing spent nearly all its time there. A table's widths depend only on its
    widest cell per column (no column wraps), so rich lays out a table of those cells
    alone, and every line is then cut, padded and justified as rich does a cell
    (`fit`), with rich's own cell measures."""

    widths: tuple[int, ...]
    crop: int | None  # the console's width, where the columns' are more

    @classmethod
    def of(cls, console: Console, rows: Sequence[tuple[str, ...]]) -> _Layout:
        widest = tuple(
            max((row[i] for row in rows), key=_width, default="") for i in range(len(_COLUMNS))
        )
        # rich offers its column widths only inside its rendering
        widths = _table([widest])._calculate_column_widths(console, console.options)
        return cls(tuple(widths), console.width if sum(widths) > console.width else None)

    def line(self, cells: Sequence[str]) -> str:
        """One row, as rich renders it: each cell in its column's width, a space either
        side (a column too narrow for a character is left blank), the line cut at the
        console's edge."""
        line = "".join(
            " " + fit(cell, width - 2, right) + " " if width > 2 else " " * width
            for cell, width, right in zip(cells, self.widths, _RIGHT, strict=True)
        )
        return line if self.crop is None else set_cell_size(line, self.crop)


def fit(cell: str, width: int, right: bool) -> str:
    """`cell` cut to `width` terminal cells with an ellipsis and padded to them, on the
    left when `right`: rich's Text.truncate and Lines.justify for one line."""
    if right:
        cell = cell.rstrip()
    size = _width(cell)
    if size > width:
        cut = cell[: width - 1] if cell.isascii() else set_cell_size(cell, width - 1)
        cell, size = cut + "…", width
    pad = " " * (width - size)
    return pad + cell if right else cell + pad


def _width(cell: str) -> int:
    """rich's `cell_len`, without its lookups for ASCII: a cell holds no control
    character (deck text is escaped), so each ASCII character is one cell wide."""
    return len(cell) if cell.isascii() else cell_len(cell)


def render_listing(chunks: Iterable[Sequence[Listing]], total: int) -> None:
    # only the cells are kept: a listing holds its card, content and all
    rows = [_cells(x) for chunk in chunks for x in chunk]
    console = out()
    if not rows:
        console.print("No card matches. See: quiz cards --help")
        return
    layout = _Layout.of(console, rows)
    console.print(Text(layout.line(_NAMES), style="bold"))
    # every cell is deck text escaped (`_line`) or made here: written as it is, a block of
    # lines at a time
    write = console.file.write
    for start in range(0, len(rows), BLOCK_ROWS):
        write("".join(layout.line(row) + "\n" for row in rows[start : start + BLOCK_ROWS]))
    console.file.flush()
    if total > len(rows):
        console.print(
            f"[dim]{len(rows)} of {counted(total, 'card')} (--limit N or --all for more)[/]"
        )


def render_history(listing: Listing, rows: Sequence[HistoryRow]) -> None:
    item = listing.item
    s = item.schedule
    out().print(Text.assemble((escape(listing.key), "bold"), "  ", escape(item.kind.value)))
    out().print(Text(f"{escape(item.path)}:{item.line}", style="dim"))
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
