"""`quiz check` end to end: CliRunner and a real `python -m quiz check` subprocess,
on good, bad, broken and unrecorded decks in tests/sandbox/decks/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quiz.cli import app

DECKS = Path(__file__).parent / "sandbox" / "decks"
ROOT = Path(__file__).parent.parent


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["check", *args], catch_exceptions=False)


def test_good_deck_is_clean(runner: CliRunner) -> None:
    result = invoke(runner, str(DECKS / "good.yaml"))
    assert result.exit_code == 0, result.output
    assert "problem" not in result.stdout


def test_bad_deck_lists_every_problem_with_path_and_line(runner: CliRunner) -> None:
    result = invoke(runner, str(DECKS / "bad.yaml"))
    assert result.exit_code == 1
    bad = str(DECKS / "bad.yaml")
    assert f"{bad}:4: expected '3', got '2'" in result.stdout
    assert f"{bad}:9: expected 'IndexError', got \"KeyError: 'k'\"" in result.stdout
    assert f"{bad}:14: output depends on the hash seed: PYTHONHASHSEED=1" in result.stdout
    assert (
        f"{bad}:19: skipped: needs Python >=3.99, running {sys.version_info.major}.{sys.version_info.minor}."
        in result.stdout
    )


def test_structure_problems_and_no_run(runner: CliRunner) -> None:
    result = invoke(runner, "--no-run", str(DECKS / "broken.yaml"), str(DECKS / "good.yaml"))
    assert result.exit_code == 1
    assert f"{DECKS / 'broken.yaml'}:4: output card 'no-code' has no 'code'" in result.stdout
    assert "did you mean 'front'" in result.stdout
    assert "(structure only)" in result.output


def test_no_run_flags_unrecorded_cards(runner: CliRunner) -> None:
    result = invoke(runner, "--no-run", str(DECKS / "unrecorded.yaml"))
    assert result.exit_code == 1 and "quiz check --record" in result.stdout


def test_usage_errors_exit_2(runner: CliRunner) -> None:
    assert invoke(runner, "no/such/deck.yaml").exit_code == 2
    assert invoke(runner, "--no-run", "--record", str(DECKS)).exit_code == 2
    assert runner.invoke(app, ["check"]).exit_code == 2


def test_json_report(runner: CliRunner) -> None:
    result = invoke(runner, "--json", str(DECKS / "bad.yaml"))
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["output_cards"] == 4
    assert {c["status"] for c in data["cards"]} == {"mismatch", "seed-dependent"}
    assert [n["line"] for n in data["notices"]] == [19]


def test_record_writes_answers_and_keeps_every_other_byte(
    runner: CliRunner, tmp_path: Path
) -> None:
    deck = tmp_path / "unrecorded.yaml"
    shutil.copy(DECKS / "unrecorded.yaml", deck)
    before = deck.read_bytes()
    result = invoke(runner, "--record", str(deck))
    assert result.exit_code == 1  # the flow-style card cannot be recorded automatically
    assert "cannot record into a flow-style card" in result.stdout
    after = deck.read_text()
    inserted = [
        "    output: |\n      a\n        b\n",
        "    raises: \"KeyError: 'k'\"\n",
        "    output: |-\n      x\n",
    ]
    for block in inserted:
        assert block in after
    stripped = after
    for block in inserted:
        stripped = stripped.replace(block, "", 1)
    assert stripped.encode() == before  # nothing else changed, byte for byte
    assert after.index("    output: |\n      a") < after.index("\n  - id: raises-after-output")
    assert after.index("    output: |-\n      x\n") < after.index("    # a comment inside the card")
    again = invoke(runner, str(deck))
    assert "output card has no expected" in again.stdout  # only the flow card is left
    problems = [line for line in again.stdout.splitlines() if "warning [" not in line]
    assert len(problems) == 1


def test_record_keeps_crlf_files_crlf(runner: CliRunner, tmp_path: Path) -> None:
    deck = tmp_path / "crlf.yaml"
    text = "deck: crlf\r\ntitle: CRLF\r\ncards:\r\n  - id: one\r\n    type: output\r\n    code: print(1)\r\n"
    deck.write_bytes(text.encode())
    assert invoke(runner, "--record", str(deck)).exit_code == 0
    assert deck.read_bytes() == (text + "    output: |\r\n      1\r\n").encode()
    assert invoke(runner, str(deck)).exit_code == 0


def test_record_refuses_seed_dependent_output(runner: CliRunner, tmp_path: Path) -> None:
    deck = tmp_path / "seed.yaml"
    text = "deck: seedy\ntitle: S\ncards:\n  - id: s\n    type: output\n    code: print(list({'alpha', 'beta', 'gamma', 'delta', 'epsilon'}))\n"
    deck.write_text(text)
    result = invoke(runner, "--record", str(deck))
    assert (
        result.exit_code == 1 and "not recorded: output depends on the hash seed" in result.stdout
    )
    assert deck.read_text() == text


def test_python_m_quiz_check_subprocess() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    good = subprocess.run(
        [sys.executable, "-m", "quiz", "check", str(DECKS / "good.yaml")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert good.returncode == 0, good.stderr
    assert "1 deck, 4 output cards, 12 runs: ok" in good.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "quiz", "check", str(DECKS)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert bad.returncode == 1
    assert "bad.yaml:4: expected '3', got '2'" in bad.stdout
    assert "\x1b" not in bad.stdout  # no progress bar or colour when not a terminal


# -- content lint: warnings by default, errors under --strict ---------------------------

LINTED = """\
deck: linted
title: Linted
cards:
  - id: copied
    type: output
    code: |
      print("hello there world")
    output: "hello there world\\n"
  - id: pinned-for-nothing
    type: output
    python: "<3.0"
    code: |
      print(sum([1, 2, 3]))
    output: "6\\n"
    explain: sum adds.
    source: docs
  - id: pinned-for-a-reason
    type: output
    python: "<3.0"
    code: |
      print(1 / 2)
    output: "0\\n"
    explain: Python 2 floors.
    source: docs
