"""Counts on screen agree with their nouns: "1 answer", "2 answers", "0 drills"."""

from __future__ import annotations

import pytest

from quiz.ui.plural import counted


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "0 answers"), (1, "1 answer"), (2, "2 answers"), (1234, "1234 answers")],
)
def test_a_count_takes_the_noun_in_its_number(n, expected):
    assert counted(n, "answer") == expected


def test_irregular_plurals_and_grouped_thousands():
    assert counted(1, "active day") == "1 active day"
    assert counted(3, "child", "children") == "3 children"
    assert counted(1_000_000, "review", grouped=True) == "1,000,000 reviews"
    assert counted(1, "review", grouped=True) == "1 review"


def test_one_answer_reads_as_one_in_the_stats_summary(cli, env):
    from tests.conftest import BASIC_DECK, write_deck

    write_deck(env, "demo.yaml", BASIC_DECK)
    assert cli("import", str(env / "demo.yaml")).exit_code == 0
    answered = cli("review", "--deck", "demo", input="\n\nq\n")
    assert answered.exit_code == 0, answered.output
    out = cli("stats").stdout
    assert "1 answer (1 review, 0 drills)" in out, out
    assert "1 active day" in out and "1 answers" not in out
