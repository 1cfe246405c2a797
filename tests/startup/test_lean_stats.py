"""Start-up: `quiz stats` on a current SQLite store whose rollups hold the whole log reads
it through sqlite3 alone (quiz.store.stats_reads, the SQL text the full store runs too)
and never loads SQLAlchemy; what it shows is byte for byte what the full store shows
(QUIZ_DEBUG=1 forces it). Rollups behind the log are brought up to date through sqlite3
too (quiz.store.rollup_write, the SQL text the full store runs); a damaged or foreign
store is the full store's one line."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.startup.test_fast_path import studied  # noqa: F401  # a fixture
from tests.startup.test_late_store import run_loaded

NOW = "2026-03-05T12:00:00Z"


COMMANDS = [
    ["stats"],
    ["stats", "--json"],
    ["stats", "--deck", "alpha"],
    ["stats", "--deck", "alpha", "--deck", "beta", "--json"],
    ["stats", "--since", "2026-03-01"],
    ["stats", "--deck", "beta", "--since", "2026-03-01", "--json"],
    ["stats", "--since", "2026-03-01", "--json"],
]


# The full store's words (quiz.store.engine), as before the lean path.
WORDS = {
    "damaged": "not a quiz store (not a SQLite database); quiz left it alone",
    "foreign": "not a quiz store (a database of another program?); quiz left it alone",
    "malformed": "not a quiz store, or it is damaged (database disk image is malformed)",
}


def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return run_loaded(NOW, *args, **extra)


def loaded(result: subprocess.CompletedProcess[str]) -> bool:
    return "SQLALCHEMY True" in result.stderr


def stderr(result: subprocess.CompletedProcess[str]) -> str:
    """What the command said on stderr, without the debug log QUIZ_DEBUG turns on."""
    return "".join(
        line
        for line in result.stderr.splitlines(True)
        if "SQLALCHEMY" not in line and not line.startswith("quiz: quiz.")
    )


def test_stats_with_current_rollups_never_loads_sqlalchemy(studied):  # noqa: F811
    first = run("stats")  # builds the rollups, through sqlite3
    assert first.returncode == 0, first.stderr
    assert not loaded(first)
    for args in COMMANDS:
        lean, full = run(*args), run(*args, QUIZ_DEBUG="1")
        assert lean.returncode == full.returncode == 0, lean.stderr + full.stderr
        assert lean.stdout == full.stdout, args
        assert stderr(lean) == stderr(full) == "", args
        assert not loaded(lean) and loaded(full), args
    assert "alpha" in run("stats", "--deck", "alpha").stdout
    unknown = run("stats", "--deck", "gamma")  # worded as before, without the full store
    assert unknown.returncode == 4 and not loaded(unknown)
    assert stderr(unknown) == "quiz: no deck 'gamma' in the store (see: quiz decks)\n"


def test_an_answer_past_the_rollups_is_folded_in_through_sqlite3(cli, studied):  # noqa: F811
    assert run("stats").returncode == 0
    assert not loaded(run("stats"))
    answered = cli("drill", "--deck", "beta", "--count", "1", input="\n\n\n", now=NOW)
    assert answered.exit_code == 0, answered.output
    behind = run("stats", "--json")
    assert behind.returncode == 0 and not loaded(behind)  # folds the answer in
    again = run("stats", "--json")
    assert not loaded(again) and again.stdout == behind.stdout
    assert again.stdout == run("stats", "--json", QUIZ_DEBUG="1").stdout


def test_a_store_being_written_is_read_without_waiting(studied):  # noqa: F811
    """Another program holding the write lock does not hold up a report the rollups
    can give: the read-only connection reads beside it (WAL)."""
    assert run("stats").returncode == 0
    expected = run("stats", "--json")
    writer = sqlite3.connect(studied / "store.db", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE learners SET name = name")
        during = run("stats", "--json")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert during.returncode == 0 and not loaded(during)
    assert during.stdout == expected.stdout


@pytest.mark.parametrize("kind", ["damaged", "foreign"])
def test_a_store_the_lean_path_cannot_read_is_the_full_stores_one_line(env: Path, kind: str):
    path = env / "store.db"
    if kind == "damaged":
        path.write_bytes(b"not a database at all" * 100)
    else:
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    said = run("stats")
    assert said.returncode == 3 and "Traceback" not in said.stderr
    assert stderr(said) == f"quiz: {path}: {WORDS[kind]}\n"


def test_a_store_damaged_past_what_the_lean_path_checks_is_one_line(studied):  # noqa: F811
    """The store opens read-only, but a page the report reads is damaged: the lean
    connection's error sends the command to the full store, which words it."""
    assert run("stats").returncode == 0
    path = studied / "store.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = {
            name: page
            for name, page in conn.execute(
                "SELECT name, rootpage FROM sqlite_master WHERE rootpage > 0"
            )
        }
        [(size,)] = conn.execute("PRAGMA page_size")
    data = bytearray(path.read_bytes())
    at = (pages["review_day_rollups"] - 1) * size
    data[at : at + size] = b"\xff" * size
    path.write_bytes(bytes(data))
    said = run("stats")
    assert said.returncode == 3 and "Traceback" not in said.stderr
    assert stderr(said) == f"quiz: {path}: {WORDS['malformed']}\n"
