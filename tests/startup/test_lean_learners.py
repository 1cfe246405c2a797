"""Start-up: the lean path of `quiz learners` (sqlite3, no SQLAlchemy, no typer) lists
the same learners, byte for byte, as the full command — plain, --json and on a colour
terminal — because both run the SQL of quiz.store.learners and show the rows with
render_learners; it declines whatever it does not own."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from quiz.cli.lean import _learners, parse_learners, split_globals
from tests.startup.test_fast_path import studied  # noqa: F401  # a fixture

NOW = "2026-03-05T12:00:00Z"


def run_quiz(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QUIZ_NOW=NOW, **extra)
    return subprocess.run(
        [sys.executable, "-m", "quiz", *args], capture_output=True, text=True, env=env, timeout=60
    )


@pytest.fixture
def classroom(cli, studied):  # noqa: F811
    """tester (reviews, one drill), and bob, who never answered."""
    drilled = cli("drill", "--deck", "beta", "--count", "1", input="\n\n\n", now=NOW)
    assert drilled.exit_code == 0, drilled.output
    assert cli("--learner", "bob", "decks").exit_code == 0  # bob joins the store
    return studied


def test_lean_learners_is_byte_identical_to_the_full_command(classroom):
    colour = {"FORCE_COLOR": "1", "COLUMNS": "120", "TERM": "xterm-256color"}
    for args, extra in [
        (["learners"], {}),
        (["learners", "--json"], {}),
        (["learners"], colour),
        (["learners", "--json", "--db", str(classroom / "store.db")], {}),
    ]:
        assert _learners(args) is not None, args
        lean = run_quiz(*args, **extra)
        full = run_quiz(*args, QUIZ_DEBUG="1", **extra)  # --debug: the full command
        assert lean.returncode == full.returncode == 0, (lean.stderr, full.stderr)
        assert lean.stdout == full.stdout, args
        assert lean.stderr == ""
    rows = {r["learner"]: r for r in json.loads(run_quiz("learners", "--json").stdout)}
    assert rows["bob"]["cards_seen"] == 0 and rows["bob"]["last_review"] is None
    assert rows["tester"]["reviews"] >= 4 and rows["tester"]["cards_seen"] >= 4
    drills = rows["tester"]["drills"]
    assert drills >= 1
    with sqlite3.connect(classroom / "store.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM reviews WHERE kind = 1").fetchone()[0] == drills


def test_lean_learners_imports_neither_sqlalchemy_nor_typer(classroom):
    code = (
        "import sys; sys.argv = ['quiz', 'learners', '--json']; from quiz.cli import main; "
        "main(); print(sorted(m for m in ('sqlalchemy', 'typer', 'click') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, timeout=60
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr


@pytest.mark.parametrize(
    "argv", [["learners", "--help"], ["learners", "--jsn"], ["--debug", "learners"], ["learner"]]
)
def test_other_learners_lines_go_to_the_full_app(argv):
    split = split_globals(argv)
    assert split is None or parse_learners(split[1]) is None


def test_the_lean_path_declines_what_it_does_not_own(classroom, monkeypatch):
    assert _learners(["learners"]) is not None
    monkeypatch.setenv("QUIZ_DEBUG", "1")
    assert _learners(["learners"]) is None
    monkeypatch.delenv("QUIZ_DEBUG")
    monkeypatch.setenv("QUIZ_DB", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert _learners(["learners"]) is None
    monkeypatch.setenv("QUIZ_DB", str(classroom / "missing.db"))
    assert _learners(["learners"]) is None
    missing = run_quiz("learners")
    assert missing.returncode != 0 and len(missing.stderr.strip().splitlines()) == 1
    monkeypatch.setenv("QUIZ_DB", str(classroom / "store.db"))
    with sqlite3.connect(classroom / "store.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
    assert _learners(["learners"]) is None  # to migrate: the full store does


def test_a_damaged_store_is_one_line(env):
    (env / "store.db").write_bytes(b"not a database at all" * 100)
    damaged = run_quiz("learners")
    assert damaged.returncode != 0 and "Traceback" not in damaged.stderr
    assert len(damaged.stderr.strip().splitlines()) == 1
