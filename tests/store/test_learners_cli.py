"""Several learners on one store, through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from tests.store.helpers import answer_log, basic_deck, day, reps_of


def test_learners_share_decks_but_not_progress(cli, env, store_url):
    assert cli("import", str(basic_deck(env, 4))).exit_code == 0
    ann = cli("--learner", "ann", "review", input="4\n4\n", now=day(1))
    assert ann.exit_code == 0, ann.output
    bob = cli("--learner", "bob", "review", "--limit", "1", input="1\n", now=day(1))
    assert bob.exit_code == 0, bob.output
    assert answer_log(store_url) == [
        ("ann", "basics/c1", 4),
        ("ann", "basics/c2", 4),
        ("bob", "basics/c1", 1),
    ]
    # each learner's due counts come from their own schedule
    ann_due = json.loads(cli("--learner", "ann", "due", "--json", now=day(1)).stdout)
    bob_due = json.loads(cli("--learner", "bob", "due", "--json", now=day(1)).stdout)
    assert (ann_due["new"], bob_due["new"]) == (2, 3)
    assert reps_of(store_url, "ann") == {"basics/c1": 1, "basics/c2": 1}
    assert reps_of(store_url, "bob") == {"basics/c1": 1}
    # Bob's Again put c1 in relearning for him only; Ann's c1 stays a review card
    [ann_deck] = json.loads(cli("--learner", "ann", "decks", "--json", now=day(1)).stdout)
    [bob_deck] = json.loads(cli("--learner", "bob", "decks", "--json", now=day(1)).stdout)
    assert (ann_deck["learning"], bob_deck["learning"]) == (0, 1)
    # QUIZ_LEARNER (set to "tester" by the env fixture) is a third person
    assert json.loads(cli("due", "--json", now=day(1)).stdout)["new"] == 4


def test_learners_lists_cards_seen_reviews_and_last_review(cli, env, store_url):
    cli("import", str(basic_deck(env, 3)))
    cli("--learner", "ann", "review", input="4\n4\n4\n", now=day(1))
    cli("--learner", "bob", "review", "--limit", "1", input="3\n", now=day(2, 10))
    rows = json.loads(cli("learners", "--json").stdout)
    by_name = {r["learner"]: r for r in rows}
    assert by_name["ann"]["cards_seen"] == 3 and by_name["ann"]["reviews"] == 3
    assert by_name["ann"]["last_review"].startswith("2026-03-01T09:00")
    assert by_name["bob"]["cards_seen"] == 1 and by_name["bob"]["reviews"] == 1
    assert by_name["bob"]["last_review"].startswith("2026-03-02T10:00")
    assert [r["learner"] for r in rows] == sorted(by_name)
    table = cli("learners").stdout
    assert "ann" in table and "bob" in table and "2026-03-02 10:00 UTC" in table
    # listing the class enrols nobody (any other command adds its learner: "tester" imported the deck)
    assert set(by_name) == {"ann", "bob", "tester"}
    again = json.loads(cli("--learner", "zed", "learners", "--json").stdout)
    assert [r["learner"] for r in again] == ["ann", "bob", "tester"]


def test_learners_on_a_missing_store_is_one_line(cli, env, monkeypatch):
    monkeypatch.setenv("QUIZ_DB", str(env / "nowhere" / "store.db"))
    result = cli("learners")
    assert result.exit_code == 3
    assert "no such store" in result.stderr and "Traceback" not in result.output
