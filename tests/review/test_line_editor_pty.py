"""The line editor in a real terminal (a pty): arrows and history on typed cards, a
multi-line editor for predictions, paste, keys typed ahead of the editor kept, command
keys in it; the plain reader under QUIZ_PLAIN_INPUT=1 or when stdin is not a terminal.
And timed drills: the countdown redrawn in place, a timeout said, and the keys typed
after it never taken as the next card's."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import write_deck
from tests.review.pty_harness import Terminal

NOW = "2026-03-01T09:00:00+00:00"
LEFT, UP = "\x1b[D", "\x1b[A"
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
BRACKETED_PASTE_ON = b"\x1b[?2004h"  # the editor asks the terminal for bracketed paste

TYPED = """
  - id: {id}
    type: typed
    front: {front}
    answer: [{answer}]
"""
OUTPUT = """
  - id: {id}
    type: output
    front: What does this print?
    code: |
      for i in range(3):
          print(i)
    output: "0\\n1\\n2\\n"
"""
BASIC = """
  - id: {id}
    front: Basic question?
    back: Basic answer.
"""
GLOBAL = {"front": "Which keyword rebinds a module-level name?", "answer": "global"}
NONLOCAL = {"front": "Which keyword rebinds an enclosing function's name?", "answer": "nonlocal"}


def deck(*cards: str) -> str:
    return "deck: keys\ntitle: Keys\nlang: en\ncards:" + "".join(cards)


def answers(env: Path) -> list[tuple[str, str | None, bool | None]]:
    with sqlite3.connect(env / "store.db") as conn:
        return conn.execute(
            "select c.key, r.answer, r.correct from reviews r"
            " join cards c on c.id = r.card_id order by r.id"
        ).fetchall()


@pytest.fixture
def term(env: Path, cli) -> Iterator:
    made: list[Terminal] = []

    def start(text: str, *args: str, **extra: str) -> Terminal:
        assert cli("import", str(write_deck(env, "keys.yaml", text))).exit_code == 0
        t = Terminal(*args, env={"QUIZ_NOW": NOW, **extra}, cwd=env)
        made.append(t)
        return t

    yield start
    for t in made:
        t.close()


def test_arrows_edit_a_typed_answer_and_the_history_recalls_one(term, env):
    t = term(
        deck(TYPED.format(id="a", **GLOBAL), TYPED.format(id="b", **NONLOCAL)),
        "review",
        "--deck",
        "keys",
    )
    t.expect("module-level name?")
    t.type("gloal")
    t.type(LEFT * 2, gap=0)  # an escape sequence arrives whole, as a terminal sends it
    t.type("b\r")  # a slip fixed with the arrow keys
    t.expect("✓ right")
    t.type("\r")
    t.expect("enclosing function")
    t.type("nonlocl\r")
    t.expect("✗ wrong")
    t.type("1")
    t.expect("Which keyword rebinds an enclosing", count=2)  # learning: asked again today
    t.type(UP, gap=0)  # the last answer comes back to be corrected
    assert "› nonlocl" in t.expect_display("› nonlocl")
    t.type(LEFT, gap=0)
    t.type("a\r")
    t.expect("✓ right", count=2)
    t.type("q")
    assert t.wait() == 0
    assert BRACKETED_PASTE_ON in t.raw
    assert answers(env) == [
        ("keys/a", "global", True),
        ("keys/b", "nonlocl", False),
        ("keys/b", "nonlocal", True),
    ]
    # the history outlives the session, in the learner's data dir
    kept = Path(os.environ["XDG_DATA_HOME"]) / "quiz" / "history" / "answers"
    assert [line for line in kept.read_text().splitlines() if line.startswith("+")] == [
        "+global",
        "+nonlocl",
        "+nonlocal",
    ]


def test_a_prediction_is_edited_over_several_lines_and_ends_at_an_empty_line(term, env):
    t = term(deck(OUTPUT.format(id="a")), "review", "--deck", "keys")
    t.expect("What does this print?")
    t.type("0\r1\r3")
    t.expect_display("… 3")
    t.type("\x7f2\r")  # backspace on the last line, then a new empty line
    lines = t.expect_display("… 2")
    assert "✓ right" not in t.screen  # still editing: lines are not answers one by one
    assert [line for line in lines if line.startswith(("› ", "… "))][-3:] == ["› 0", "… 1", "… 2"]
    t.type("\r")  # Enter on the empty last line finishes
    t.expect("✓ right")
    t.type("q")
    assert t.wait() == 0
    assert answers(env) == [("keys/a", "0\n1\n2\n", True)]


def test_a_paste_and_keys_typed_ahead_of_the_editor_all_count(term, env):
    t = term(
        deck(BASIC.format(id="a"), OUTPUT.format(id="b"), TYPED.format(id="c", **GLOBAL)),
        "review",
        "--deck",
        "keys",
    )
    t.expect("Basic question?")
    # all at once, before the editor is loaded: reveal, rate, a pasted prediction (its
    # line ends are text, not Enter), the empty line that ends it, Enter for the
    # suggested rating, then a typed answer, its rating, and `q` when the first card
    # comes back (learning, due within the session)
    t.type(" 3" + PASTE_START + "0\n1\n2\n" + PASTE_END + "\r\r" + "global\r\rq", gap=0)
    t.expect("✓ right", count=2)
    t.expect("Reviewed 3")
    assert t.wait() == 0
    assert answers(env) == [
        ("keys/a", None, True),
        ("keys/b", "0\n1\n2\n", True),
        ("keys/c", "global", True),
    ]


def test_command_keys_work_in_the_editor(term, env):
    t = term(
        deck(OUTPUT.format(id="a"), TYPED.format(id="b", **GLOBAL)), "review", "--deck", "keys"
    )
    t.expect("What does this print?")
    t.type(":s\r")  # in the multi-line editor, a command line ends at its Enter
    t.expect("module-level name?")
    t.type(":b\r")
    t.expect("buried until tomorrow: keys/b")
    t.expect("What does this print?", count=2)
    t.type(":q\r")
    assert t.wait() == 0
    assert answers(env) == []


def _expect_line(t: Terminal, text: str) -> None:
    """Wait until a line of the display is exactly `text`."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if text in [line.strip() for line in t.display()]:
            return
        time.sleep(0.05)
    raise AssertionError(f"no line {text!r}; the screen:\n" + "\n".join(t.display()))


