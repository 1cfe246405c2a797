"""Command lines at their edges: an output file that is a folder or already exists, a clock
at the ends of the calendar, 30-digit counts, a store name the file system refuses.
Each is one clear line and a non-zero exit, never a traceback or "internal error"."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BASIC_DECK, write_deck

HUGE = "1" * 30


def clean_failure(result, code: int = 2) -> str:
    """The single error line of a failed command (asserting there is exactly one)."""
    assert result.exit_code == code, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    text = "\n".join(lines)
    assert "Traceback" not in result.output and "internal error" not in text
    return text


@pytest.fixture
def imported(cli, env: Path) -> Path:
    deck = write_deck(env, "demo.yaml", BASIC_DECK)
    assert cli("import", str(deck)).exit_code == 0
    return deck


# ---- -o: a folder, a missing folder, a file where a folder should be, an existing file -------


OUTPUTS = {
    "schema": ("schema", "-o"),
    "csv": ("export", "-f", "csv", "-o"),
    "apkg": ("export", "-f", "apkg", "-o"),
    "draft": ("draft", "NOTES", "--no-run", "-o"),
}


def _args(kind: str, target: Path, env: Path) -> list[str]:
    notes = env / "notes.md"
    notes.write_text("# Topic\n\nWhat is a closure?\nA function with its free variables.\n")
    return [str(notes) if a == "NOTES" else a for a in OUTPUTS[kind]] + [str(target)]


@pytest.mark.parametrize("kind", sorted(OUTPUTS))
def test_output_to_a_folder_is_refused(cli, env, imported, kind):
    folder = env / "out"
    folder.mkdir()
    message = clean_failure(cli(*_args(kind, folder, env)))
    assert str(folder) in message
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("kind", sorted(OUTPUTS))
def test_output_under_a_file_or_a_missing_folder_is_refused(cli, env, imported, kind):
    blocker = env / "plain-file"
    blocker.write_text("keep me")
    message = clean_failure(cli(*_args(kind, blocker / "x.out", env)))
    assert "not a folder" in message
    assert blocker.read_text() == "keep me"
    message = clean_failure(cli(*_args(kind, env / "missing" / "x.out", env)))
    assert "no such folder" in message
    assert not (env / "missing").exists()


@pytest.mark.parametrize("kind", ["schema", "csv", "apkg"])
def test_an_existing_file_is_replaced_only_with_force(cli, env, imported, kind):
    target = env / "existing.out"
    target.write_text("my own file")
    message = clean_failure(cli(*_args(kind, target, env)))
    assert "--force" in message and target.read_text() == "my own file"
    forced = cli(*_args(kind, target, env), "--force")
    assert forced.exit_code == 0, forced.output
    assert target.read_bytes() != b"my own file"
    if kind != "apkg":  # the same content again: nothing to replace, no --force needed
        assert cli(*_args(kind, target, env)).exit_code == 0


def test_draft_never_overwrites(cli, env):
    target = env / "deck.yaml"
    target.write_text("mine")
    assert "never overwrites" in clean_failure(cli(*_args("draft", target, env)))
    assert target.read_text() == "mine"


def test_yaml_export_into_a_file_where_a_folder_is_expected(cli, env, imported):
    blocker = env / "plain-file"
    blocker.write_text("keep me")
    assert "is a file" in clean_failure(cli("export", "-f", "yaml", "-o", str(blocker)))
    clean_failure(cli("export", "-f", "yaml", "-o", str(blocker / "sub")))
    assert blocker.read_text() == "keep me"


# ---- QUIZ_NOW at the ends of the calendar -------------------------------------------------


@pytest.mark.parametrize(
    "now", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+05:00"]
)
@pytest.mark.parametrize("command", [("review",), ("stats",), ("stats", "--json"), ("drill",)])
def test_clock_out_of_range_is_a_usage_error(cli, imported, now, command):
    message = clean_failure(cli(*command, input="3\n3\n", now=now))
    assert "QUIZ_NOW" in message and "out of range" in message


@pytest.mark.parametrize("now", ["1900-01-01T12:00:00Z", "8999-12-30T12:00:00Z"])
def test_clock_at_the_ends_of_its_range_works(cli, imported, now):
    for command in (("review",), ("drill", "--graded"), ("stats",), ("stats", "--json")):
        result = cli(*command, input="3\n3\n0.005\n3\n", now=now)
        assert result.exit_code == 0, (command, result.output)


# ---- counts too large for any session ----------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("review", "--limit", HUGE),
        ("review", "-n", HUGE),
        ("review", "--new", HUGE),
        ("drill", "--timed", HUGE),
        ("drill", "--timed", "1e308"),
    ],
)
def test_huge_counts_are_usage_errors(cli, imported, args):
    result = cli(*args, input="3\n")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


# ---- a store name the file system refuses, before the error boundary ----------------------


def run_quiz(env: Path, *args: str, db: str) -> subprocess.CompletedProcess[str]:
    environ = dict(os.environ, QUIZ_DB=db, QUIZ_CONFIG=str(env / "config.toml"))
    environ.pop("QUIZ_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "quiz", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


@pytest.mark.parametrize("args", [("due",), ("due", "--json"), ("import", "x.yaml"), ("decks",)])
def test_store_name_too_long_is_one_line(env, args):
    done = run_quiz(env, *args, db=str(env / ("s" * 300 + ".db")))
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "File name too long" in done.stderr and "internal error" not in done.stderr
    assert done.stdout == ""


# ---- deck data written to stdout ---------------------------------------------------------


class _Screen(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("tty", [True, False])
def test_exported_data_is_escaped_on_a_terminal_and_exact_in_a_pipe(monkeypatch, tty):
    from quiz.cli.authoring import write_stdout

    data = 'front,back\n"a\x1b]52;c;ZXZpbA==\x07\u202eb",c\n'
    screen = _Screen(tty)
    monkeypatch.setattr(sys, "stdout", screen)
    write_stdout(data)
    shown = screen.getvalue()
    if tty:
        assert "\x1b" not in shown and "\u202e" not in shown and "\\x1b]52" in shown
    else:
        assert shown == data
