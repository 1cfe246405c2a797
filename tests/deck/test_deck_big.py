"""The generated big deck (also used by tests/bench) is valid and loads completely."""

from __future__ import annotations

import jsonschema
import yaml
from make_big_deck import make_deck_text

from quiz.deck import parse_deck
from quiz.deck.schema import json_schema
from quiz.model import CardKind


def test_big_deck_parses_with_every_card_type():
    deck = parse_deck(make_deck_text(500).encode(), "big.yaml")
    kinds = [c.kind for c in deck.cards]
    assert len(deck.cards) == 600  # 100 cloze notes with two deletions each
    assert {kind: kinds.count(kind) for kind in CardKind} == {
        CardKind.BASIC: 100,
        CardKind.TYPED: 100,
        CardKind.CHOICE: 100,
        CardKind.CLOZE: 200,
        CardKind.OUTPUT: 100,
    }
    lines = [c.line for c in deck.cards]
    assert lines == sorted(lines)
    assert deck.cards[1].requires == ("big-deck/basic-0",)


def test_big_deck_matches_the_schema():
    data = yaml.safe_load(make_deck_text(50))
    jsonschema.Draft202012Validator(json_schema()).validate(data)


def test_size_is_about_two_megabytes_at_ten_thousand_cards():
    size = len(make_deck_text(10_000).encode())
    assert 1_500_000 < size < 2_700_000