@pytest.mark.parametrize("where", ["a basic card", "the rating keys"])
def test_a_colon_command_at_a_single_key_prompt_takes_its_enter_with_it(term, env, where):
    """`:u` + Enter where single keys are read (a basic card, the rating keys): the
    Enter ends the command there. Read as the next reader's first key it was the
    returned output card's empty prediction, graded wrong with no key pressed for it."""
    t = term(deck(OUTPUT.format(id="a"), BASIC.format(id="b")), "review", "--deck", "keys")
    t.expect("What does this print?")
    t.type("0\r1\r2\r\r")
    t.expect("✓ right")
    if where == "a basic card":
        t.type("3")
        t.expect("Basic question?")
    t.type(":u")
    _expect_line(t, ":u")  # what is typed after the colon is shown until its Enter
    assert "undone" not in t.screen
    t.type("\r")
    t.expect("undone: keys/a")
    t.expect("What does this print?", count=2)
    time.sleep(1.0)  # an Enter left over would have ended the prediction by now
    assert "✗ wrong" not in t.screen and t.screen.count("✓ right") == 1
    t.type("0\r1\r2\r\r")
    t.expect("✓ right", count=2)
    t.type(":x\r")  # not a command: said, and the keys still wait for a rating
    t.expect("not a command here: :x")
    t.type(":\x7f")  # a colon taken back with Backspace
    t.type("q")
    assert t.wait() == 0
    assert answers(env) == [("keys/a", "0\n1\n2\n", True)]


SILENT = """
  - id: {id}
    type: output
    front: What does this print?
    code: |
      x = [1, 2]
    output: ""
"""


