"""The README and `--help` stay true: the two set-up commands, every command documented,
every command's help carrying an example (as sqlite-utils checks its docs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.main import get_command

from quiz.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands() -> list[tuple[str, object]]:
    root = get_command(app)
    found = []
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        if subs:
            found.extend((f"{name} {sub}", sub_cmd) for sub, sub_cmd in subs.items())
        else:
            found.append((name, cmd))
    return found


def test_readme_starts_with_exactly_two_setup_commands():
    top = README.split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", top, re.S)
    assert [b.strip() for b in blocks] == [
        "pip install . && quiz review",
        "pip install -e '.[test]' && pytest",
    ]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "\npip install -e '.[test]' && pytest\n" in ci


@pytest.mark.parametrize("name,cmd", commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_is_documented_with_an_example(name, cmd):
    assert f"quiz {name}" in README, f"README does not mention `quiz {name}`"
    help_text = cmd.help or ""  # type: ignore[attr-defined]
    assert "Example" in help_text, f"`quiz {name} --help` has no example"


def test_the_list_of_commands_is_not_empty():
    names = {n for n, _ in commands()}
    assert {"import", "check", "review", "due", "decks remove", "new deck", "store copy"} <= names
    assert isinstance(app, typer.Typer)
