"""README's tables of bundled decks say what is in decks/: each row names a shipped deck and
gives its own figures (notes, cards, output cards), so adding or removing a card without
updating the README fails here rather than misleading a reader. Nothing is hard-coded: the
figures come from loading the decks."""

from __future__ import annotations

import re

import pytest
from deck_helpers import REPO

from quiz.deck import load_paths
from quiz.model import CardKind, Deck

# | `deck-id` | topic ... | notes | cards | output cards |
ROW = re.compile(
    r"^\|\s*`([a-z0-9][a-z0-9-]*)`\s*\|.*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*$"
)


def readme_rows() -> dict[str, tuple[int, int, int]]:
    rows: dict[str, tuple[int, int, int]] = {}
    for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            deck, *figures = match.groups()
            assert deck not in rows, f"README lists deck {deck!r} twice"
            rows[deck] = (int(figures[0]), int(figures[1]), int(figures[2]))
    return rows


def figures(deck: Deck) -> tuple[int, int, int]:
    """Notes as written (a cloze note counts once), cards as reviewed, output cards."""
    notes = {card.note or card.id for card in deck.cards}
    outputs = sum(card.kind is CardKind.OUTPUT for card in deck.cards)
    return len(notes), len(deck.cards), outputs


@pytest.fixture(scope="module")
def shipped() -> dict[str, Deck]:
    decks, problems = load_paths([REPO / "decks"])
    assert not problems
    return {deck.id: deck for deck in decks}


def test_readme_rows_name_shipped_decks_with_their_figures(shipped: dict[str, Deck]) -> None:
    rows = readme_rows()
    assert rows, "README has no deck table"
    assert sorted(set(rows) - set(shipped)) == [], "README lists decks that decks/ does not have"
    assert rows == {deck: figures(shipped[deck]) for deck in rows}
