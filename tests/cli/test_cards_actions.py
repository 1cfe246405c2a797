"""The card actions (`quiz cards suspend ...`) on a current SQLite store run through
sqlite3 (quiz.store.card_actions) without loading SQLAlchemy: what they print and what
they write is what the full store prints and writes, and a missing card, a locked or a
read-only store is the same one line."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from quiz.store import card_actions, pragmas
from tests.cli.test_cards import LATER, studied  # noqa: F401  # a fixture
from tests.startup.test_late_store import run_loaded
from tests.store.helpers import write_locked
from tests.store.test_store_limits import _quiz, _remount_read_only, small_fs  # noqa: F401

# every action, on answered, suspended, buried and new cards, twice over some
ACTIONS = [
    ["suspend", "demo/one", "demo/four"],
    ["bury", "demo/one", "zh/closure"],
    ["unsuspend", "demo/two", "demo/one"],
    ["unbury", "demo/three", "demo/one"],
    ["set-due", "demo/one", "--on", "2026-03-10"],
    ["set-due", "demo/four", "--on", "2026-03-10"],
    ["forget", "demo/one", "demo/two"],
    ["forget", "demo/one"],
    ["unsuspend", "demo/four"],
]
TABLES = {
    "reviews": "SELECT * FROM reviews ORDER BY id",
    "review_befores": "SELECT * FROM review_befores ORDER BY review_id",
    "card_states": "SELECT * FROM card_states ORDER BY learner_id, card_id",
}


def _rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db)
    try:
        return {name: conn.execute(sql).fetchall() for name, sql in TABLES.items()}
    finally:
        conn.close()


def _acted(cli, db: Path, monkeypatch: pytest.MonkeyPatch, *, full: bool) -> list[str]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("QUIZ_DB", str(db))
    if full:
        monkeypatch.setenv("QUIZ_DEBUG", "1")  # the lean writer declines
    out = []
    for action in ACTIONS:
        result = cli("cards", *action, now=LATER)
        assert result.exit_code == 0, result.output
        out.append(result.stdout)
    monkeypatch.delenv("QUIZ_DEBUG", raising=False)
    return out


def test_the_actions_write_and_print_what_the_full_store_does(cli, studied, monkeypatch):  # noqa: F811
    db = studied / "store.db"
    # demo/one's state as no log entry left it (as an import of Anki's history may):
    # setting its due date keeps the schedule it started from (review_befores)
    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE card_states SET stability = stability + 1"
        " WHERE card_id = (SELECT id FROM cards WHERE key = 'demo/one')"
    )
    conn.commit()
    conn.close()
    lean_db, full_db = studied / "lean.db", studied / "full.db"
    shutil.copy(db, lean_db)
    shutil.copy(db, full_db)
    lean = _acted(cli, lean_db, monkeypatch, full=False)
    full = _acted(cli, full_db, monkeypatch, full=True)
    assert lean == full
    assert lean[0] == "suspended: demo/one\nsuspended: demo/four\n"
    written = _rows(lean_db)
    assert written == _rows(full_db)
    assert len(written["review_befores"]) == 1 and written != _rows(db)
    monkeypatch.setenv("QUIZ_DB", str(lean_db))
    assert cli("rebuild", "--check", now=LATER).exit_code == 0  # the log says the same


def test_an_action_loads_no_sqlalchemy(studied):  # noqa: F811
    lean = run_loaded("2026-03-01T10:00:00Z", "cards", "set-due", "demo/one", "--on", "2026-03-10")
    assert lean.returncode == 0 and lean.stdout == "due 2026-03-10: demo/one\n", lean.stderr
    assert "SQLALCHEMY False" in lean.stderr
    # a required option missing: typer says so, as before
    bare = run_loaded("2026-03-01T10:00:00Z", "cards", "set-due", "demo/one")
    assert bare.returncode == 2 and "Missing option '--on'" in bare.stderr


def test_a_missing_card_is_one_line_and_nothing_written(cli, studied, monkeypatch):  # noqa: F811
    before = _rows(studied / "store.db")
    lines = []
    for lean in (True, False):
        if not lean:  # the full store's answer
            monkeypatch.setattr(card_actions, "open_lean", lambda db, learner: None)
        result = cli("cards", "suspend", "demo/one", "demo/nope", now=LATER)
        assert result.exit_code == 4
        lines.append(result.stderr)
    assert lines[0] == lines[1] == "quiz: no card 'demo/nope' in the store (see: quiz cards)\n"
    assert _rows(studied / "store.db") == before


def test_a_locked_store_is_one_line_and_nothing_written(cli, studied, monkeypatch):  # noqa: F811
    db = studied / "store.db"
    before = _rows(db)
    monkeypatch.setattr(pragmas, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(pragmas, "SQLITE_PRAGMAS", ("PRAGMA busy_timeout = 200",))
    with write_locked(db):
        result = cli("cards", "forget", "demo/one", now=LATER)
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    locked = f"quiz: {db}: the store is locked by another program (another quiz?); try again"
    assert lines[-1] == locked and len(lines) <= 2, lines  # and the lock watcher's notice
    assert _rows(db) == before


def test_a_read_only_store_is_the_full_stores_one_line(env, small_fs):  # noqa: F811
    db = str(small_fs / "store.db")
    deck = env / "demo.yaml"
    deck.write_text("deck: demo\ntitle: Demo\ncards:\n  - id: one\n    front: Q?\n    back: A\n")
    assert _quiz(env, db, "import", str(deck)).returncode == 0
    _remount_read_only(small_fs)
    lean = _quiz(env, db, "cards", "suspend", "demo/one")
    full = _quiz(env, db, "review", input="4\n")  # a write refused by the full store
    assert lean.returncode == full.returncode == 3
    assert lean.stderr.strip().splitlines()[-1] == full.stderr.strip().splitlines()[-1]
    assert lean.stderr.strip().endswith(
        "the store is read-only (attempt to write a readonly database)"
    )


def test_the_actions_on_either_back_end_are_undone_and_rebuilt(cli, env, store_url):
    """Through the Repo on PostgreSQL, through sqlite3 on SQLite: a due date set on a
    card whose state no log entry left is undone to that state, and `quiz rebuild`
    agrees with the log after the actions."""
    from sqlalchemy import update

    from quiz.store import open_store
    from quiz.store.models import CardStateRow
    from tests.conftest import BASIC_DECK, write_deck

    assert cli("import", str(write_deck(env, "demo.yaml", BASIC_DECK))).exit_code == 0
    assert cli("review", "--deck", "demo", "--new", "1", input="3\n", now=LATER).exit_code == 0
    with open_store(store_url) as store, store.unit(None) as repo:
        one = repo.get_card("demo/one")
        assert one is not None and one.schedule.reps == 1
        repo.session.execute(
            update(CardStateRow)
            .where(CardStateRow.card_id == one.row_id)
            .values(stability=(one.schedule.stability or 0) + 1)
        )
        repo.session.commit()
        changed = repo.get_card("demo/one")
        assert changed is not None
    moved = cli("cards", "set-due", "demo/one", "--on", "2026-03-20", now=LATER)
    assert moved.stdout == "due 2026-03-20: demo/one\n", moved.output
    with open_store(store_url) as store, store.unit(None) as repo:
        entry = repo.history.card_history(changed.row_id)[-1]
        assert entry.kind == "manual" and entry.after is not None
        assert entry.after.due is not None and entry.after.due.date().isoformat() == "2026-03-20"
        assert repo.history.befores([entry.id])[entry.id] == changed.schedule
        assert repo.undo(entry.id) == changed.row_id
        assert repo.get_card("demo/one").schedule == changed.schedule  # type: ignore[union-attr]
    for action in (["suspend", "demo/one"], ["bury", "demo/two"], ["forget", "demo/one"]):
        assert cli("cards", *action, now=LATER).exit_code == 0
    states = {c["card"]: c["states"] for c in json.loads(cli("cards", "--json", now=LATER).stdout)}
    assert states["demo/one"] == ["new", "suspended"] and states["demo/two"] == ["new", "buried"]
    assert cli("rebuild", "--check", now=LATER).exit_code == 0
