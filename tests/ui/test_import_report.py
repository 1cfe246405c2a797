"""quiz import's notes on a terminal: broken between words at its width, never inside a
word or a path (the terminal would cut `quiz check /a/deck.yaml` in two)."""

from __future__ import annotations

import io
import os
import pty

import pytest

from quiz.ui.import_report import fitted, terminal_width

NOTE = (
    "note: asyncio-in-depth has 22 output cards, not run on import; verify them with: "
    "quiz check /home/learner/decks/asyncio-in-depth.yaml (a snippet that fails in review "
    "is skipped, not graded)"
)


@pytest.mark.parametrize("width", [30, 60, 80, 100])
def test_a_note_fits_the_terminal_between_words(width: int):
    lines = fitted([NOTE], width)
    assert len(lines) > 1
    assert all(len(line) < width for line in lines if " " in line.strip())
    assert all(line.startswith("  ") for line in lines[1:])
    assert " ".join(line.strip() for line in lines) == NOTE
    assert any(
        line.strip().endswith("/home/learner/decks/asyncio-in-depth.yaml")
        or "/home/learner/decks/asyncio-in-depth.yaml" in line
        for line in lines
    )


def test_without_a_terminal_lines_stay_whole():
    assert fitted([NOTE, "short"], None) == [NOTE, "short"]
    assert terminal_width(io.StringIO()) is None


def test_a_terminal_has_a_width():
    leader, follower = pty.openpty()
    try:
        with os.fdopen(follower, "w", closefd=False) as stream:
            assert isinstance(terminal_width(stream), int)
    finally:
        os.close(leader)
        os.close(follower)
