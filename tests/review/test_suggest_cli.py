"""Suggested ratings through the CLI: piped sessions over simulated days (QUIZ_NOW), with
the learner's answer time set by the test (the prompter's clock), and what is stored."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import write_deck
from tests.store.helpers import kind_sql

TYPED = 24  # more right answers than suggest.MIN_HISTORY: the pace is learned on day 1


def deck(env: Path) -> Path:
    cards = "".join(
        f"  - id: t{i}\n    type: typed\n    front: Say a{i}.\n    answer: a{i}\n"
        for i in range(1, TYPED + 1)
    )
    cards += (
        "  - id: pick\n    type: choice\n    tags: [pick]\n    front: Which are even?\n"
        "    choices: ['2', '3', '4', '5']\n    correct: [0, 2]\n"
    )
    return write_deck(env, "pace.yaml", f"deck: pace\ntitle: Pace\nlang: en\ncards:\n{cards}")


def day(n: int, hour: int = 9) -> str:
    return (datetime(2026, 3, 1, hour, tzinfo=timezone.utc) + timedelta(days=n - 1)).isoformat()


class PromptClock:
    """The prompter's monotonic clock: every reading is `step` seconds after the last,
    so each piped answer takes exactly `step` seconds (read once when the card is
    shown, once when its answer line arrives)."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.now = 1000.0

    def monotonic(self) -> float:
        self.now += self.step
        return self.now


@pytest.fixture
def answer_in(monkeypatch: pytest.MonkeyPatch):
    def set_pace(seconds: float) -> None:
        monkeypatch.setattr("quiz.ui.prompter.time", PromptClock(seconds))
        monkeypatch.setattr("quiz.ui.drill_view.clock", PromptClock(seconds).monotonic)

    return set_pace


def reviews(env: Path) -> list[tuple[str, str, int, int | None, float | None, int, int]]:
    with sqlite3.connect(env / "store.db") as conn:
        return conn.execute(
            f"select c.key, {kind_sql('r.kind')}, r.rating, r.suggested, r.closeness,"
            " r.duration_ms, r.correct "
            "from reviews r join cards c on c.id = r.card_id order by r.id"
        ).fetchall()


def test_suggested_ratings_follow_the_learners_own_pace(cli, env, answer_in):
    (env / "config.toml").write_text('timezone = "UTC"\nfuzz = false\nnew_per_day = 30\n')
    cli("import", str(deck(env)))
    # day 1: every card right in 10 s, rated Easy (=4) so each graduates at once; before
    # the pace is known a right answer is offered as Good, never as Easy
    answer_in(10)
    first = "".join(f"a{i}\n=4\n" for i in range(1, TYPED + 1)) + "1 3\n=4\n"
    result = cli("review", input=first, now=day(1))
    assert result.exit_code == 0, result.output
    day1 = reviews(env)
    assert len(day1) == TYPED + 1
    assert {(r[2], r[3], r[4], r[5]) for r in day1} == {(4, 3, 1.0, 10000)}

    # day 40 (all due): right in 3 s is quick for this learner: Easy, accepted by the
    # piped answer having no rating line
    answer_in(3)
    quick = cli("review", input="a1\nq\n", now=day(40))
    assert quick.exit_code == 0, quick.output
    assert "suggested: Easy (quick)" in quick.stdout
    # right in 40 s is slow: Hard; then a wrong answer is Again and close 0; then a
    # right one overridden with =3; the choice card half right (one of two evens)
    answer_in(40)
    slow = cli("review", input="a2\nb3\na4\n=3\nq\n", now=day(40, 10))
    assert slow.exit_code == 0, slow.output
    assert "suggested: Hard (slow)" in slow.stdout
    later = reviews(env)[len(day1) :]
    assert later[:4] == [
        ("pace/t1", "review", 4, 4, 1.0, 3000, 1),
        ("pace/t2", "review", 2, 2, 1.0, 40000, 1),
        ("pace/t3", "review", 1, 1, 0.0, 40000, 0),
        ("pace/t4", "review", 3, 2, 1.0, 40000, 1),  # overridden: rating != suggested
    ]
    choice = cli("review", "--tag", "pick", input="1\n", now=day(40, 11))
    assert choice.exit_code == 0, choice.output
    picked = [r for r in reviews(env) if r[0] == "pace/pick"][1:]
    assert picked == [("pace/pick", "review", 1, 1, 0.5, 40000, 0)]


def test_scripted_sessions_keep_their_ratings(cli, env):
    """A script answers in milliseconds: no pace, so right is Good and wrong is Again,
    as before suggestions (the README's piped sessions record what they always did)."""
    cli("import", str(deck(env)))
    result = cli("review", "--limit", "2", input="a1\nwrong\n", now=day(1))
    assert result.exit_code == 0, result.output
    assert "suggested:" not in result.stdout
    assert [(r[2], r[3]) for r in reviews(env)] == [(3, 3), (1, 1)]


def test_an_overrule_keeps_working_and_counts_as_overriding(cli, env):
    cli("import", str(deck(env)))
    result = cli("review", "--limit", "1", input="nope\n=r\n", now=day(1))
    assert result.exit_code == 0, result.output
    with sqlite3.connect(env / "store.db") as conn:
        row = conn.execute("select rating, suggested, correct, overruled from reviews").fetchone()
    assert row == (3, 1, 1, 1)


def test_drill_offers_and_records_the_suggestion(cli, env, answer_in):
    cli("import", str(deck(env)))
    # no choice answered yet: the default bound (30 s) makes a 45 s right answer slow
    answer_in(45)
    drilled = cli("drill", "--type", "choice", "--count", "1", input="1 3\n", now=day(2))
    assert drilled.exit_code == 0, drilled.output
    assert "suggested: Hard (slow)" in drilled.stdout
    assert reviews(env) == [("pace/pick", "drill", 2, 2, 1.0, 45000, 1)]


OUTPUT = """
deck: out
title: Out
lang: en
cards:
  - id: doubles
    type: output
    code: |
      for i in range(3):
          print(i * 2)
    output: "0\\n2\\n4\\n"
  - id: boom
    type: output
    code: |
      print("start")
      {}["k"]
    raises: "KeyError: 'k'"
"""


def test_output_closeness_is_stored_from_the_real_run(cli, env):
    assert cli("import", str(write_deck(env, "out.yaml", OUTPUT))).exit_code == 0
    # two of three lines right; then the exception named but the line before it wrong
    result = cli("review", input="0\n2\n5\n\nbegin\nKeyError\n\n", now=day(1))
    assert result.exit_code == 0, result.output
    with sqlite3.connect(env / "store.db") as conn:
        rows = conn.execute(
            "select c.key, r.rating, r.suggested, round(r.closeness, 3), r.correct"
            " from reviews r join cards c on c.id = r.card_id order by r.id"
        ).fetchall()
    assert rows[:2] == [("out/doubles", 1, 1, 0.667, 0), ("out/boom", 1, 1, 0.5, 0)]
