"""`quiz.model.make_card` (what the deck builder and `card_from_dict` make cards with) gives
the value `Card(**values)` gives: equal, with the same hash, the same defaults and the same
refusals, for every card of the repository's decks and of the generated big deck."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from quiz.deck import load_paths, parse_deck
from quiz.model import Card, CardKind, make_card

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(Path(__file__).parent))
from make_big_deck import make_deck_text  # type: ignore[import-not-found]  # noqa: E402


def _cards() -> list[Card]:
    decks, _problems = load_paths([ROOT / "decks", ROOT / "tests" / "deck" / "good"])
    big = parse_deck(make_deck_text(200).encode(), "big.yaml")
    return [card for deck in [*decks, big] for card in deck.cards]


def test_make_card_is_the_dataclass_value() -> None:
    cards = _cards()
    assert len(cards) > 200
    for card in cards:
        values = {f.name: getattr(card, f.name) for f in dataclasses.fields(Card)}
        built, made = Card(**values), make_card(values)
        assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
        assert made.key == built.key and made.note_key == built.note_key
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.id = "other"  # type: ignore[misc]  # frozen: the point of the test


def test_make_card_fills_defaults_and_refuses_what_card_refuses() -> None:
    assert make_card({"deck": "d", "id": "a", "kind": CardKind.BASIC}) == Card(
        deck="d", id="a", kind=CardKind.BASIC
    )
    with pytest.raises(TypeError):
        make_card({"deck": "d", "id": "a"})  # no kind
    with pytest.raises(TypeError):
        make_card({"deck": "d", "id": "a", "kind": CardKind.BASIC, "colour": "red"})
