"""`yaml_nodes.check_tree` without tags to look at (a text with no `!`, `<<` or `&`)
finds what the full walk finds, in the same order: the loader takes that walk for most
decks, and every duplicate key must still be reported at its line."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.deck import parse_deck
from quiz.deck.yaml_nodes import _Loader, check_tree
from quiz.errors import DeckError

KEYS = st.sampled_from(["a", "b", "c", "en", "'a'", '"b"', "1", "yes", "[a, b]", "{x: 1}"])
SCALARS = st.sampled_from(["1", "x", "yes", "''", "null", "2.5", "t: u"])


def flow(depth: int) -> st.SearchStrategy[str]:
    """A flow collection (one line): mappings with keys from a small pool, so that keys
    repeat, some of them lists or mappings (a complex key)."""
    if depth == 0:
        return SCALARS.filter(lambda s: ":" not in s)
    inner = st.one_of(SCALARS.filter(lambda s: ":" not in s), flow(depth - 1))
    mapping = st.lists(st.tuples(KEYS, inner), max_size=4).map(
        lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    )
    sequence = st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]")
    return st.one_of(mapping, sequence)


@st.composite
def block_texts(draw: st.DrawFn) -> str:
    """A block mapping of cards-like items whose values are scalars or flow collections."""
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        key = draw(KEYS.filter(lambda k: not k.startswith(("[", "{"))))
        lines.append(f"{key}:")
        for _ in range(draw(st.integers(0, 3))):
            lines.append(f"  - {draw(KEYS)}: {draw(st.one_of(SCALARS, flow(2)))}")
            for _ in range(draw(st.integers(0, 3))):
                lines.append(f"    {draw(KEYS)}: {draw(st.one_of(SCALARS, flow(2)))}")
    return "\n".join(lines) + "\n"


def walks(text: str) -> tuple[list[tuple[int | None, str]], list[tuple[int | None, str]]]:
    root = yaml.compose(text, Loader=_Loader)
    full = check_tree(root, "t.yaml", anchors=False)
    keys_only = check_tree(root, "t.yaml", anchors=False, tags=False)
    return [(p.line, p.message) for p in full], [(p.line, p.message) for p in keys_only]


@settings(max_examples=300, deadline=None, database=None)
@given(text=st.one_of(block_texts(), flow(3).map(lambda f: f"k: {f}\n")))
def test_the_walk_of_the_keys_finds_what_the_full_walk_finds(text: str) -> None:
    try:
        full, keys_only = walks(text)
    except yaml.YAMLError:  # a pool's key where YAML takes none: not a tree to walk
        return
    assert keys_only == full


def test_a_key_that_is_a_list_takes_the_full_walk_of_its_mapping() -> None:
    """(Such a key is the validator's to refuse: the walk compares only words.)"""
    text = "cards:\n  - {[a, b]: 1, [a, b]: {c: 1, c: 2}}\n  - x: 1\n    x: {c: 1, c: 2}\n"
    full, keys_only = walks(text)
    assert keys_only == full
    assert sorted(line for line, message in full if message.startswith("duplicate key")) == [
        2,
        4,
        4,
    ]


def test_a_deck_without_tags_reports_its_duplicate_keys_at_their_lines() -> None:
    """Through the loader: no `!`, `<<` or `&` in the file, so the keys-only walk."""
    data = (
        b"deck: d\ntitle: {en: T, en: U}\ncards:\n"
        b"  - id: a\n    front: Q\n    back: A\n    back: B\n"
    )
    with pytest.raises(DeckError) as info:
        parse_deck(data, "d.yaml")
    assert [(p.line, p.message) for p in info.value.problems] == [
        (2, "duplicate key 'en' (first defined at line 2)"),
        (7, "duplicate key 'back' (first defined at line 6)"),
    ]
