"""Which cards a command shows: the one card selection, as SQL text that both drivers run.

`quiz review` must put its first card on screen before SQLAlchemy and the store's ORM
models have loaded (they cost more than the whole rest of the start), so today's plan
reads the store through the stdlib `sqlite3` connection of `quiz.store.lean` while the
full store loads behind the first card. The same statements run through the Repo's
session for every other command and back end (`Repo.select_cards` and the reads built on
it delegate here): one rule for "the live cards of a filter", "due", "new", "seen".

Conditions are SQL text over `cards`, `decks` and the learner's state alias `cs` (the
alias of `quiz.store.due`), with named parameters; `Params` hands out names that do not
clash when several conditions join one statement.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from quiz.clock import micros_since_1970
from quiz.model import CardFilter, CardState, Schedule, StoredCard, card_from_dict, frozen_maker
from quiz.store.content import full_content
from quiz.store.due import LEARNING_STATES, LIVE, NEW, REVIEW_STATES, state_time
from quiz.store.log_packs import times_from
from quiz.store.values import ENTRY_KINDS, instant_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

    from quiz.store.due import Execute

__all__ = [
    "LEARNING_STATES",
    "REVIEW_STATES",
    "AnsweredSince",
    "Params",
    "Selection",
    "schedule_from",
]

# A card with this learner's schedule, as `_stored` reads it back.
COLUMNS = (
    "cards.id, cards.content, cards.key, cards.kind, cards.line,"
    " cs.state, cs.step, cs.stability, cs.difficulty, cs.due, cs.last_review, cs.reps,"
    " cs.lapses, cs.suspended, cs.leech, cs.buried_until, decks.path, decks.lang"
)
FROM = (
    "cards JOIN decks ON decks.id = cards.deck_id"
    " LEFT JOIN card_states AS cs ON cs.card_id = cards.id AND cs.learner_id = :learner"
)
# never answered: no state, or a live NEW state (a card reset by hand)
FRESH = f"(cs.state IS NULL OR (cs.state = {NEW} AND {LIVE}))"
# the drill's rule: a suspended card stays out of drills unless it is a leech
NOT_HELD_BACK = (
    "NOT EXISTS (SELECT 1 FROM card_states AS held WHERE held.card_id = cards.id"
    " AND held.learner_id = :learner AND held.suspended = TRUE AND held.leech = FALSE)"
)
_REVIEW = ENTRY_KINDS.index("review")
_BOUND = 900  # SQLite's bound-parameter limit, with room to spare
_UNANSWERED = Schedule()  # one value for every card never answered: it is frozen
_STATES = {int(state): state for state in CardState}


@dataclass(frozen=True)
class AnsweredSince:
    """The answers (review entries) given since a time."""

    by_state: dict[int, int]  # how many, by the state the card was in (a CardState's int)
    notes: frozenset[str]  # the notes they answered (cloze siblings share one)


def schedule_from(
    state: int | None,
    step: int | None,
    stability: float | None,
    difficulty: float | None,
    due: datetime | None,
    last_review: datetime | None,
    reps: int | None,
    lapses: int | None,
) -> Schedule:
    """A Schedule from a card state's columns (`state` None: a card never answered)."""
    if state is None:
        return _UNANSWERED
    known = _STATES.get(state)  # CardState(state) without Enum's call
    return frozen_maker(Schedule)(
        CardState(state) if known is None else known,
        step,
        stability,
        difficulty,
        due,
        last_review,
        reps or 0,
        lapses or 0,
    )


class Params(dict[str, object]):
    """A statement's named parameters; `add` and `names` put values under fresh names
    (`prefix` keeps them apart from another Params' in one statement)."""

    def __init__(self, prefix: str = "p", **given: object) -> None:
        super().__init__(given)
        self.prefix = prefix

    def add(self, value: object) -> str:
        name = f"{self.prefix}{len(self)}"
        self[name] = value
        return f":{name}"

    def names(self, values: Iterable[object]) -> str:
        return ", ".join(self.add(v) for v in values)


