"""Rollups of the review log: what `quiz stats` reads instead of grouping a million rows.

Per learner: answers per card (0004), per deck, learner day and card-age bucket, per
deck, card kind and tag (0015), and marks. The log's mark (0004) holds the highest
review id folded into the card rollups and how many of the learner's rows had an id up
to it; the tag mark, that the tag rollups hold the card rollups up to that id with the
cards' tags, kinds and decks as they are now; the day mark, the clock the days are in
(LearnerDays.key) and the id up to which they hold the log. `refresh` brings them up
to date in one write transaction:

- no log mark (never built, or a trigger deleted it because a row of the log was
  deleted: undo), or (PostgreSQL, where ids can commit out of order; SQLite has one
  writer) fewer/more rows up to the mark than it says, or a new review earlier than its
  card's first review (the card's age at every later answer shifts): rebuild all of
  the learner's rollups from the log;
- otherwise fold in the rows past the mark with grouped INSERT ... ON CONFLICT DO
  UPDATE (sums add up, latest times take the later one): the tag rollups lose the
  folded cards' figures before their card rollups change and gain them after;
- no tag mark (a trigger deletes it when a card's tags, kind or deck change, 0015):
  the tag rollups anew from the card rollups; no day mark or another clock: the days
  anew from the log (a card moved to another deck deletes the day mark too).

A day is the learner's day of each answer's clock hour (the hour as
`StatsReads.hour_counts` groups the log, shifted by the zone's minutes past the hour),
as `figures.days_of` sums the hours when the log is grouped itself: the fold maps each
hour of its entries to its day through the same `DayClock.day_of`, handed to SQL as
a few runs of hours over which the day is (hour + a) / 24 + b (one run per change of
the zone's offset: `day_runs`), with each answer's card-age bucket beside its day (the
card's deck and first review from a temporary table made from the card rollups, so
each answer looks its card up once, by an integer key).

The figures are exactly those of the direct queries in quiz.store.stats_reads (the
tests compare both): the same CASE expressions, the same age arithmetic, and the same
ranking of weak cards (quiz.stats.ranking) over the same named rows.

Every statement is SQL text run through `execute(sql, params)` (quiz.store.due's
driver-neutral callable): the Repo's session runs it (`refresh`), and on a current
SQLite store `quiz stats` runs the very same text through sqlite3
(quiz.store.rollup_write), without loading SQLAlchemy. Imports no SQLAlchemy.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from quiz.stats.rows import AGE_BUCKETS, LearnerDays
from quiz.store.log_packs import id_range, time_end, top_id
from quiz.store.rollup_marks import mark_holds
from quiz.store.stats_reads import (
    CARD_ROLLUPS,
    CARD_SUMS,
    HOUR_SUM_TERMS,
    REVIEW,
    TAG_SUMS,
    age_bucket,
    card_sums,
    from_hour_key,
    hour_key,
    tag_sums,
    usable,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quiz.store.due import Execute
    from quiz.store.repo import Repo

__all__ = ["Refresh", "refresh", "usable"]

log = logging.getLogger("quiz.store.rollups")

MARKS, TAG_MARKS, DAY_MARKS = "review_rollup_marks", "review_tag_marks", "review_day_marks"
TAGS, DAYS = "review_tag_rollups", "review_day_rollups"
# the card rollups' columns after CARD_SUMS': the card's first review-kind answer
FIRST_REVIEW = (
    (f"MIN(CASE WHEN reviews.kind = {REVIEW} THEN reviews.reviewed_at END)", "first_review_at"),
)


def _later(old: str, new: str) -> str:
    """The later of two nullable times, in SQL (SQLite's max() of a NULL is NULL)."""
    return f"CASE WHEN {new} IS NULL THEN {old} WHEN {old} IS NULL THEN {new} WHEN {new} > {old} THEN {new} ELSE {old} END"


def _earlier(old: str, new: str) -> str:
    return f"CASE WHEN {new} IS NULL THEN {old} WHEN {old} IS NULL THEN {new} WHEN {new} < {old} THEN {new} ELSE {old} END"


# ---- keeping them up to date -------------------------------------------------------


def refresh(repo: Repo, days: LearnerDays | None = None) -> str | None:
    """Bring this learner's rollups up to the end of the log through the Repo's session;
    commits. With `days`, the day rollups too, in that clock (rebuilt when they are kept
    in another).

    Returns "built", "folded" or "current" (the log's rollups; the tag and day rollups
    are rebuilt whenever they are not current, whatever the word), or None when the
    store cannot be written (a read-only file or role): the caller then groups the log
    directly.
    """
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from quiz.store.retry import run_write

    session = repo.session
    session.commit()  # end the read transaction: the refresh is one transaction of its own
    sqlite = session.get_bind().dialect.name == "sqlite"

    def execute(sql: str, params: dict[str, object]) -> Any:
        return session.execute(text(sql), params)

    def work() -> str:
        if not sqlite:
            # one snapshot for every statement below: rows committed meanwhile (ids
            # below the new mark) are then missing from all the folds, and the count
            # at the next refresh notices them
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return Refresh(execute, repo.learner_id, sqlite).run(days)

    try:
        return run_write(session, work, repo.retry)
    except DBAPIError as exc:
        if read_only(exc):
            log.info("read-only store: rollups not refreshed; the log is grouped directly")
            return None
        raise


def read_only(exc: BaseException) -> bool:
    """Is this driver error (SQLAlchemy's, or sqlite3's own) a store that cannot be written?"""
    orig = getattr(exc, "orig", exc)
    message = str(orig).lower()
    return (
        "readonly" in message
        or "read-only" in message
        or "read only" in message
        or "permission denied" in message
        or getattr(orig, "sqlstate", None) in ("42501", "25006")
    )


class Refresh:
    """One refresh of a learner's rollups through `execute` (in the caller's write
    transaction); `sqlite`: how the store keeps times."""

    def __init__(self, execute: Execute, learner_id: int, sqlite: bool) -> None:
        self.execute = execute
        self.learner_id = learner_id
        self.sqlite = sqlite

    def _rows(self, sql: str, params: Mapping[str, object] | None = None) -> list[Sequence[Any]]:
        return list(self.execute(sql, {"learner": self.learner_id, **(params or {})}))

    def _do(self, sql: str, params: Mapping[str, object] | None = None) -> None:
        self.execute(sql, {"learner": self.learner_id, **(params or {})})

    def _value(self, sql: str, params: Mapping[str, object] | None = None) -> Any:
        rows = self._rows(sql, params)
        return rows[0][0] if rows else None

    @property
    def _ids(self) -> str:
        """The entries `:after` < id <= `:upto` (quiz.store.log_packs)."""
        return id_range("reviews", ":after", ":upto", sqlite=self.sqlite)

    def _entries(self, *, bounded: bool = False) -> str:
        """This learner's log entries (StatsReads.entries): on SQLite a read by a range of
        ids (the rowid) is written so that no index serves it."""
        if bounded or not self.sqlite:
            return "reviews.learner_id = :learner"
        return "reviews.learner_id + 0 = :learner"

    def run(self, days: LearnerDays | None = None, ahead: DaysAhead | None = None) -> str:
        """The refresh (module docstring); its word. `ahead`: the day rows of a rebuild,
        grouped meanwhile on another connection (DaysAhead)."""
        # a write first: on SQLite it takes the write lock, so nothing commits under us
        self._do(f"UPDATE {MARKS} SET last_id = last_id WHERE learner_id = :learner")
        lock = "" if self.sqlite else " FOR UPDATE"
        mark = self._rows(f"SELECT last_id, answers FROM {MARKS} WHERE learner_id = :learner{lock}")
        top = int(self._value(top_id(sqlite=self.sqlite)) or 0)
        word = "built"
        if mark:
            last_id, answers = (int(v) for v in mark[0])
            holds = mark_holds(self.execute, self.sqlite, self.learner_id, last_id, answers)
            if holds and not self._moves_first_review(last_id, top):
                tags = self._value(f"SELECT last_id FROM {TAG_MARKS} WHERE learner_id = :learner")
                if top <= last_id:
                    word = "current"
                    if tags != last_id:
                        self._build_tags(top)
                else:
                    if tags == last_id:
                        self._fold_tags(last_id, top, -1)
                    added = self._fold(last_id, top)
                    self._do(
                        f"UPDATE {MARKS} SET last_id = :top, answers = :answers"
                        " WHERE learner_id = :learner",
                        {"top": top, "answers": answers + added},
                    )
                    word = "folded"
                    if tags == last_id:
                        self._fold_tags(last_id, top, 1)
                        self._mark_tags(top)
                    else:
                        self._build_tags(top)
        if word == "built":
            for table in (CARD_ROLLUPS, MARKS, TAGS, TAG_MARKS, DAYS, DAY_MARKS):
                self._do(f"DELETE FROM {table} WHERE learner_id = :learner")
            added = self._fold(0, top, built=True)
            if not self.sqlite:  # its figures as the planner sees them, now it is filled: the
                self._do(f"ANALYZE {CARD_ROLLUPS}")  # day groups join it (a parallel plan)
            self._do(
                f"INSERT INTO {MARKS} (learner_id, last_id, answers) VALUES (:learner, :top, :added)",
                {"top": top, "added": added},
            )
            self._build_tags(top)
        if days is not None:
            self._days_up_to(days, top, ahead)
        return word

    # ---- the card rollups: the log by card -------------------------------------------

    def _fold(self, after: int, upto: int, *, built: bool = False) -> int:
        """Add the learner's log rows with `after` < id <= `upto` to the card rollups;
        how many (`built`: the learner's card rollups were empty, so they count them
        themselves, without a second pass over the log)."""
        rows = f"{self._entries()} AND {self._ids}"  # by id range
        columns = [c for _e, c in (*CARD_SUMS, *FIRST_REVIEW)]
        sums = ("answers", "drills", "right_answers", "lapses", "drill_misses", "duration_ms")
        sets = [f"{c} = {CARD_ROLLUPS}.{c} + excluded.{c}" for c in sums]
        sets += [
            f"{c} = {_later(f'{CARD_ROLLUPS}.{c}', f'excluded.{c}')}"
            for c in ("last_miss", "last_right")
        ]
        sets.append(
            "first_review_at = "
            + _earlier(f"{CARD_ROLLUPS}.first_review_at", "excluded.first_review_at")
        )
        params = {"after": after, "upto": upto}
        groups = self._groups(card_sums(rows, FIRST_REVIEW), params, whole=after == 0)
        self._do(
            f"INSERT INTO {CARD_ROLLUPS} (learner_id, card_id, {', '.join(columns)})"
            f" SELECT :learner, g.card_id, {', '.join(f'g.{c}' for c in columns)}"
            f" FROM {groups}"
            " WHERE TRUE"  # (SQLite: the ON below is the upsert's, not a join's)
            f" ON CONFLICT (learner_id, card_id) DO UPDATE SET {', '.join(sets)}",
            params,
        )
        self._drop_staged()
        if built:  # the card rollups hold these rows and no others
            held = f"SELECT SUM(answers) FROM {CARD_ROLLUPS} WHERE learner_id = :learner"
            return int(self._value(held) or 0)
        return int(self._value(f"SELECT COUNT(*) FROM reviews WHERE {rows}", params) or 0)

    def _moves_first_review(self, after: int, upto: int) -> bool:
        """Is a new review earlier than the first review its card had (every age shifts)?"""
        if upto <= after:
            return False
        found = self._rows(
            f"SELECT 1 FROM reviews JOIN {CARD_ROLLUPS} AS c"
            " ON c.learner_id = reviews.learner_id AND c.card_id = reviews.card_id"
            f" WHERE reviews.learner_id = :learner AND {self._ids}"
            f" AND reviews.kind = {REVIEW} AND c.first_review_at IS NOT NULL"
            " AND reviews.reviewed_at < c.first_review_at LIMIT 1",
            {"after": after, "upto": upto},
        )
        return bool(found)

    # ---- the tag rollups: the card rollups by deck, kind and tag -----------------------

    def _fold_tags(self, after: int, upto: int | None, sign: int) -> None:
        """Add (`sign` 1) or take away (-1) the tag figures of the cards with entries
        `after` < id <= `upto` (all the learner's cards: `upto` None) as their card
        rollups stand: taken away before those entries are folded into the card rollups
        and added after, the tag rollups follow the card rollups."""
        sign = 1 if sign > 0 else -1
        where = "c.learner_id = :learner"
        params: dict[str, object] = {}
        if upto is not None:
            learner = "reviews.learner_id + 0" if self.sqlite else "reviews.learner_id"
            where += (  # read by the id range (the rowid), as the folds
                " AND c.card_id IN (SELECT reviews.card_id FROM reviews"
                f" WHERE {learner} = :learner AND {self._ids})"
            )
            params |= {"after": after, "upto": upto}
        sets = ", ".join(f"{c} = {TAGS}.{c} + excluded.{c}" for c in TAG_SUMS)
        self._do(
            f"INSERT INTO {TAGS} (learner_id, deck_id, kind, tag,"
            f" {', '.join(TAG_SUMS)}) {tag_sums(CARD_ROLLUPS, where, sign)}"
            f" ON CONFLICT (learner_id, deck_id, kind, tag) DO UPDATE SET {sets}",
            params,
        )

    def _build_tags(self, top: int) -> None:
        """The tag rollups anew from the card rollups (which hold the log up to `top`)."""
        self._do(f"DELETE FROM {TAGS} WHERE learner_id = :learner")
        self._fold_tags(0, None, 1)
        self._mark_tags(top)

    def _mark_tags(self, top: int) -> None:
        self._do(f"DELETE FROM {TAG_MARKS} WHERE learner_id = :learner")
        self._do(
            f"INSERT INTO {TAG_MARKS} (learner_id, last_id) VALUES (:learner, :top)", {"top": top}
        )

    # ---- the day rollups: the log's hours by deck, summed per learner day --------------

    def _days_up_to(self, days: LearnerDays, top: int, ahead: DaysAhead | None) -> None:
        """The day rollups in the clock `days`, holding the log up to `top`: the entries
        past their mark folded in, or (no mark, another clock) all of them anew (their
        rows from `ahead` where it grouped the same entries). The card rollups hold the
        log up to `top` already (the answers' card ages come from them)."""
        mark = self._rows(f"SELECT clock, last_id FROM {DAY_MARKS} WHERE learner_id = :learner")
        if mark and mark[0][0] == days.key:
            after = int(mark[0][1])
        else:
            after = 0
            self._do(f"DELETE FROM {DAYS} WHERE learner_id = :learner")
        rows = ahead(top) if ahead is not None and after == 0 else None
        if rows is not None:
            self._add_days(rows)
        elif after < top:
            self._fold_days(days, after, top)
        self._do(f"DELETE FROM {DAY_MARKS} WHERE learner_id = :learner")
        self._do(
            f"INSERT INTO {DAY_MARKS} (learner_id, clock, last_id) VALUES (:learner, :clock, :top)",
            {"clock": days.key, "top": top},
        )

    def _fold_days(self, days: LearnerDays, after: int, upto: int) -> None:
        """Add the learner's entries with `after` < id <= `upto` to the day rollups, by
        deck, learner day and card-age bucket, in one grouped INSERT (`_day_groups`),
        each card's first review from its rollup."""
        params = {"after": after, "upto": upto}
        groups = self._day_groups(days, after, upto, from_log=False, whole=after == 0)
        if groups is None:
            return
        sets = ", ".join(f"{c} = {DAYS}.{c} + excluded.{c}" for c in DAY_COLUMNS[4:])
        self._do(
            f"INSERT INTO {DAYS} ({', '.join(DAY_COLUMNS)}) {groups}"
            " WHERE TRUE"  # (SQLite: the ON below is the upsert's, not a join's)
            f" ON CONFLICT (learner_id, deck_id, day, min_days) DO UPDATE SET {sets}",
            params,
        )
        self._drop_staged()
        self._drop_day_cards()

    def day_rows(self, days: LearnerDays, upto: int) -> list[Sequence[Any]]:
        """The day rollups' rows of all the learner's entries up to id `upto`, grouped
        as `_fold_days` groups them, each card's first review grouped from the log
        (`DaysAhead`: on a connection of its own, while the card rollups are built)."""
        groups = self._day_groups(days, 0, upto, from_log=True)
        if groups is None:
            return []
        try:
            return self._rows(groups, {"after": 0, "upto": upto})
        finally:
            self._drop_day_cards()

    def _add_days(self, rows: Sequence[Sequence[Any]]) -> None:
        """The rows of `day_rows` into the day rollups (emptied for the learner), a few
        hundred to a statement (integers all, written into it)."""
        for start in range(0, len(rows), 500):
            values = ", ".join(
                f"(:learner, {', '.join(str(int(v)) for v in row[1:])})"
                for row in rows[start : start + 500]
            )
            self._do(f"INSERT INTO {DAYS} ({', '.join(DAY_COLUMNS)}) VALUES {values}")

    def _day_groups(
        self, days: LearnerDays, after: int, upto: int, *, from_log: bool, whole: bool = False
    ) -> str | None:
        """The SELECT of the day rollups' rows (DAY_COLUMNS) of the learner's entries
        with `after` < id <= `upto`, by deck, learner day and card-age bucket: each
        answer's day from its clock hour (`day_runs`), its card's deck and first review
        from a small temporary table (CARDS, made here from the card rollups or, with
        `from_log`, from the log grouped by card), looked up by the card's id. None: no
        entries."""
        params = {"after": after, "upto": upto}
        entries = f"{self._entries()} AND {self._ids}"
        hour = hour_number(self.sqlite, "reviews.reviewed_at", days.shift)
        if after == 0:  # every entry up to the newest: the learner's first and last, by index
            ends = (
                hour_number(self.sqlite, time_end(fn, sqlite=self.sqlite), days.shift)
                for fn in ("MIN", "MAX")
            )
            span = self._rows(f"SELECT {', '.join(ends)}")  # each one end of the index
        else:
            span = self._rows(
                f"SELECT MIN({hour}), MAX({hour}) FROM reviews WHERE {entries}", params
            )
        if not span or span[0][0] is None:
            return None
        first, last = int(span[0][0]), int(span[0][1])
        runs = day_runs(
            [
                days.clock.day_of(from_hour_key(key, days.shift)).toordinal()
                for key in range(first, last + 1)
            ],
            first,
        )
        self._drop_day_cards()
        time_type = "BIGINT" if self.sqlite else "TIMESTAMP"
        self._do(
            f"CREATE TEMPORARY TABLE {CARDS} (card_id INTEGER PRIMARY KEY,"
            f" deck_id BIGINT NOT NULL, first_at {time_type})"
        )
        if from_log:
            (first_review, _column), *_ = FIRST_REVIEW
            source = (
                f"SELECT g.card_id, cards.deck_id, g.first_at FROM (SELECT reviews.card_id,"
                f" {first_review} AS first_at FROM reviews WHERE {entries}"
                " GROUP BY reviews.card_id) AS g JOIN cards ON cards.id = g.card_id"
            )
        else:
            folded = (
                ""
                if after == 0
                else f" AND c.card_id IN (SELECT reviews.card_id FROM reviews WHERE {entries})"
            )
            source = (
                "SELECT c.card_id, cards.deck_id, c.first_review_at"
                f" FROM {CARD_ROLLUPS} AS c JOIN cards ON cards.id = c.card_id"
                f" WHERE c.learner_id = :learner{folded}"
            )
        self._do(f"INSERT INTO {CARDS} (card_id, deck_id, first_at) {source}", params)
        top_deck = int(self._value(f"SELECT MAX(deck_id) FROM {CARDS}") or 0)
        bucket = age_bucket(self.sqlite, "reviews.reviewed_at", "f.first_at", index=True)
        day = day_sql(hour, runs)
        if top_deck < DECK_SPAN:
            keys = [(f"(f.deck_id * {DAY_SPAN} + {day}) * {BUCKET_SPAN} + {bucket}", "k")]
            deck, day_of, place = (
                f"g.k / {DAY_SPAN * BUCKET_SPAN}",
                f"(g.k / {BUCKET_SPAN}) % {DAY_SPAN}",
                f"g.k % {BUCKET_SPAN}",
            )
        else:  # an id too large to share one integer: the same groups, by three columns
            keys = [("f.deck_id", "deck_id"), (day, "day"), (bucket, "place")]
            deck, day_of, place = "g.deck_id", "g.day", "g.place"
        min_days = " ".join(f"WHEN {i} THEN {b[0]}" for i, b in enumerate(AGE_BUCKETS))
        sums = DAY_COLUMNS[4:]
        inner = ", ".join(
            [f"{e} AS {a}" for e, a in keys]
            + [f"{e} AS {a}" for e, a in zip(("COUNT(*)", *HOUR_SUM_TERMS), sums, strict=True)]
        )
        cards = f"{CARDS} AS f"
        if whole and not self.sqlite:  # staged (`_groups`): PostgreSQL's parallel workers
            cards = f"({source}) AS f (card_id, deck_id, first_at)"  # read no temporary table
        grouped = (
            f"SELECT {inner} FROM reviews JOIN {cards} ON f.card_id = reviews.card_id"
            f" WHERE {entries} GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}"
        )
        return (
            f"SELECT :learner, {deck}, {day_of}, CASE {place} {min_days} END,"
            f" {', '.join(f'g.{c}' for c in sums)}"
            f" FROM {self._groups(grouped, params, whole=whole)}"
        )

    def _groups(self, grouped: str, params: Mapping[str, int], *, whole: bool) -> str:
        """The FROM item `g` of a fold's INSERT: the grouped SELECT `grouped` as a
        subquery, or, on PostgreSQL for a fold of the whole log (`whole`: a first
        build), a temporary table made from it first (`_drop_staged` drops it after
        the INSERT). There a statement that writes gets no parallel plan and CREATE
        TABLE AS may: grouping the whole log is what a first `quiz stats` waits for.
        A utility statement takes no parameters: `params` (integers, with the
        learner's id) are written into it as numbers."""
        if self.sqlite or not whole:
            return f"({grouped}) AS g"
        values = {"learner": self.learner_id, **params}
        literal = _PARAMS.sub(lambda m: str(int(values[m.group(1)])), grouped)
        self._drop_staged()
        self._do(f"CREATE TEMPORARY TABLE {STAGED} AS {literal}")
        return f"{STAGED} AS g"

    def _drop_staged(self) -> None:
        if not self.sqlite:
            self._do(f"DROP TABLE IF EXISTS pg_temp.{STAGED}")

    def _drop_day_cards(self) -> None:
        temp = "temp." if self.sqlite else "pg_temp."
        self._do(f"DROP TABLE IF EXISTS {temp}{CARDS}")


# The day groups of a rebuild grouped elsewhere (quiz.store.rollup_write.DaysAhead):
# called with the newest id the refresh holds, their rows if they hold exactly the
# learner's entries up to it, else None (the refresh then groups them itself).
DaysAhead = Callable[[int], "list[Sequence[Any]] | None"]

DAY_SUMS = ("drills", "right_answers", "graded", "passed", "duration_ms")
DAY_COLUMNS = ("learner_id", "deck_id", "day", "min_days", "answers", *DAY_SUMS)
CARDS = "quiz_day_cards"  # a temporary table: each card of the fold's entries -> deck, first review
STAGED = "quiz_staged_groups"  # a temporary table: a first build's groups (`Refresh._groups`)
_PARAMS = re.compile(r"(?<![:\w]):(learner|after|upto)\b")
# The fold groups by one integer, (deck * DAY_SPAN + day) * BUCKET_SPAN + age bucket: SQLite
# sorts a million entries by one integer much faster than by three columns. Every day
# ordinal (date.max's is 3652059) is below DAY_SPAN; a deck id is below DECK_SPAN, or
# the fold groups by the three columns.
BUCKET_SPAN = 8
DAY_SPAN = 1 << 22
DECK_SPAN = 1 << 38


def hour_number(sqlite: bool, column: str, shift: int) -> str:
    """The clock hour of the log time `column` + `shift` minutes as a whole number of
    hours since 1970, in SQL (as `hour_key` gives it on SQLite; `from_hour_key` reads it)."""
    if sqlite:
        return hour_key(True, column, shift, micros=True)
    moved = f"{column} + interval '{int(shift)} minutes'" if shift else column
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {moved}) / 3600) AS BIGINT)"


