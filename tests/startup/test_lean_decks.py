"""Start-up: the lean path of `quiz decks` (quiz.cli.lean: sqlite3, no SQLAlchemy, no
typer) lists the same decks, byte for byte, as the full command — plain, --json and on
a colour terminal — because both read them with the same SQL (quiz.store.due,
quiz.store.summaries) and show them with the same renderer (render_decks); it declines
whatever it does not own, and the full command then answers or words the error."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from quiz.cli.lean import _decks, parse_decks, split_globals
from tests.startup.test_fast_path import studied  # noqa: F401  # a fixture

NOWS = ["2026-03-01T09:30:00Z", "2026-03-05T12:00:00Z", "2026-04-01T12:00:00Z"]


def run_quiz(*args: str, now: str | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, **extra)
    if now:
        env["QUIZ_NOW"] = now
    return subprocess.run(
        [sys.executable, "-m", "quiz", *args], capture_output=True, text=True, env=env, timeout=60
    )


def lean_takes(*argv: str, now: str = NOWS[1]) -> bool:
    """Whether the console entry would answer `quiz ARGV` through the lean path."""
    os.environ["QUIZ_NOW"] = now
    try:
        return _decks(list(argv)) is not None
    finally:
        del os.environ["QUIZ_NOW"]


def bury_one(store: Path) -> None:
    """One started card buried until after every `now` here (hand-written SQL: tests)."""
    with sqlite3.connect(store) as conn:
        conn.execute(
            "UPDATE card_states SET buried_until = '2026-12-01 00:00:00.000000' "
            "WHERE card_id = (SELECT MAX(card_id) FROM card_states WHERE suspended = 0)"
        )


@pytest.mark.parametrize("now", NOWS)
def test_lean_decks_is_byte_identical_to_the_full_command(studied, now):  # noqa: F811
    bury_one(studied / "store.db")
    colour = {"FORCE_COLOR": "1", "COLUMNS": "120", "TERM": "xterm-256color"}
    for args, extra in [
        (["decks"], {}),
        (["decks", "--json"], {}),
        (["decks", "--lang", "zh"], {}),
        (["decks"], colour),
        (["decks", "--json"], colour),
        (["--learner", "tester", "decks", "--lang=en", "--db", str(studied / "store.db")], {}),
    ]:
        assert lean_takes(*args, now=now), args
        lean = run_quiz(*args, now=now, **extra)
        full = run_quiz(*args, now=now, QUIZ_DEBUG="1", **extra)  # --debug: the full command
        assert lean.returncode == full.returncode == 0, (lean.stderr, full.stderr)
        assert lean.stdout == full.stdout, args
        assert lean.stderr == ""
    listed = json.loads(run_quiz("decks", "--json", now=now).stdout)
    assert [d["deck"] for d in listed] == ["alpha", "beta"]
    assert sum(d["suspended"] for d in listed) == 1 and sum(d["buried"] for d in listed) == 1


def test_lean_decks_imports_neither_sqlalchemy_nor_typer(studied):  # noqa: F811
    code = (
        "import sys; sys.argv = ['quiz', 'decks', '--json']; from quiz.cli import main; main(); "
        "print(sorted(m for m in ('sqlalchemy', 'typer', 'click', 'fsrs', 'yaml') if m in sys.modules))"
    )
    env = dict(os.environ, QUIZ_NOW=NOWS[1])
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["decks", "remove", "alpha"],
        ["decks", "--help"],
        ["decks", "--jsn"],
        ["decks", "--lang"],
        ["--debug", "decks"],
        ["decks", "--debug"],
        ["deck"],
    ],
)
def test_other_decks_lines_go_to_the_full_app(argv):
    split = split_globals(argv)
    assert split is None or parse_decks(split[1]) is None


def test_the_lean_path_declines_what_it_does_not_own(studied, monkeypatch):  # noqa: F811
    assert lean_takes("decks")
    monkeypatch.setenv("QUIZ_LEARNER", "nobody-yet")  # the full command adds the learner
    assert not lean_takes("decks")
    monkeypatch.setenv("QUIZ_LEARNER", "tester")
    assert not lean_takes("decks", now="9999-01-01T00:00:00Z")  # QUIZ_NOW out of range
    monkeypatch.setenv("QUIZ_DB", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert not lean_takes("decks")
    monkeypatch.setenv("QUIZ_DB", str(studied / "store.db"))
    monkeypatch.setenv("QUIZ_DEBUG", "1")
    assert not lean_takes("decks")
    monkeypatch.delenv("QUIZ_DEBUG")
    (studied / "config.toml").write_text("timezone = 12\n")  # refused: the full path says why
    assert not lean_takes("decks")
    refused = run_quiz("decks", now=NOWS[1])
    assert refused.returncode != 0 and len(refused.stderr.strip().splitlines()) == 1
    assert lean_takes("decks", "--lang", "en")  # as the full command, which reads no config
    (studied / "config.toml").write_text('timezone = "UTC"\nfuzz = false\n')
    with sqlite3.connect(studied / "store.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
    assert not lean_takes("decks")  # to migrate: the full store does


def test_a_missing_or_damaged_store_goes_to_the_full_command(env):
    assert not lean_takes("decks")
    created = run_quiz("decks")
    assert created.returncode == 0 and "No decks yet" in created.stdout
    (env / "store.db").write_bytes(b"not a database at all" * 100)
    damaged = run_quiz("decks")
    assert damaged.returncode != 0 and "Traceback" not in damaged.stderr
    assert len(damaged.stderr.strip().splitlines()) == 1


def test_bundled_decks_to_load_refresh_or_report_go_to_the_full_command(
    cli, env, tmp_path, monkeypatch
):
    """The full command writes then (loads, re-imports, reports once): never the lean path."""
    folder = tmp_path / "bundled"
    folder.mkdir()
    shipped = folder / "tiny.yaml"
    shipped.write_text("deck: tiny\ntitle: Tiny\ncards:\n  - id: a\n    front: Q?\n    back: A.\n")
    monkeypatch.setattr("quiz.cli.bundled.bundled_decks_dir", lambda: folder)
    monkeypatch.setattr("quiz.cli.context.bundled_decks_dir", lambda: folder)
    monkeypatch.setenv("QUIZ_BUNDLED", "1")
    assert cli("due").exit_code == 0  # the store exists, empty
    assert not lean_takes("decks")  # the bundled decks to load
    assert "tiny" in cli("decks").output
    assert lean_takes("decks")  # loaded, unchanged
    shipped.write_text(shipped.read_text().replace("Q?", "Q2?"))
    assert not lean_takes("decks")  # changed: to re-import
    first = cli("decks")
    assert "Updated bundled decks" in first.output
    assert lean_takes("decks")  # re-imported and reported
    from quiz.cli.bundled import BUNDLED_UPDATED

    with sqlite3.connect(env / "store.db") as conn:
        conn.execute(
            "UPDATE settings SET value = ? WHERE name = ?", ('{"decks": ["tiny"]}', BUNDLED_UPDATED)
        )
    assert not lean_takes("decks")  # an update not reported yet
