"""A deck from the store written back out as a deck file (`quiz export --format yaml`).

The store holds the cards as the loader built them, so writing them back means undoing
what the loader did, exactly enough that loading the file gives the same cards again:

- cloze parts (`id#c1`, `id#c2`) become one cloze card `id` again;
- the tags every card starts with become the deck's `tags` (the loader prepends them);
- an output card's `python` shared by all output cards becomes the deck's `python`;
- a text whose only language is the deck's is written as a plain string;
- `requires` inside the deck is written as plain ids (`deck/id` for other decks).
- the deck's description is written back as it was imported.
"""

from __future__ import annotations

from quiz.authoring.schema_line import PREFIX
from quiz.authoring.tags import hoist_common_tags
from quiz.authoring.yaml_text import deck_text
from quiz.export.gather import ExportDeck
from quiz.model import Card, CardKind, Text


def _text(text: Text, deck_lang: str | None) -> object:
    if len(text.variants) == 1 and text.variants[0][0] in ("", deck_lang or ""):
        return text.variants[0][1]
    return {lang or (deck_lang or "en"): value for lang, value in text.variants}


def _require(key: str, deck: str) -> str:
    other, _, rest = key.partition("/")
    return rest if other == deck else key


def card_data(card: Card, deck_lang: str | None, deck_python: str | None) -> dict[str, object]:
    data: dict[str, object] = {"id": card.note or card.id}
    if card.kind is not CardKind.BASIC:
        data["type"] = card.kind.value
    if card.front is not None:
        data["front"] = _text(card.front, deck_lang)
    if card.back is not None:
        data["back"] = _text(card.back, deck_lang)
    if card.text is not None:
        data["text"] = _text(card.text, deck_lang)
    if card.code is not None:
        data["code"] = card.code
    if card.kind is CardKind.CHOICE:
        data["choices"] = [_text(c, deck_lang) for c in card.choices]
        data["correct"] = card.correct[0] if len(card.correct) == 1 else list(card.correct)
    if card.kind is CardKind.TYPED:
        data["answer"] = card.answers[0] if len(card.answers) == 1 else list(card.answers)
    if card.kind is CardKind.OUTPUT:
        if card.vary is not None:
            data["vary"] = card.vary.to_data()
        if card.output is not None:
            data["output"] = card.output
        if card.raises is not None:
            data["raises"] = card.raises
        if card.accept:
            data["accept"] = list(card.accept)
        if card.match != "exact":
            data["match"] = card.match
        if card.python is not None and card.python != deck_python:
            data["python"] = card.python
        if card.timeout is not None:
            data["timeout"] = card.timeout
    if card.explain is not None:
        data["explain"] = _text(card.explain, deck_lang)
    if card.tags:
        data["tags"] = list(card.tags)
    if card.source is not None:
        data["source"] = card.source
    if card.requires:
        data["requires"] = list(dict.fromkeys(_require(k, card.deck) for k in card.requires))
    return data


def deck_data(deck: ExportDeck) -> dict[str, object]:
    notes: list[Card] = []
    seen: set[str] = set()
    for card in deck.cards:  # one cloze card per note; its parts share everything but `cloze`
        if card.kind is CardKind.CLOZE:
            if card.note_key in seen:
                continue
            seen.add(card.note_key)
        notes.append(card)
    pythons = {c.python for c in notes if c.kind is CardKind.OUTPUT}
    deck_python = pythons.pop() if len(pythons) == 1 and None not in pythons else None
    cards = [card_data(c, deck.lang, deck_python) for c in notes]
    deck_tags, cards = hoist_common_tags(cards)
    data: dict[str, object] = {"deck": deck.id, "title": _text(deck.title, deck.lang)}
    if deck.description is not None:
        data["description"] = _text(deck.description, deck.lang)
    if deck.lang:
        data["lang"] = deck.lang
    if deck_tags:
        data["tags"] = deck_tags
    if deck_python:
        data["python"] = deck_python
    data["cards"] = cards
    return data


def deck_yaml(deck: ExportDeck, schema_ref: str | None = None) -> str:
    header = ((PREFIX + schema_ref)[2:],) if schema_ref else ()
    return deck_text(
        deck_data(deck), header + (f"Exported by quiz from the store (deck {deck.id}).",)
    )
