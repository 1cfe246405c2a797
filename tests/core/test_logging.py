"""`--debug` shows the decisions quiz takes on its own; without it, stderr stays quiet."""

from __future__ import annotations

import os
import subprocess
import sys

from quiz.model import CardState
from quiz.store import due


def run_quiz(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quiz", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )


def test_debug_names_the_migration_and_the_declined_lean_path(env):
    quiet = run_quiz("due")
    assert quiet.returncode == 0 and quiet.stdout.strip() == "0"
    assert quiet.stderr == ""
    (env / "store.db").unlink()
    loud = run_quiz("--debug", "due")
    assert loud.returncode == 0 and loud.stdout.strip() == "0"
    assert "quiz.store.migrate: migrating the store from an empty database" in loud.stderr
    assert "quiz.cli.lean: quiz due: answered through the full store" in loud.stderr


def test_the_lean_due_rule_uses_the_models_state_values():
    assert due.NEW == CardState.NEW
    assert set(due.LEARNING_STATES) == {CardState.LEARNING, CardState.RELEARNING}
    assert due.REVIEW_STATES == (CardState.REVIEW,)
    assert set(due.STARTED_STATES) == set(CardState) - {CardState.NEW}
