"""The review log as PostgreSQL packs it (migration 0017, quiz.store.log_packs): every
entry reads back exactly as written, the view's triggers keep the table's rules (the
answer chain's uniqueness, deletes that take the kept before and the rollup marks with
them, an entry's identity), a generated store's figures and card states are the same
before and after the migration (and its downgrade), and a kill while the log is packed
leaves the 0016 store whole. The same tests run on SQLite, whose table the migration
leaves as it is, so that both back ends are held to one behaviour."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from quiz.store import open_store
from quiz.store.migrate import HEAD, upgrade
from quiz.store.models import ReviewBefore, ReviewRow

T0 = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
COLUMNS = [c.name for c in ReviewRow.__table__.columns]


def _store(url: str, folder: Path, cards: int = 3) -> tuple[int, list[int]]:
    """A store at head with one learner and a deck of `cards` cards: (learner, card ids)."""
    from quiz.deck import load_deck
    from tests.conftest import write_deck

    body = "deck: d\ntitle: D\ncards:\n" + "".join(
        f"  - id: c{i}\n    front: Q{i}?\n    back: A{i}.\n" for i in range(cards)
    )
    path = write_deck(folder, "d.yaml", body)
    with open_store(url) as store, store.unit("ann") as repo:
        repo.sync_deck(load_deck(path), str(path), "hash-d", T0)
        repo.commit()
        ids = list(repo.session.execute(text("SELECT id FROM cards ORDER BY id")).scalars())
        return repo.learner_id, ids


def _engine(url: str) -> Any:
    """quiz's own engine on the store (SQLite's pragmas: foreign keys, WAL)."""
    from quiz.store.engine import make_engine

    return make_engine(url)


entries = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["review", "drill", "manual"]),
        "rating": st.integers(0, 4),
        "prev_state": st.integers(0, 3),
        "reviewed_at": st.integers(0, 10**12).map(lambda us: T0 + timedelta(microseconds=us)),
        "duration_ms": st.integers(0, 2**31 - 1),
        "answer": st.none() | st.text(max_size=30).filter(lambda t: "\x00" not in t),
        "correct": st.none() | st.booleans(),
        "overruled": st.none() | st.booleans(),
        "closeness": st.none() | st.floats(0, 1),
        "suggested": st.none() | st.integers(1, 4),
        "prev_id": st.none() | st.integers(0, 2**26),
        "state": st.none() | st.integers(0, 3),
        "step": st.none() | st.integers(0, 254),
        "stability": st.none() | st.floats(0.001, 36500),
        "difficulty": st.none() | st.floats(1, 10),
        "due_lag": st.none() | st.integers(-(2**62), 2**62),
        "last_review_lag": st.none() | st.integers(0, 2**62),
        "reps": st.none() | st.integers(0, 2**31 - 1),
        "lapses": st.none() | st.integers(0, 2**31 - 1),
    }
)


def _log(conn: Any) -> list[dict[str, Any]]:
    """Every entry of the log, by id, as the ORM's columns give it."""
    rows = conn.execute(select(ReviewRow.__table__).order_by(ReviewRow.id))
    return [dict(r._mapping) for r in rows]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(st.tuples(st.integers(0, 2), entries), min_size=1, max_size=12))
def test_every_entry_reads_back_as_written(
    store_url: str, tmp_path: Path, batch: list[Any]
) -> None:
    learner, cards = _made(store_url, tmp_path)
    engine = _engine(store_url)
    try:
        with engine.begin() as conn:
            conn.execute(ReviewRow.__table__.delete())
            written = []
            for card, entry in batch:
                row = {**entry, "learner_id": learner, "card_id": cards[card]}
                if row["prev_id"] is not None:  # one entry after each (the chain, 0006)
                    row["prev_id"] = row["prev_id"] * 16 + len(written)
                new_id = conn.execute(
                    insert(ReviewRow.__table__).returning(ReviewRow.id), row
                ).scalar_one()
                written.append({**row, "id": new_id})
            assert _log(conn) == sorted(written, key=lambda r: r["id"])
            if store_url.startswith("postgresql"):
                _packs_hold(conn)
            conn.execute(ReviewRow.__table__.delete())
    finally:
        engine.dispose()


