"""Chinese mixed with Latin words fills each line (quiz.ui.wrap), on fixed-width consoles
and through a real review's `why` box."""

from __future__ import annotations

import io
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.panel import Panel

from quiz.ui import wrap
from quiz.ui.safe import guard
from tests.conftest import write_deck
from tests.screens import screen

ZH = (
    "为什么 asyncio 里 create_task 创建的任务如果没有被保存引用，"
    "可能会在执行完之前被垃圾回收掉？这是因为事件循环只保留弱引用。"
)


def shown(renderable: object, width: int) -> list[str]:
    buf = io.StringIO()
    console = guard(Console(file=buf, width=width, color_system=None, legacy_windows=False))
    console.print(renderable)
    return buf.getvalue().rstrip("\n").split("\n")


@pytest.mark.parametrize("width", [20, 30, 40, 60, 80])
def test_zh_lines_fill_to_the_width(width):
    lines = shown(ZH, width)
    assert "".join(line.replace(" ", "") for line in lines) == ZH.replace(" ", "")
    for line, following in pairwise(lines):
        assert cell_len(line) <= width
        # the line is as full as it may be: the next piece would not have fitted
        first = next(wrap.units(following))[1].rstrip()
        assert cell_len(line) + cell_len(first) > width, (line, following)
    for word in ("asyncio", "create_task"):  # a Latin word shorter than a line is never cut
        assert any(word in line for line in lines), lines


def test_the_create_task_line_is_not_left_half_empty():
    # seen in a zh `why` box: the line broke after `create_task`, half of it empty
    lines = shown(ZH, 40)
    assert lines[0] == "为什么 asyncio 里 create_task 创建的任务"
    assert cell_len(lines[0]) == 40  # full: it broke before 如


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation():
    text = "一二三四五六七八九，十一二三四五六七八（九）十。" * 4
    for width in range(6, 30):
        for line in shown(text, width):
            assert not line.startswith(("，", "。", "）")), (width, line)
            assert not line.rstrip().endswith("（"), (width, line)


def test_a_latin_word_longer_than_the_line_is_folded():
    lines = shown("中文 " + "x" * 30 + " 中文", 12)
    assert "".join(lines).replace(" ", "") == "中文" + "x" * 30 + "中文"
    assert all(cell_len(line) <= 12 for line in lines)


def test_english_wraps_exactly_as_rich_does():
    text = "The quick brown fox jumps over the lazy dog, again and again and again. " * 3
    for width in (10, 17, 40):
        assert wrap.divide_line(text, width) == wrap._rich_divide_line(text, width, True)


@given(st.text(alphabet="ab 中文，（）。x\u3000", max_size=60), st.integers(1, 30))
def test_every_character_is_kept_and_no_line_is_too_wide(text, width):
    offsets = wrap.divide_line(text, width)
    assert offsets == sorted(set(offsets))
    assert all(0 < o < len(text) for o in offsets)
    bounds = [0, *offsets, len(text)]
    for a, b in pairwise(bounds):
        piece = text[a:b].rstrip()
        assert cell_len(piece) <= width or len(piece) == 1, (text, width, piece)


def test_panel_text_wraps_inside_the_box():
    lines = shown(Panel(ZH, title="why"), 30)
    assert all(cell_len(line) == 30 for line in lines)
    assert "create_task" in "".join(lines)


def test_a_zh_why_box_in_a_review_fills_its_lines(cli, env):
    deck = write_deck(
        env,
        "zh.yaml",
        "deck: zh\ntitle: 中文\nlang: zh\ncards:\n  - id: a\n    front: 问题？\n"
        f"    back: 答案。\n    explain: {ZH}\n",
    )
    assert cli("import", str(deck)).exit_code == 0
    with screen(40) as buf:
        result = cli("review", input="3\n", now="2026-03-01T09:00:00+00:00")
    assert result.exit_code == 0, result.output
    text = buf.getvalue()
    assert "│ 为什么 asyncio 里 create_task 创建的 │" in text, text
