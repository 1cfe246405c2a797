"""Shared helpers for the deck tests: the corpus folders and a YAML-text parser."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from quiz.deck import parse_deck
from quiz.errors import DeckError, DeckProblem
from quiz.model import Deck

HERE = Path(__file__).parent
BROKEN = HERE / "broken"
GOOD = HERE / "good"
REPO = HERE.parent.parent


def parse(text: str, path: str = "t.yaml", **kwargs: object) -> Deck:
    """Parse dedented YAML text (so tests can indent their decks)."""
    return parse_deck(textwrap.dedent(text).encode(), path, **kwargs)  # type: ignore[arg-type]


def problems(text: str, path: str = "t.yaml", **kwargs: object) -> list[DeckProblem]:
    """The problems of dedented YAML text; fails the test if it parses cleanly."""
    with pytest.raises(DeckError) as info:
        parse(text, path, **kwargs)
    return info.value.problems
