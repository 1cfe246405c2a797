"""The review in a real terminal (a pty): slips are asked again, no key typed ahead is
lost, one `q` quits, and notices before the first card stay on screen."""

from __future__ import annotations

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
    t.type("3\r")
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
    t.type(":s")  # `:s` skips here as on every card
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
