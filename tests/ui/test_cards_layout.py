"""`quiz cards`' listing is laid out once and written line by line (quiz.ui.cards_view
`_Layout`): every line is the one rich renders for the same table, at every console
width, for deck text of any script: wide characters, emoji joined by zero-width joiners,
combining accents, escapes of control characters, text that looks like rich markup.
Rich's own table is the specification here."""

from __future__ import annotations

import io
import random

import pytest
from rich.console import Console

from quiz.ui import cards_view
from quiz.ui.safe import guard

WORDS = [
    "What",
    "does",
    "len(range(3))",
    "日本語の質問",
    "👩\u200d👩\u200d👧",
    "e\u0301",
    "\x1b]52;c;Zm9v\x07",
    "[red]x[/red]",
    "\u202eright",
    "Straße",
    "🇩🇪",
    "a" * 70,
    "中文，标点。",
    "\t",
]
KEYS = ["d/c", "deck-with-a-long-name/card-", "中文/卡片", "d/👩\u200d👧", "d/\x1b[2J"]
STATES = ["new", "review", "learning, suspended, leech", "new, buried"]


def _rows(rng: random.Random) -> list[tuple[str, ...]]:
    """Cells as the listing makes them (`_line` escapes and cuts deck text)."""
    rows = []
    for _ in range(rng.randint(1, 12)):
        question = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 9)))
        key = rng.choice(KEYS) + "x" * rng.choice([0, 0, 5, 40])
        rows.append(
            (
                cards_view._line(key),
                cards_view._line(question, 60),
                rng.choice(STATES),
                rng.choice(["-", "2026-07-21"]),
                rng.choice(["-", "3h", "488d", "12345d"]),
                rng.choice(["-", "0.98", "1.00"]),
                str(rng.choice([0, 3, 12345])),
            )
        )
    return rows


def _console(width: int) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return guard(Console(file=buffer, width=width, highlight=False)), buffer


@pytest.mark.parametrize("width", [1, 3, 8, 20, 40, 60, 70, 80, 85, 100, 132, 200])
def test_every_line_is_the_line_rich_renders(width):
    rng = random.Random(width)
    for _ in range(25):
        rows = _rows(rng)
        table, rendered = _console(width)
        table.print(cards_view._table(rows))
        console, _ = _console(width)
        layout = cards_view._Layout.of(console, rows)
        lines = [layout.line(cards_view._NAMES), *(layout.line(row) for row in rows)]
        assert "".join(line + "\n" for line in lines) == rendered.getvalue(), (width, rows)


def test_a_cell_is_cut_and_justified_as_rich_does():
    assert cards_view.fit("abc", 2, right=False) == "a…"
    assert cards_view.fit("日本語", 3, right=False) == "日…"
    assert cards_view.fit("日本語", 2, right=True) == " …"  # half a wide character: a space
    assert cards_view.fit("12", 5, right=True) == "   12"
    assert cards_view.fit("12", 5, right=False) == "12   "