_MADE: dict[str, tuple[int, list[int]]] = {}


def _made(url: str, folder: Path) -> tuple[int, list[int]]:
    """The store `_store` made for this URL in an earlier example (hypothesis runs the
    test body many times with the same fixtures)."""
    if url not in _MADE:
        _MADE[url] = _store(url, folder)
    return _MADE[url]


def _packs_hold(conn: Any) -> None:
    """Each pack's bounds and flags say what its entries are (quiz.store.log_packs)."""
    wrong = conn.execute(
        text(
            "SELECT p.card_id FROM review_packs AS p WHERE p.last_id <> (SELECT max(i) FROM unnest(p.ids) AS i)"
            " OR p.last_at <> (SELECT max(t) FROM unnest(p.times) AS t)"
            " OR p.flags <> quiz_review_flags(p.codes)"
            " OR cardinality(p.ids) = 0"
        )
    ).all()
    assert wrong == []


def _pg_database(request: pytest.FixtureRequest) -> str:
    """A fresh PostgreSQL database for a test of the packs alone (dropped after it)."""
    server, why = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip(f"PostgreSQL store tests need a server: {why}")
    from tests.pg import create_database, drop_database

    url = create_database(server)
    request.addfinalizer(lambda: drop_database(server, url))
    return url


def _entry(learner: int, card: int, at: datetime, **fields: Any) -> dict[str, Any]:
    return {
        "learner_id": learner,
        "card_id": card,
        "kind": "review",
        "rating": 3,
        "prev_state": 2,
        "reviewed_at": at,
        "duration_ms": 900,
        **fields,
    }


def _write(conn: Any, row: dict[str, Any]) -> int:
    return int(conn.execute(insert(ReviewRow.__table__).returning(ReviewRow.id), row).scalar_one())


def test_a_second_answer_after_the_same_entry_is_refused_as_the_index_refused_it(
    store_url, tmp_path
):
    learner, cards = _store(store_url, tmp_path)
    engine = _engine(store_url)
    try:
        with engine.begin() as conn:
            _write(conn, _entry(learner, cards[0], T0, prev_id=0))
            _write(conn, _entry(learner, cards[1], T0, prev_id=0))  # another card: its own chain
        clash = r"ux_reviews_card_chain|UNIQUE constraint"
        with pytest.raises(IntegrityError, match=clash), engine.begin() as conn:
            _write(conn, _entry(learner, cards[0], T0, prev_id=0))
        with engine.begin() as conn:  # drills and bulk history carry no link: never clash
            _write(conn, _entry(learner, cards[0], T0, kind="drill", prev_id=None))
            _write(conn, _entry(learner, cards[0], T0, kind="drill", prev_id=None))
            assert len(_log(conn)) == 4
    finally:
        engine.dispose()


def test_the_chain_holds_between_two_connections_at_once(request, tmp_path):
    """Two machines answer the same card after the same entry: the second insert waits
    for the first's pack row and then fails on the chain (PostgreSQL: the row lock)."""
    url = _pg_database(request)
    learner, cards = _store(url, tmp_path)
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            first = _write(conn, _entry(learner, cards[0], T0, prev_id=0))
        one, two = engine.connect(), engine.connect()
        one.begin()
        two.begin()
        _write(one, _entry(learner, cards[0], T0, prev_id=first))
        failed: list[BaseException] = []

        def second() -> None:
            try:
                _write(two, _entry(learner, cards[0], T0, prev_id=first))
            except BaseException as exc:  # handed to the test's thread
                failed.append(exc)

        waiter = threading.Thread(target=second)
        waiter.start()
        waiter.join(0.5)
        assert waiter.is_alive()  # it waits for the first one's pack
        one.commit()
        waiter.join(10)
        assert not waiter.is_alive()
        assert len(failed) == 1 and isinstance(failed[0], IntegrityError), failed
        assert "ux_reviews_card_chain" in str(failed[0])
        two.rollback()
        one.close()
        two.close()
        with engine.connect() as conn:
            assert [r["prev_id"] for r in _log(conn)] == [0, first]
    finally:
        engine.dispose()


