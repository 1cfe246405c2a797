"""`quiz fmt` keeps comments between cards at the cards' new indentation."""

from __future__ import annotations

from tests.conftest import write_deck

BEFORE = """\
deck: demo
title: Demo
cards:
# first section
- id: one
  back: A1.
  front: Q1?
# second section
- id: two
  front: |
    Q2
    # a line of the question, not a comment
  back: A2.
  # a note on card two
# after the cards
"""

AFTER = """\
deck: demo
title: Demo
cards:
  # first section
  - id: one
    front: Q1?
    back: A1.
  # second section
  - id: two
    front: |
      Q2
      # a line of the question, not a comment
    back: A2.
    # a note on card two
# after the cards
"""

DEEP = """\
deck: demo
title: Demo
cards:
    - id: one
      front: Q1?
      back: A1.
    # between, at the dashes
    - id: two
      front: Q2?
      back: A2.
"""


def test_fmt_reindents_comments_between_cards(cli, env):
    deck = write_deck(env, "demo.yaml", BEFORE)
    result = cli("fmt", str(deck))
    assert result.exit_code == 0, result.output
    assert deck.read_text() == AFTER
    assert cli("fmt", str(deck)).exit_code == 0
    assert deck.read_text() == AFTER  # stable


def test_a_comment_at_the_dashes_stays_between_the_cards(cli, env):
    deck = write_deck(env, "demo.yaml", DEEP)
    assert cli("fmt", str(deck)).exit_code == 0
    assert "    back: A1.\n  # between, at the dashes\n  - id: two\n" in deck.read_text()