class Selection:
    """The card selection of one learner through `execute(sql, params)` (quiz.store.due's
    driver-neutral callable); `sqlite`: how the store keeps times."""

    def __init__(self, execute: Execute, learner_id: int, sqlite: bool) -> None:
        self.execute = execute
        self.learner_id = learner_id
        self.sqlite = sqlite

    # ---- values as the store keeps them ---------------------------------------------

    def state_time(self, instant: datetime) -> object:
        """A time to compare with card_states' times (quiz.store.due.state_time)."""
        return state_time(instant, self.sqlite)

    def log_time(self, instant: datetime) -> object:
        """A time to compare with the log's `reviewed_at` (quiz.store.models.StoredTime)."""
        if self.sqlite:
            return micros_since_1970(instant)
        return instant.astimezone(timezone.utc).replace(tzinfo=None)

    def params(self, now: datetime | None = None, prefix: str = "p") -> Params:
        p = Params(prefix, learner=self.learner_id)
        if now is not None:
            p["now"] = self.state_time(now)
        return p

    # ---- the one selection --------------------------------------------------------

    def filter_sql(self, flt: CardFilter, p: Params) -> list[str]:
        """The conditions, over `cards` alone, of the live cards matching `flt`."""
        out = ["cards.retired = FALSE"]
        if flt.decks:
            out.append(
                f"cards.deck_id IN (SELECT id FROM decks WHERE slug IN ({p.names(flt.decks)}))"
            )
        if flt.tags:
            out.append(
                "EXISTS (SELECT 1 FROM card_tags WHERE card_tags.card_id = cards.id"
                f" AND card_tags.tag IN ({p.names(flt.tags)}))"
            )
        if flt.kinds:
            out.append(f"cards.kind IN ({p.names(flt.kinds)})")
        return out

    def select(
        self,
        flt: CardFilter,
        where: Sequence[str] = (),
        p: Params | None = None,
        *,
        order_by: str = "",
        limit: int | None = None,
        include_retired: bool = False,
    ) -> list[StoredCard]:
        """Cards matching `flt` and the conditions `where` (SQL over cards, decks and the
        learner's state `cs`, with their parameters in `p`), in this order, at most
        `limit`; `include_retired`: any card, `flt` ignored."""
        p = p if p is not None else self.params()
        p.setdefault("learner", self.learner_id)
        conditions = list(where) if include_retired else [*self.filter_sql(flt, p), *where]
        sql = f"SELECT {COLUMNS} FROM {FROM}"
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        if order_by:
            sql += f" ORDER BY {order_by}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._stored(self.execute(sql, p))

    def _stored(self, rows: Iterable[Sequence[Any]]) -> list[StoredCard]:
        """StoredCards from rows of COLUMNS: plain values, as either driver gives them."""
        out: list[StoredCard] = []
        append, loads, stored = out.append, json.loads, frozen_maker(StoredCard)
        for (
            row_id,
            content,
            key,
            kind,
            line,
            state,
            step,
            stability,
            difficulty,
            due,
            last_review,
            reps,
            lapses,
            suspended,
            leech,
            buried,
            path,
            lang,
        ) in rows:
            if isinstance(content, str):  # sqlite3 hands JSON over as text
                content = loads(content)
            answered = state is not None
            append(
                stored(
                    row_id,
                    card_from_dict(full_content(content, key, kind, line)),
                    schedule_from(
                        state,
                        step,
                        stability,
                        difficulty,
                        instant_of(due),
                        instant_of(last_review),
                        reps,
                        lapses,
                    )
                    if answered
                    else _UNANSWERED,
                    path,
                    bool(answered and suspended),
                    bool(answered and leech),
                    lang,
                    instant_of(buried),
                )
            )
        return out

    # ---- a drill's pool (quiz.review.drill) ---------------------------------------

    def drill_sql(self, flt: CardFilter, p: Params) -> list[str]:
        """`filter_sql` and the drill's rule: suspended cards are left out, except leeches
        (they are the ones to practise). Over `cards` alone (the state is looked up by a
        subquery), so other queries over `cards` can add them."""
        return [*self.filter_sql(flt, p), NOT_HELD_BACK]

    def drill_fill(self, flt: CardFilter, exclude: Sequence[int], limit: int) -> list[StoredCard]:
        """Up to `limit` more cards of the drill's pool, not in `exclude`: answered cards
        most overdue first, then never-answered ones in deck order (what a `--weak` drill
        asks once the cards with a miss or a lapse run out)."""
        p = self.params()
        where = [NOT_HELD_BACK]
        if exclude:
            where.append(f"cards.id NOT IN ({', '.join(str(int(i)) for i in exclude)})")
        order = (
            "CASE WHEN COALESCE(cs.reps, 0) > 0 THEN 0 ELSE 1 END, cs.due,"
            " decks.slug, cards.position"
        )
        return self.select(flt, where, p, order_by=order, limit=limit)

    def drill_ids(self, flt: CardFilter, among: Sequence[int] | None = None) -> list[int]:
        """Ids of the drill's pool (`drill_sql`), in id order; with `among`, only those
        of these ids (looked up by primary key, at most `_BOUND` a query)."""
        p = self.params()
        sql = "SELECT cards.id FROM cards WHERE " + " AND ".join(self.drill_sql(flt, p))
        if among is None:
            return [i for (i,) in self.execute(sql + " ORDER BY cards.id", p)]
        ids = [int(i) for i in among]
        return [
            i
            for start in range(0, len(ids), _BOUND)
            for (i,) in self.execute(
                f"{sql} AND cards.id IN ({', '.join(map(str, ids[start : start + _BOUND]))})"
                " ORDER BY cards.id",
                p,
            )
        ]

    def card_id_range(self) -> tuple[int, int] | None:
        """The lowest and highest card id (None: no cards), from the primary key."""
        lo, hi = next(iter(self.execute("SELECT MIN(id), MAX(id) FROM cards", {})))
        return None if lo is None else (int(lo), int(hi))

    def cards_by_id(self, card_ids: Iterable[int]) -> list[StoredCard]:
        """These cards, retired or not, in no particular order."""
        ids = [int(i) for i in card_ids]
        return (
            [
                c
                for start in range(0, len(ids), _BOUND)
                for c in self.select(
                    CardFilter(),
                    [f"cards.id IN ({', '.join(map(str, ids[start : start + _BOUND]))})"],
                    include_retired=True,
                )
            ]
            if ids
            else []
        )

    def cards_by_key(self, keys: Iterable[str]) -> list[StoredCard]:
        """The live cards with these keys, in no particular order."""
        wanted = list(dict.fromkeys(keys))
        out: list[StoredCard] = []
        for start in range(0, len(wanted), _BOUND):
            p = self.params()
            chunk = p.names(wanted[start : start + _BOUND])
            out.extend(self.select(CardFilter(), [f"cards.key IN ({chunk})"], p))
        return out

    def get_card(self, key: str) -> StoredCard | None:
        """The card with this key, retired or not."""
        p = self.params()
        found = self.select(CardFilter(), [f"cards.key = {p.add(key)}"], p, include_retired=True)
        return found[0] if found else None

    # ---- what a day of review reads ------------------------------------------------

    def due_cards(
        self, now: datetime, horizon: datetime, flt: CardFilter, states: Sequence[int], limit: int
    ) -> list[StoredCard]:
        """Live cards in `states` due by `horizon`, most overdue first."""
        p = self.params(now)
        where = [
            f"cs.state IN ({', '.join(str(int(s)) for s in states)})",
            f"cs.due <= {p.add(self.state_time(horizon))}",
            LIVE,
        ]
        return self.select(flt, where, p, order_by="cs.due, cards.id", limit=limit)

    def due_count(
        self, now: datetime, horizon: datetime, flt: CardFilter, states: Sequence[int]
    ) -> int:
        """How many cards `due_cards` would return without a limit (a count: the
        session's closing line must not load every card due tomorrow)."""
        p = self.params(now)
        where = [
            *self.filter_sql(flt, p),
            f"cs.state IN ({', '.join(str(int(s)) for s in states)})",
            f"cs.due <= {p.add(self.state_time(horizon))}",
            LIVE,
        ]
        sql = (
            "SELECT COUNT(*) FROM cards JOIN card_states AS cs"
            " ON cs.card_id = cards.id AND cs.learner_id = :learner WHERE " + " AND ".join(where)
        )
        return int(next(iter(self.execute(sql, p)))[0])

    def new_cards(
        self, now: datetime, flt: CardFilter, limit: int, *, interleave: bool = False
    ) -> list[StoredCard]:
        """Cards this learner has never answered (no state, or a live NEW state), in deck
        order; interleaved, the first new card of each deck, then the second of each...
        (each deck keeps its own order, so a card's `requires` still come first).

        Interleaving asks each deck for its first few new cards (the deck-position index
        answers each at once; a deck's share, more only when others run out) rather than
        ranking every new card in SQL, which costs seconds in a store of 100k cards.
        """
        from dataclasses import replace
        from itertools import zip_longest

        order = "decks.slug, cards.position"

        def first(f: CardFilter, n: int) -> list[StoredCard]:
            return self.select(f, [FRESH], self.params(now), order_by=order, limit=n)

        if not interleave:
            return first(flt, limit)
        decks = sorted(flt.decks or self.deck_slugs())
        if not decks:
            return []
        share = limit // len(decks) + 5  # rows cost: fetch about `limit` in all
        per_deck = [first(replace(flt, decks=(deck,)), share) for deck in decks]
        if sum(map(len, per_deck)) < limit:  # some decks ran out: the others give more
            per_deck = [
                first(replace(flt, decks=(deck,)), limit) if len(got) == share else got
                for deck, got in zip(decks, per_deck, strict=True)
            ]
        merged = [c for turn in zip_longest(*per_deck) for c in turn if c is not None]
        return merged[:limit]

    def deck_slugs(self) -> dict[str, str]:
        """deck id -> file path, for every deck in the store."""
        return {slug: path for slug, path in self.execute("SELECT slug, path FROM decks", {})}

    def require_known(self, decks: Sequence[str] = (), tags: Sequence[str] = ()) -> None:
        """Raise NotFound, with the nearest name as a suggestion, for a deck or tag the
        store has never seen: a typo in `--deck` or `--tag` would otherwise look like an
        empty day ("Nothing to review") instead of a mistake."""
        from quiz.errors import NotFound

        checks: list[tuple[str, Sequence[str], Iterable[str], str]] = []
        if decks:
            checks.append(("deck", decks, self.deck_slugs(), "quiz decks"))
        if tags:
            known_tags = [t for (t,) in self.execute("SELECT DISTINCT tag FROM card_tags", {})]
            checks.append(("tag", tags, known_tags, "quiz cards"))
        for what, wanted, known, where in checks:
            names = sorted(set(known))
            for name in wanted:
                if name not in names:
                    import difflib  # for the suggestion only: every listing passes here

                    close = difflib.get_close_matches(name, names, n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else f" (see: {where})"
                    raise NotFound(f"no {what} {name!r} in the store{hint}")

    def seen_keys(self, keys: Iterable[str]) -> set[str]:
        """Of these card keys, the ones this learner has answered at least once."""
        keys = list(keys)
        seen: set[str] = set()
        for start in range(0, len(keys), _BOUND):
            p = self.params()
            names = p.names(keys[start : start + _BOUND])
            seen.update(
                key
                for (key,) in self.execute(
                    "SELECT cards.key FROM cards JOIN card_states AS cs"
                    " ON cs.card_id = cards.id AND cs.learner_id = :learner"
                    f" WHERE cards.key IN ({names}) AND cs.reps > 0",
                    p,
                )
            )
        return seen

    def answered_since(self, since: datetime) -> AnsweredSince:
        """This learner's answers since `since`, by the state each card was in and the
        notes answered: what a day's plan reads of the day so far, in one statement (the
        log is a view on PostgreSQL, which a statement pays to plan)."""
        p = self.params()
        p["since"] = self.log_time(since)
        by_state: dict[int, int] = {}
        notes: set[str] = set()
        for state, note, n in self.execute(
            "SELECT reviews.prev_state, cards.note_key, COUNT(*) FROM reviews"
            " JOIN cards ON cards.id = reviews.card_id"
            " WHERE reviews.learner_id = :learner"
            f" AND {times_from('reviews', ':since', sqlite=self.sqlite)}"
            f" AND reviews.kind = {_REVIEW}"
            " GROUP BY reviews.prev_state, cards.note_key",
            p,
        ):
            by_state[int(state)] = by_state.get(int(state), 0) + int(n)
            notes.add(note)
        return AnsweredSince(by_state, frozenset(notes))