def test_a_deleted_entry_takes_its_kept_before_and_the_marks_with_it(store_url, tmp_path):
    learner, cards = _store(store_url, tmp_path)
    engine = _engine(store_url)
    try:
        with engine.begin() as conn:
            ids = [
                _write(conn, _entry(learner, cards[0], T0 + timedelta(days=n), overruled=n == 1))
                for n in range(3)
            ]
            conn.execute(
                insert(ReviewBefore.__table__),
                {"review_id": ids[1], "state": 2, "reps": 1, "lapses": 0},
            )
            conn.execute(
                text(
                    "INSERT INTO review_rollup_marks (learner_id, last_id, answers)"
                    " VALUES (:l, :top, 3)"
                ),
                {"l": learner, "top": ids[-1]},
            )
        with engine.begin() as conn:
            deleted = conn.execute(
                ReviewRow.__table__.delete().where(ReviewRow.id == ids[1])
            ).rowcount
            assert deleted == 1
            assert [r["id"] for r in _log(conn)] == [ids[0], ids[2]]
            assert conn.execute(text("SELECT count(*) FROM review_befores")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM review_rollup_marks")).scalar() == 0
            if store_url.startswith("postgresql"):
                _packs_hold(conn)  # the overruled answer went: so did the pack's flag
                assert conn.execute(text("SELECT flags FROM review_packs")).scalar() == 1
            conn.execute(ReviewRow.__table__.delete().where(ReviewRow.id == ids[2]))
            conn.execute(ReviewRow.__table__.delete().where(ReviewRow.id == ids[0]))
            assert _log(conn) == []
            if store_url.startswith("postgresql"):  # no empty pack is left behind
                assert conn.execute(text("SELECT count(*) FROM review_packs")).scalar() == 0
    finally:
        engine.dispose()


def test_an_entry_is_rewritten_in_place_and_keeps_its_identity(store_url, tmp_path):
    learner, cards = _store(store_url, tmp_path)
    engine = _engine(store_url)
    try:
        with engine.begin() as conn:
            ids = [
                _write(conn, _entry(learner, cards[0], T0 + timedelta(days=n))) for n in range(3)
            ]
            conn.execute(
                ReviewRow.__table__.update()
                .where(ReviewRow.id == ids[1])
                .values(overruled=True, correct=False, step=7, reviewed_at=T0 + timedelta(days=9))
            )
            log = _log(conn)
            assert [r["id"] for r in log] == ids
            assert (log[1]["overruled"], log[1]["correct"], log[1]["step"]) == (True, False, 7)
            assert log[1]["reviewed_at"] == T0 + timedelta(days=9)
            assert [r["overruled"] for r in (log[0], log[2])] == [None, None]
            if store_url.startswith("postgresql"):
                _packs_hold(conn)
        with engine.begin() as conn:  # an entry's link stays unique (0006's index)
            conn.execute(
                ReviewRow.__table__.update().where(ReviewRow.id == ids[0]).values(prev_id=4)
            )
        clash = r"ux_reviews_card_chain|UNIQUE constraint"
        with pytest.raises(IntegrityError, match=clash), engine.begin() as conn:
            conn.execute(
                ReviewRow.__table__.update().where(ReviewRow.id == ids[1]).values(prev_id=4)
            )
        if store_url.startswith("postgresql"):
            refused = pytest.raises(Exception, match="keeps its id, learner and card")
            with refused, engine.begin() as conn:
                conn.execute(
                    ReviewRow.__table__.update()
                    .where(ReviewRow.id == ids[1])
                    .values(card_id=cards[1])
                )
    finally:
        engine.dispose()


def test_a_code_out_of_its_range_is_refused_with_a_clear_message(request, tmp_path):
    url = _pg_database(request)
    learner, cards = _store(url, tmp_path)
    engine = _engine(url)
    try:
        with pytest.raises(IntegrityError, match="out of range"), engine.begin() as conn:
            _write(conn, _entry(learner, cards[0], T0, step=255))
        with engine.connect() as conn:
            assert _log(conn) == []
    finally:
        engine.dispose()


def test_a_bulk_write_appends_in_order_with_the_ids_it_hands_back(store_url, tmp_path):
    """quiz.store.log_writer: a copy's or an Anki history's entries, packed in one
    statement on PostgreSQL, after a card's existing entries; ids handed back in order
    (the befores an import keeps point at them); a chain clash refused whole."""
    from quiz.errors import StoreError
    from quiz.store.log_writer import LogWriter

    learner, cards = _store(store_url, tmp_path)
    engine = _engine(store_url)
    try:
        with engine.begin() as conn:
            first = _write(conn, _entry(learner, cards[0], T0, prev_id=0))
        rows = [
            _entry(learner, cards[n % 2], T0 + timedelta(days=n), kind="drill", rating=n % 4)
            for n in range(1, 7)
        ]
        with engine.begin() as conn:
            log = LogWriter(conn)
            ids = log.write(rows, ids=True)
            log.finish()
            assert ids == sorted(ids) and ids[0] > first and len(set(ids)) == 6
            got = _log(conn)
            assert [r["id"] for r in got] == [first, *ids]
            assert [(r["card_id"], r["rating"]) for r in got[1:]] == [
                (r["card_id"], r["rating"]) for r in rows
            ]
            if store_url.startswith("postgresql"):
                _packs_hold(conn)
                assert conn.execute(text("SELECT count(*) FROM review_packs")).scalar() == 2
        clash = [_entry(learner, cards[0], T0, prev_id=0)]  # a second answer after "none"
        with pytest.raises((StoreError, IntegrityError)), engine.begin() as conn:
            log = LogWriter(conn)
            log.write(clash)
            log.finish()
        with engine.connect() as conn:
            assert len(_log(conn)) == 7
    finally:
        engine.dispose()


# ---- the migration ------------------------------------------------------------------

LEARNERS = ("ann", "bob")
NOW = "2026-03-20T10:00:00+00:00"


def _history(url: str, folder: Path) -> None:
    """Two learners' answers over two months, with drills, misses, an overruled answer,
    a manual entry and a kept before (the rollup tests' generator)."""
    from tests.stats.test_rollups import _days, _fill

    with open_store(url) as store:
        _fill(store, folder)
        _days(store, 0, 60, seed=11)
        with store.unit("ann") as repo:
            conn = repo.session.connection()
            first = conn.execute(text("SELECT min(id) FROM reviews")).scalar_one()
            conn.execute(
                ReviewRow.__table__.update().where(ReviewRow.id == first).values(overruled=True)
            )
            repo.commit()


def _figures(folder: Path, url: str) -> dict[str, Any]:
    """What quiz prints about the store and every card's state: what a migration keeps."""
    from tests.store.make_store_0011 import runner
    from tests.store.test_lean_migration import _states

    invoke = runner(folder, url)
    out: dict[str, Any] = {}
    for learner in LEARNERS:
        out[f"{learner} stats"] = json.loads(invoke(learner, NOW, "stats", "--json"))
        # (the generated answers do not follow FSRS: the check finds cards it would change)
        out[f"{learner} rebuild"] = invoke(learner, NOW, "rebuild", "--check", exit_code=None)
        out[f"{learner} due"] = invoke(learner, NOW, "due", "--json")
        out[f"{learner} learners"] = invoke(learner, NOW, "learners")
        out[f"{learner} show"] = invoke(learner, NOW, "cards", "show", "alpha/c1")
    out["class report"] = invoke("ann", NOW, "class", "report", "--json")
    out["states"] = _states(url)
    return out


def _at(url: str, revision: str) -> None:
    from alembic import command

    from quiz.store.migrate import _alembic_config

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            command.downgrade(_alembic_config(conn), revision)
    finally:
        engine.dispose()


def _rows(url: str) -> list[dict[str, Any]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return _log(conn)
    finally:
        engine.dispose()


def test_a_generated_store_keeps_every_figure_and_state_through_0017(store_url, tmp_path):
    _history(store_url, tmp_path)
    before = _figures(tmp_path, store_url)  # (the first `stats` builds the rollups)
    log = _rows(store_url)
    assert len(log) > 500 and any(r["overruled"] for r in log)
    assert any(r["kind"] == "drill" for r in log)
    _at(store_url, "0016")  # PostgreSQL: the packs unpacked into 0016's table
    engine = create_engine(store_url)
    with engine.connect() as conn:
        assert "reviews" in inspect(conn).get_table_names()  # a table again (not a view)
    engine.dispose()
    assert _rows(store_url) == log
    after = _figures(tmp_path, store_url)  # the first command migrates it again
    assert _rows(store_url) == log
    assert after == before
    engine = create_engine(store_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    engine.dispose()


KILL_CHILD = """
import sys
from quiz.store import open_store
open_store(sys.argv[1]).close()
print("done", flush=True)
"""


def test_a_kill_while_the_log_is_packed_leaves_the_0016_store_whole(store_url):
    if store_url.startswith("sqlite"):
        pytest.skip("0017 changes nothing on SQLite (test_migration_kill kills its step)")
    from tests.store.test_lean_migration import _big_0011

    _big_0011(store_url, 60_000)  # above the size from which the packing shows its progress
    engine = create_engine(store_url)
    upgrade(engine, "0016")
    engine.dispose()
    log = _rows(store_url)
    child = subprocess.Popen(
        [sys.executable, "-c", KILL_CHILD, store_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stderr is not None
    seen = []
    for line in child.stderr:
        seen.append(line)
        if "packing the review log" in line and " of " in line:
            child.send_signal(signal.SIGKILL)  # a batch of cards is packed, the rest not
            break
    child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL, "".join(seen)
    engine = create_engine(store_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0016"
        assert conn.execute(text("SELECT to_regclass('review_packs')")).scalar() is None
    engine.dispose()
    assert _rows(store_url) == log
    with open_store(store_url) as store, store.unit("ann"):
        pass  # now it migrates
    assert _rows(store_url) == log


def test_the_few_flagged_packs_are_read_through_their_partial_indexes(request, tmp_path):
    """0019: the planner has statistics on the packs' flag bits, so the overruled answers
    (`quiz stats`' strict grading) and the manual entries (`quiz learners`) of a learner
    with many packs are found through 0017's partial indexes. Without them it took the
    bits to be set in nearly every pack and read them all."""
    from quiz.store.learners import MANUAL_ENTRIES
    from quiz.store.log_packs import overruled_answers

    url = _pg_database(request)
    learner, cards = _store(url, tmp_path)
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            deck = conn.execute(text("SELECT deck_id FROM cards LIMIT 1")).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO cards (deck_id, key, note_key, kind, content, content_hash,"
                    " position, line, retired) SELECT :deck, 'd/g' || g, 'd/g' || g, 'basic',"
                    " '{}', 'h', 10 + g, 1, FALSE FROM generate_series(1, 3000) AS g"
                ),
                {"deck": deck},
            )
            conn.execute(
                text(
                    "INSERT INTO reviews (learner_id, card_id, kind, rating, prev_state,"
                    " reviewed_at, duration_ms) SELECT :learner, id, 0, 3, 0, :at, 900"
                    " FROM cards"
                ),
                {"learner": learner, "at": T0.replace(tzinfo=None)},
            )
            _write(conn, _entry(learner, cards[0], T0 + timedelta(days=1), overruled=True))
            _write(conn, _entry(learner, cards[1], T0 + timedelta(days=1), kind="manual"))
        with engine.connect() as conn:
            conn.execute(text("ANALYZE review_packs"))
            reads = {
                "ix_review_packs_overruled": "SELECT reviews.card_id, COUNT(*) FROM reviews"
                " WHERE reviews.learner_id = :learner"
                f" AND {overruled_answers('reviews', sqlite=False)} GROUP BY reviews.card_id",
                "ix_review_packs_manual": MANUAL_ENTRIES[False],
            }
            for index, sql in reads.items():
                params = {"learner": learner, "last": 2**31 - 1}
                plan = "\n".join(conn.execute(text("EXPLAIN " + sql), params).scalars())
                assert index in plan, plan
                assert conn.execute(text(sql), params).all()[0][-1] == 1
    finally:
        engine.dispose()
