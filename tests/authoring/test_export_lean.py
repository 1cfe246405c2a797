"""`quiz export` reads a current SQLite store through the read-only sqlite3 connection
(quiz.store.export_reads; no SQLAlchemy to import) and writes what the full store's
reading writes, byte for byte (csv, yaml) and row for row (apkg); what that connection
does not own (QUIZ_DEBUG, a store to migrate, another database) the full store reads."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import BASIC_DECK, write_deck

NOW = "2026-03-09T10:00:00Z"


def _day(n: int) -> str:
    return f"2026-03-{n:02d}T10:00:00Z"


@pytest.fixture
def answered(cli, env):
    write_deck(env, "demo.yaml", BASIC_DECK)
    assert cli("import", str(env / "demo.yaml")).exit_code == 0
    assert cli("review", "--new", "10", input="3\n1\n3\n", now=_day(1)).exit_code == 0
    assert cli("review", input="3\n3\n3\n", now=_day(3)).exit_code == 0
    return env


def run_quiz(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quiz", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, QUIZ_NOW=NOW, **extra),
        timeout=120,
    )


def package_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with zipfile.ZipFile(path) as package:
        assert sorted(package.namelist()) == ["collection.anki2", "media"]
        db = path.with_suffix(".anki2")
        db.write_bytes(package.read("collection.anki2"))
    with sqlite3.connect(db) as conn:
        tables = [t for (t,) in conn.execute("select name from sqlite_master where type = 'table'")]
        rows = {t: conn.execute(f"select * from {t} order by 1").fetchall() for t in tables}
        rows["sqlite_master"] = conn.execute("select * from sqlite_master order by name").fetchall()
    db.unlink()
    return rows


@pytest.mark.parametrize(
    "args",
    [
        ("-f", "apkg"),
        ("-f", "apkg", "--no-history"),
        ("-f", "csv"),
        ("-f", "yaml"),
    ],
)
def test_the_read_only_export_writes_what_the_full_store_does(answered, args):
    lean_out = answered / f"lean.{args[1]}"
    full_out = answered / f"full.{args[1]}"
    lean = run_quiz("export", *args, "-o", str(lean_out))
    full = run_quiz("export", *args, "-o", str(full_out), QUIZ_DEBUG="1")
    assert lean.returncode == full.returncode == 0, (lean.stderr, full.stderr)
    assert lean.stdout.replace("lean", "full") == full.stdout
    if args[1] == "apkg":
        rows = package_rows(lean_out)
        assert rows == package_rows(full_out)
        assert len(rows["notes"]) == 4
        assert bool(rows["revlog"]) == ("--no-history" not in args)
    else:
        assert lean_out.read_bytes() == full_out.read_bytes()


def test_an_export_imports_no_sqlalchemy(answered):
    for args in (("-f", "apkg"), ("-f", "csv"), ("-f", "yaml")):
        target = answered / f"out.{args[1]}"
        code = (
            "import sys; from quiz.cli import main; "
            f"sys.argv = ['quiz', 'export', *{args!r}, '-o', {str(target)!r}]; "
            "import atexit; atexit.register(lambda: print(sorted("
            "m for m in ('sqlalchemy', 'quiz.store.repo') if m in sys.modules))); main()"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=dict(os.environ, QUIZ_NOW=NOW),
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().splitlines()[-1] == "[]", args
        assert target.exists()


def test_what_the_read_only_connection_does_not_own_goes_to_the_full_store(answered, monkeypatch):
    from quiz.cli import context

    lean = context.read_only_store()
    assert lean is not None
    lean.close()
    missing = run_quiz("export", "-f", "csv", QUIZ_DB=str(answered / "missing.db"))
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    monkeypatch.setenv("QUIZ_DEBUG", "1")
    assert context.read_only_store() is None


def test_a_missing_deck_is_one_line(answered):
    done = run_quiz("export", "-f", "csv", "--deck", "nope")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "quiz: no deck named 'nope' (the store has: demo)"


@pytest.mark.parametrize("step", ["read_answers", "revlog_into"])
def test_a_store_error_while_the_answers_are_read_or_written_reads_through_the_full_store(
    answered, cli, monkeypatch, step
):
    """The answers are read in two halves through the read-only connection: each card's
    answers while another thread writes the notes (`read_answers`; the thread is waited
    for), then into the attached collection itself (`revlog_into`). When either fails on
    the store's side, the package is not left half made and nothing is left behind: the
    export goes through the full store (whose session reads the same rows) and writes
    the same package as a clean run."""
    from quiz.store.export_reads import ExportReads

    clean = answered / "clean.apkg"
    assert cli("export", "-f", "apkg", "-o", str(clean), now=NOW).exit_code == 0
    real = getattr(ExportReads, step)
    attempts: list[bool] = []

    def failing(self, arg):
        attempts.append(self.attached is not None)
        if self.attached is not None:
            raise sqlite3.OperationalError("disk I/O error")
        return real(self, arg)

    monkeypatch.setattr(ExportReads, step, failing)
    target = answered / "retried.apkg"
    result = cli("export", "-f", "apkg", "-o", str(target), now=NOW)
    assert result.exit_code == 0, result.output
    assert attempts == [True, False]
    assert package_rows(target) == package_rows(clean)
    assert not list(answered.glob(".retried.apkg.quiz-tmp"))


@pytest.mark.parametrize("history", ["--history", "--no-history"])
def test_without_genanki_an_anki_export_is_one_line_and_leaves_no_file(
    answered, cli, monkeypatch, history
):
    """genanki is imported where the notes are made (with the history, on the thread
    beside the store's read): its absence is still one line, and no package or scratch
    file is left."""
    monkeypatch.setitem(sys.modules, "genanki", None)  # `import genanki` raises ImportError
    target = answered / "none.apkg"
    result = cli("export", "-f", "apkg", "-o", str(target), history, now=NOW)
    assert result.exit_code != 0
    assert "exporting to Anki needs genanki" in result.stderr
    assert "Traceback" not in result.output
    assert not target.exists() and not list(answered.glob(".none.apkg.quiz-tmp"))
