"""`quiz import` of a new or changed deck into a current SQLite store writes through
sqlite3 (quiz.store.lean_write, issue #19): SQLAlchemy never loads, the command says
what the full store's import says, a failure midway writes nothing, a locked store is
one line, and every case the writer does not own goes to the full store. (The rows
written are compared with the full store's in test_import_rows.py.)"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from quiz.store import deck_sync, pragmas
from quiz.store.lean_write import open_writer
from tests.conftest import write_deck
from tests.store.helpers import write_locked

DECK = """
deck: {name}
title: Deck {name}
cards:
{cards}"""


def deck(folder: Path, name: str, n: int) -> Path:
    cards = "".join(f"  - id: c{i}\n    front: Q{i}?\n    back: A{i}.\n" for i in range(n))
    return write_deck(folder, f"{name}.yaml", DECK.format(name=name, cards=cards))


def run_quiz(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quiz", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **extra},
        timeout=60,
    )


def rows(db: Path) -> list[object]:
    conn = sqlite3.connect(db)
    try:
        return [
            conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("decks", "cards", "card_tags")
        ]
    finally:
        conn.close()


def test_a_new_deck_is_imported_without_sqlalchemy_or_rich_and_said_as_the_full_store_says(
    cli, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIZ_NOW", "2026-03-01T09:00:00Z")
    assert cli("decks").exit_code == 0  # the store and its learner
    alpha, beta = deck(env, "alpha", 3), deck(env, "beta", 2)
    code = (
        f"import sys; sys.argv = ['quiz', 'import', {str(alpha)!r}, {str(beta)!r}]; "
        "from quiz.cli import main; main(); "
        "print(sorted(m for m in ('sqlalchemy', 'rich', 'typer') if m in sys.modules))"
    )
    lean = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ)
    )
    *printed, loaded = lean.stdout.splitlines()
    assert lean.returncode == 0, lean.stderr
    assert loaded == "[]"  # nor rich: the report is plain lines
    lean_rows = rows(env / "store.db")

    # the same import through the full store (a learner it has to enrol first)
    other = env / "other.db"
    full = run_quiz("import", str(alpha), str(beta), QUIZ_DB=str(other), QUIZ_LEARNER="new")
    assert full.returncode == 0, full.stderr
    assert printed == full.stdout.splitlines()
    assert lean_rows == rows(other)


def test_a_failure_midway_writes_nothing(cli, env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("import", str(deck(env, "alpha", 2))).exit_code == 0
    before = rows(env / "store.db")
    deck(env, "alpha", 3)  # changed: a card more
    deck(env, "beta", 2)  # new
    synced: list[str] = []
    real = deck_sync.sync_deck

    def sync_then_fail(db, deck, path, file_hash, now):  # type: ignore[no-untyped-def]
        if synced:
            raise sqlite3.OperationalError("disk I/O error")
        synced.append(deck.id)
        return real(db, deck, path, file_hash, now)

    monkeypatch.setattr(deck_sync, "sync_deck", sync_then_fail)
    result = cli("import", str(env / "alpha.yaml"), str(env / "beta.yaml"))
    assert result.exit_code != 0
    assert synced == ["alpha"]
    assert "store error: disk I/O error" in result.output
    assert rows(env / "store.db") == before


def test_a_locked_store_is_one_line_and_nothing_written(
    cli, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("decks").exit_code == 0
    monkeypatch.setattr(pragmas, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(pragmas, "SQLITE_PRAGMAS", ("PRAGMA busy_timeout = 200",))
    with write_locked(env / "store.db"):
        result = cli("import", str(deck(env, "alpha", 2)))
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    locked = f"quiz: {env / 'store.db'}: the store is locked by another program (another quiz?); try again"
    assert lines[-1] == locked and len(lines) <= 2, lines  # and the lock watcher's notice
    assert rows(env / "store.db")[1] == []


def test_what_the_writer_does_not_own_goes_to_the_full_store(
    cli, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = env / "store.db"
    assert open_writer(str(db), "tester") is None  # no store yet: the full store makes it
    assert cli("decks").exit_code == 0
    writer = open_writer(str(db), "tester")
    assert writer is not None
    writer.__exit__(None, None, None)
    assert open_writer(str(db), "somebody else") is None  # to enrol
    assert open_writer("postgresql://nobody@localhost/none", "tester") is None
    monkeypatch.setenv("QUIZ_DEBUG", "1")
    assert open_writer(str(db), "tester") is None
    monkeypatch.delenv("QUIZ_DEBUG")
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = '0013'")  # to migrate
    conn.commit()
    conn.close()
    assert open_writer(str(db), "tester") is None


def test_a_killed_import_leaves_the_store_as_it_was(cli, env: Path) -> None:
    """Killed (SIGKILL) once the first deck's new cards are written, before the second
    deck and the commit: the store is the one before the import."""
    assert cli("import", str(deck(env, "alpha", 2))).exit_code == 0
    before = rows(env / "store.db")
    deck(env, "alpha", 3)
    deck(env, "beta", 2)
    patch = (
        "from quiz.store.lean_write import open_writer\n"
        "real = deck_sync.SqliteRunner.run_many\n"
        "def run_many(self, sql, rows, once=None):\n"
        "    real(self, sql, rows, once)\n"
        "    if sql == deck_sync.NEW_CARD:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "deck_sync.SqliteRunner.run_many = run_many\n"
        "assert open_writer(None, None) is not None  # the path under test\n"
    )
    killed = _import_patched(patch, env / "alpha.yaml", env / "beta.yaml")
    assert killed.returncode == -9, killed.stderr
    assert rows(env / "store.db") == before


def _import_patched(patch: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    """`quiz import PATHS` in a process of its own, after `patch` (source, with os,
    signal, sys and deck_sync imported) has run."""
    code = (
        "import os, signal, sys\n"
        "from quiz.store import deck_sync\n"
        f"{patch}"
        f"sys.argv = ['quiz', 'import', *{[str(p) for p in paths]!r}]\n"
        "from quiz.cli import main; main()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ)
    )


def _tagged(folder: Path, name: str, n: int) -> Path:
    cards = "".join(
        f"  - id: c{i}\n    front: Q{i}?\n    back: A{i}.\n    tags: [t{i % 3}, all]\n"
        for i in range(n)
    )
    return write_deck(folder, f"{name}.yaml", DECK.format(name=name, cards=cards))


def _schema(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    finally:
        conn.close()


def test_new_tags_mark_the_tag_rollups_stale_and_their_trigger_stays(cli, env: Path) -> None:
    """The writer fires card_tags' insert trigger once for a statement's tags (it drops
    and remakes it around the rows, deck_sync.SqliteRunner.run_many): the trigger's work
    is done, and the schema is the one before."""
    assert cli("import", str(_tagged(env, "alpha", 3))).exit_code == 0
    db = env / "store.db"
    schema = _schema(db)
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO review_tag_marks (learner_id, last_id) SELECT id, 0 FROM learners")
    conn.commit()
    conn.close()
    assert cli("import", str(_tagged(env, "beta", 4))).exit_code == 0
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM review_tag_marks").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM card_tags").fetchone() == (14,)
    finally:
        conn.close()
    assert _schema(db) == schema


def test_an_import_killed_without_its_tag_trigger_leaves_the_store_as_it_was(
    cli, env: Path
) -> None:
    """Killed while the tags go in with their trigger dropped: the store, schema and all,
    is the one before the import."""
    assert cli("import", str(_tagged(env, "alpha", 2))).exit_code == 0
    db = env / "store.db"
    before, schema = rows(db), _schema(db)
    _tagged(env, "beta", 5)
    patch = (
        "write = deck_sync.SqliteRunner._write\n"
        "def patched(self, sql, rows):\n"
        "    write(self, sql, rows)\n"
        "    if 'card_tags' in sql:\n"
        f"        if self.execute({deck_sync._TRIGGER!r}, {{'name': deck_sync.TAGS_ADDED}}).fetchone():\n"
        "            sys.exit(3)  # the trigger is there: not the case under test\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "deck_sync.SqliteRunner._write = patched\n"
    )
    killed = _import_patched(patch, env / "beta.yaml")
    assert killed.returncode == -9, killed.stderr
    assert rows(db) == before
    assert _schema(db) == schema


def test_content_in_either_json_form_is_read_and_searched_alike(cli, env: Path) -> None:
    """The writer stores content as orjson's compact UTF-8; stores written before hold the
    standard library's text (spaces, non-ASCII as \\uXXXX). A card in each form is read
    back the same, and a text search that case-folds past ASCII (ß to ss) finds both."""
    body = (
        "  - id: old\n    front: STRAẞE one?\n    back: Yes.\n    tags: [de]\n"
        "  - id: new\n    front: Straße two?\n    back: Yes.\n    tags: [de]\n"
    )
    deck_file = write_deck(env, "de.yaml", DECK.format(name="de", cards=body))
    assert cli("import", str(deck_file)).exit_code == 0
    db = env / "store.db"
    conn = sqlite3.connect(db)
    try:
        stored = dict(conn.execute("SELECT key, content FROM cards"))
        assert stored["de/old"].isascii() is False and ": " not in stored["de/old"]
        old = json.dumps(json.loads(stored["de/old"]))  # as an older quiz wrote it
        assert old.isascii() and old != stored["de/old"]
        conn.execute("UPDATE cards SET content = ? WHERE key = 'de/old'", (old,))
        conn.commit()
    finally:
        conn.close()
    found = cli("cards", "--json", "--text", "strasse")
    assert found.exit_code == 0, found.output
    listed = sorted((c["card"], c["question"]) for c in json.loads(found.stdout))
    assert listed == [("de/new", "Straße two?"), ("de/old", "STRAẞE one?")]


@pytest.mark.parametrize("where", ["writer thread", "reading thread"])
def test_a_failure_beside_the_writes_is_one_line_and_writes_nothing(
    cli, env: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """The writer runs a deck's statements on a second thread while the next rows are made
    (lean_write.Beside): a statement that fails there, or an error here while statements
    are still queued, is the one line a failure is, nothing is written, the thread is
    gone and the interpreter's switch interval is as it was."""
    assert cli("import", str(_tagged(env, "alpha", 2))).exit_code == 0
    db = env / "store.db"
    before, schema = rows(db), _schema(db)
    _tagged(env, "beta", 9)
    monkeypatch.setattr(deck_sync, "BATCH_CARDS", 2)
    calls: list[str] = []
    if where == "writer thread":
        write = deck_sync.SqliteRunner._write

        def failing(self, sql, rows):  # type: ignore[no-untyped-def]
            calls.append(threading.current_thread().name)
            if len(calls) == 5:
                raise sqlite3.OperationalError("disk I/O error")
            write(self, sql, rows)

        monkeypatch.setattr(deck_sync.SqliteRunner, "_write", failing)
    else:
        digest = deck_sync.content_digest

        def failing(data):  # type: ignore[no-untyped-def]
            calls.append(threading.current_thread().name)
            if len(calls) == 7:
                raise sqlite3.OperationalError("disk I/O error")
            return digest(data)

        monkeypatch.setattr(deck_sync, "content_digest", failing)
    interval = sys.getswitchinterval()
    result = cli("import", str(env / "beta.yaml"))
    assert result.exit_code != 0
    assert result.output.strip().splitlines()[-1] == f"quiz: {db}: store error: disk I/O error"
    assert "Traceback" not in result.output
    if where == "writer thread":
        assert set(calls) == {"quiz-import-writer"}, calls
    assert "quiz-import-writer" not in [t.name for t in threading.enumerate()]
    assert sys.getswitchinterval() == interval
    assert rows(db) == before
    assert _schema(db) == schema
