"""An Anki package (.apkg) of quiz decks, written with genanki.

One Anki deck per quiz deck (named by its title), one note per card - except a cloze
note, whose parts (`id#c1`, `id#c2`) are one quiz card each but one Anki Cloze note,
since Anki makes the cards from the deletions itself. Note GUIDs are derived from the
card key (`deck/id`, or the note key for a cloze) and the language written, and deck
and note-type ids are fixed hashes, so importing a newer export into Anki updates the
notes instead of duplicating them, while an English and a Chinese export stay two sets
of notes (with one GUID, importing one would overwrite the other). Anki's browser sorts
by the question (the sort field), not by the `Key` field. Tags are kept. genanki is a
dependency of quiz.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from quiz.errors import QuizError
from quiz.export.gather import ExportDeck, one_per_note
from quiz.export.render import html_sides, to_html
from quiz.model import CardKind

# Fixed ids: the same note types on every export, so Anki recognises them.
BASIC_MODEL_ID = 1_607_392_319
CLOZE_MODEL_ID = 1_607_392_320
CSS = """.card { font-family: sans-serif; font-size: 18px; text-align: left; color: black; background: white; }
pre { text-align: left; padding: 8px; border-radius: 4px; overflow-x: auto; }
code { font-family: monospace; }
.cloze { font-weight: bold; color: blue; }"""


def stable_id(text: str) -> int:
    """A positive 60-bit id from `text` (deck ids)."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:15], 16)


def _models():
    import genanki

    basic = genanki.Model(
        BASIC_MODEL_ID,
        "quiz basic",
        fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Key"}],
        templates=[
            {"name": "Card 1", "qfmt": "{{Front}}", "afmt": '{{FrontSide}}<hr id="answer">{{Back}}'}
        ],
        css=CSS,
        sort_field_index=0,
    )
    cloze = genanki.Model(
        CLOZE_MODEL_ID,
        "quiz cloze",
        fields=[{"name": "Text"}, {"name": "Back Extra"}, {"name": "Key"}],
        templates=[
            {"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}<br>{{Back Extra}}"}
        ],
        css=CSS,
        model_type=genanki.Model.CLOZE,
        sort_field_index=0,
    )
    return basic, cloze


def write_apkg(
    decks: Sequence[ExportDeck],
    path: Path,
    lang: str | None,
    changed: Mapping[str, datetime] | None = None,
) -> dict[str, int]:
    """Write the package; return counts of notes per quiz deck.

    `changed` maps card keys to when their content last changed: each note carries that
    time as its modification time, so re-exporting unchanged cards does not make Anki
    see every note as modified (genanki would stamp them all with the export's time).
    """
    try:
        import genanki
    except ImportError:
        raise QuizError("exporting to Anki needs genanki: pip install genanki") from None
    changed = changed or {}

    class Note(genanki.Note):
        mod: float | None = None

        def write_to_db(self, cursor, timestamp, deck_id, id_gen):
            return super().write_to_db(cursor, self.mod or timestamp, deck_id, id_gen)

    basic, cloze = _models()
    packages = []
    counts: dict[str, int] = {}
    for deck in decks:
        written = lang or deck.lang or ""  # the language the notes are in
        by_note: dict[str, list[datetime]] = {}
        for part in deck.cards:
            if part.key in changed:
                by_note.setdefault(part.note_key, []).append(changed[part.key])
        anki_deck = genanki.Deck(stable_id(f"quiz-deck:{deck.id}"), deck.title_in(lang) or deck.id)
        for card in one_per_note(deck.cards):
            if card.kind is CardKind.CLOZE:
                sides = html_sides(card, lang, deck.lang)
                fields = [
                    sides.front,
                    to_html(card.explain.get(lang, deck.lang)) if card.explain else "",
                    card.note_key,
                ]
                note = Note(
                    model=cloze,
                    fields=fields,
                    tags=list(card.tags),
                    guid=genanki.guid_for(card.note_key, written),
                )
            else:
                sides = html_sides(card, lang, deck.lang)
                note = Note(
                    model=basic,
                    fields=[sides.front, sides.back, card.key],
                    tags=list(card.tags),
                    guid=genanki.guid_for(card.key, written),
                )
            times = by_note.get(card.note_key, [])  # a cloze note: the latest of its parts
            note.mod = max(times).timestamp() if times else None
            anki_deck.add_note(note)
        counts[deck.id] = len(anki_deck.notes)
        packages.append(anki_deck)
    # through a temporary file and a rename: an interrupted or failed write leaves no half package
    tmp = path.with_name(f".{path.name}.quiz-tmp")
    try:
        genanki.Package(packages).write_to_file(str(tmp))
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise QuizError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return counts
