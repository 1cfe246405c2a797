"""CSV export: one row per card with front, back and tags (space-separated, as Anki
writes them), text as Markdown. `quiz import` reads such a file back (through
`quiz.authoring.csv_import`), as it reads Anki's own text exports."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from quiz.export.gather import ExportDeck, one_per_note
from quiz.export.render import markdown_sides

COLUMNS = ("front", "back", "tags")


def write_csv(decks: Iterable[ExportDeck], out: TextIO, lang: str | None) -> int:
    """Write the rows; return how many. A cloze note is one row (its text, as written)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    rows = 0
    for deck in decks:
        for card in one_per_note(deck.cards):
            sides = markdown_sides(card, lang, deck.lang)
            writer.writerow((sides.front, sides.back, " ".join(card.tags)))
            rows += 1
    return rows
