"""The pure core imports no SQL, terminal or subprocess code (DESIGN §7)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "quiz"
CORE = [
    "model.py",
    "scheduler.py",
    "grading.py",
    "stats/__init__.py",
    "stats/rows.py",
    "stats/figures.py",
    "stats/ranking.py",
    "stats/classroom.py",
    "stats/shape.py",
    "session.py",
    "queue.py",
    "day.py",
    "errors.py",
    "deck",
]
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
    names = {p.name for p in core_files()}
    assert {"model.py", "scheduler.py", "session.py"} <= names
