"""The emitter writes strings the strict loader reads back exactly, whatever they hold."""

from __future__ import annotations

import pytest
import yaml

from quiz.authoring.yaml_text import card_lines, deck_text, plain_ok
from quiz.deck import parse_deck
from quiz.model import Text

TRICKY = [
    "no",
    "yes",
    "on",
    "off",
    "null",
    "~",
    "",
    " ",
    "1e3",
    "0777",
    "0o17",
    "+12",
    ".5",
    "1_000",
    "1:20",
    "2024-01-02",
    "true",
    "- item",
    "key: value",
    "a # not a comment",
    "#hash",
    "[list]",
    "{map}",
    "*star",
    "&anchor",
    "!tag",
    "|pipe",
    ">fold",
    "'single'",
    '"double"',
    "@at",
    "`tick`",
    "%pct",
    "trailing ",
    " leading",
    "tab\there",
    "line\nbreak",
    "two\nlines\n",
    "ends with newline\n",
    "\n\nleading breaks",
    "many trailing\n\n\n",
    "back\\slash",
    "nul\x00char",
    "bell\x07",
    "del\x7f",
    "nel\x85",
    "ls\u2028ps\u2029",
    "bom\ufeff",
    "中文：全角冒号",
    "emoji 🐍",
    "crlf\r\nline",
    "  indented\n  block\n",
    "colon:",
    "x:y",
    "trailing space \nnext",
    "\ttab first\n",
]


@pytest.mark.parametrize("value", TRICKY)
def test_every_string_survives_as_an_answer(value):
    text = deck_text(
        {
            "deck": "d",
            "title": "T",
            "cards": [
                {"id": "c", "type": "typed", "front": "q?", "answer": ["x", value]},
                {"id": "o", "type": "output", "code": "print(1)\n", "output": value},
            ],
        }
    )
    assert yaml.safe_load(text)["cards"][1]["output"] == value
    if value.strip():
        deck = parse_deck(text.encode(), "t.yaml")
        assert deck.cards[0].answers == ("x", value)
        assert deck.cards[1].output == value


def test_plain_only_when_safe():
    assert plain_ok("What is the GIL?")
    for value in ("no", "1e3", "0777", "2024-01-02", "a: b", "- x", ""):
        assert not plain_ok(value), value


def test_code_is_a_literal_block_and_text_maps_stay_ordered():
    lines = card_lines(
        {
            "id": "x",
            "type": "output",
            "code": "print(1)\nprint(2)\n",
            "front": {"zh": "问", "en": "Q"},
            "output": "1\n2\n",
        }
    )
    assert lines[:3] == ["  - id: x", "    type: output", "    front:"]
    assert "    code: |" in lines and "      print(2)" in lines
    deck = parse_deck(("deck: d\ntitle: T\ncards:\n" + "\n".join(lines) + "\n").encode(), "t")
    assert deck.cards[0].front == Text((("zh", "问"), ("en", "Q")))
    assert deck.cards[0].output == "1\n2\n"
