"""The review in a real terminal (a pty): slips are asked again, no key typed ahead is
lost, one `q` quits, and notices before the first card stay on screen."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import write_deck
from tests.review.pty_harness import Terminal

NOW = "2026-03-01T09:00:00+00:00"

DECK = """
deck: keys
title: Keys
lang: en
cards:
  - id: a-basic
    front: Basic question?
    back: Basic answer.
  - id: b-typed
    type: typed
    front: Which keyword rebinds a module-level name inside a function?
    answer: [global]
  - id: c-choice
    type: choice
    front: Which runs CPU-bound code on several cores?
    choices: [threads, asyncio tasks, processes, coroutines]
    correct: 2
"""


def reviews(env: Path) -> list[tuple[str, int, str | None, bool | None]]:
    with sqlite3.connect(env / "store.db") as conn:
        return conn.execute(
            "select c.key, r.rating, r.answer, r.correct from reviews r"
            " join cards c on c.id = r.card_id order by r.id"
        ).fetchall()


def shown_number(screen: str, choice: str) -> str:
    """The number a choice is shown under (choices are shuffled in a terminal)."""
    found = re.findall(rf"(\d+)\. {re.escape(choice)}\b", screen)
    assert found, screen
    return found[-1]


@pytest.fixture
def term(env: Path, cli) -> Iterator:
    made: list[Terminal] = []

    def start(*args: str, deck: str = DECK, now: str = NOW) -> Terminal:
        if deck:
            assert cli("import", str(write_deck(env, "keys.yaml", deck))).exit_code == 0
        t = Terminal("review", *args, env={"QUIZ_NOW": now}, cwd=env)
        made.append(t)
        return t

    yield start
    for t in made:
        t.close()


def test_slips_are_asked_again_not_graded(term, env):
    t = term("--deck", "keys")
    t.expect("Basic question?")
    t.type("3")  # an unrevealed basic card: 3 is not a key here
    t.type(" ")
    t.expect("Basic answer.")
    t.expect("1 Again 1m · 2 Hard 6m · 3 Good 10m · 4 Easy 8d · u undo · q quit")
    t.type("3")
    t.expect("Which keyword rebinds")
    t.type("\r")  # empty Enter on a typed card
    t.expect("no answer given")
    t.type("global\r")
    t.expect("✓ right")
    t.expect("Enter = Good")
    t.type("\r")
    t.expect("Which runs CPU-bound")
    for slip, notice in (("\r", "no choice given"), ("5\r", "no choice 5"), ("abc\r", "'abc'")):
        t.type(slip)
        t.expect(notice)
    t.type("q\r")  # a bare q on a choice card is not a pick (commands are :q)
    t.expect("'q'")
    t.type(f"{shown_number(t.screen, 'processes')}\r")  # shuffled: picked by the number shown
    t.expect("✓ right", count=2)
    t.expect("Enter = Good", count=2)
    t.type("q")  # at the rating keys: the suggested rating is recorded; one q quits
    assert t.wait() == 0
    assert [(k, r, c) for k, r, _, c in reviews(env)] == [
        ("keys/a-basic", 3, True),
        ("keys/b-typed", 3, True),
        ("keys/c-choice", 3, True),
    ]


def test_keys_typed_ahead_are_kept_in_order(term, env):
    t = term("--deck", "keys")
    t.expect("Basic question?")
    # "nothing to undo" is a notice, not a pause: the next key still counts; then the
    # reveal, the rating and a whole typed answer, all typed before the screen catches up
    t.type("u 3global\r\r", gap=0)
    t.expect("nothing to undo")
    t.expect("✓ right")
    t.expect("Which runs CPU-bound")
    t.type(":q\r")
    assert t.wait() == 0
    assert [(k, r, a) for k, r, a, _ in reviews(env)] == [
        ("keys/a-basic", 3, None),
        ("keys/b-typed", 3, "global"),
    ]


def test_notices_before_the_first_card_stay_on_screen(term, env, monkeypatch):
    monkeypatch.setenv("QUIZ_BUNDLED", "1")
    t = term(deck="")
    t.expect("0 done")
    assert "Loaded the bundled decks" in t.visible
    t.type(":q\r")  # whatever kind the first card is: `:q` quits on every card
    assert t.wait() == 0


def test_a_wrong_verdict_is_overruled_with_one_key(term, env):
    t = term("--deck", "keys")
    t.expect("Basic question?")
    t.type(":s\r")  # `:s` skips here as on every card, ended by its Enter
    t.expect("Which keyword rebinds")
    t.type("nonlocal\r")
    t.expect("✗ wrong")
    t.expect("yours:  nonlocal")
    t.expect("answer: global")
    t.expect("Enter = Again · r I was right")
    t.type("r")
    t.expect("recorded as right")
    t.expect("Which runs CPU-bound")
    t.type(":q\r")
    assert t.wait() == 0
    assert reviews(env) == [("keys/b-typed", 3, "nonlocal", True)]


SHUFFLED = """
deck: shuffled
title: Shuffled
lang: en
cards:
  - id: pick
    type: choice
    front: Which one is the odd one out?
    choices: [alpha, bravo, charlie, delta, echo, foxtrot]
    correct: 4
  - id: placed
    type: choice
    front: Which is right?
    choices: [one, two, three]
    correct: 2
    explain: The third is right; the first and the second are not.
