"""Which databases quiz may open and change (issue 14 §2 and §4): one first answer per
card enforced by the database, and no tables added to anything that is not a quiz store."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.exc import IntegrityError

from quiz.errors import Conflict, StoreError
from quiz.model import CardState, Rating, Schedule
from quiz.review.answer import Answer
from quiz.store import open_store
from quiz.store.migrate import HEAD, upgrade
from quiz.store.models import ReviewRow
from tests.store.helpers import answer_log, basic_deck

NOW = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
APPLICATION_ID = 0x7175697A  # "quiz": the mark of a quiz store (other tools may read it)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _quiz(env: Path, *args: str, db: str | None = None, **extra: str):
    """`python -m quiz ARGS` (the fast path of `due` included) with QUIZ_DB=db."""
    import os

    envvars = dict(os.environ, QUIZ_CONFIG=str(env / "config.toml"), QUIZ_BUNDLED="0", **extra)
    if db is not None:
        envvars["QUIZ_DB"] = db
    return subprocess.run(
        [sys.executable, "-m", "quiz", *args],
        capture_output=True,
        text=True,
        env=envvars,
        cwd=env,
        timeout=120,
    )


# ---- §2: a second first answer is refused by the database itself ----------------------


def _first_answer(card_id: int, learner_id: int) -> ReviewRow:
    return ReviewRow(
        learner_id=learner_id,
        card_id=card_id,
        kind="review",
        rating=4,
        prev_state=0,
        reviewed_at=NOW,
        duration_ms=1,
        prev_id=0,
    )


def test_the_log_holds_one_answer_per_learner_card_and_previous_entry(cli, env, store_url):
    assert cli("import", str(basic_deck(env, 2))).exit_code == 0
    with open_store(store_url) as store, store.unit("ann") as repo:
        card = repo.get_card("basics/c1")
        assert card is not None
        repo.session.add(_first_answer(card.row_id, repo.learner_id))
        repo.session.commit()
        repo.session.add(_first_answer(card.row_id, repo.learner_id))
        with pytest.raises(IntegrityError):
            repo.session.commit()
        repo.session.rollback()


def test_two_answers_to_the_same_state_are_a_conflict_not_two_rows(cli, env, store_url):
    """Two writers that read the card's log at the same moment: the window a row lock
    cannot close for a card with no state row. The database refuses B's row; B is told
    it was answered elsewhere.

    On SQLite an answer reads the log, then writes: B's read is replayed as it was
    before A's commit. On PostgreSQL the read and the writes are one statement
    (quiz.store.answer_write), whose snapshot is taken when it starts: B's starts while
    A's entry is written but not committed, reads the log without it, and waits for
    the card's pack until A commits."""
    assert cli("import", str(basic_deck(env, 1))).exit_code == 0
    new = Schedule()
    after = Schedule(CardState.REVIEW, None, 3.0, 5.0, NOW, NOW, reps=1)
    with open_store(store_url) as store, store.unit("ann") as a, store.unit("ann") as b:
        card = a.get_card("basics/c1")
        assert card is not None
        answer = Answer(card, Rating.EASY, NOW, 1, None, True, new, after)
        if store_url.startswith("sqlite"):
            seen_by_b = b.last_entry(card.row_id)
            a.record_answer(answer)
            b.last_entry = lambda _card_id: seen_by_b  # type: ignore[method-assign]
            with pytest.raises(Conflict):
                b.record_answer(answer)
        else:
            _answer_while_another_waits(store.engine, a, b, answer)
    assert answer_log(store_url) == [("ann", "basics/c1", 4)]


def _answer_while_another_waits(engine, a, b, answer) -> None:
    """A's answer written but not committed; B answers the same state from a thread and
    must wait for A's row, then be refused (PostgreSQL)."""
    waiting: list[BaseException | None] = []

    def answer_b() -> None:
        try:
            b.record_answer(answer)
            waiting.append(None)
        except BaseException as exc:  # handed to the test's thread
            waiting.append(exc)

    real_commit = a.session.commit
    a.session.commit = lambda: None  # A's transaction stays open until the test commits
    a.record_answer(answer)
    thread = threading.Thread(target=answer_b)
    thread.start()
    with engine.connect() as watch:  # until B's statement waits on A's lock
        for _ in range(500):
            waits = watch.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            ).scalar_one()
            if waits or not thread.is_alive():
                break
            time.sleep(0.01)
    assert waits == 1 and thread.is_alive()
    real_commit()
    thread.join(10)
    assert len(waiting) == 1 and isinstance(waiting[0], Conflict), waiting


def test_a_card_made_new_by_hand_can_be_answered_again(cli, env, store_url):
    """A 'manual' log entry (quiz cards forget) starts a new link of the chain."""
    assert cli("import", str(basic_deck(env, 1))).exit_code == 0
    new = Schedule()
    after = Schedule(CardState.REVIEW, None, 3.0, 5.0, NOW, NOW, reps=1)
    with open_store(store_url) as store, store.unit("ann") as repo:
        card = repo.get_card("basics/c1")
        assert card is not None
        answer = Answer(card, Rating.EASY, NOW, 1, None, True, new, after)
        repo.record_answer(answer)
        manual = _first_answer(card.row_id, repo.learner_id)
        manual.kind, manual.prev_id = "manual", None
        repo.session.add(manual)
        repo.session.commit()
        repo.record_answer(answer)
    assert answer_log(store_url)[-1] == ("ann", "basics/c1", 4)
    assert len(answer_log(store_url)) == 3


