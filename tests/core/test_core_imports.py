"""The pure core imports no SQL, terminal or subprocess code (ARCHITECTURE.md, "Layers").

Every module of the package is classified: pure core, use case (meets the store through
the Repo), or edge (store, sandbox, ui, cli, and the file formats). A new module that
is in none of the lists fails `test_every_module_is_classified`, so the core's boundary
is decided on purpose, not by accident."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "quiz"
CORE = [
    "__init__.py",
    "model.py",
    "errors.py",
    "clock.py",
    "config.py",
    "scheduler.py",
    "grading.py",
    "evaluate.py",
    "replay_log.py",
    "safe_text.py",
    "trace.py",
    "browse.py",
    "stats/__init__.py",
    "stats/rows.py",
    "stats/figures.py",
    "stats/ranking.py",
    "stats/classroom.py",
    "stats/shape.py",
    "anki",
    "deck",
    "review/__init__.py",
    "review/answer.py",
    "review/options.py",
    "review/queue.py",
    "review/session.py",
    "review/suggest.py",
    "review/goal.py",
    "review/choices.py",
]
# Use cases: they meet the store through the Repo, and nothing else of the edges.
USE_CASES = [
    "review/settings.py",
    "review/plan.py",
    "review/recorder.py",
    "review/today.py",
    "review/drill.py",
    "collection.py",
    "rebuild.py",
    "optimize.py",
    "verify.py",
    "classroom.py",
    "manage.py",
    "stats/gather.py",
    "anki_history.py",
]
EDGES = ["__main__.py", "store", "sandbox", "ui", "cli", "export", "authoring"]
FORBIDDEN = (
    "sqlalchemy",
    "alembic",
    "rich",
    "typer",
    "click",
    "subprocess",
    "quiz.store",
    "quiz.ui",
    "quiz.cli",
    "quiz.sandbox",
    "psycopg",
    "sqlite3",
    "plotext",
)


def core_files() -> list[Path]:
    files: list[Path] = []
    for name in CORE:
        path = ROOT / name
        if path.is_dir():
            files.extend(sorted(path.rglob("*.py")))
        else:
            assert path.exists(), f"{name} is listed as core but does not exist"
            files.append(path)
    return files


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_module_imports_nothing_from_the_edges(path: Path):
    bad = {
        m for m in imported_modules(path) if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)
    }
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_the_check_sees_the_core():
    names = {str(p.relative_to(ROOT)) for p in core_files()}
    assert {"model.py", "scheduler.py", "review/session.py", "review/queue.py"} <= names


def test_every_module_is_classified():
    listed = CORE + USE_CASES + EDGES
    unlisted = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if not any(
            str(path.relative_to(ROOT)) == name or path.relative_to(ROOT).parts[0] == name
            for name in listed
        )
    ]
    assert not unlisted, f"classify these in tests/core/test_core_imports.py: {unlisted}"
