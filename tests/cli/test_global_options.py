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
    result = run_quiz("--show-completion", "bash")
    assert result.returncode == 0, result.stderr
    assert "_QUIZ_COMPLETE" in result.stdout or "complete" in result.stdout