@pytest.mark.parametrize("plain", [False, True], ids=["editor", "plain reader"])
def test_a_stray_enter_is_not_a_prediction_and_two_predict_no_output(term, env, plain):
    """An Enter on an empty prediction (here the rating's Enter typed twice) is not an
    answer: it is said, and a second Enter predicts that nothing is printed."""
    extra = {"QUIZ_PLAIN_INPUT": "1"} if plain else {}
    cards = (OUTPUT.format(id="a"), OUTPUT.format(id="c"), SILENT.format(id="b"))
    t = term(deck(*cards), "review", "--deck", "keys", **extra)
    t.expect("What does this print?")
    t.type("0\r1\r2\r\r")
    t.expect("Enter = Good")
    t.type("\r\r", gap=0)  # the rating, and the same key again
    t.expect("an empty prediction: Enter again if it prints nothing")
    time.sleep(0.5)  # the stray Enter was read by now: said, not graded
    assert "✗ wrong" not in t.screen and t.screen.count("✓ right") == 1
    t.type("0\r1\r2\r\r")
    t.expect("✓ right", count=2)
    t.type("3")
    t.expect("x = [1, 2]")
    t.type("\r")
    t.expect("an empty prediction: Enter again if it prints nothing", count=2)
    t.type("\r")  # the second Enter: no output predicted, and none printed
    t.expect("✓ right", count=3)
    t.type("q")
    assert t.wait() == 0
    assert answers(env) == [
        ("keys/a", "0\n1\n2\n", True),
        ("keys/c", "0\n1\n2\n", True),
        ("keys/b", "\n", True),
    ]


def test_quiz_plain_input_keeps_the_plain_line_reader(term, env):
    t = term(deck(TYPED.format(id="a", **GLOBAL)), "review", "--deck", "keys", QUIZ_PLAIN_INPUT="1")
    t.expect("module-level name?")
    t.type("global\r")
    t.expect("✓ right")
    t.type("q")
    assert t.wait() == 0
    assert BRACKETED_PASTE_ON not in t.raw
    assert answers(env) == [("keys/a", "global", True)]


def test_a_piped_session_never_loads_the_editor(env, cli):
    text = deck(TYPED.format(id="a", **GLOBAL), OUTPUT.format(id="b"))
    assert cli("import", str(write_deck(env, "keys.yaml", text))).exit_code == 0
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "quiz", "review", "--deck", "keys"],
        input="global\n0\n1\n2\n\n",
        capture_output=True,
        text=True,
        env={**os.environ, "QUIZ_NOW": NOW},
        cwd=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Reviewed 2 · 100% right" in done.stdout
    assert "prompt_toolkit" not in done.stderr


# ---- timed drills ----------------------------------------------------------------------


