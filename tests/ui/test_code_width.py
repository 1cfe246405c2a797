"""Predict-the-output code is never wrapped silently: in a terminal narrower than a code
line, each wrapped line goes on after a `↪` in the gutter, under a notice naming the
width; nothing of the code reaches column 0 as if it were a line of its own."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from quiz.ui import card_view
from quiz.ui.safe import guard
from tests.conftest import write_deck
from tests.screens import screen

NOW = "2026-03-01T09:00:00+00:00"
CODE = [
    "def make(n):",
    "    return [lambda: i for i in range(n)]  # every lambda sees the same i, late",
    "",
    'print([f() for f in make(3)], "结果是同一个数字，因为闭包按名字查找变量")',
]
CODE_YAML = "".join(f"      {line}\n" if line else "\n" for line in CODE)
DECK = f"""
deck: wide
title: Wide
lang: en
cards:
  - id: late
    type: output
    code: |
{CODE_YAML}    output: "[2, 2, 2] 结果是同一个数字，因为闭包按名字查找变量\\n"
"""


def code_lines(screen_text: str) -> list[str]:
    lines = screen_text.splitlines()
    start = next(i for i, line in enumerate(lines) if "def make" in line)
    end = next(i for i, line in enumerate(lines) if "闭包" in line and i > start)
    while end + 1 < len(lines) and lines[end + 1].startswith("↪"):
        end += 1
    return lines[start : end + 1]


def joined(lines: list[str]) -> list[str]:
    """The code lines put back together from the screen lines and their gutter."""
    code: list[str] = []
    for line in lines:
        if line.startswith("↪ "):
            code[-1] += line[2:]
        else:
            code.append(line[2:])
    return [line.rstrip() for line in code]


@pytest.mark.parametrize("width", [40, 60, 80])
def test_an_output_card_in_a_narrow_terminal(cli, env, width):
    assert cli("import", str(write_deck(env, "wide.yaml", DECK))).exit_code == 0
    with screen(width) as buf:
        result = cli("review", input=":q\n", now=NOW)
    assert result.exit_code == 0, result.output
    text = buf.getvalue()
    assert all(cell_len(line) <= width for line in text.splitlines()), text
    shown = code_lines(text)
    fits = max(cell_len(line) for line in CODE) <= width
    assert fits == (width == 80)  # the widths cover both cases
    if fits:
        assert shown == CODE, text  # it fits: shown as it is, no gutter, no notice
        assert "wider than the terminal" not in text
        return
    assert f"code is wider than the terminal ({width} columns)" in " ".join(text.split())
    assert all(line.startswith(("  ", "↪ ")) for line in shown), shown
    assert any(line.startswith("↪ ") for line in shown)
    assert joined(shown) == CODE, shown


def test_code_that_fits_is_shown_as_it_is():
    buf = io.StringIO()
    console = guard(Console(file=buf, width=40, color_system=None))
    console.print(card_view._code("x = [1, 2]\nprint(x)\n"))
    assert buf.getvalue() == "x = [1, 2]\nprint(x)\n"


def test_a_wide_character_is_never_split_and_the_real_output_is_marked_too():
    buf = io.StringIO()
    console = guard(Console(file=buf, width=20, color_system=None))
    console.print(card_view.Verbatim(Text("中文" * 12)))
    lines = buf.getvalue().splitlines()
    assert lines[0] == "  " + "中文" * 4 + "中"
    assert all(line.startswith("↪ ") for line in lines[1:])
    assert "".join(line[2:] for line in lines) == "中文" * 12
