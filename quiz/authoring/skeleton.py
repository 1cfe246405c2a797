"""What `quiz new` writes: a new deck with one working example card of each type, and
the skeleton of one card of a given type.

The example cards are real cards, not comments: `quiz check` validates and runs them, so
a new deck is clean from its first minute, and each example shows the keys of its type
in use (editors with the schema line complete the rest). The author edits or deletes
them. A card skeleton holds placeholders that are valid values, so the deck keeps
loading; an output card's expected result is left out, because the author is about to
change its code: `quiz check --record FILE` runs it and writes the result in.
"""

from __future__ import annotations

from collections.abc import Container

from quiz.authoring.ids import text_id
from quiz.authoring.yaml_text import card_lines, scalar
from quiz.deck.fields import CARD_TYPES
from quiz.errors import UsageError

DECK_TEMPLATE = """\
{schema_line}
# A quiz deck (format v1), one deck per file. The README section "Writing decks" has the details.
# Check it:       quiz check {file}      (validates, and runs every output card)
# Add a card:     quiz new card {file} --type basic|typed|choice|cloze|output
# Tidy it:        quiz fmt {file}
# Load it:        quiz import {file}
deck: {deck}
title: {title}
description: What this deck teaches (Markdown).
lang: {lang}
tags: [{deck}]
python: ">=3.10"
cards:
  # basic: a question and an answer; the learner rates their own recall.
  - id: example-basic
    front: What does `len([1, 2, 3])` return?
    back: "`3`: the number of items in the list."
    explain: Optional. Shown after every answer, and on a miss.

  # typed: the learner types the answer; any entry of `answer` counts as right.
  - id: example-typed
    type: typed
    front: Which built-in turns `"42"` into the number 42?
    answer: [int, "int()"]

  # choice: `correct` is the index (from 0) of the right choice, or a list of them.
  - id: example-choice
    type: choice
    front: Which of these is immutable?
    choices: [list, dict, tuple]
    correct: 2

  # cloze: each {{{{cN::...}}}} is its own card; {{{{c1::answer::hint}}}} shows a hint.
  - id: example-cloze
    type: cloze
    text: "A {{{{c1::tuple}}}} is an immutable {{{{c2::sequence::kind of collection}}}}."

  # output: the learner predicts what `code` prints; it is run live in a sandbox.
  # Record the expected output of a new snippet with: quiz check --record {file}
  - id: example-output
    type: output
    code: |
      xs = [3, 1, 2]
      print(sorted(xs), xs)
    output: "[1, 2, 3] [3, 1, 2]\\n"
    explain: "`sorted()` returns a new list; `xs` itself is unchanged."
"""


def deck_skeleton(deck: str, title: str, lang: str, file_name: str, schema_line: str) -> str:
    return DECK_TEMPLATE.format(
        schema_line=schema_line,
        deck=deck,
        title=scalar(title),
        lang=scalar(lang),
        file=file_name,
    )


def card_skeleton(
    kind: str,
    taken: Container[str],
    card_id: str | None = None,
    front: str | None = None,
    vary: bool = False,
) -> dict[str, object]:
    """A card of `kind` with placeholder values and an id not in `taken`.

    The id is `card_id` if given, else derived from `front`, else `<kind>-N`. `vary`
    (output cards) writes a `vary:` block and code that uses it: such a card needs no
    recorded output, so it is checkable as it stands.
    """
    if kind not in CARD_TYPES:
        raise UsageError(f"unknown card type '{kind}'; use one of: {', '.join(CARD_TYPES)}")
    if card_id is None:
        if front:
            card_id = text_id(front, taken)
        else:
            n = 1
            while f"{kind}-{n}" in taken:
                n += 1
            card_id = f"{kind}-{n}"
    question = front or "TODO: the question?"
    card: dict[str, object] = {"id": card_id}
    if kind != "basic":
        card["type"] = kind
    if kind == "basic":
        card.update(front=question, back="TODO: the answer.")
    elif kind == "typed":
        card.update(front=question, answer=["TODO"])
    elif kind == "choice":
        card.update(front=question, choices=["TODO: right", "TODO: wrong"], correct=0)
    elif kind == "cloze":
        text = front or "TODO: a sentence with a {{c1::gap}} to fill."
        if "{{c" not in text:
            raise UsageError(
                "a cloze text needs a deletion like {{c1::answer}} (give it with --front)"
            )
        card["text"] = text
    else:  # output
        if front:
            card["front"] = front
        if vary:
            card["code"] = 'xs = {{container}}(range({{n}}))\nprint(len(xs), xs[-1], "TODO")\n'
            card["vary"] = {"n": {"range": [2, 5]}, "container": ["list", "tuple"]}
        else:
            card["code"] = 'print("TODO: the snippet")\n'
    if vary and kind != "output":
        raise UsageError("--vary is for output cards (--type output)")
    return card


def card_text(
    card: dict[str, object], dash_indent: int, key_indent: int | None = None
) -> list[str]:
    """The card as lines for a block list whose dashes sit at `dash_indent` and whose keys
    sit at `key_indent` (the file's own style; 2 columns after the dash by default)."""
    lines = card_lines(card, 0)
    key_indent = dash_indent + 2 if key_indent is None else key_indent
    gap = key_indent - dash_indent - 1
    out = []
    for n, line in enumerate(lines):
        if n == 0:
            out.append(" " * dash_indent + "-" + " " * gap + line[2:])
        else:
            out.append(" " * (key_indent - 2) + line if line else "")
    return out
