"""The card browser's rules (`quiz cards`) that are not SQL: what one line of the
listing holds, the text search, and the two sorts the store cannot do the same way on
both back ends (by recall, by interval). Pure: the store's `quiz.store.browse_reads`
answers the rest of a query (states, due dates, lapses, the other sorts, the count).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from quiz.model import CardKind, CardState, Schedule, StoredCard, Text, frozen_maker

# State names a learner can search by (a card may be in several: a suspended leech).
STATES = ("new", "learning", "review", "suspended", "buried", "leech")
SORTS = ("deck", "due", "interval", "lapses", "recall", "reviews")
# sorted here (ties by card key); the others by the store (quiz.store.browse_reads)
PYTHON_SORTS = ("interval", "recall")


@dataclass(frozen=True)
class CardQuery:
    text: str = ""  # any language's front, back, text, choices, code, explain or id
    decks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    due_before: datetime | None = None
    min_lapses: int = 0
    sort: str = "deck"
    limit: int | None = None


@dataclass(frozen=True)
class Listed:
    """A card as the listing reads it: where it is, its schedule, and the texts its
    question is made of. Not the whole card: a listing of a whole collection spent most
    of its time making cards whose other fields it never shows."""

    row_id: int
    key: str
    deck: str
    kind: CardKind
    path: str
    line: int
    schedule: Schedule
    suspended: bool
    leech: bool
    buried_until: datetime | None
    lang: str | None  # the deck's default language
    front: Text | None
    text: Text | None
    cloze: int | None
    code: str | None

    @classmethod
    def of(cls, item: StoredCard) -> Listed:
        card = item.card
        return frozen_maker(cls)(
            item.row_id,
            card.key,
            card.deck,
            card.kind,
            item.path,
            card.line,
            item.schedule,
            item.suspended,
            item.leech,
            item.buried_until,
            item.lang,
            card.front,
            card.text,
            card.cloze,
            card.code,
        )

    def question(self, lang: str | None) -> str:
        """The question the card is listed with (`quiz cards`, the weakest cards of `quiz
        stats`): its front, a cloze's question, or the first line of its code; a text in
        `lang`, else the deck's language, else the first."""
        from quiz.deck import cloze

        if self.kind == CardKind.CLOZE:
            text = self.text.get(lang, self.lang) if self.text is not None else ""
            return cloze.question(text, self.cloze or 1)
        if self.front is not None:
            return self.front.get(lang, self.lang)
        code = (self.code or "").strip().splitlines()
        return code[0] if code else ""


@dataclass(frozen=True)
class Listing:
    """One line of `quiz cards`."""

    item: Listed
    question: str
    states: tuple[str, ...]
    interval_days: float | None  # the learner days from the last review to the due date
    recall: float | None  # predicted probability of recall now (None: never answered)

    @property
    def key(self) -> str:
        return self.item.key


def states_of(item: Listed, now: datetime) -> tuple[str, ...]:
    s = item.schedule.state
    names = [
        "new"
        if s == CardState.NEW
        else "review"
        if s == CardState.REVIEW
        else "learning"  # learning or relearning
    ]
    if item.suspended:
        names.append("suspended")
    if item.buried_until is not None and item.buried_until > now:
        names.append("buried")
    if item.leech:
        names.append("leech")
    return tuple(names)


def question(item: StoredCard, lang: str | None) -> str:
    """A stored card's question as it is listed (`Listed.question`)."""
    return Listed.of(item).question(lang)


def searchable_text(item: StoredCard) -> str:
    """Every text of the card in every language, lower-cased, for `--text`."""
    card = item.card
    parts: list[str] = [card.key, card.code or ""]
    for text in (card.front, card.back, card.explain, card.text, *card.choices):
        if text is not None:
            parts.extend(value for _lang, value in text.variants)
    parts.extend(card.answers)
    return "\n".join(parts).casefold()


def interval_days(s: Schedule) -> float | None:
    """The days from a card's last review to its due date (None: not both known)."""
    if s.due is None or s.last_review is None:
        return None
    return max(0.0, (s.due - s.last_review).total_seconds() / 86400)


def python_sort_key(sort: str, schedule: Schedule, recall: float | None) -> float:
    """A match's place in a `PYTHON_SORTS` sort (lowest first, then by card key)."""
    if sort == "recall":
        return recall if recall is not None else 2.0
    return -(interval_days(schedule) or 0.0)


def might_contain(content: object, needle: str) -> bool:
    """Whether any text in a card's stored content contains `needle` (case-folded):
    true for every card whose `searchable_text` does, so that only these are built and
    searched exactly."""
    if isinstance(content, str):
        return needle in content.casefold()
    if isinstance(content, dict):
        return any(might_contain(v, needle) for v in content.values())
    if isinstance(content, list):
        return any(might_contain(v, needle) for v in content)
    return False
