"""What `quiz export` reads from the store, as SQL text that both drivers run.

An export only reads, and importing SQLAlchemy and the store's ORM models would cost a
good part of exporting a deck. So for a current SQLite store the export reads through the
read-only stdlib `sqlite3` connection of `quiz.store.lean`, and for every other store
(PostgreSQL, a store to migrate) through the Repo's session: the same statements either
way (the pattern of `quiz.store.selection`, whose card selection it reads the cards
with), so that both give the same decks, cards, times and answers. The Repo's own
`listed_decks` and `changed_at` are these reads. Imports no SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter

from quiz.model import CardFilter, StoredCard, Text
from quiz.store.selection import Params, Selection
from quiz.store.summaries import deck_title, json_value, text_from_json
from quiz.store.values import ENTRY_KINDS, instant_of, micros_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quiz.anki.revlog import AnswerRow

_REVIEW = ENTRY_KINDS.index("review")
_BOUND = 900  # SQLite's bound-parameter limit, with room to spare


@dataclass(frozen=True)
class ListedDeck:
    """A deck not removed, as an export names it: no counts."""

    deck: str
    title: Text
    lang: str | None = None
    description: Text | None = None


class ExportReads:
    """An export's reads of one learner's store, through the selection's driver-neutral
    `execute(sql, params)` (the lean connection's or the Repo session's)."""

    def __init__(self, selection: Selection) -> None:
        self.selection = selection
        self.execute = selection.execute
        self.learner_id = selection.learner_id
        self.sqlite = selection.sqlite

    def listed_decks(self) -> list[ListedDeck]:
        """The decks not removed, by id, with their titles, languages and descriptions
        (what `deck_summaries` says of them, without counting their cards)."""
        return [
            ListedDeck(slug, deck_title(slug, title), lang, text_from_json(json_value(about)))
            for slug, title, lang, about in self.execute(
                "SELECT slug, title, lang, description FROM decks"
                " WHERE removed_at IS NULL ORDER BY slug",
                {},
            )
        ]

    def cards(self, decks: Sequence[str]) -> list[StoredCard]:
        """The live cards of these decks with the learner's schedules, in deck order
        (`Repo.cards`' selection)."""
        return self.selection.select(
            CardFilter(decks=tuple(decks)), order_by="decks.slug, cards.position"
        )

    def changed_at(self, keys: Iterable[str]) -> dict[str, datetime]:
        """When each card's content last changed (cards that predate the record: absent)."""
        wanted = list(keys)
        out: dict[str, datetime] = {}
        for start in range(0, len(wanted), _BOUND):
            p = Params()
            names = p.names(wanted[start : start + _BOUND])
            for key, at in self.execute(
                f"SELECT key, changed_at FROM cards WHERE key IN ({names})"
                " AND changed_at IS NOT NULL",
                p,
            ):
                when = instant_of(at)
                if when is not None:
                    out[key] = when
        return out

    def answer_log(self, card_ids: Sequence[int]) -> dict[int, list[AnswerRow]]:
        """The learner's answers to these cards (oldest first), with the state each left
        the card in: the history an Anki export carries. Drills and manual changes are
        not answers Anki knows. Each answer is the row as the driver hands it over, in
        LoggedAnswer's order of columns (quiz.anki.revlog), its card first: the time as
        SQLite keeps it (integer microseconds; PostgreSQL's timestamps are read into the
        same), no datetime, enum, ORM object or copy per answer (an export reads a
        hundred thousand; each card's rows are grouped in C, not in a Python loop)."""
        out: dict[int, list[AnswerRow]] = {}
        ids = [int(i) for i in card_ids]
        for start in range(0, len(ids), _BOUND):
            rows: Iterable[AnswerRow] = self.execute(
                "SELECT card_id, reviewed_at, rating, duration_ms, prev_state, state, due_lag"
                " FROM reviews WHERE learner_id = :learner AND kind = :kind"
                f" AND card_id IN ({', '.join(map(str, ids[start : start + _BOUND]))})"
                " ORDER BY card_id, reviewed_at, id",
                {"learner": self.learner_id, "kind": _REVIEW},
            )
            if not self.sqlite:
                rows = [(r[0], micros_of(r[1]), *r[2:]) for r in rows]  # type: ignore[misc]
            out.update(
                (card_id, list(answers)) for card_id, answers in groupby(rows, key=itemgetter(0))
            )
        return out
