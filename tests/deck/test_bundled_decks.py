"""The shipped decks reach a new learner: every file in decks/ is inside the installed
package, loads cleanly, and a new store gets all of them on first use.

Counts are read from the deck files, never written here, so adding a deck needs no edit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quiz.cli.context import bundled_decks_dir
from quiz.deck.loader import load_paths

DECKS = Path(__file__).resolve().parents[2] / "decks"
FILES = sorted(p.name for p in DECKS.glob("*.yaml"))


def test_every_deck_file_ships_in_the_package():
    shipped = sorted(p.name for p in Path(str(bundled_decks_dir())).glob("*.yaml"))
    assert FILES, "no decks in decks/"
    assert shipped == FILES


def test_every_bundled_deck_loads_cleanly():
    decks, problems = load_paths([DECKS])
    assert [str(p) for p in problems] == []
    assert len(decks) == len(FILES)


def test_a_new_store_gets_every_bundled_deck(cli, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("QUIZ_BUNDLED", "1")
    result = cli("decks", "--json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    in_store = {row["deck"]: row["cards"] for row in listed}
    decks, _ = load_paths([DECKS])
    assert in_store == {deck.id: len(deck.cards) for deck in decks}
    assert all(row["new"] == row["cards"] for row in listed)  # nothing started, nothing hidden
