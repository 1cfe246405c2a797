"""Global options work where users type them, `--version` answers, completion installs."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import BASIC_DECK, write_deck


def run_quiz(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quiz", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )


def test_version_prints_and_exits_zero():
    from quiz import __version__

    result = run_quiz("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"quiz {__version__}"


def test_db_and_learner_after_the_command(cli, env):
    deck = write_deck(env, "demo.yaml", BASIC_DECK)
    other = env / "other.db"
    result = cli("import", str(deck), "--db", str(other))
    assert result.exit_code == 0, result.output
    assert other.exists() and not (env / "store.db").exists()
    answered = cli("review", "--db", str(other), "--learner", "ann", "--limit", "1", input="3\n")
    assert answered.exit_code == 0, answered.output
    learners = cli("--db", str(other), "learners")
    assert "ann" in learners.stdout


def test_shell_completion_is_offered():
    # typer guesses the shell from the process tree (shellingham) unless told not to; a
    # test worker's ancestry may show none, so the shell is named, as a user may name it
    result = run_quiz("--show-completion", "bash", _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    assert result.returncode == 0, result.stderr
    assert "_QUIZ_COMPLETE" in result.stdout and "complete -o" in result.stdout


def test_decks_counts_suspended_and_buried_cards_apart_from_new(cli, env):
    """A suspended or buried card that was never answered is not 'new' (it will not be
    asked), on both the lean and the full path; `quiz decks` shows both columns."""
    import json

    deck = write_deck(env, "demo.yaml", BASIC_DECK)
    assert cli("import", str(deck)).exit_code == 0
    now = "2026-03-01T09:00:00Z"
    # suspend the first card and bury the second, answering neither
    result = cli("review", "--new", "2", input="!\nb\n", now=now)
    assert result.exit_code == 0, result.output
    listed = json.loads(cli("decks", "--json", now=now).stdout)[0]
    assert (listed["cards"], listed["new"], listed["suspended"], listed["buried"]) == (4, 2, 1, 1)
    assert json.loads(cli("due", "--json", now=now).stdout)["new"] == 2
    lean = run_quiz("due", "--json", QUIZ_NOW=now)
    assert json.loads(lean.stdout)["new"] == 2
    table = cli("decks", now=now).stdout
    assert "suspended" in table and "buried" in table
    tomorrow = "2026-03-02T09:00:00Z"  # the bury is over
    assert json.loads(cli("decks", "--json", now=tomorrow).stdout)[0]["new"] == 3


def test_type_options_name_every_card_kind():
    from quiz.cli.context import KINDS
    from quiz.model import CardKind

    assert set(KINDS) == {kind.value for kind in CardKind}
