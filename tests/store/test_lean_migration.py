"""Migration 0012 (the lean review log) loses nothing: a store written by the 0011
program (tests/store/data/store_0011.json, made by tests/store/make_store_0011.py) is
loaded at schema 0011, migrated by opening it, and every figure the old program printed
for it (`quiz stats --json`, `quiz class report --json`, `quiz rebuild --check`, `quiz
cards show`, `quiz due --json`) and every card's state must come out byte for byte the
same, on SQLite and PostgreSQL; then undo and rebuild still work on the migrated log."""

from __future__ import annotations

import json
import re
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, insert, text

from quiz.store.values import after_of

DATA = Path(__file__).with_name("data") / "store_0011.json"


def decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$dt"}:
        return datetime.fromisoformat(value["$dt"])
    return value


def load_0011(url: str, tables: dict[str, list[dict[str, Any]]]) -> None:
    """A store at schema 0011 holding exactly these rows (the tables as reflected)."""
    from quiz.store.migrate import upgrade

    engine = create_engine(url)
    try:
        upgrade(engine, "0011")
        meta = MetaData()
        with engine.begin() as conn, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # 0003's index on an expression is not reflected
            meta.reflect(conn)
            for table in meta.sorted_tables:
                rows = tables.get(table.name)
                if table.name in ("alembic_version", "quiz_store") or not rows:
                    continue
                conn.execute(
                    insert(table), [{k: decode(v) for k, v in row.items()} for row in rows]
                )
                if conn.dialect.name == "postgresql" and "id" in table.c:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                            f" (SELECT max(id) FROM {table.name}))"
                        )
                    )
    finally:
        engine.dispose()


def recorded() -> dict[str, Any]:
    """The recorded store and what quiz printed about it (in today's wording)."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for figures in data["figures"].values():
        for name, printed in figures.items():
            if isinstance(printed, str):
                figures[name] = in_todays_words(printed)
    return data


# Wording that changed after the figures were recorded, figures untouched: a count of one
# takes its noun in the singular since counts agree with their nouns (quiz.ui.plural).
TODAYS_WORDS = [
    (re.compile(r"\b1 (review|lapse|answer|card|row|drill|active day)s\b"), r"1 \1"),
    (re.compile(r"\b(\d*[02-9]|\d+0|\d\d+) drill\b"), r"\1 drills"),  # "0 drill", "12 drill"
]


def in_todays_words(printed: str) -> str:
    """What the 0011 program printed, in the wording printed now (TODAYS_WORDS)."""
    for pattern, words in TODAYS_WORDS:
        printed = pattern.sub(words, printed)
    return printed


def _states(url: str) -> list[tuple[object, ...]]:
    """Every learner's card states, typed (times UTC-aware) and in key order."""
    from sqlalchemy import select

    from quiz.store.models import CardRow, CardStateRow, Learner

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            q = (
                select(
                    Learner.name,
                    CardRow.key,
                    *(
                        c
                        for c in CardStateRow.__table__.c
                        if c.name not in ("learner_id", "card_id")
                    ),
                )
                .join(Learner, Learner.id == CardStateRow.learner_id)
                .join(CardRow, CardRow.id == CardStateRow.card_id)
                .order_by(Learner.name, CardRow.key)
            )
            return [tuple(r) for r in conn.execute(q)]
    finally:
        engine.dispose()


def _recorded_states(tables: dict[str, list[dict[str, Any]]]) -> list[tuple[object, ...]]:
    from datetime import timezone

    learners = {r["id"]: r["name"] for r in tables["learners"]}
    keys = {r["id"]: r["key"] for r in tables["cards"]}
    columns = [
        "state",
        "step",
        "stability",
        "difficulty",
        "due",
        "last_review",
        "reps",
        "lapses",
        "suspended",
        "leech",
        "buried_until",
    ]
    out = []
    for row in tables["card_states"]:
        values = [decode(row[c]) for c in columns]
        values = [v.replace(tzinfo=timezone.utc) if isinstance(v, datetime) else v for v in values]
        values[8], values[9] = bool(values[8]), bool(values[9])
        out.append((learners[row["learner_id"]], keys[row["card_id"]], *values))
    return sorted(out, key=lambda r: (str(r[0]), str(r[1])))


