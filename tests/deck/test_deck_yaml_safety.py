"""YAML traps that must stay cheap and harmless: alias bombs, deep nesting, tabs."""

from __future__ import annotations

import tracemalloc

import pytest
from deck_helpers import problems

from quiz.deck import parse_deck
from quiz.errors import DeckError


def billion_laughs(levels: int = 9, fan_out: int = 10) -> bytes:
    """The classic alias bomb: 10**9 strings once expanded, under 1 KB of YAML."""
    lines = ["deck: bomb", "title: Bomb", 'lol0: &l0 "lol"']
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*l{level - 1}"] * fan_out)
        lines.append(f"lol{level}: &l{level} [{aliases}]")
    lines += ["cards:", "  - id: a", "    front: Q", f"    back: *l{levels}"]
    return ("\n".join(lines) + "\n").encode()


def test_billion_laughs_is_refused_fast_and_small():
    data = billion_laughs()
    assert len(data) < 1024
    tracemalloc.start()
    try:
        with pytest.raises(DeckError) as info:
            parse_deck(data, "bomb.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024  # refused before any expansion (not timed: see README)
    found = [(p.line, p.message) for p in info.value.problems]
    alias = "anchors and aliases are not supported in decks; write the value out"
    assert [line for line, message in found if message == alias] == list(range(4, 13)) + [16]
    assert [line for line, message in found if message.startswith("unknown key 'lol")] == list(
        range(3, 13)
    )
    assert len(found) == 20  # and nothing about the aliased value itself


def test_an_anchor_without_alias_is_harmless():
    deck = parse_deck(b"deck: d\ntitle: &t T\ncards: [{id: a, front: Q, back: A}]\n", "a.yaml")
    assert deck.title.get() == "T"


def test_deep_nesting_is_an_error_not_a_crash():
    for data in (
        b"deck: " + b"[" * 100_000 + b"]" * 100_000,
        b"deck: " + b"{a: " * 5_000 + b"1" + b"}" * 5_000,
    ):
        with pytest.raises(DeckError) as info:
            parse_deck(data, "deep.yaml")
        assert len(info.value.problems) == 1


def test_tab_indentation_says_so():
    for text in ("deck: d\ntitle: T\ncards:\n\t- id: a\n", "deck: d\n\ttitle: T\n"):
        with pytest.raises(DeckError) as info:
            parse_deck(text.encode(), "tabs.yaml")
        [problem] = info.value.problems
        assert problem.message.startswith("tabs are not allowed for indentation")


def test_tabs_inside_a_block_of_code_are_content():
    deck = parse_deck(
        b"deck: d\ntitle: T\ncards:\n  - id: a\n    type: output\n    code: |\n      if 1:\n      \tprint(1)\n"
        b'    output: "1\\n"\n',
        "t.yaml",
    )
    assert deck.cards[0].code == "if 1:\n\tprint(1)\n"


def test_unhashable_or_complex_keys_are_refused():
    found = problems("""
        deck: d
        title: T
        ? [complex, key]
        : value
        cards:
          - {id: a, front: Q, back: A}
    """)
    assert [(p.line, p.message) for p in found] == [
        (4, "keys must be plain words like 'front' (found a list as a key)")
    ]


def test_an_aliased_card_is_reported_once_as_an_alias():
    found = problems("""
        deck: d
        title: T
        cards:
          - &card {id: a, front: Q, back: A}
          - *card
    """)
    assert [(p.line, p.message) for p in found] == [
        (6, "anchors and aliases are not supported in decks; write the value out"),
    ]
