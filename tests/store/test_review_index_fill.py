"""Migration 0014 (PostgreSQL: the review log's append-only indexes filled whole, every
index of the log rebuilt packed) changes no figure and no card's state, leaves SQLite's
schema as it was, survives a kill in the middle of its rebuild, and `quiz store copy`
into PostgreSQL leaves the log's indexes as packed as the migration does."""

from __future__ import annotations

import importlib
import signal
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from quiz.store.values import after_of
from tests.store.test_lean_migration import (
    _big_0011,
    _recorded_states,
    _states,
    load_0011,
    recorded,
)

TRIGGERS_0015 = importlib.import_module(
    "quiz.store.migrations.versions.0015_local_rollups"
).TRIGGERS

FILLED_WHOLE = {"reviews_pkey", "ix_reviews_learner_time"}


def _at_0013(url: str) -> None:
    from quiz.store.migrate import upgrade

    engine = create_engine(url)
    try:
        upgrade(engine, "0013")
    finally:
        engine.dispose()


def _revision(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()


def _fill(url: str, table: str = "reviews") -> dict[str, str | None]:
    """Each index of the review log's table and its fillfactor (None: the default)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT c.relname, c.reloptions FROM pg_index i"
                    " JOIN pg_class c ON c.oid = i.indexrelid"
                    " WHERE i.indrelid = CAST(:table AS regclass)"
                ),
                {"table": table},
            ).all()
    finally:
        engine.dispose()
    return {
        name: next((o.split("=")[1] for o in options or [] if o.startswith("fillfactor=")), None)
        for name, options in rows
    }


def _sqlite_schema(url: str) -> list[tuple[str, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [
                (name, sql)
                for name, sql in conn.execute(
                    text(
                        "SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
                        " ORDER BY name"
                    )
                )
            ]
    finally:
        engine.dispose()


def test_a_0013_store_migrates_with_every_figure_and_state_the_same(store_url, tmp_path):
    from quiz.store.migrate import HEAD
    from tests.store.make_store_0011 import figures, runner

    data = recorded()
    load_0011(store_url, data["tables"])
    _at_0013(store_url)
    sqlite = store_url.startswith("sqlite")
    schema_before = _sqlite_schema(store_url) if sqlite else None
    got = figures(runner(tmp_path, store_url))  # the first command migrates the store
    assert _revision(store_url) == HEAD
    expected = data["figures"]["sqlite" if sqlite else "postgresql"]
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], name
    assert _states(store_url) == _recorded_states(data["tables"])
    if sqlite:
        after = [
            row
            for row in _sqlite_schema(store_url)
            if row[0] != "alembic_version" and row[0] not in LATER
        ]
        assert after == [
            row
            for row in schema_before or []
            if row[0] != "alembic_version" and row[0] not in DROPPED_LATER
        ]
    else:  # 0017 packed the log that 0014 had indexed (test_review_packs)
        assert _fill(store_url, "review_packs")


def test_0014_fills_the_append_only_indexes_whole(store_url):
    from quiz.store.migrate import upgrade

    if store_url.startswith("sqlite"):
        pytest.skip("0014 changes nothing on SQLite")
    load_0011(store_url, recorded()["tables"])
    _at_0013(store_url)
    engine = create_engine(store_url)
    try:
        upgrade(engine, "0014")
    finally:
        engine.dispose()
    fill = _fill(store_url)
    assert {name for name, f in fill.items() if f == "100"} == FILLED_WHOLE
    assert fill["ux_reviews_card_chain"] is None  # a card's next answer lands mid-index


# what later migrations add (0015: the day and tag rollups, the triggers that mark them stale)
LATER = {
    "review_day_marks",
    "review_day_rollups",
    "review_tag_marks",
    "review_tag_rollups",
    *(name for name, *_ in TRIGGERS_0015),
    "ix_card_states_card",  # 0018
    "ix_review_card_rollups_card",  # 0020
    "ix_goals_deck",  # 0020
}

DROPPED_LATER = {"review_quarter_rollups", "review_age_rollups"}  # 0015

KILL_CHILD = """
import sys
from quiz.store import open_store
open_store(sys.argv[1]).close()
print("done", flush=True)
"""


def test_a_migration_killed_during_the_rebuild_leaves_the_0013_store_whole(store_url):
    from quiz.store import open_store
    from quiz.store.migrate import HEAD, upgrade

    if store_url.startswith("sqlite"):
        pytest.skip("0014 changes nothing on SQLite (test_migration_kill kills its step)")
    entries = 60_000  # above the size from which the rebuild says what it does
    _big_0011(store_url, entries)
    _at_0013(store_url)
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
        if "rebuilding the review log's indexes" in line:
            child.send_signal(signal.SIGKILL)  # the REINDEX is under way
            break
    child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL, "".join(seen)

    assert _revision(store_url) == "0013"
    assert set(_fill(store_url).values()) == {None}
    engine = create_engine(store_url)
    try:
        upgrade(engine, "0014")
    finally:
        engine.dispose()
    assert {name for name, f in _fill(store_url).items() if f == "100"} == FILLED_WHOLE
    with open_store(store_url) as store, store.unit("ann") as repo:  # now it migrates
        log = list(repo.review_log(schedules=True))
        assert len(log) == entries
        assert [after_of(e).reps for e in log if e.card_id == 7 and after_of(e)] == list(
            range(1, entries // 200 + 1)
        )
    assert _revision(store_url) == HEAD


def test_a_copy_into_postgresql_leaves_the_log_indexes_packed(request, tmp_path):
    """The copy inserts the log in id order, which is not its indexes' order: grown a row
    at a time they would be left part empty. They come out as a REINDEX builds them
    (since 0017 the indexes of the packs that hold the log: quiz.store.log_packs)."""
    server, why = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip(f"PostgreSQL store tests need a server: {why}")
    from quiz.store.copy import copy_store
    from tests.pg import create_database, drop_database

    source = f"sqlite:///{tmp_path / 'source.db'}"
    _big_0011(source, 30_000)
    url = create_database(server)
    request.addfinalizer(lambda: drop_database(server, url))
    copy_store(source, url)

    def sizes() -> dict[str, int]:
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                return dict(
                    conn.execute(
                        text(
                            "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid)"
                            " FROM pg_index WHERE indrelid = 'review_packs'::regclass"
                        )
                    ).all()
                )
        finally:
            engine.dispose()

    copied = sizes()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("REINDEX TABLE review_packs"))
    finally:
        engine.dispose()
    assert copied and copied == sizes()
