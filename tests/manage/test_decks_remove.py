"""`quiz decks remove`: kept history (the default) or a full purge; and `cards: []`."""

from __future__ import annotations

import json
import sqlite3

from tests.conftest import write_deck
from tests.review.test_review_cli import basic_deck, day, log


def listed(cli, now):
    return [d["deck"] for d in json.loads(cli("decks", "--json", now=now).stdout)]


def rows(env, sql):
    with sqlite3.connect(env / "store.db") as conn:
        return conn.execute(sql).fetchall()


def test_remove_asks_and_refuses_on_a_pipe_without_yes(cli, env):
    cli("import", str(basic_deck(env, 2)))
    result = cli("decks", "remove", "basics", input="y\n", now=day(1))
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "quiz: quiz decks remove basics: not asking on a pipe; add --yes to remove it"
    ]
    assert listed(cli, day(1)) == ["basics"]
    missing = cli("decks", "remove", "nope", "--yes", now=day(1))
    assert missing.exit_code == 4
    assert "no deck named 'nope' (the store has: basics)" in missing.output


def test_remove_keeps_history_and_import_brings_the_cards_back(cli, env):
    path = basic_deck(env, 2)
    other = basic_deck(env, 1, name="other")
    cli("import", str(path), str(other))
    cli("review", input="3\n3\n3\n", now=day(1))
    answered = log(env)
    assert len(answered) == 3
    result = cli("decks", "remove", "basics", "--yes", now=day(2))
    assert result.exit_code == 0, result.output
    assert "removed basics: 2 cards retired, review history kept" in result.output
    assert listed(cli, day(2)) == ["other"]
    assert json.loads(cli("due", "--json", now=day(30)).stdout)["decks"].keys() == {"other"}
    assert "Nothing to review" in cli("review", "--deck", "basics", input="3\n", now=day(30)).stdout
    assert log(env) == answered  # the log is kept
    assert cli("rebuild", "--check", now=day(2)).exit_code == 0
    # the same file imported again: the cards return with their schedules
    back = cli("import", str(path), now=day(3))
    assert back.exit_code == 0, back.output
    [deck] = [
        d for d in json.loads(cli("decks", "--json", now=day(3)).stdout) if d["deck"] == "basics"
    ]
    assert deck["cards"] == 2 and deck["new"] == 0
    assert rows(
        env,
        "select count(*) from card_states cs join cards c on c.id = cs.card_id "
        "where c.key like 'basics/%' and cs.reps > 0",
    ) == [(2,)]


def test_purge_deletes_every_row_of_the_deck(cli, env):
    path = basic_deck(env, 2)
    cli("import", str(path), str(basic_deck(env, 1, name="other")))
    cli("review", input="3\n3\n3\n", now=day(1))
    goal = cli("goal", "--deck", "basics", "--by", "2026-06-01", now=day(1))
    assert goal.exit_code == 0, goal.output
    assert rows(env, "select count(*) from goals") == [(1,)]
    result = cli("decks", "remove", "basics", "--purge", "--yes", now=day(2))
    assert result.exit_code == 0, result.output
    assert "removed basics: 2 cards and 2 reviews deleted (purged)" in result.output
    assert [k for k, _, _ in log(env)] == ["other/c1"]
    assert rows(env, "select count(*) from decks where slug = 'basics'") == [(0,)]
    assert rows(env, "select count(*) from cards where key like 'basics/%'") == [(0,)]
    assert rows(env, "select count(*) from goals") == [(0,)]
    assert cli("rebuild", "--check", now=day(2)).exit_code == 0
    assert cli("stats", "--json", now=day(2)).exit_code == 0
    # importing it again starts afresh
    assert cli("import", str(path), now=day(3)).exit_code == 0
    [deck] = [
        d for d in json.loads(cli("decks", "--json", now=day(3)).stdout) if d["deck"] == "basics"
    ]
    assert deck["new"] == 2


def test_an_empty_card_list_is_an_empty_deck(cli, env):
    path = basic_deck(env, 2)
    cli("import", str(path))
    cli("review", input="3\n", now=day(1))
    write_deck(env, "basics.yaml", "deck: basics\ntitle: Basics\ncards: []\n")
    result = cli("import", str(path), now=day(2))
    assert result.exit_code == 0, result.output
    [deck] = json.loads(cli("decks", "--json", now=day(2)).stdout)
    assert (deck["deck"], deck["cards"]) == ("basics", 0)
    assert cli("check", str(path)).exit_code == 0
    assert len(log(env)) == 1


def test_a_purge_deletes_the_decks_log_and_what_it_kept_on_both_back_ends(cli, env, store_url):
    """Two learners, a kept before and built rollups: the purge takes the deck's entries
    (on PostgreSQL whole packs at once, quiz.store.log_packs), their befores and the
    rollup marks, and leaves the other deck's log as it was."""
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import func, select

    from quiz.model import CardState, Rating, Schedule
    from quiz.review.answer import Answer
    from quiz.store import open_store
    from quiz.store.models import ReviewBefore, RollupMark
    from tests.store.helpers import answer_log

    cli("import", str(basic_deck(env, 2)), str(basic_deck(env, 1, name="other")))
    cli("review", input="3\n3\n3\n", now=day(1))
    at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    odd = Schedule(CardState.REVIEW, None, 9.0, 4.0, at, at - timedelta(days=3), reps=4)
    after = Schedule(CardState.REVIEW, None, 12.0, 4.0, at + timedelta(days=12), at, reps=5)
    with open_store(store_url) as store, store.unit("ann") as repo:
        for key in ("basics/c1", "basics/c1", "other/c1"):  # two in one pack
            card = repo.get_card(key)
            assert card is not None
            repo.record_answer(Answer(card, Rating.GOOD, at, 1, None, True, odd, after))
        assert repo.session.scalar(select(func.count()).select_from(ReviewBefore)) == 3
    assert cli("stats", "--json", now=day(2)).exit_code == 0  # rollups and their marks
    result = cli("decks", "remove", "basics", "--purge", "--yes", now=day(2))
    assert result.exit_code == 0, result.output
    assert "removed basics: 2 cards and 4 reviews deleted (purged)" in result.output
    assert answer_log(store_url) == [("tester", "other/c1", 3), ("ann", "other/c1", 3)]
    with open_store(store_url) as store, store.reader() as session:
        assert session.scalar(select(func.count()).select_from(ReviewBefore)) == 1
        assert session.scalar(select(func.count()).select_from(RollupMark)) == 0
    assert cli("rebuild", "--check", now=day(2)).exit_code == 0
    stats = json.loads(cli("stats", "--json", now=day(2)).stdout)
    assert stats["answers"]["total"] == 1  # the learner's one answer left, on other/c1