def test_a_0011_store_migrates_with_every_figure_the_same(store_url, tmp_path):
    from quiz.store.migrate import HEAD
    from tests.store.make_store_0011 import figures, runner

    data = recorded()
    load_0011(store_url, data["tables"])
    backend = "sqlite" if store_url.startswith("sqlite") else "postgresql"
    invoke = runner(tmp_path, store_url)
    got = figures(invoke)  # the first command migrates the store
    engine = create_engine(store_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        assert conn.execute(text("SELECT count(*) FROM reviews")).scalar() == len(
            data["tables"]["reviews"]
        )
    engine.dispose()
    expected = data["figures"][backend]
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], name
    assert _states(store_url) == _recorded_states(data["tables"])


def test_undo_on_a_migrated_log_restores_the_state_before(store_url, tmp_path):
    """The log keeps no state before an answer now: undo derives it (the previous
    entry's, or the one kept where a rebuild changed it), exactly as it was stored."""
    from tests.store.make_store_0011 import NOW, runner

    data = recorded()
    load_0011(store_url, data["tables"])
    invoke = runner(tmp_path, store_url)
    invoke("ann", NOW, "due")  # migrates
    LATER = "2026-05-01T09:00:00+00:00"
    MUCH_LATER = "2027-03-01T09:00:00+00:00"
    states = _states(store_url)
    # an answer, then undo: every card's state is back byte for byte
    out = invoke("ann", LATER, "review", "--deck", "basics", "--limit", "2", input="1\nu\nq\n")
    assert "undone" in out
    assert _states(store_url) == states
    # after a rebuild with other settings, the next answer's before is kept, and undone
    (tmp_path / "config.toml").write_text('timezone = "UTC"\ndesired_retention = 0.8\n')
    invoke("ann", NOW, "rebuild")
    rebuilt = _states(store_url)
    assert rebuilt != states
    out = invoke("ann", MUCH_LATER, "review", "--deck", "basics", "--limit", "2", input="3\nu\nq\n")
    assert "undone" in out
    assert _states(store_url) == rebuilt


KILL_CHILD = """
import sys
from quiz.store import open_store
open_store(sys.argv[1]).close()
print("done", flush=True)
"""


def _big_0011(url: str, reviews: int) -> None:
    """A store at 0011 with a log long enough for the migration to report its progress."""
    from datetime import timedelta, timezone

    t0 = datetime(2025, 1, 1, 9, tzinfo=timezone.utc)
    cards = 200
    rows = []
    last: dict[int, dict[str, Any]] = {}
    for i in range(reviews):
        card = 1 + i % cards
        at = t0 + timedelta(minutes=i)
        before = last.get(card, {"state": 0, "step": None, "reps": 0, "lapses": 0})
        after = {
            "state": 2,
            "step": None,
            "stability": 1.5 + i / 1000,
            "difficulty": 5.0,
            "due": (at + timedelta(days=3)).isoformat(),
            "last_review": at.isoformat(),
            "reps": int(before["reps"]) + 1,
            "lapses": 0,
        }
        rows.append(
            {
                "id": i + 1,
                "learner_id": 1,
                "card_id": card,
                "kind": "review",
                "rating": 3,
                "prev_state": before["state"],
                "reviewed_at": at.replace(tzinfo=None),
                "duration_ms": 1000 + i % 5000,
                "correct": True,
                "state_before": before,
                "state_after": after,
            }
        )
        last[card] = after
    tables = {
        "learners": [{"id": 1, "name": "ann", "created_at": {"$dt": "2025-01-01T00:00:00"}}],
        "decks": [
            {
                "id": 1,
                "slug": "d",
                "title": {"variants": [["", "D"]]},
                "path": "/d.yaml",
                "file_hash": "x",
                "imported_at": {"$dt": "2025-01-01T00:00:00"},
            }
        ],
        "cards": [
            {
                "id": c,
                "deck_id": 1,
                "key": f"d/c{c}",
                "note_key": f"d/c{c}",
                "kind": "basic",
                "content": {},
                "content_hash": "x",
                "position": c,
                "line": c,
                "retired": False,
            }
            for c in range(1, cards + 1)
        ],
        "reviews": rows,
    }
    load_0011(url, tables)


