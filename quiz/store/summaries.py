"""What `quiz decks` lists, from either driver: the one step from the rows of
`DueQueries.listed` (quiz.store.due) to `DeckSummary` values.

The full store (`Repo.deck_summaries`) and the lean path of `quiz decks` (a read-only
sqlite3 connection, quiz.store.lean) both call `deck_summaries`, so the counts, titles
and descriptions they show are read by the same SQL and built by the same code.
Imports no SQLAlchemy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from quiz.model import Text

if TYPE_CHECKING:
    from datetime import datetime

    from quiz.store.due import DueQueries


@dataclass(frozen=True)
class DeckSummary:
    deck: str
    title: Text
    cards: int
    new: int
    learning: int
    due: int
    suspended: int
    path: str
    lang: str | None = None
    buried: int = 0
    description: Text | None = None


def json_value(value: object) -> object:
    """A JSON column as a driver hands it over: text on SQLite (sqlite3, or SQLAlchemy's
    `text()`), already decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def text_from_json(data: object) -> Text | None:
    """A stored text field (`{"variants": [[lang, text], ...]}`), or None."""
    if not data:
        return None
    variants: list[list[object]] = data["variants"]  # type: ignore[index]  # stored JSON
    return Text(tuple((str(a), str(b)) for a, b in variants))


def deck_title(slug: str, stored: object) -> Text:
    """A deck's title (its id when it has none), from its stored column."""
    return text_from_json(json_value(stored)) or Text.plain(slug)


def deck_summaries(queries: DueQueries, now: datetime) -> list[DeckSummary]:
    """Every listed deck with its due / new / learning counts (quiz.store.due), its live
    cards, suspended cards and cards buried until after `now`, in slug order."""
    out = []
    for row, counts, cards, suspended, buried in queries.listed(now):
        _id, slug, title, path, lang, description = row
        out.append(
            DeckSummary(
                deck=slug,
                title=deck_title(slug, title),
                path=path,
                lang=lang,
                cards=cards,
                new=counts.new,
                learning=counts.learning,
                due=counts.due,
                suspended=suspended,
                buried=buried,
                description=text_from_json(json_value(description)),
            )
        )
    return out