def day_runs(day_of_hour: Sequence[int], first: int) -> list[tuple[int, int, int]]:
    """The learner day of each hour from `first` on (`day_of_hour`, as DayClock.day_of
    gives them) as runs (start, a, b): from `start` until the next run, the day of
    hour h is (h + a) // 24 + b. A clock whose offset stays put is one run; each
    change of offset (summer time) starts another."""
    runs: list[tuple[int, int, int]] = []
    n = len(day_of_hour)
    i = 0
    while i < n:
        j = i + 1
        while j < n and day_of_hour[j] == day_of_hour[i]:
            j += 1
        a = (-(first + j)) % 24 if j < n else (-(first + i)) % 24
        b = day_of_hour[i] - (first + i + a) // 24
        m = i + 1
        while m < n and day_of_hour[m] == (first + m + a) // 24 + b:
            m += 1
        runs.append((first + i, a, b))
        i = m
    return runs


def day_sql(hour: str, runs: Sequence[tuple[int, int, int]]) -> str:
    """The learner day of the hour number `hour` over `runs` (`day_runs`), in SQL: the
    newest run first (most of a log is recent)."""
    *older, (start, a, b) = runs
    if not older:
        return f"({hour} + {a}) / 24 + {b}"
    whens = [f"WHEN {hour} >= {start} THEN ({hour} + {a}) / 24 + {b}"]
    for k in range(len(older) - 1, 0, -1):
        s, a, b = older[k]
        whens.append(f"WHEN {hour} >= {s} THEN ({hour} + {a}) / 24 + {b}")
    _s, a, b = older[0]
    return f"CASE {' '.join(whens)} ELSE ({hour} + {a}) / 24 + {b} END"
