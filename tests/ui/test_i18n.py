"""The zh interface (quiz.ui.i18n): every message the code asks for has a zh entry with
the same placeholders, every entry is still used, the core's English notices are
translated whole, and a zh session (piped, on a fixed-width screen) is Chinese around
the cards while an English one is unchanged."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from rich.cells import cell_len

from quiz import grading
from quiz.model import Card, CardKind, Rating, Text
from quiz.ui import card_view, i18n, reports
from tests.conftest import write_deck
from tests.screens import screen

ROOT = Path(__file__).resolve().parents[2] / "quiz"
NOW = "2026-03-01T09:00:00+00:00"
HAN = re.compile(r"[\u4e00-\u9fff]")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def asked_for() -> set[str]:
    """Every literal the package hands to `tr` (and the constants it hands by name)."""
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if path.name == "i18n.py":  # rating_name: the rating names, added by the caller
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            first = node.args[0]
            if name != "tr":
                continue
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
            elif isinstance(first, ast.IfExp):  # tr("a" if ... else "b", lang)
                found |= {
                    n.value for n in (first.body, first.orelse) if isinstance(n, ast.Constant)
                }
            elif getattr(first, "id", "") == "name" and path.name == "reports.py":
                found |= {column for column, _ in reports.DECK_COLUMNS}
            else:
                found.add(
                    eval(
                        compile(ast.Expression(first), str(path), "eval"),
                        {"card_view": card_view, **vars(card_view)},
                    )
                )
    return found


def test_every_message_asked_for_has_a_zh_entry_and_every_entry_is_asked_for():
    asked = asked_for() | {r.name.title() for r in Rating}
    assert asked - i18n.ZH.keys() == set()
    assert i18n.ZH.keys() - asked == set()


@pytest.mark.parametrize("table", [i18n.ZH, i18n.NOTICES])
def test_a_translation_keeps_the_placeholders(table):
    for english, zh in table.items():
        assert fields(english) == fields(zh), english
        assert HAN.search(zh) or english.startswith("Enter ="), english


def test_the_cores_notices_are_translated_whole():
    card = Card(
        deck="d",
        id="c",
        kind=CardKind.CHOICE,
        front=Text.plain("?"),
        choices=(Text.plain("a"), Text.plain("b")),
        correct=(0,),
    )
    slips = [grading.refusal(card, text) for text in ("", "abc", "5", "1 9")]
    typed = grading.refusal(Card(deck="d", id="t", kind=CardKind.TYPED, answers=("x",)), " ")
    lines = [
        *slips,
        typed,
        "nothing to undo",
        "undone: d/c",
        "undone: d/c (unburied)",
        "buried until tomorrow: d/c (u: undo)",
        "the snippet did not finish in time: not graded, not your miss. The card is broken; "
        "tell its author (d.yaml:3, or run: quiz check d.yaml)",
        "time's up: 12.0s > 10s",
    ]
    for line in lines:
        assert line is not None
        shown = i18n.notice(line, "zh")
        assert HAN.search(shown), line
        assert not re.search(r"\b(the|not|no|pick|undo|answer)\b", shown), shown
    assert i18n.notice("undone: d/c (unburied)", "zh") == "已撤销：d/c（取消埋卡）"
    assert i18n.notice("something new from another engineer", "zh") == (
        "something new from another engineer"
    )
    assert i18n.notice("nothing to undo", "en") == "nothing to undo"


def test_languages_and_interval_units():
    assert i18n.ui_lang("zh-CN") == "zh" and i18n.ui_lang("ZH") == "zh"
    assert i18n.ui_lang("fr") is None and i18n.ui_lang(None) is None
    previews = {Rating.AGAIN: "1m", Rating.HARD: "6h", Rating.GOOD: "4d", Rating.EASY: "1.5mo"}
    assert card_view.rate_keys(previews, "zh") == (
        "1 重来 1分钟 · 2 困难 6小时 · 3 良好 4天 · 4 简单 1.5个月 · u 撤销 · q 退出"
    )
    assert card_view.rate_keys(previews) == (
        "1 Again 1m · 2 Hard 6h · 3 Good 4d · 4 Easy 1.5mo · u undo · q quit"
    )


ZH_DECK = """
deck: zhs
title: {en: Chinese session, zh: 中文会话}
lang: en
cards:
  - id: a-basic
    front: {en: What is the GIL?, zh: GIL 是什么？}
    back: {en: A lock., zh: 一把锁。}
  - id: b-typed
    type: typed
    front: {en: Which keyword rebinds a global?, zh: 哪个关键字重新绑定全局变量？}
    answer: [global]
    explain: {en: global names the module scope., zh: 用 global 声明模块作用域里的名字；在函数里给它赋值就会改写模块级变量，而不是创建局部变量。}
  - id: c-choice
    type: choice
    front: {en: Which runs on several cores?, zh: 哪个能在多个核上运行？}
    choices:
      - {en: threads, zh: 线程}
      - {en: processes, zh: 进程}
    correct: 1
"""


def test_a_zh_session_piped_on_a_fixed_width_screen(cli, env):
    assert cli("import", str(write_deck(env, "zhs.yaml", ZH_DECK))).exit_code == 0
    with screen(60) as buf:
        result = cli("review", "--lang", "zh", input="3\n\nnonlocal\n=1\n1\n", now=NOW)
    assert result.exit_code == 0, result.output
    text = buf.getvalue()
    assert all(cell_len(line) <= 60 for line in text.splitlines()), text
    for said in (
        "已完成 0 · 剩余 3",
        "GIL 是什么？",
        "一把锁。",
        "没有输入答案：请输入一个（或 :s 跳过，:q 退出）",
        "✗ 错误",
        "你的：  nonlocal",
        "答案：  global",
        "╭─ 解释",
        "  1. 线程",
        "已复习 3 · 正确率 33% ·",
        "明天到期：",
    ):
        assert said in text, (said, text)
    for english in ("done", "left", "wrong", "yours", "answer:", "Reviewed", "why"):
        assert english not in text, (english, text)


def test_an_english_session_is_unchanged(cli, env):
    assert cli("import", str(write_deck(env, "zhs.yaml", ZH_DECK))).exit_code == 0
    with screen(60) as buf:
        result = cli("review", input="3\nnonlocal\n", now=NOW)
    assert result.exit_code == 0, result.output
    text = buf.getvalue()
    for said in ("0 done · 3 left", "✗ wrong", "yours:  nonlocal", "answer: global", "Reviewed 2"):
        assert said in text, (said, text)
    assert not HAN.search(text)


def test_the_config_language_makes_the_interface_chinese(cli, env):
    (env / "config.toml").write_text('timezone = "UTC"\nfuzz = false\nlang = "zh"\n')
    assert cli("import", str(write_deck(env, "zhs.yaml", ZH_DECK))).exit_code == 0
    with screen(60) as buf:
        assert cli("review", input="q\n", now=NOW).exit_code == 0
    assert "没有作答 · 明天到期：" in buf.getvalue()
    result = cli("decks")
    assert "牌组" in result.stdout and "现在到期" in result.stdout
