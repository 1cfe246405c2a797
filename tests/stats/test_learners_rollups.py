"""`quiz learners` counts each learner's cards seen, reviews and drills from the review
rollups where their mark holds (quiz.store.learners), and those equal grouping the log:
with manual entries (neither reviews nor drills), with entries past the mark (new
cards among them), with a mark that does not hold, for a learner who never ran `quiz
stats` and for one with no entries at all; through the session and, on SQLite, through
the lean path's read-only sqlite3 connection."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, inspect, text

from quiz.model import Schedule
from quiz.store import lean, open_store, rollups
from quiz.store.classroom import learner_overview
from quiz.store.learners import LearnerOverview
from tests.stats.test_rollups import NOW, T0, _answer, _card_ids, _days, _fill
from tests.store.helpers import schema_back_to


def _overview(store) -> list[LearnerOverview]:  # type: ignore[no-untyped-def]
    with store.unit("ann") as repo:
        return learner_overview(repo.session)


def _grouped(store) -> list[LearnerOverview]:  # type: ignore[no-untyped-def]
    """The same rows with no rollups to read: every learner's log grouped (the rule
    `quiz learners` had before it read the rollups)."""
    with store.unit("ann") as repo:
        marks = list(repo.session.execute(text("SELECT * FROM review_rollup_marks")))
        repo.session.execute(text("DELETE FROM review_rollup_marks"))
        try:
            return learner_overview(repo.session)
        finally:
            repo.session.rollback()
            assert len(
                list(repo.session.execute(text("SELECT * FROM review_rollup_marks")))
            ) == len(marks)


def _manual(store, learner: str, days: int) -> None:  # type: ignore[no-untyped-def]
    """`quiz cards forget` of a few cards: manual entries in the log."""
    with store.unit(learner) as repo:
        for card_id, _kind in _card_ids(repo)[:3]:
            [item] = repo.cards_by_id([card_id])
            repo.reschedule(item, Schedule(), T0 + timedelta(days=days, hours=1))


@pytest.fixture
def class_store(store_url, env):  # type: ignore[no-untyped-def]
    with open_store(store_url) as store:
        _fill(store, env)
        _days(store, 0, 30, seed=5)  # ann and bob answer
        _manual(store, "ann", 31)
        with store.unit("cal") as repo:  # answers, never runs `quiz stats`
            [(card_id, _)] = _card_ids(repo)[:1]
            _answer(repo, card_id, T0 + timedelta(days=2), 3)
        with store.unit("dee"):  # no entries at all
            pass
        yield store


def test_learners_from_the_rollups_equal_grouping_the_log(class_store):  # type: ignore[no-untyped-def]
    store = class_store
    before = _overview(store)  # nobody's rollups: the log grouped
    assert [r.learner for r in before] == ["ann", "bob", "cal", "dee"]
    ann = before[0]
    assert ann.reviews + ann.drills < _entries(store, "ann")  # the manual entries are neither
    for learner in ("ann", "bob"):
        with store.unit(learner) as repo:
            assert rollups.refresh(repo) == "built"
    assert _overview(store) == before == _grouped(store)
    # entries past the mark: answers (of cards never answered before, too), drills and
    # manual entries, not folded in yet
    _days(store, 31, 40, seed=9)
    _manual(store, "ann", 41)
    with store.unit("bob") as repo:
        cards = _card_ids(repo)
        _answer(repo, cards[-1][0], T0 + timedelta(days=42), 1, "drill", False)
    after = _overview(store)
    assert after == _grouped(store)
    assert after[1].cards_seen > before[1].cards_seen and after[0].reviews > ann.reviews
    with store.unit("ann") as repo:
        assert rollups.refresh(repo) == "folded"
    assert _overview(store) == after


def test_a_mark_that_does_not_hold_groups_the_log(class_store):  # type: ignore[no-untyped-def]
    store = class_store
    with store.unit("ann") as repo:
        assert rollups.refresh(repo) == "built"
        if repo.session.get_bind().dialect.name == "sqlite":
            pytest.skip("on SQLite a mark that is there holds (one writer; undo deletes it)")
        # as a row committed late below the mark would leave it on PostgreSQL
        repo.session.execute(text("UPDATE review_rollup_marks SET answers = answers - 1"))
        repo.session.commit()
    assert _overview(store) == _grouped(store)


def test_the_lean_path_reads_the_same_counts_without_a_pass_over_the_log(class_store, env):  # type: ignore[no-untyped-def]
    store = class_store
    with store.unit("ann") as repo:
        if repo.session.get_bind().dialect.name != "sqlite":
            pytest.skip("the lean path reads SQLite stores")
        for learner in ("ann", "bob", "cal"):
            with store.unit(learner) as each:
                rollups.refresh(each)
        engine = repo.session.get_bind()
        seen: list[tuple[str, object]] = []

        def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            seen.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", keep)
        try:
            full = learner_overview(repo.session)
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        raw = repo.session.connection().connection.driver_connection
        plans = [
            " | ".join(str(r[-1]) for r in raw.execute("EXPLAIN QUERY PLAN " + q, p).fetchall())
            for q, p in seen
            if "reviews" in q
        ]
    assert plans and not [p for p in plans if "SCAN reviews" in p or "SCAN r " in p], plans
    assert lean.learner_overview(Path(env / "store.db")) == full == _grouped(store)


def test_quiz_learners_json_is_the_same_before_and_after_stats(class_store, cli, env):  # type: ignore[no-untyped-def]
    first = cli("learners", "--json", now=NOW.isoformat()).stdout
    for learner in ("ann", "bob"):
        assert cli("--learner", learner, "stats", "--json", now=NOW.isoformat()).exit_code == 0
    assert cli("learners", "--json", now=NOW.isoformat()).stdout == first
    rows = json.loads(first)
    assert [r["learner"] for r in rows] == ["ann", "bob", "cal", "dee"]
    assert rows[3]["cards_seen"] == rows[3]["reviews"] == 0 and rows[3]["last_review"] is None


def _entries(store, learner: str) -> int:  # type: ignore[no-untyped-def]
    with store.unit(learner) as repo:
        return int(
            repo.session.scalar(
                text("SELECT count(*) FROM reviews WHERE learner_id = :l"), {"l": repo.learner_id}
            )
        )


def test_a_0012_store_gains_the_index_in_place_and_keeps_its_counts(class_store):  # type: ignore[no-untyped-def]
    """Migration 0013 on a store of the previous schema: the index of manual entries
    is built in place, nothing else changes, and the counts stay those of the log."""
    from quiz.store.migrate import HEAD, upgrade

    store = class_store
    with store.unit("ann") as repo:
        assert rollups.refresh(repo) == "built"
    expected = _overview(store)
    url = store.url
    store.close()
    engine = create_engine(url)
    with engine.begin() as conn:  # the store as 0012 left it
        schema_back_to(conn, "0013")
        conn.execute(text("DROP INDEX ix_reviews_manual"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0012'"))
    engine.dispose()
    engine = create_engine(url)
    upgrade(engine, "0013")
    with engine.connect() as conn:
        assert "ix_reviews_manual" in {i["name"] for i in inspect(conn).get_indexes("reviews")}
    engine.dispose()
    with open_store(url) as again:  # on PostgreSQL 0017 then packs the log (and its index)
        with again.unit("ann") as repo:
            conn = repo.session.connection()
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        assert _overview(again) == expected == _grouped(again)
