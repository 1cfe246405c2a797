"""Answers are capped where they are read: what is graded, stored and reported stays
small whatever arrives on stdin, and piped answers stay in step with the cards."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from quiz.ui.prompter import MAX_ANSWER_CHARS, MAX_PREDICTION_LINES, read_capped_line
from tests.conftest import write_deck

DECK = """
deck: caps
title: Caps
cards:
  - id: a-typed
    type: typed
    front: "2 ** 10?"
    answer: ["1024"]
  - id: b-typed
    type: typed
    front: "2 ** 11?"
    answer: ["2048"]
"""

OUTPUT_DECK = """
deck: outs
title: Outs
cards:
  - id: a-out
    type: output
    code: "print(1)"
    output: "1\\n"
  - id: b-typed
    type: typed
    front: "2 ** 11?"
    answer: ["2048"]
"""


def answers(env: Path) -> list[tuple[str, int, int]]:
    with sqlite3.connect(env / "store.db") as conn:
        return conn.execute(
            "SELECT c.key, length(r.answer), r.correct FROM reviews r"
            " JOIN cards c ON c.id = r.card_id ORDER BY r.id"
        ).fetchall()


def test_read_capped_line_drops_the_rest_of_a_long_line():
    stream = io.StringIO("x" * 100_000 + "\nnext\n" + "y" * 10)
    assert read_capped_line(stream, 10) == ("x" * 10, True)
    assert read_capped_line(stream, 10) == ("next", False)
    assert read_capped_line(stream, 10) == ("y" * 10, False)
    assert read_capped_line(stream, 10) == (None, False)
    exact = io.StringIO("z" * 10 + "\r\n")
    assert read_capped_line(exact, 10) == ("z" * 10, False)


@pytest.mark.parametrize("size", [MAX_ANSWER_CHARS + 1, 3_000_000])
def test_a_huge_typed_answer_is_cut_stored_small_and_the_next_answer_stays_in_step(cli, env, size):
    cli("import", str(write_deck(env, "caps.yaml", DECK)))
    result = cli("drill", "--graded", "--count", "2", "--seed", "0", input="9" * size + "\n2048\n")
    assert result.exit_code == 0, result.output[-2000:]
    assert f"cut to {MAX_ANSWER_CHARS} characters" in result.output
    stored = dict((key, (length, correct)) for key, length, correct in answers(env))
    assert stored["caps/a-typed"] == (MAX_ANSWER_CHARS, 0) or stored["caps/b-typed"] == (
        MAX_ANSWER_CHARS,
        0,
    )
    assert sorted(length for length, _ in stored.values()) == [4, MAX_ANSWER_CHARS]
    assert len(result.output) < 20_000  # the report shows a bounded part of the answer


def test_a_huge_answer_in_review_through_a_pipe(env):
    deck = write_deck(env, "caps.yaml", DECK)
    environ = dict(os.environ, QUIZ_NOW="2026-03-01T09:00:00Z")
    run = lambda *args, stdin: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "quiz", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
    )
    assert run("import", str(deck), stdin="").returncode == 0
    done = run("review", stdin="1" * 5_000_000 + "\n2048\n")
    assert done.returncode == 0, done.stderr
    assert [(k, n) for k, n, _ in answers(env)] == [
        ("caps/a-typed", MAX_ANSWER_CHARS),
        ("caps/b-typed", 4),
    ]
    assert len(done.stdout) < 20_000


def test_a_long_prediction_is_cut_to_its_lines_and_the_session_stays_in_step(cli, env):
    cli("import", str(write_deck(env, "outs.yaml", OUTPUT_DECK)))
    prediction = "".join(f"line {i}\n" for i in range(MAX_PREDICTION_LINES * 50)) + "\n"
    result = cli("review", input=prediction + "2048\n", now="2026-03-01T09:00:00Z")
    assert result.exit_code == 0, result.output[-2000:]
    assert "cut to" in result.output
    with sqlite3.connect(env / "store.db") as conn:
        rows = conn.execute(
            "SELECT c.key, r.answer FROM reviews r JOIN cards c ON c.id = r.card_id ORDER BY r.id"
        ).fetchall()
    assert [key for key, _ in rows] == ["outs/a-out", "outs/b-typed"]
    assert rows[0][1].count("\n") <= MAX_PREDICTION_LINES and len(rows[0][1]) <= MAX_ANSWER_CHARS
    assert rows[1][1] == "2048"