def test_an_old_store_with_twin_answers_upgrades_and_keeps_them(env, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    upgrade(engine, "0005")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO learners (id, name, created_at) VALUES (1, 'ann', '2026-01-01')")
        )
        conn.execute(
            text(
                "INSERT INTO decks (id, slug, title, path, file_hash, imported_at) "
                "VALUES (1, 'd', '{}', 'd.yaml', 'x', '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO cards (id, deck_id, key, note_key, kind, content, content_hash, position, line, retired) "
                "VALUES (1, 1, 'd/a', 'd/a', 'basic', '{}', 'x', 0, 1, 0)"
            )
        )
        for _ in range(2):
            conn.execute(
                text(
                    "INSERT INTO reviews (learner_id, card_id, kind, rating, prev_state, reviewed_at, duration_ms) "
                    "VALUES (1, 1, 'review', 4, 0, '2026-01-02', 1)"
                )
            )
    engine.dispose()
    open_store(url).close()
    engine = create_engine(url)
    with engine.connect() as conn:
        kinds = conn.execute(select(ReviewRow.kind).order_by(ReviewRow.id)).scalars().all()
        assert kinds == ["review", "review"]  # both kept, through 0012's copy of the log
        assert conn.exec_driver_sql("PRAGMA application_id").scalar() == APPLICATION_ID
    engine.dispose()


# ---- §4: databases that are not quiz stores -------------------------------------------


def _foreign(path: Path, table: str = "contacts") -> Path:
    conn = sqlite3.connect(path)
    conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute(f"INSERT INTO {table} (name) VALUES ('Ann')")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("table", ["contacts", "decks"])
@pytest.mark.parametrize("command", [("due",), ("decks",), ("import", "basics.yaml")])
def test_another_programs_sqlite_file_is_refused_and_left_alone(env, table, command):
    basic_deck(env, 1)
    other = _foreign(env / "other-app.db", table)
    before = _digest(other)
    done = _quiz(env, *command, db=str(other))
    assert done.returncode == 3, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"quiz: {other}: not a quiz store (a database of another program?); quiz left it alone"
    ]
    assert _digest(other) == before
    assert not list(env.glob("other-app.db?*"))  # no lock or WAL file left beside it


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(env):
    notes = env / "notes.txt"
    notes.write_text("my notes\n" * 50)
    done = _quiz(env, "due", db=str(notes))
    assert done.returncode == 3
    assert "not a quiz store (not a SQLite database)" in done.stderr
    assert notes.read_text() == "my notes\n" * 50


def test_a_new_store_is_marked_and_an_old_one_is_marked_on_upgrade(env, tmp_path):
    fresh = tmp_path / "fresh.db"
    assert _quiz(env, "due", db=str(fresh)).returncode == 0
    assert sqlite3.connect(fresh).execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    old = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{old}")
    upgrade(engine, "0005")
    engine.dispose()
    assert sqlite3.connect(old).execute("PRAGMA application_id").fetchone()[0] == 0
    done = _quiz(env, "due", db=str(old))
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(old)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD


def test_a_non_empty_postgresql_database_that_is_not_a_store_is_refused(env, store_url):
    if not store_url.startswith("postgresql"):
        pytest.skip("the SQLite side is the tests above")
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id integer PRIMARY KEY)"))
    with pytest.raises(StoreError, match="not a quiz store"):
        open_store(store_url)
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == ["invoices"]
    engine.dispose()


def test_a_postgresql_store_is_marked(env, store_url):
    open_store(store_url).close()
    engine = create_engine(store_url)
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT value FROM quiz_store WHERE name = 'application'")).scalar()
            == "quiz"
        )
    engine.dispose()


BLANK = "quiz: the store name (--db or QUIZ_DB) is blank; give a store file or URL"


@pytest.mark.parametrize(
    "db", ["sqlite://", "sqlite:///:memory:", "sqlite:///file::memory:?cache=shared"]
)
def test_in_memory_stores_are_refused(env, db):
    done = _quiz(env, "review", db=db)
    assert done.returncode == 3
    [line] = done.stderr.strip().splitlines()
    assert "in-memory store keeps nothing" in line


def test_a_blank_store_name_is_an_error(env):
    done = _quiz(env, "due", db="   ")
    assert done.returncode == 3
    assert done.stderr.strip() == BLANK
    assert sorted(p.name for p in env.iterdir()) == ["config.toml"]
    done = _quiz(env, "--db", " ", "due")
    assert done.returncode == 3
    assert done.stderr.strip() == BLANK


@pytest.mark.parametrize("form", ["{path}", "sqlite:///{path}"])
def test_a_store_in_a_missing_folder_is_an_error_naming_the_folder(env, tmp_path, form):
    folder = tmp_path / "no" / "such"
    done = _quiz(env, "due", db=form.format(path=folder / "store.db"))
    assert done.returncode == 3
    assert (
        done.stderr.strip()
        == f"quiz: {folder}: no such folder; create it first or fix the store path"
    )
    assert not (tmp_path / "no").exists()


def test_a_store_path_in_a_symlink_loop_is_one_line(tmp_path):
    """Resolving the name raised RuntimeError ("internal error") before."""
    import os
    import subprocess
    import sys

    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    for command in ("due", "decks", "review"):
        result = subprocess.run(
            [sys.executable, "-m", "quiz", command],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "QUIZ_DB": str(tmp_path / "a")},
            timeout=60,
        )
        assert result.returncode not in (0, 70), result.stderr
        assert result.stderr.count("\n") == 1 and "cannot be resolved" in result.stderr