def watch(t: Terminal, text: str) -> list[list[str]]:
    """The screens seen until `text` shows (each a list of lines)."""
    seen: list[list[str]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        lines = t.display()
        seen.append(lines)
        if any(text in line for line in lines):
            return seen
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never shown:\n" + "\n".join(t.display()))


@pytest.mark.parametrize("plain", [False, True], ids=["editor", "plain"])
def test_an_exam_timeout_is_said_and_later_keys_are_not_the_next_cards(term, env, plain):
    extra = {"QUIZ_PLAIN_INPUT": "1"} if plain else {}
    t = term(
        deck(TYPED.format(id="a", **GLOBAL), BASIC.format(id="b")),
        "drill",
        "--deck",
        "keys",
        "--seed",
        "1",  # the typed card first
        "--timed",
        "4",
        "--exam",
        **extra,
    )
    t.expect("Which keyword rebinds")
    screens = watch(t, "time's up — recorded as a miss")
    counting = [line for lines in screens for line in lines if "s left" in line]
    if plain:  # the limit is said once; nothing counts down into the answer
        assert not counting
    else:  # redrawn in place at the right of the answer line, never two on a line
        assert counting and all(line.count("⏱") == 1 for line in counting)
        assert all(line.startswith("›") for line in counting)
    t.expect("Enter: next card")
    assert not any("s left" in line for line in t.display())  # not left behind
    t.type("global :q\r")  # the answer and a command, typed late: used for nothing
    t.expect("typed after time ran out, not used: ")
    assert "not used: global :q" in "\n".join(t.display())
    t.expect("Basic question?")  # the next card: the late `:q` did not quit
    assert "Basic answer." not in t.screen  # nor revealed by the late space
    t.type("q")
    assert "Drill: 0/1 right" in t.expect("stopped after 1 of 2")
    assert t.wait() == 0
    assert answers(env) == [("keys/a", "", False)]


def test_a_timed_basic_card_counts_down_in_place_until_a_key(term, env):
    t = term(deck(BASIC.format(id="a")), "drill", "--deck", "keys", "--timed", "60")
    t.expect("Basic question?")
    lines = t.expect_display("s left")
    assert sum("s left" in line for line in lines) == 1
    t.type(" ")
    t.expect("Basic answer.")
    assert not any("s left" in line for line in t.display())  # erased once a key came
    t.type("3")
    t.expect("Drill: 1/1 right")
    assert t.wait() == 0


def test_a_colon_command_cut_by_a_timed_drills_limit_is_no_command(term, env):
    """`:` typed on a timed basic card, then the time runs out: the card is out of time
    (revealed, counted wrong), the colon is not said to be a wrong command."""
    t = term(deck(BASIC.format(id="a")), "drill", "--deck", "keys", "--timed", "2")
    t.expect("Basic question?")
    t.type(":")
    t.expect("Basic answer.")  # at the limit the answer is shown
    assert "not a command here" not in t.screen
    t.type("\r")  # the out-of-time notice's Enter
    t.expect("Drill: 0/1 right")
    assert t.wait() == 0


def test_a_timed_answer_in_time_leaves_no_countdown_behind(term, env):
    t = term(deck(TYPED.format(id="a", **GLOBAL)), "drill", "--deck", "keys", "--timed", "60")
    t.expect("module-level name?")
    t.expect_display("s left")  # at the right of the answer line while it is typed
    t.type("global\r")
    t.expect("✓ right")
    answer_line = [line for line in t.display() if line.startswith("›")]
    assert answer_line == ["› global"]  # the countdown went with the editor
    t.type("\r")
    t.expect("Drill: 1/1 right")
    assert t.wait() == 0
    assert answers(env) == [("keys/a", "global", True)]


def test_without_a_working_prompt_toolkit_the_plain_reader_takes_over(term, env, tmp_path):
    broken = tmp_path / "broken" / "prompt_toolkit"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('a broken install')\n")
    t = term(
        deck(TYPED.format(id="a", **GLOBAL)),
        "review",
        "--deck",
        "keys",
        # ahead of the path given (a worktree's tree), not instead of it
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(broken.parent), os.environ.get("PYTHONPATH")])
        ),
    )
    t.expect("module-level name?")
    t.expect("› ")  # the plain reader's prompt: the editor was given up
    t.type("global\r")
    assert "› global" in t.expect("✓ right")  # echoed by the terminal: echo is back on
    t.type("q")
    assert t.wait() == 0
    assert BRACKETED_PASTE_ON not in t.raw
    assert answers(env) == [("keys/a", "global", True)]


def test_keys_typed_ahead_in_a_timed_drill_are_all_kept(term, env):
    t = term(
        deck(BASIC.format(id="a"), BASIC.format(id="b"), TYPED.format(id="c", **GLOBAL)),
        "drill",
        "--deck",
        "keys",
        "--seed",
        "4",  # two basic cards, then the typed one
        "--timed",
        "60",
    )
    t.expect("Basic question?")
    # all at once, while the countdown waits for a key: reveal and rate both basic
    # cards, then the typed answer (before its editor is even loaded) and its rating
    t.type(" 3 3global\r\r", gap=0)
    t.expect("Drill: 3/3 right")
    assert t.wait() == 0
    assert answers(env) == [
        ("keys/a", None, True),
        ("keys/b", None, True),
        ("keys/c", "global", True),
    ]