def test_a_migration_killed_during_the_copy_leaves_the_old_store_whole(store_url):
    import signal
    import subprocess
    import sys

    from quiz.store import open_store
    from quiz.store.migrate import HEAD

    entries = 60_000  # above the size from which the copy reports its progress
    _big_0011(store_url, entries)
    child = subprocess.Popen(
        [sys.executable, "-c", KILL_CHILD, store_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stderr is not None
    seen = []
    for line in child.stderr:  # no terminal: a line per tenth of the log
        seen.append(line)
        if " copied" in line:
            child.send_signal(signal.SIGKILL)  # in the middle of the copy
            break
    child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL, "".join(seen)

    engine = create_engine(store_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0011"
            assert conn.execute(text("SELECT count(*) FROM reviews")).scalar() == entries
            assert (
                conn.execute(
                    text("SELECT count(*) FROM reviews WHERE state_after IS NULL")
                ).scalar()
                == 0
            )
            tables = set(conn.dialect.get_table_names(conn))
            assert "review_befores" not in tables and "reviews_lean" not in tables
    finally:
        engine.dispose()

    with open_store(store_url) as store, store.unit("ann") as repo:  # now it migrates
        log = list(repo.review_log(schedules=True))
        assert len(log) == entries
        assert [after_of(e).reps for e in log if e.card_id == 7 and after_of(e)] == list(
            range(1, entries // 200 + 1)
        )
        befores = repo.befores(log[-3:])  # each the schedule the card's entry before left
        assert [befores[e.id] for e in log[-3:]] == [after_of(e) for e in log[-4:-1]]
    engine = create_engine(store_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
            assert conn.execute(text("SELECT count(*) FROM review_befores")).scalar() == 0
    finally:
        engine.dispose()


def test_the_rollups_survive_the_migration_and_are_keyed_tables_on_sqlite(store_url):
    """0012 rebuilds the rollups as WITHOUT ROWID tables on SQLite (their keys are the
    tables): what they held is kept, so the first `quiz stats` need not rebuild them."""
    from quiz.store.migrate import upgrade

    data = recorded()
    load_0011(store_url, data["tables"])
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO review_quarter_rollups VALUES (1, 1900000, 3, 1, 2, 2, 1, 4500)")
        )
        conn.execute(text("INSERT INTO review_age_rollups VALUES (1, 7, 5, 4)"))
        conn.execute(
            text(
                "INSERT INTO review_card_rollups VALUES (1, 1, 3, 1, 2, 1, 0, NULL, NULL, 4500, NULL)"
            )
        )
    upgrade(engine, "0012")  # (0015 replaces the quarter-hour and age rollups)
    engine.dispose()
    engine = create_engine(store_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT * FROM review_quarter_rollups")).all() == [
            (1, 1900000, 3, 1, 2, 2, 1, 4500)
        ]
        assert conn.execute(text("SELECT * FROM review_age_rollups")).all() == [(1, 7, 5, 4)]
        assert conn.execute(text("SELECT * FROM review_card_rollups")).all() == [
            (1, 1, 3, 1, 2, 1, 0, None, None, 4500, None)
        ]
        if store_url.startswith("sqlite"):
            keyed = {
                name: sql.rstrip().endswith("WITHOUT ROWID")
                for name, sql in conn.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
                )
            }
            assert keyed["card_tags"] and keyed["review_card_rollups"]
            assert keyed["review_quarter_rollups"] and keyed["review_age_rollups"]
    engine.dispose()
