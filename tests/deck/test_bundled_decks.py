"""The decks shipped in decks/ reach a new learner: the package's bundled_decks folder is
decks/ itself (a symlink that the wheel follows), and the first command on an empty store
loads every one of them with all its cards. Nothing here counts decks or cards by hand,
so adding a deck file needs no change to this test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from deck_helpers import REPO

from quiz.cli.context import bundled_decks_dir
from quiz.deck import load_paths

SHIPPED = REPO / "decks"


def test_the_bundled_folder_holds_the_shipped_deck_files():
    bundled = Path(str(bundled_decks_dir()))
    assert sorted(p.name for p in bundled.glob("*.yaml")) == sorted(
        p.name for p in SHIPPED.glob("*.yaml")
    )


def test_a_new_store_loads_every_shipped_deck_with_all_its_cards(
    cli, monkeypatch: pytest.MonkeyPatch
):
    decks, problems = load_paths([SHIPPED])
    assert problems == []
    monkeypatch.setenv("QUIZ_BUNDLED", "1")

    listed = json.loads(cli("decks", "--json").stdout)

    assert {row["deck"]: row["cards"] for row in listed} == {d.id: len(d.cards) for d in decks}
    assert all(row["new"] == row["cards"] for row in listed)