"""


def test_lint_warns_by_default_and_fails_under_strict(runner: CliRunner, tmp_path: Path) -> None:
    deck = tmp_path / "linted.yaml"
    deck.write_text(LINTED, encoding="utf-8")
    plain = invoke(runner, str(deck))
    assert plain.exit_code == 0, plain.output
    assert f"{deck}:4: warning [output-in-code]: card 'copied'" in plain.stdout
    assert f"{deck}:4: warning [no-explain]: card 'copied'" in plain.stdout
    assert "warnings (errors under --strict)" in plain.output
    strict = invoke(runner, "--strict", str(deck))
    assert strict.exit_code == 1
    assert f"{deck}:4: error [output-in-code]: card 'copied'" in strict.stdout


def test_a_pin_that_the_running_interpreter_passes_is_reported(
    runner: CliRunner, tmp_path: Path
) -> None:
    deck = tmp_path / "linted.yaml"
    deck.write_text(LINTED, encoding="utf-8")
    result = invoke(runner, "--json", "--strict", str(deck))
    data = json.loads(result.stdout)
    pins = [p for p in data["problems"] if "unneeded-pin" in p["message"]]
    assert [p["line"] for p in pins] == [9]  # 1 / 2 really differs on Python 2: that pin stays
    assert "excludes" in pins[0]["message"] and "widen the pin" in pins[0]["message"]
    assert [n["line"] for n in data["notices"]] == [9, 17]  # both still skipped, with a notice


def test_json_lists_lint_warnings_by_rule(runner: CliRunner, tmp_path: Path) -> None:
    deck = tmp_path / "linted.yaml"
    deck.write_text(LINTED, encoding="utf-8")
    result = invoke(runner, "--json", "--no-run", str(deck))
    data = json.loads(result.stdout)
    assert data["ok"] is True  # warnings alone do not fail without --strict
    assert {(w["line"], w["rule"]) for w in data["warnings"]} == {
        (4, "output-in-code"),
        (4, "no-explain"),
        (4, "no-source"),
    }


def test_ci_checks_the_decks_strictly_on_every_interpreter() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "\nquiz check --strict decks/\n" in ci
    assert "/root/.pyenv/versions/3.1[0-3]*/bin/python" in ci
    assert 'quiz check --strict --python "${deck_python[$minor]}" decks/' in ci
