"""The card browser's rules (`quiz cards`): which cards a query means, how they sort,
and what one line of the listing holds. Pure: the store supplies the cards and their
review counts, this decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from quiz.model import CardKind, CardState, StoredCard

# State names a learner can search by (a card may be in several: a suspended leech).
STATES = ("new", "learning", "review", "suspended", "buried", "leech")
SORTS = ("deck", "due", "interval", "lapses", "recall", "reviews")


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
class Listing:
    """One line of `quiz cards`."""

    item: StoredCard
    question: str
    states: tuple[str, ...]
    interval_days: float | None  # the learner days from the last review to the due date
    recall: float | None  # predicted probability of recall now (None: never answered)

    @property
    def key(self) -> str:
        return self.item.card.key


def states_of(item: StoredCard, buried_until: datetime | None, now: datetime) -> tuple[str, ...]:
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
    if buried_until is not None and buried_until > now:
        names.append("buried")
    if item.leech:
        names.append("leech")
    return tuple(names)


def question(item: StoredCard, lang: str | None) -> str:
    """The question a card is listed with (`quiz cards`, the weakest cards of `quiz
    stats`): its front, a cloze's question, or the first line of its code."""
    from quiz.deck import cloze

    card = item.card
    if card.kind == CardKind.CLOZE:
        return cloze.question(item.text(card.text, lang), card.cloze or 1)
    if card.front is not None:
        return item.text(card.front, lang)
    code = (card.code or "").strip().splitlines()
    return code[0] if code else ""


def searchable_text(item: StoredCard) -> str:
    """Every text of the card in every language, lower-cased, for `--text`."""
    card = item.card
    parts: list[str] = [card.key, card.code or ""]
    for text in (card.front, card.back, card.explain, card.text, *card.choices):
        if text is not None:
            parts.extend(value for _lang, value in text.variants)
    parts.extend(card.answers)
    return "\n".join(parts).casefold()


def matches(listing: Listing, query: CardQuery) -> bool:
    if query.text and query.text.casefold() not in searchable_text(listing.item):
        return False
    if query.states and not set(query.states) & set(listing.states):
        return False
    due = listing.item.schedule.due
    if query.due_before is not None and (due is None or due >= query.due_before):
        return False
    return listing.item.schedule.lapses >= query.min_lapses


def sort_key(sort: str) -> Callable[[Listing], tuple[object, ...]]:
    """Listings in this order (unknown sort names are refused by the command line)."""
    far = datetime.max.replace(tzinfo=None)

    def due(x: Listing) -> tuple[object, ...]:
        d = x.item.schedule.due
        return (d.replace(tzinfo=None) if d else far, x.key)

    keys: dict[str, Callable[[Listing], tuple[object, ...]]] = {
        "deck": lambda x: (x.item.card.deck, x.item.card.line, x.key),
        "due": due,
        "interval": lambda x: (-(x.interval_days or 0.0), x.key),
        "lapses": lambda x: (-x.item.schedule.lapses, x.key),
        "recall": lambda x: (x.recall if x.recall is not None else 2.0, x.key),
        "reviews": lambda x: (-x.item.schedule.reps, x.key),
    }
    return keys[sort]


def select(listings: Iterable[Listing], query: CardQuery) -> list[Listing]:
    chosen = [x for x in listings if matches(x, query)]
    chosen.sort(key=sort_key(query.sort))
    return chosen[: query.limit] if query.limit is not None else chosen
