"""Shared bits of the authoring tests."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTES_TXT = REPO / "data" / "notes" / "000_802ad004c453e1ce.txt"


def has_command(name: str) -> bool:
    from quiz.cli import app

    return any(c.name == name for c in app.registered_commands)


def require_check() -> None:
    if not has_command("check"):
        pytest.skip("`quiz check` is not registered in this build yet")
