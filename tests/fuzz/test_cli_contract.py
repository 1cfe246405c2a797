"""CLI spot checks of the fuzz contract, through the real console script in a subprocess:
a refused deck, table or config exits 1 with one line per problem and no traceback,
and leaves the store exactly as it was."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BASIC_DECK, write_deck
from tests.fuzz.test_regressions import DECK_CASES, HEAD


def quiz(env: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    environ = dict(os.environ)
    environ.update(
        QUIZ_DB=str(env / "store.db"),
        QUIZ_CONFIG=str(env / "config.toml"),
        QUIZ_LEARNER="tester",
        QUIZ_BUNDLED="0",
        QUIZ_NOW="2026-12-01T08:00:00Z",
    )
    environ.pop("QUIZ_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "quiz", *args],
        capture_output=True,
        text=True,
        env=environ,
        input=stdin,
        timeout=120,
    )


def dump(env: Path) -> list[str]:
    """Every row of every table of the store, as text (to compare before and after)."""
    with sqlite3.connect(env / "store.db") as db:
        return list(db.iterdump())


def assert_clean_refusal(
    result: subprocess.CompletedProcess[str], lines: int | None = None
) -> list[str]:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    both = result.stdout + result.stderr
    assert "Traceback" not in both and "internal error" not in both
    err = result.stderr.splitlines()
    assert err and all(line.strip() for line in err)
    if lines is not None:
        assert len(err) == lines, result.stderr
    return err


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with one deck imported (once: every test here must leave it unchanged)."""
    env = tmp_path_factory.mktemp("cli-contract")
    deck = write_deck(env, "demo.yaml", BASIC_DECK)
    assert quiz(env, "import", str(deck)).returncode == 0
    return env


@pytest.fixture
def loaded(store: Path) -> Iterator[Path]:
    (store / "config.toml").write_text('timezone = "UTC"\n')
    yield store
    (store / "config.toml").write_text('timezone = "UTC"\n')


def test_hostile_decks_are_refused_by_check_and_import_without_a_store_change(loaded: Path):
    folder = loaded / "bad"
    folder.mkdir()
    for i, (_name, body, _line, _words) in enumerate(DECK_CASES):
        (folder / f"bad{i:02}.yaml").write_text(HEAD.replace("deck: d", f"deck: d{i}") + body)
    before = dump(loaded)
    check = quiz(loaded, "check", str(folder))
    assert_clean_refusal(check)
    report = check.stdout.splitlines()  # `check` reports problems on stdout, a summary on stderr
    for i in range(len(DECK_CASES)):
        assert any(line.startswith(f"{folder / f'bad{i:02}.yaml'}:") for line in report), i
    imported = quiz(loaded, "import", str(folder / "bad00.yaml"), str(loaded / "demo.yaml"))
    assert_clean_refusal(imported)
    assert dump(loaded) == before


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("header.csv", "front,back,tags\n", "no rows with a front side"),
        ("digits.txt", "#tags column:١\nWhy\tYes\tt\n", "is not a column number"),
        ("sep.txt", "#separator:ab\nWhy\tYes\n", "is not a separator quiz knows"),
        ("big.csv", "front,back\nWhy," + "x" * 140_000 + "\n", "larger than 128 KB"),
    ],
)
def test_bad_table_import_is_one_line_and_changes_nothing(
    loaded: Path, name: str, text: str, words: str
):
    table = loaded / name
    table.write_text(text, encoding="utf-8")
    before = dump(loaded)
    [line] = assert_clean_refusal(quiz(loaded, "import", str(table)))
    assert str(table) in line and words in line
    assert not table.with_suffix(".yaml").exists()
    assert dump(loaded) == before


RETENTION = ('desired_retention = "high"\n', "1: desired_retention must be a number from 0.5")
STEPS = ('fuzz = false\nlearning_steps = "x"\n', "2: learning_steps must be a list of minutes")
DIGITS = ("new_per_day = " + "9" * 30 + "\n", "1: new_per_day must be a whole number")


@pytest.mark.parametrize(
    ("command", "config", "words"),
    [
        (["due"], *RETENTION),  # the fast path
        (["due", "--json"], *STEPS),
        (["decks"], *RETENTION),
        (["review"], *STEPS),
        (["stats"], *DIGITS),
        (["drill", "--count", "1"], *RETENTION),
        (["rebuild"], *STEPS),
    ],
    ids=["due", "due --json", "decks", "review", "stats", "drill", "rebuild"],
)
def test_every_command_refuses_the_same_bad_config(
    loaded: Path, command: list[str], config: str, words: str
):
    (loaded / "config.toml").write_text(config)
    before = dump(loaded)
    [line] = assert_clean_refusal(quiz(loaded, *command, stdin="3\n"))
    assert line == f"quiz: {loaded / 'config.toml'}:{words}" + line.split(words, 1)[1]
    assert dump(loaded) == before


def test_due_without_the_fast_path_refuses_a_bad_config(cli, env: Path):
    """The typer command itself (what the fast path hands over to) refuses it too."""
    (env / "config.toml").write_text(DIGITS[0])
    result = cli("due")
    assert result.exit_code == 1
    assert f"{env / 'config.toml'}:{DIGITS[1]}" in result.output
    assert not (env / "store.db").exists()
