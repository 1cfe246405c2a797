"""What `quiz cards` reads: the card browser's query as SQL text that both drivers run.

The browser used to load every card of the store with its content, decide in Python
which matched and sort them all, to show twenty: its cost grew with the store, not
with the listing. Here the store answers the query's conditions (state, due date,
lapses), counts the matches and sorts them, and content is read only for the cards on
screen. Two parts stay in Python because SQL cannot say them the same way on both
back ends: the text search (case folding in every language, quiz.browse
`searchable_text`) and the sorts by recall (the scheduler's forgetting curve) and by
interval (learner days); for those the matches come as light rows, without content
unless the search needs it.

Conditions are over `cards`, `decks` and the learner's state `cs` (quiz.store.selection).
A card never answered has no state row: its schedule is a new card's (no due date, no
lapses, no reviews), as `selection.schedule_from` reads it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

import orjson

from quiz.browse import Listed
from quiz.model import CardFilter, CardKind, Schedule, frozen_maker, text_from_data
from quiz.store.due import LEARNING_STATES, NEW, REVIEW_STATES
from quiz.store.selection import FROM, Params, Selection, schedule_from
from quiz.store.values import instant_of

log = logging.getLogger(__name__)

_ANSWERED = "cs.state IS NOT NULL"
_LAPSES = f"(CASE WHEN {_ANSWERED} THEN COALESCE(cs.lapses, 0) ELSE 0 END)"
_REPS = f"(CASE WHEN {_ANSWERED} THEN COALESCE(cs.reps, 0) ELSE 0 END)"
_DUE = f"(CASE WHEN {_ANSWERED} THEN cs.due END)"
# one state name -> the condition that a card is in it (quiz.browse.states_of)
_STATE_SQL = {
    "new": f"(cs.state IS NULL OR cs.state = {NEW})",
    "learning": f"cs.state IN ({', '.join(map(str, LEARNING_STATES))})",
    "review": f"cs.state IN ({', '.join(map(str, REVIEW_STATES))})",
    "suspended": f"({_ANSWERED} AND cs.suspended = TRUE)",
    "leech": f"({_ANSWERED} AND cs.leech = TRUE)",
}
_LIGHT = (
    "cards.id, cards.key, decks.slug, cs.state, cs.step, cs.stability, cs.difficulty,"
    " cs.due, cs.last_review, cs.reps, cs.lapses"
)
# what a listing shows of a card (quiz.browse.Listed): the light columns, then its place,
# flags and content (for the question's texts)
_LISTED = (
    _LIGHT + ", cards.kind, decks.path, cards.line, cs.suspended, cs.leech, cs.buried_until,"
    " decks.lang, cards.content"
)
_CHUNK = 2000  # rows fetched at a time by the light reads
# the sorts by a count the learner's state keeps, most first (a card never answered: 0)
_COUNTS = {"lapses": "lapses", "reviews": "reps"}
# `+cs.learner_id`: a condition SQLite reads the learner's states for by scanning their
# table (small rows, in order) rather than through an index on learner_id, which reads
# each row apart; PostgreSQL reads `+x` as x
_STATES_OF_LEARNER = "FROM card_states AS cs WHERE +cs.learner_id = :learner"
# Learner days between two instants (quiz.clock.DayClock.days_between, as the scheduler
# counts them) differ from the clock's days by less than this: a day boundary crossed
# or not (< 1 day), and the zone's UTC offset at either end (< 27 hours apart).
ELAPSED_SLACK_DAYS = 3
# The store's days between two of a state's times differ from quiz.browse.interval_days'
# by less than this (SQLite's julianday keeps milliseconds): a second, with room.
INTERVAL_SLACK_DAYS = 1 / 86400


# a query's matches: its card filter, its conditions and their parameters
Among = tuple[CardFilter, Sequence[str], Params]


@dataclass(frozen=True)
class LightRow:
    """A matching card without its content: enough to sort by recall or interval."""

    card_id: int
    key: str
    deck: str
    schedule: Schedule
    content: Any  # the stored (compact) content, when a text search needs it


def in_chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """A statement's rows, `size` at a time: fetched so where the driver's result can."""
    fetch = getattr(rows, "fetchmany", None)
    if fetch is None:
        rows = iter(rows)
        return iter(lambda: list(islice(rows, size)), [])
    return iter(lambda: fetch(size), [])


class BrowseReads:
    """The browser's reads through a card `Selection` (either driver)."""

    def __init__(self, selection: Selection) -> None:
        self.sel = selection

    def conditions(
        self,
        states: Sequence[str],
        due_before: datetime | None,
        min_lapses: int,
        now: datetime,
        p: Params,
    ) -> list[str]:
        """The conditions of a query's state, due-date and lapse options."""
        out = []
        if states:
            either = [
                f"(cs.buried_until IS NOT NULL AND cs.buried_until > {p.add(self.sel.state_time(now))})"
                if name == "buried"
                else _STATE_SQL[name]
                for name in states
            ]
            out.append("(" + " OR ".join(either) + ")")
        if due_before is not None:
            out.append(f"{_DUE} < {p.add(self.sel.state_time(due_before))}")
        if min_lapses > 0:
            out.append(f"{_LAPSES} >= {p.add(int(min_lapses))}")
        return out

    def text_may_match(self, needle: str, p: Params) -> str | None:
        """A condition true of every card whose text may contain `needle` (case-folded),
        so that only those are read and searched exactly (quiz.browse.searchable_text),
        or None where SQL cannot tell: a needle with characters other than printable
        ASCII, or with a quote or backslash (the stored JSON escapes them). Within those
        bounds ASCII text folds as SQL's lower() does; a card holding any character
        outside printable ASCII (raw, or escaped as \\uXXXX; in its key too) is always
        searched.

        On SQLite, LIKE folds ASCII as lower() does without copying each text (its
        wildcards, a `%` or `_` in the needle, only let more cards through), and a text
        holds a character outside ASCII exactly when it has more bytes than characters
        (a raw control character, the rest of "outside printable ASCII", is in neither
        JSON text nor a needle): each a pass over the bytes, where a GLOB character
        class cost several times the rest of the query. The escape is found by LIKE
        too (it lets `\\U` through as well, which only adds cards to search): instr
        counts characters as it goes, LIKE does not."""
        if not (needle.isascii() and needle.isprintable()) or '"' in needle or "\\" in needle:
            return None
        if self.sel.sqlite:
            like = p.add(f"%{needle.casefold()}%")
            return (
                f"(cards.content LIKE {like} OR cards.key LIKE {like}"
                " OR cards.content LIKE '%\\u%'"
                " OR length(CAST(cards.content AS BLOB)) > length(cards.content)"
                " OR length(CAST(cards.key AS BLOB)) > length(cards.key))"
            )
        n = p.add(needle.casefold())
        return (
            f"(strpos(lower(cards.content::text), {n}) > 0 OR strpos(lower(cards.key), {n}) > 0"
            " OR strpos(cards.content::text, '\\u') > 0 OR cards.content::text ~ '[^ -~]'"
            " OR cards.key ~ '[^ -~]')"
        )

    def order_by(self, sort: str) -> str:
        """The ORDER BY of a sort the store does (`deck`, `due`, `lapses`, `reviews`), or
        the card key's (the sorts done in Python end with it too)."""
        key = "cards.key" if self.sel.sqlite else 'cards.key COLLATE "C"'
        slug = "decks.slug" if self.sel.sqlite else 'decks.slug COLLATE "C"'
        return {
            "deck": f"{slug}, cards.line, {key}",
            "due": f"CASE WHEN {_DUE} IS NULL THEN 1 ELSE 0 END, {_DUE}, {key}",
            "lapses": f"{_LAPSES} DESC, {key}",
            "reviews": f"{_REPS} DESC, {key}",
        }.get(sort, key)

    def count(self, flt: CardFilter, where: Sequence[str], p: Params) -> int:
        """How many cards match (without conditions on the state, the cards alone are
        counted: a card's deck always exists and it has at most one state row)."""
        source = FROM if where else "cards"
        sql = f"SELECT COUNT(*) FROM {source} WHERE " + " AND ".join(
            [*self.sel.filter_sql(flt, p), *where]
        )
        return int(next(iter(self.sel.execute(sql, p)))[0])

    def ids(
        self, flt: CardFilter, where: Sequence[str], p: Params, sort: str, limit: int | None
    ) -> list[int]:
        """The matching card ids in the order of a sort the store does, at most `limit`.

        The first screen of the most lapsed or most reviewed cards would join every card
        to its state to sort them all. Instead the `limit`-th highest count among all of
        the learner's states (matching or not: one scan of small rows) is a floor, and
        only the cards at or above it are sorted: when at least `limit` of them match,
        they are the first `limit` matches, since every other match counts less. When
        fewer match (a filter), or the floor is 0, every match is sorted."""
        if limit is not None and sort in _COUNTS:
            column = _COUNTS[sort]
            floor = self._one(
                f"SELECT cs.{column} {_STATES_OF_LEARNER} ORDER BY cs.{column} DESC"
                f" LIMIT 1 OFFSET {int(limit) - 1}",
                self.sel.params(),
            )
            if floor is not None and floor > 0:
                q = Params(p.prefix, **p)
                above = (
                    f"cards.id IN (SELECT cs.card_id {_STATES_OF_LEARNER}"
                    f" AND cs.{column} >= {q.add(int(floor))})"
                )
                found = self._ids(flt, [*where, above], q, sort, limit)
                if len(found) == limit:
                    log.debug(
                        "cards --sort %s: the cards with %s >= %s sorted", sort, column, floor
                    )
                    return found
            log.debug("cards --sort %s: every match sorted (floor %s)", sort, floor)
        return self._ids(flt, where, p, sort, limit)

    def _ids(
        self, flt: CardFilter, where: Sequence[str], p: Params, sort: str, limit: int | None
    ) -> list[int]:
        sql = (
            f"SELECT cards.id FROM {FROM} WHERE "
            + " AND ".join([*self.sel.filter_sql(flt, p), *where])
            + f" ORDER BY {self.order_by(sort)}"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [card_id for (card_id,) in self.sel.execute(sql, p)]

    def _one(self, sql: str, p: Params) -> Any:
        """The first column of the first row (None: no row)."""
        row = next(iter(self.sel.execute(sql, p)), None)
        return None if row is None else row[0]

    def _source(self, among: Among | None) -> tuple[str, Params]:
        """`FROM ... WHERE ...` of the learner's states, or of a query's matches (with
        their state), and its parameters."""
        if among is None:
            return _STATES_OF_LEARNER, self.sel.params()
        flt, where, p = among
        q = Params(p.prefix, **p)
        return f"FROM {FROM} WHERE " + " AND ".join([*self.sel.filter_sql(flt, q), *where]), q

    # ---- the sort by interval: the longest first -------------------------------------

    def _interval(self) -> str:
        """A state's days from its last review to its due date, in SQL (to within
        INTERVAL_SLACK_DAYS of quiz.browse.interval_days, before its clamp at 0)."""
        if self.sel.sqlite:
            return "(julianday(cs.due) - julianday(cs.last_review))"
        return "(EXTRACT(EPOCH FROM cs.due - cs.last_review) / 86400.0)"

    def interval_floor(self, limit: int, among: Among | None = None) -> float | None:
        """The `limit`-th longest interval among all of the learner's states (one scan
        of the states) or a query's matches (`among`); None: fewer have one."""
        source, p = self._source(among)
        value = self._one(
            f"SELECT {self._interval()} {source} AND cs.due IS NOT NULL"
            f" AND cs.last_review IS NOT NULL ORDER BY 1 DESC LIMIT 1 OFFSET {int(limit) - 1}",
            p,
        )
        return None if value is None else float(value)

    def interval_at_least(self, days: float, p: Params) -> str:
        """A condition true of the cards whose state's interval reaches `days`."""
        return (
            f"cards.id IN (SELECT cs.card_id {_STATES_OF_LEARNER} AND cs.due IS NOT NULL"
            f" AND cs.last_review IS NOT NULL AND {self._interval()} >= {p.add(days)})"
        )

    # ---- the sort by recall: the weakest first -------------------------------------
    # Recall falls as the days since the last review per stability grow (for each deck's
    # parameters: quiz.manage._weakest); these reads bound that ratio, the scheduler
    # decides.

    def _days_since_review(self, now: datetime, p: Params) -> str:
        """Clock days (fractional) from a state's last review to `now`, in SQL."""
        when = p.add(self.sel.state_time(now))
        if self.sel.sqlite:
            return f"(julianday({when}) - julianday(cs.last_review))"
        return f"(EXTRACT(EPOCH FROM CAST({when} AS TIMESTAMP) - cs.last_review) / 86400.0)"

    def longest_unseen_ids(
        self, now: datetime, limit: int, among: Among | None = None
    ) -> list[int]:
        """The cards of the `limit` answered states that have gone longest since their
        last review for their stability (no stability first: recall 0; never reviewed
        last: no recall), among all of the learner's (one scan of the states) or a
        query's matches (`among`)."""
        source, p = self._source(among)
        days = self._days_since_review(now, p)
        # no condition that a missing state fails outright (`cs.state <> 0` would be):
        # SQLite would then read the states first, each through an index, not the matches
        sql = (
            f"SELECT cs.card_id {source} AND COALESCE(cs.state, {NEW}) <> {NEW}"
            " ORDER BY CASE WHEN cs.last_review IS NULL THEN 2 WHEN cs.stability IS NULL"
            f" OR cs.stability <= 0 THEN 0 ELSE 1 END, {days} / cs.stability DESC"
            f" LIMIT {int(limit)}"
        )
        return [card_id for (card_id,) in self.sel.execute(sql, p)]

    def may_have_faded(self, now: datetime, ratio: float, p: Params) -> str:
        """A condition true of every card with a recall whose learner days since its
        last review reach `ratio` x its stability (and of those without a stability)."""
        days = self._days_since_review(now, p)
        return (
            f"cards.id IN (SELECT cs.card_id {_STATES_OF_LEARNER} AND cs.state <> {NEW}"
            " AND cs.last_review IS NOT NULL AND (cs.stability IS NULL OR cs.stability <= 0"
            f" OR {days} + {ELAPSED_SLACK_DAYS} >= {p.add(ratio)} * cs.stability))"
        )

    def listed(
        self, flt: CardFilter, where: Sequence[str], p: Params, order_by: str, size: int
    ) -> Iterator[list[Listed]]:
        """Every matching card in this order as the listing shows it, `size` at a time
        as the statement hands them over: of its stored content only the question's
        texts are read (text_from_data, as a card's are), and no card is made."""
        sql = (
            f"SELECT {_LISTED} FROM {FROM} WHERE "
            + " AND ".join([*self.sel.filter_sql(flt, p), *where])
            + f" ORDER BY {order_by}"
        )
        make, kinds = frozen_maker(Listed), {kind.value: kind for kind in CardKind}
        for rows in in_chunks(self.sel.execute(sql, p), size):
            out = []
            for r in rows:
                content = _content(r[18])
                answered = r[3] is not None  # a card never answered has no state row
                out.append(
                    make(
                        r[0],
                        r[1],
                        r[2],
                        kinds.get(r[11]) or CardKind(r[11]),
                        r[12],
                        r[13],
                        _schedule(r),
                        bool(answered and r[14]),
                        bool(answered and r[15]),
                        instant_of(r[16]),
                        r[17],
                        text_from_data(content.get("front")),
                        text_from_data(content.get("text")),
                        content.get("cloze"),
                        content.get("code"),
                    )
                )
            yield out

    def light_rows(
        self,
        flt: CardFilter,
        where: Sequence[str],
        p: Params,
        order_by: str | None,
        *,
        content: bool,
    ) -> Iterator[LightRow]:
        """Every matching card in this order (None: any), without its content unless
        asked for."""
        columns = _LIGHT + (", cards.content" if content else "")
        sql = (
            f"SELECT {columns} FROM {FROM} WHERE "
            + " AND ".join([*self.sel.filter_sql(flt, p), *where])
            + (f" ORDER BY {order_by}" if order_by else "")
        )
        for chunk in in_chunks(self.sel.execute(sql, p), _CHUNK):
            for r in chunk:
                raw = _content(r[11]) if content else None
                yield LightRow(
                    card_id=r[0], key=r[1], deck=r[2], schedule=_schedule(r), content=raw
                )


def _schedule(r: Sequence[Any]) -> Schedule:
    """The schedule in a row that begins with the `_LIGHT` columns."""
    return schedule_from(r[3], r[4], r[5], r[6], instant_of(r[7]), instant_of(r[8]), r[9], r[10])


def _content(stored: Any) -> Any:
    """A card's stored content as data: sqlite3 hands the JSON over as text (orjson reads
    it several times faster than the standard library, the same data)."""
    return orjson.loads(stored) if isinstance(stored, str) else stored
