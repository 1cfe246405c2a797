"""The store layer on SQLite and on PostgreSQL: migrations, the models' column types,
every Repo query the commands use, and the answer recorder's conflict check."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect

from quiz.deck import load_deck
from quiz.errors import Conflict
from quiz.model import CardState, Rating, Schedule
from quiz.review.answer import Answer
from quiz.store import CardFilter, open_store
from quiz.store.migrate import HEAD, current_revision
from quiz.store.models import Base
from quiz.store.selection import AnsweredSince
from quiz.store.values import after_of
from tests.conftest import BASIC_DECK, write_deck

T0 = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)


def _import(
    store, env: Path, body: str = BASIC_DECK, name: str = "demo.yaml", learner: str = "ann"
) -> None:
    path = write_deck(env, name, body)
    with store.unit(learner) as repo:
        repo.sync_deck(load_deck(path), str(path), "hash-" + str(len(body)), T0)


def _answer(
    repo,
    card_id: int,
    before: Schedule,
    at: datetime,
    rating: Rating = Rating.GOOD,
    expect: bool = True,
) -> int:
    after = Schedule(
        state=CardState.REVIEW,
        stability=3.5,
        difficulty=5.0,
        due=at + timedelta(days=3),
        last_review=at,
        reps=before.reps + 1,
        lapses=before.lapses,
    )
    return repo.record_answer(
        Answer(
            item=repo.cards_by_id([card_id])[0],
            rating=rating,
            at=at,
            duration_ms=1200,
            given="x",
            correct=rating != Rating.AGAIN,
            before=before,
            after=after,
            expect_reps=before.reps if expect else None,
        )
    )


def test_migrations_reach_head_and_match_the_models(store_url, env):
    with open_store(store_url) as store, store.engine.connect() as conn:
        assert current_revision(conn) == HEAD
        found = inspect(conn)
        tables = set(found.get_table_names())
        views = set(found.get_view_names())
    if store_url.startswith("postgresql"):  # the log packed since 0017 (quiz.store.log_packs)
        assert "reviews" in views and "review_packs" in tables
        tables |= {"reviews"}
    assert set(Base.metadata.tables) <= tables
    with open_store(store_url) as again:  # opening an up-to-date store migrates nothing
        assert again.dialect in ("sqlite", "postgresql")


def test_every_foreign_key_leads_an_index(store_url):
    """Deleting a row (a card, a deck) has every table that may name it checked: without
    an index that leads with the key's columns each check reads the whole table, once a
    deleted row (0018 and 0020: a deck's purge read the card states, then the card
    rollups, once a card: tens of seconds). Partial indexes do not serve the check."""
    missing = []
    with open_store(store_url) as store, store.engine.connect() as conn:
        found = inspect(conn)
        for table in found.get_table_names():
            keys = [tuple(found.get_pk_constraint(table)["constrained_columns"])]
            keys += [tuple(u["column_names"]) for u in found.get_unique_constraints(table)]
            keys += [
                tuple(i["column_names"])
                for i in found.get_indexes(table)
                if not any(name.endswith("_where") for name in i.get("dialect_options", {}))
            ]
            for fk in found.get_foreign_keys(table):
                columns = tuple(fk["constrained_columns"])
                if not any(key[: len(columns)] == columns for key in keys):
                    missing.append(f"{table}({', '.join(columns)})")
    assert missing == []


def test_answers_since_a_time_by_state_and_note(store_url, env):
    """A day's plan reads the answers so far in one statement: counts summed over notes
    by the state the card was in, the notes answered, drills and older answers left out."""
    with open_store(store_url) as store:
        _import(store, env)
        with store.unit("ann") as repo:
            one, two = (repo.get_card(key) for key in ("demo/one", "demo/two"))
            assert one is not None and two is not None
            _answer(repo, one.row_id, one.schedule, T0)
            _answer(repo, two.row_id, two.schedule, T0 + timedelta(minutes=1))
            again = repo.get_card("demo/one")
            assert again is not None
            _answer(repo, one.row_id, again.schedule, T0 + timedelta(minutes=2))
            repo.record_answer(
                Answer(
                    item=repo.cards_by_id([two.row_id])[0],
                    rating=Rating.GOOD,
                    at=T0 + timedelta(minutes=3),
                    duration_ms=900,
                    given=None,
                    correct=None,
                    before=Schedule(),
                    after=None,
                    kind="drill",
                )
            )
            assert repo.answered_since(T0) == AnsweredSince(
                {int(CardState.NEW): 2, int(CardState.REVIEW): 1},
                frozenset({"demo/one", "demo/two"}),
            )
            assert repo.answered_since(T0 + timedelta(seconds=90)) == AnsweredSince(
                {int(CardState.REVIEW): 1}, frozenset({"demo/one"})
            )
            assert repo.answered_since(T0 + timedelta(minutes=4)) == AnsweredSince({}, frozenset())


def test_import_summaries_and_tags(store_url, env):
    with open_store(store_url) as store:
        _import(store, env)
        with store.unit("ann") as repo:
            [summary] = repo.deck_summaries(T0)
            assert (summary.deck, summary.cards, summary.new, summary.learning, summary.due) == (
                "demo",
                4,
                4,
                0,
                0,
            )
            assert summary.title.get("en") == "Demo deck"
            tagged = repo.cards(CardFilter(tags=("demo",)))
            assert [c.card.key for c in tagged] == [
                "demo/one",
                "demo/two",
                "demo/three",
                "demo/four",
            ]
            assert repo.cards(CardFilter(tags=("nope",))) == []
        # a re-import with an edited card rewrites its tags (delete + insert in one go)
        _import(
            store, env, BASIC_DECK.replace("back: First answer.", "back: First answer, edited.")
        )
        with store.unit("ann") as repo:
            one = repo.get_card("demo/one")
            assert (
                one is not None
                and one.card.back is not None
                and "edited" in one.card.back.get("en")
            )
            assert len(repo.cards(CardFilter(tags=("demo",)))) == 4


def test_answers_round_trip_types_and_counts(store_url, env):
    with open_store(store_url) as store:
        _import(store, env)
        with store.unit("ann") as repo:
            one = repo.get_card("demo/one")
            assert one is not None and one.schedule == Schedule()
            rid = _answer(repo, one.row_id, one.schedule, T0)
            assert rid > 0
            again = repo.get_card("demo/one")
            assert again is not None
            s = again.schedule
            assert s.state == CardState.REVIEW and s.reps == 1 and s.stability == 3.5
            assert (
                s.due == T0 + timedelta(days=3) and s.due.tzinfo is not None
            )  # naive UTC in, aware UTC out
            assert s.last_review == T0
            [log] = list(repo.review_log(schedules=True, details=True))
            assert (
                log.correct is True
                and after_of(log) is not None
                and after_of(log).reps == 1
                and log.reviewed_at == T0
            )
            since = repo.answered_since(T0 - timedelta(hours=1))
            assert since == AnsweredSince({int(CardState.NEW): 1}, frozenset({"demo/one"}))
            assert repo.seen_keys(["demo/one", "demo/two"]) == {"demo/one"}
            [summary] = repo.deck_summaries(T0 + timedelta(days=4))
            assert (summary.new, summary.due) == (
                3,
                1,
            )  # func.sum(bool.cast(Integer)) on both back ends
            due = repo.due_cards(
                T0 + timedelta(days=4), T0 + timedelta(days=4), CardFilter(), (2,), 10
            )
            assert [c.card.key for c in due] == ["demo/one"]
            assert [c.card.key for c in repo.new_cards(T0, CardFilter(), 10)] == [
                "demo/two",
                "demo/three",
                "demo/four",
            ]
            # undo puts the card back as it was
            assert repo.undo(rid) == one.row_id
            assert repo.get_card("demo/one").schedule.reps == 0  # type: ignore[union-attr]
            assert list(repo.review_log()) == []


def test_bury_suspend_and_leech_flags(store_url, env):
    with open_store(store_url) as store:
        _import(store, env)
        with store.unit("ann") as repo:
            two = repo.get_card("demo/two")
            three = repo.get_card("demo/three")
            assert two is not None and three is not None
            repo.bury(two.row_id, T0 + timedelta(days=1))
            repo.set_suspended(three.row_id, True)
            assert [c.card.key for c in repo.new_cards(T0, CardFilter(), 10)] == [
                "demo/one",
                "demo/four",
            ]
            [summary] = repo.deck_summaries(T0)
            assert summary.suspended == 1
            one = repo.get_card("demo/one")
            assert one is not None
            _answer(repo, one.row_id, one.schedule, T0)
            assert repo.get_card("demo/three").suspended  # type: ignore[union-attr]
            # due_count counts exactly what due_cards returns: buried and suspended cards left out
            for c in (two, three, repo.get_card("demo/four")):
                _answer(repo, c.row_id, c.schedule, T0)  # type: ignore[union-attr]
            repo.bury(two.row_id, T0 + timedelta(days=30))
            for at in (T0, T0 + timedelta(days=1), T0 + timedelta(days=40)):
                for flt in (CardFilter(), CardFilter(decks=("demo",)), CardFilter(tags=("nope",))):
                    listed = repo.due_cards(at, at + timedelta(days=5), flt, (1, 2, 3), 100)
                    assert repo.due_count(at, at + timedelta(days=5), flt, (1, 2, 3)) == len(listed)
            late = T0 + timedelta(days=40)
            assert (
                repo.due_count(late, late, CardFilter(), (1, 2, 3)) == 3
            )  # one, two (unburied), four


def test_two_learners_keep_separate_schedules(store_url, env):
    with open_store(store_url) as store:
        _import(store, env)
        with store.unit("ann") as ann:
            one = ann.get_card("demo/one")
            assert one is not None
            _answer(ann, one.row_id, one.schedule, T0)
        with store.unit("bob") as bob:
            mine = bob.get_card("demo/one")
            assert (
                mine is not None and mine.schedule == Schedule()
            )  # the deck is shared, the progress not
            assert list(bob.review_log()) == []
            [summary] = bob.deck_summaries(T0)
            assert summary.new == 4
            _answer(bob, mine.row_id, mine.schedule, T0 + timedelta(hours=1), Rating.AGAIN)
        with store.unit("ann") as ann:
            assert [r.rating for r in list(ann.review_log())] == [int(Rating.GOOD)]
            assert ann.get_card("demo/one").schedule.reps == 1  # type: ignore[union-attr]
            assert ann.learners() == ["ann", "bob"]


def test_an_answer_given_elsewhere_is_refused_not_recorded_twice(store_url, env):
    """One learner, two machines: both fetched the card; the second answer is a Conflict."""
    with open_store(store_url) as a, open_store(store_url) as b:
        _import(a, env)
        with a.unit("ann") as left, b.unit("ann") as right:
            seen_left = left.get_card("demo/one")
            seen_right = right.get_card("demo/one")
            assert seen_left is not None and seen_right is not None
            _answer(left, seen_left.row_id, seen_left.schedule, T0)
            with pytest.raises(Conflict, match="already answered on another machine"):
                _answer(right, seen_right.row_id, seen_right.schedule, T0 + timedelta(seconds=5))
            assert len(list(right.review_log())) == 1  # the refused answer left no trace
            assert right.get_card("demo/one").schedule.reps == 1  # type: ignore[union-attr]
            # once the session has the fresh schedule, answering works again
            fresh = right.get_card("demo/one")
            assert fresh is not None
            _answer(right, fresh.row_id, fresh.schedule, T0 + timedelta(days=3))
            assert [
                after_of(e).reps for e in list(right.review_log(schedules=True)) if after_of(e)
            ] == [1, 2]
            # a stale copy of a card that has a state row already is refused too
            with pytest.raises(Conflict):
                _answer(
                    left,
                    seen_left.row_id,
                    Schedule(state=CardState.REVIEW, reps=1),
                    T0 + timedelta(days=3),
                )
            # without expect_reps (drills, old callers) nothing is checked
            _answer(
                left,
                seen_left.row_id,
                Schedule(state=CardState.REVIEW, reps=1),
                T0 + timedelta(days=4),
                expect=False,
            )


def test_an_undone_answer_frees_the_card_for_the_other_machine(store_url, env):
    with open_store(store_url) as a, open_store(store_url) as b:
        _import(a, env)
        with a.unit("ann") as left, b.unit("ann") as right:
            seen = right.get_card("demo/two")
            mine = left.get_card("demo/two")
            assert seen is not None and mine is not None
            rid = _answer(left, mine.row_id, mine.schedule, T0)
            left.undo(rid)
            _answer(right, seen.row_id, seen.schedule, T0 + timedelta(minutes=1))
            assert [e.card_id for e in list(right.review_log())] == [seen.row_id]


def test_rebuild_replaces_schedules_on_both_back_ends(store_url, env, cli):
    from tests.store.helpers import basic_deck, day

    cli("import", str(basic_deck(env, 3)))
    assert cli("review", input="3\n4\n1\n3\n", now=day(1)).exit_code == 0
    assert cli("rebuild", "--check", now=day(1)).exit_code == 0
    assert cli("rebuild", now=day(1)).exit_code == 0


def test_deck_summaries_titles_and_set_aside_cards(store_url, env):
    """`quiz decks`' rows (quiz.store.summaries: text SQL, JSON columns as each driver
    hands them over) on both back ends."""
    with open_store(store_url) as store:
        _import(store, env)
        with store.unit("ann") as repo:
            lo, _hi = repo.card_id_range() or (0, 0)
            repo.bury(lo, T0 + timedelta(days=2))
            repo.set_suspended(lo + 1, True)
            [summary] = repo.deck_summaries(T0)
            assert (summary.title.get(), summary.cards, summary.new) == ("Demo deck", 4, 2)
            assert (summary.suspended, summary.buried, summary.description) == (1, 1, None)
            [later] = repo.deck_summaries(T0 + timedelta(days=3))
            assert (later.suspended, later.buried, later.new) == (1, 0, 3)
