"""Anki note types -> quiz cards.

An Anki note has fields; its note type's templates say which fields each card shows.
The standard types map onto quiz's card types:

| Anki note type | quiz |
|---|---|
| Basic | one basic card (front: the question template's fields, back: the rest) |
| Basic (and reversed card) | two basic cards, `ID` and `ID-r` (front and back swapped) |
| Basic (optional reversed card) | `ID`, and `ID-r` when the note has its reverse card |
| Basic (type in the answer) | a typed card (the `{{type:Field}}` field is the answer) |
| Cloze | a cloze card; Back Extra (or other fields) becomes `explain` |

Anything else is rendered the same general way — each of its templates that has a card
becomes a basic card with the fields that template shows — and a note whose templates
show nothing becomes one basic card listing every field by name. No note is dropped.

Card ids come from the Anki note id (`n1700000000000`), so a re-import of the same
note maps to the same quiz card and keeps its history; a cloze card of ordinal k is
`ID#c{k+1}` as in Anki. A note that quiz exported (`quiz export --format apkg`) names
its card in a `Key` field (`deck/id`): it comes back as that card of that deck.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from quiz.anki.html import html_to_text
from quiz.deck.cloze import numbers as cloze_numbers
from quiz.deck.fields import CARD_ID_PATTERN, DECK_ID_PATTERN, TAG_RE

_FIELD_REF = re.compile(r"\{\{([^#/^!{}][^{}]*)\}\}")
_SPECIAL = {"FrontSide", "Tags", "Deck", "Subdeck", "Card", "Type", "CardFlag", "CardID"}
EMPTY_BACK = "(empty in Anki)"
KEY_FIELD = "Key"  # the field quiz's exported note types name their card in
_QUIZ_KEY = re.compile(rf"({DECK_ID_PATTERN})/({CARD_ID_PATTERN})")


@dataclass(frozen=True)
class Template:
    name: str
    qfmt: str
    afmt: str


@dataclass(frozen=True)
class NoteType:
    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[Template, ...]
    cloze: bool


@dataclass(frozen=True)
class Note:
    id: int
    guid: str
    notetype: int
    fields: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class MappedNote:
    """The quiz cards of one note: YAML-ready dicts, Anki card ordinal -> quiz card id,
    and the media files its fields refer to."""

    cards: tuple[dict[str, object], ...]
    ids: dict[int, str]
    media: tuple[str, ...]
    unknown_type: bool
    deck: str | None = None  # a note quiz exported: the quiz deck it came from


def note_id(note: Note) -> str:
    return f"n{note.id}"


def quiz_key(text: dict[str, str]) -> tuple[str, str] | None:
    """(deck, card id) of a note quiz exported, from its Key field."""
    match = _QUIZ_KEY.fullmatch(text.get(KEY_FIELD, "").strip())
    return (match.group(1), match.group(2)) if match else None


def quiz_tags(tags: tuple[str, ...]) -> list[str]:
    """Anki tags as deck tags: `A::B` -> `a-b`; what the deck format cannot hold is dropped."""
    out = []
    for tag in tags:
        tag = tag.replace("::", "-").strip().lower()
        if tag and TAG_RE.fullmatch(tag):
            out.append(tag)
    return list(dict.fromkeys(out))


def _refs(fmt: str) -> list[tuple[str, str]]:
    """(modifier, field) for each `{{mod:Field}}` or `{{Field}}` in a template, in order."""
    out = []
    for match in _FIELD_REF.finditer(fmt):
        parts = match.group(1).strip().split(":")
        field = parts[-1].strip()
        modifier = parts[0].strip() if len(parts) > 1 else ""
        if field and field not in _SPECIAL:
            out.append((modifier, field))
    return out


def is_standard(notetype: NoteType) -> bool:
    return notetype.name.split("-")[0].strip() in {
        "Basic",
        "Basic (and reversed card)",
        "Basic (optional reversed card)",
        "Basic (type in the answer)",
        "Cloze",
    }


def map_note(note: Note, notetype: NoteType, ords: tuple[int, ...]) -> MappedNote:
    """The quiz cards for `note`, whose Anki cards have the template ordinals `ords`."""
    media: list[str] = []
    text: dict[str, str] = {}
    names = list(notetype.fields) + [
        f"Field {i + 1}" for i in range(len(notetype.fields), len(note.fields))
    ]
    for name, value in zip(names, note.fields, strict=False):
        converted, found = html_to_text(value)
        text[name] = converted
        media.extend(found)
    origin = quiz_key(text) if KEY_FIELD in notetype.fields else None
    if origin is not None:  # shown on no template: not a field of the card
        del text[KEY_FIELD]
    base = origin[1] if origin else note_id(note)
    tags = quiz_tags(note.tags)
    cards: list[dict[str, object]] = []
    ids: dict[int, str] = {}

    def add(card: dict[str, object]) -> None:
        if tags:
            card["tags"] = list(tags)
        cards.append(card)

    cloze_field = _cloze_field(notetype)
    if cloze_field is not None and cloze_numbers(text.get(cloze_field, "")):
        body = text[cloze_field]
        card: dict[str, object] = {"id": base, "type": "cloze", "text": body}
        extra = _join(text, [f for f in notetype.fields if f != cloze_field])
        if extra:
            card["explain"] = extra
        add(card)
        present = set(cloze_numbers(body))
        ids = {o: f"{base}#c{o + 1}" for o in ords if o + 1 in present}
        return MappedNote(
            tuple(cards), ids, tuple(dict.fromkeys(media)), False, origin[0] if origin else None
        )

    templates = dict(enumerate(notetype.templates))
    for ordinal in sorted(ords) or [0]:
        template = templates.get(ordinal)
        card_id = base if not cards else (f"{base}-r" if ordinal == 1 else f"{base}-t{ordinal + 1}")
        mapped = _template_card(template, text) if template else None
        if mapped is None:
            continue
        mapped["id"] = card_id
        add(mapped)
        ids[ordinal] = card_id
    if not cards:  # templates that show none of the fields: keep every field, by name
        front = text.get(names[0], "") if names else ""
        rest = [f for f in names[1:] if text.get(f)]
        back = "\n\n".join(f"{f}: {text[f]}" for f in rest)
        add({"id": base, "front": front or f"(note {note.id})", "back": back or EMPTY_BACK})
        ids = {o: base for o in ords[:1]}
    if origin is not None:
        return MappedNote(tuple(cards), ids, tuple(dict.fromkeys(media)), False, origin[0])
    return MappedNote(tuple(cards), ids, tuple(dict.fromkeys(media)), not is_standard(notetype))


def _cloze_field(notetype: NoteType) -> str | None:
    for template in notetype.templates:
        for modifier, field in _refs(template.qfmt):
            if modifier == "cloze":
                return field
    if notetype.cloze and notetype.fields:
        return notetype.fields[0]
    return None


def _join(text: dict[str, str], names: list[str]) -> str:
    return "\n\n".join(text[n] for n in dict.fromkeys(names) if text.get(n))


def _template_card(template: Template, text: dict[str, str]) -> dict[str, object] | None:
    question = _refs(template.qfmt)
    typed = [f for m, f in question if m == "type" and f in text]
    shown = [f for m, f in question if m != "type" and f in text]
    front = _join(text, shown)
    if not front:
        return None
    if typed and text.get(typed[0]):
        return {"type": "typed", "front": front, "answer": text[typed[0]]}
    answer = [f for m, f in _refs(template.afmt) if f in text and f not in shown]
    back = _join(text, answer) or _join(text, [f for f in text if f not in shown])
    return {"front": front, "back": back or EMPTY_BACK}
