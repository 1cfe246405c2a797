"""The corpus: every broken deck fails with exactly the problems its header announces,
every good deck loads cleanly.

Header of a broken file (the first comment lines):

    # expect: 7: unknown key 'frnt' (did you mean 'front'?)   (one line per problem)
    # schema: fails | n/a    (must the JSON Schema reject it too? see test_deck_schema)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from deck_helpers import BROKEN, GOOD

from quiz.deck import load_deck
from quiz.errors import DeckError

_EXPECT = re.compile(rb"^# expect: (\d+): (.*)$", re.M)


def expectations(path: Path) -> list[tuple[int, str]]:
    found = [
        (int(line), message.decode("utf-8")) for line, message in _EXPECT.findall(path.read_bytes())
    ]
    assert found, f"{path.name} has no '# expect: LINE: message' header"
    return found


BROKEN_FILES = sorted(BROKEN.glob("*.yaml"))
GOOD_FILES = sorted(GOOD.glob("*.yaml"))


def test_corpus_is_there():
    assert len(BROKEN_FILES) >= 40
    assert len(GOOD_FILES) >= 4


@pytest.mark.parametrize("path", BROKEN_FILES, ids=lambda p: p.stem)
def test_broken_deck_reports_exactly_its_problems(path: Path):
    with pytest.raises(DeckError) as info:
        load_deck(path)
    got = info.value.problems
    want = expectations(path)
    rendered = "\n".join(str(p) for p in got)
    assert len(got) == len(want), f"expected {len(want)} problems, got:\n{rendered}"
    unmatched = list(got)
    for line, message in want:
        match = next((p for p in unmatched if p.line == line and message in p.message), None)
        assert match is not None, f"no problem '{line}: {message}' among:\n{rendered}"
        unmatched.remove(match)
    for problem in got:
        assert problem.path == str(path)
        assert str(problem).startswith(f"{path}:{problem.line}: ")


@pytest.mark.parametrize("path", GOOD_FILES, ids=lambda p: p.stem)
def test_good_deck_loads(path: Path):
    deck = load_deck(path)
    assert deck.cards
    assert deck.path == str(path)
    assert len({card.key for card in deck.cards}) == len(deck.cards)