"""


def test_choices_are_shuffled_and_the_pick_is_read_back_in_the_decks_order(term, env):
    t = term("--deck", "shuffled", deck=SHUFFLED)
    t.expect("Which one is the odd one out?")
    screen = t.expect("foxtrot")
    order = [shown_number(screen, name) for name in ("alpha", "bravo", "charlie", "delta")]
    t.type(f"{shown_number(screen, 'echo')}\r")
    t.expect("✓ right")
    t.type("\r")
    # its explain names the choices by place ("the third"): kept in the deck's order
    screen = t.expect("Which is right?")
    t.expect("three")
    assert [shown_number(t.screen, name) for name in ("one", "two", "three")] == ["1", "2", "3"]
    t.type("1\r")
    t.expect("✗ wrong")
    t.expect("answer: 3. three")
    t.type("\r")
    t.expect("2 done")
    t.type(":q\r")
    assert t.wait() == 0
    assert [(k, a, c) for k, _, a, c in reviews(env)] == [
        ("shuffled/pick", "5", True),  # stored in the deck's numbers, as shown is not
        ("shuffled/placed", "1", False),
    ]
    assert sorted(order) != order  # a seeded order (the card's key and review number)


def test_the_shuffle_setting_keeps_the_decks_order(term, env):
    (env / "config.toml").write_text('timezone = "UTC"\nfuzz = false\nshuffle_choices = false\n')
    t = term("--deck", "shuffled", deck=SHUFFLED)
    screen = t.expect("foxtrot")
    names = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot")
    assert [shown_number(screen, name) for name in names] == ["1", "2", "3", "4", "5", "6"]
    t.type("5\r")
    t.expect("✓ right")
    t.type("q")
    assert t.wait() == 0


ZH = """
deck: zhkeys
title: {en: Keys, zh: 按键}
lang: en
cards:
  - id: a-basic
    front: {en: Basic question?, zh: 基础问题？}
    back: {en: Basic answer., zh: 基础答案。}
  - id: b-typed
    type: typed
    front: {en: Which keyword rebinds a global?, zh: 哪个关键字重新绑定全局变量？}
    answer: [global]
"""


def test_a_zh_session_in_a_terminal(term, env):
    t = term("--deck", "zhkeys", "--lang", "zh", deck=ZH)
    t.expect("已完成 0 · 剩余 2")
    t.expect("Enter/空格 显示答案 · u 撤销")
    t.type(" ")
    t.expect("基础答案。")
    t.expect("1 重来 1分钟 · 2 困难 6分钟 · 3 良好 10分钟 · 4 简单 8天 · u 撤销 · q 退出")
    t.type("3")
    t.expect("按 Enter 提交")
    t.type("nonlocal\r")
    t.expect("✗ 错误")
    t.expect("Enter = 重来 · r 我答对")  # the line wraps at 100 columns
    t.type("r")
    t.expect("已记为正确（我答对了）")
    t.expect("已完成 2")  # the learning card again, within the learn-ahead window
    t.type("q")
    assert t.wait() == 0
    t.expect("已复习 2 · 正确率 100%")
