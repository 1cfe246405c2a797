"""`quiz cards`: finding cards, one card's history, and the actions, end to end."""

from __future__ import annotations

import json

import pytest

from tests.conftest import BASIC_DECK, write_deck

DAY1 = "2026-03-01T09:00:00Z"
LATER = "2026-03-01T10:00:00Z"

ZH_DECK = """
deck: zh
title: {en: Chinese, zh: 中文}
cards:
  - id: closure
    front: {en: What is a closure?, zh: 什么是闭包?}
    back: {en: A function with its free variables., zh: 带着自由变量的函数。}
  - id: hostile
    front: "Evil \\e]52;c;Zm9v\\a[red]markup[/red] \\u202Eright"
    back: x
"""


@pytest.fixture
def studied(cli, env):
    """demo: one answered (Good), one suspended, one buried, one new."""
    assert cli("import", str(write_deck(env, "demo.yaml", BASIC_DECK))).exit_code == 0
    assert cli("import", str(write_deck(env, "zh.yaml", ZH_DECK))).exit_code == 0
    result = cli("review", "--deck", "demo", "--new", "3", input="3\n!\nb\n", now=DAY1)
    assert result.exit_code == 0, result.output
    return env


def listing(cli, *args: str) -> list[dict]:
    result = cli("cards", "--json", *args, now=LATER)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_states_and_filters(cli, studied):
    by_card = {c["card"]: c for c in listing(cli, "--deck", "demo")}
    assert by_card["demo/one"]["states"] == ["learning"] and by_card["demo/one"]["reviews"] == 1
    assert by_card["demo/two"]["states"] == ["new", "suspended"]
    assert by_card["demo/three"]["states"] == ["new", "buried"]
    assert by_card["demo/four"]["states"] == ["new"]
    assert [c["card"] for c in listing(cli, "--state", "suspended")] == ["demo/two"]
    assert [c["card"] for c in listing(cli, "--type", "choice")] == ["demo/four"]
    assert {c["card"] for c in listing(cli, "--state", "buried", "--state", "suspended")} == {
        "demo/two",
        "demo/three",
    }


def test_text_search_reads_every_language(cli, studied):
    assert [c["card"] for c in listing(cli, "--text", "闭包")] == ["zh/closure"]
    assert [c["card"] for c in listing(cli, "--text", "FREE VARIABLES")] == ["zh/closure"]
    assert listing(cli, "--text", "no such words") == []


def test_sort_and_limit(cli, studied):
    rows = listing(cli, "--sort", "reviews", "--limit", "1")
    assert [r["card"] for r in rows] == ["demo/one"]


def test_unsuspend_unbury_forget_and_rebuild_agrees(cli, studied):
    for action in (["unsuspend", "demo/two"], ["unbury", "demo/three"], ["forget", "demo/one"]):
        result = cli("cards", *action, now=LATER)
        assert result.exit_code == 0, result.output
    by_card = {c["card"]: c for c in listing(cli, "--deck", "demo")}
    assert all(c["states"] == ["new"] for c in by_card.values())
    assert by_card["demo/one"]["reviews"] == 0
    check = cli("rebuild", "--check", now=LATER)
    assert check.exit_code == 0, check.output  # the log (a 'manual' entry) says the same
    history = cli("cards", "show", "demo/one", now=LATER)
    assert "manual" in history.stdout and "review" in history.stdout


def test_set_due_moves_an_answered_card(cli, studied):
    result = cli("cards", "set-due", "demo/one", "--on", "2026-03-10", now=LATER)
    assert result.exit_code == 0, result.output
    (one,) = [c for c in listing(cli, "--deck", "demo") if c["card"] == "demo/one"]
    assert one["due"].startswith("2026-03-10")
    assert cli("rebuild", "--check", now=LATER).exit_code == 0
    new = cli("cards", "set-due", "demo/four", "--on", "2026-03-10", now=LATER)
    assert "never answered" in new.stdout


def test_bad_names_are_one_line_with_a_suggestion(cli, studied):
    unknown = cli("cards", "--deck", "dmeo", now=LATER)
    assert unknown.exit_code != 0
    assert "did you mean 'demo'" in unknown.stderr
    missing = cli("cards", "unsuspend", "demo/nope", now=LATER)
    assert missing.exit_code != 0 and "no card 'demo/nope'" in missing.stderr
    nothing_changed = listing(cli, "--state", "suspended")
    assert [c["card"] for c in nothing_changed] == ["demo/two"]
    bad_state = cli("cards", "--state", "asleep", now=LATER)
    assert bad_state.exit_code == 2


def test_deck_text_is_shown_escaped(cli, studied):
    shown = cli("cards", "--deck", "zh", now=LATER).stdout
    assert "\x1b" not in shown and "\u202e" not in shown and "Evil" in shown
    show = cli("cards", "show", "zh/hostile", now=LATER).stdout
    assert "\x1b" not in show and "\u202e" not in show
    assert "[red]markup[/red]" in show  # shown as text, not read as markup
