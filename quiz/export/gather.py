"""Which decks and cards an export writes, read from the store.

The store keeps the cards as the loader built them (deck tags already merged into each
card's tags, cloze notes split into one card per deletion, plain strings tagged with the
deck's language); the exporters work from that, so a deck that exists only in a shared
store can still be exported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from quiz.errors import NotFound
from quiz.model import Card, StoredCard, Text

if TYPE_CHECKING:
    from datetime import datetime

    from quiz.export.apkg import CardHistory
    from quiz.store.export_reads import ExportReads, ListedDeck


@dataclass(frozen=True)
class ExportDeck:
    id: str
    title: Text
    lang: str | None
    cards: tuple[Card, ...]
    description: Text | None = None
    # the cards as the store read them (row ids, the learner's schedules): `history_of`
    items: tuple[StoredCard, ...] = field(default=(), compare=False, repr=False)

    def title_in(self, lang: str | None) -> str:
        return self.title.get(lang, self.lang)


def one_per_note(cards: Sequence[Card]) -> list[Card]:
    """The cards to export as notes: a cloze note's parts (c1, c2, ...) become one."""
    seen: set[str] = set()
    out = []
    for card in cards:
        if card.note_key in seen:
            continue
        seen.add(card.note_key)
        out.append(card)
    return out


def wanted_decks(store: ExportReads, decks: Sequence[str]) -> list[ListedDeck]:
    """The store's decks (all, or those named in `decks`, once each), or NotFound."""
    known = {d.deck: d for d in store.listed_decks()}
    missing = [d for d in decks if d not in known]
    if missing:
        hint = (
            f" (the store has: {', '.join(known)})"
            if known
            else " (the store has no decks; run quiz import first)"
        )
        raise NotFound(f"no deck named {', '.join(repr(m) for m in missing)}{hint}")
    wanted = list(dict.fromkeys(decks)) if decks else list(known)
    if not wanted:
        raise NotFound("the store has no decks to export; run quiz import first")
    return [known[d] for d in wanted]


def read_deck(store: ExportReads, listed: ListedDeck) -> ExportDeck:
    """One deck with its live cards: an export that writes a file per deck reads them a
    deck at a time, so a big store's cards are not all held at once."""
    stored = tuple(store.cards([listed.deck]))
    return ExportDeck(
        listed.deck,
        listed.title,
        listed.lang,
        tuple(s.card for s in stored),
        description=listed.description,
        items=stored,
    )


def gather(store: ExportReads, decks: Sequence[str]) -> list[ExportDeck]:
    """The store's decks (all, or those named in `decks`), each with its live cards."""
    return [read_deck(store, listed) for listed in wanted_decks(store, decks)]


def history_of(decks: Sequence[ExportDeck]) -> dict[str, CardHistory]:
    """Where the learner left the exported cards that have a history (an Anki package
    carries it; see quiz.export.apkg), from the cards as `gather` read them; their
    answers are read as the package is written (`ExportReads.revlog_into`)."""
    from quiz.export.apkg import CardHistory

    return {
        s.card.key: CardHistory(s.row_id, s.schedule, s.suspended, answered=bool(s.schedule.reps))
        for deck in decks
        for s in deck.items
        if s.schedule.reps or s.suspended
    }


def read_export(
    store: ExportReads, decks: Sequence[str], apkg: bool, history: bool
) -> tuple[list[ExportDeck], dict[str, datetime], dict[str, CardHistory]]:
    """Everything an export reads before it writes: the decks (`gather`), and for an
    Anki package when each card last changed and (`history`) where the learner left
    them."""
    found = gather(store, decks)
    changed = store.changed_at([d.id for d in found]) if apkg else {}
    return found, changed, history_of(found) if apkg and history else {}
