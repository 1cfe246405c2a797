"""Undo takes back every action of a review session: answers, `b` (bury) and `!` (suspend)."""

from __future__ import annotations

import json

from tests.review.test_review_cli import basic_deck, day, log


def test_undo_takes_back_bury_and_suspend(cli, env):
    cli("import", str(basic_deck(env, 3)))
    result = cli("review", input="b\nu\n!\nu\n4\n4\n4\n", now=day(1))
    assert result.exit_code == 0, result.output
    assert "undone: basics/c1 (unburied)" in result.stdout
    assert "undone: basics/c1 (unsuspended)" in result.stdout
    # c1 came back to the front each time and was answered first, then the others
    assert [k for k, _, _ in log(env)] == ["basics/c1", "basics/c2", "basics/c3"]
    [deck] = json.loads(cli("decks", "--json", now=day(1)).stdout)
    assert deck["suspended"] == 0
    assert deck["buried"] == 0


def test_undo_goes_back_through_answers_and_actions_in_order(cli, env):
    cli("import", str(basic_deck(env, 3)))
    # answer c1, suspend c2, then undo twice: c2 unsuspended, c1's answer taken back
    result = cli("review", input="4\n!\nu\nu\nq\n", now=day(1))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("undone: basics/c2 (unsuspended)") < out.index("undone: basics/c1")
    assert log(env) == []
    [deck] = json.loads(cli("decks", "--json", now=day(1)).stdout)
    assert deck["suspended"] == 0
    assert deck["new"] == 3


def test_leech_notice_says_how_to_bring_the_card_back(cli, env):
    cli("import", str(basic_deck(env, 1)))
    cli("review", input="4\n", now=day(1))
    for n in range(2, 400):
        result = cli("review", input="1\n3\n", now=day(n))
        if "leech" in result.stdout:
            break
    assert "quiz cards unsuspend basics/c1" in " ".join(result.stdout.split())
    back = cli("cards", "unsuspend", "basics/c1", now=day(n))
    assert back.exit_code == 0, back.output
    [deck] = json.loads(cli("decks", "--json", now=day(n)).stdout)
    assert deck["suspended"] == 0
