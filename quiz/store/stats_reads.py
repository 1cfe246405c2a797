"""Every read of `quiz stats`, as SQL text that both drivers run.

Importing SQLAlchemy and the store's models costs more than the whole report once the
log's rollups are current, so `quiz stats` reads a current SQLite store through the
stdlib `sqlite3` connection of `quiz.store.lean`; the Repo runs the very same statements
through its session (`Repo.stats`) for every other store and back end, and
`quiz.store.rollups` / `quiz.store.stats_queries` hand their reads here. One text, two
drivers: no copied rule.

Two ways of reading, giving the same named rows (quiz.stats.rows):

- the rollups (quiz.store.rollups keeps them): days and ages from the day rollups (of
  some decks), or (since a time) the ages from the answers and each card's first
  review; tags from the tag rollups; the weakest cards from the card rollups;
- the log itself: hours, ages and per-card tallies grouped in SQL.

Whole-log reads on SQLite are written so that no index serves them (`learner_id + 0`):
the log keeps no planner statistics, and looking every entry up through the (learner,
time) index costs more than reading the table in order; a read bounded in time or to
some cards keeps the indexes. Imports no SQLAlchemy.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, timezone, tzinfo

from quiz.clock import EPOCH, micros_since_1970
from quiz.stats import ranking
from quiz.stats.rows import (
    AGE_BUCKETS,
    AgeCount,
    CardTally,
    DayCount,
    DueHour,
    HourCount,
    StateCount,
    StrictCard,
    WeakCandidate,
    utc_time,
)
from quiz.store.due import state_time
from quiz.store.log_packs import ids_after, overruled_answers, times_from
from quiz.store.rollup_marks import mark_holds
from quiz.store.selection import Params, schedule_from
from quiz.store.values import ENTRY_KINDS, instant_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any

    from quiz.model import Schedule
    from quiz.stats.figures import TagFigure, WeakCard
    from quiz.store.due import Execute

    Conditions = Callable[[Params], list[str]]

REVIEW, DRILL = ENTRY_KINDS.index("review"), ENTRY_KINDS.index("drill")
REVIEW_STATE = 2  # quiz.model.CardState.REVIEW
SCHEDULED = (1, 2, 3)  # learning, review, relearning
_BOUND = 900  # SQLite's bound-parameter limit, with room to spare

# 1 for a right answer: its `correct` flag, or (self-rated cards) not Again.
RIGHT = (
    "CASE WHEN reviews.correct IS TRUE THEN 1"
    " WHEN reviews.correct IS NULL AND reviews.rating > 1 THEN 1 ELSE 0 END"
)
# a review-kind answer on a review-state card: the true-retention sample
GRADED = f"reviews.kind = {REVIEW} AND reviews.prev_state = {REVIEW_STATE}"
DRILLS = f"CASE WHEN reviews.kind = {DRILL} THEN 1 ELSE 0 END"
# the card rollups' latest answer was wrong
WRONG_LAST = (
    "CASE WHEN c.last_right IS NULL OR (c.last_miss IS NOT NULL AND c.last_right < c.last_miss)"
    " THEN 1 ELSE 0 END"
)
# an hour's (or a day's) figures after its COUNT(*), as HourCount and the day rollups
# keep them: drills, right answers, graded (the true-retention sample), passed, time
HOUR_SUM_TERMS = (
    f"SUM({DRILLS})",
    f"SUM({RIGHT})",
    f"SUM(CASE WHEN {GRADED} THEN 1 ELSE 0 END)",
    f"SUM(CASE WHEN {GRADED} AND reviews.rating > 1 THEN 1 ELSE 0 END)",
    "SUM(reviews.duration_ms)",
)
HOUR_SUMS = ", ".join(HOUR_SUM_TERMS)
CARD_ROLLUPS = "review_card_rollups"
# the card rollups' figures of the answers since a time (`StatsReads.since_rollups`) and
# the tag rollups over them: temporary tables with the rollups' columns
SINCE_CARDS, SINCE_TAGS = "quiz_since_cards", "quiz_since_tags"
# what one log entry adds to each of the card rollups' counts, as (expression, column)
ENTRY_COUNTS = (
    ("1", "answers"),
    (DRILLS, "drills"),
    (RIGHT, "right_answers"),
    (f"CASE WHEN {GRADED} AND reviews.rating = 1 THEN 1 ELSE 0 END", "lapses"),
    (f"CASE WHEN reviews.kind = {DRILL} THEN 1 - {RIGHT} ELSE 0 END", "drill_misses"),
)
# the card rollups' counts of a group of log entries, as (expression, column)
CARD_COUNTS = tuple(("COUNT(*)" if e == "1" else f"SUM({e})", c) for e, c in ENTRY_COUNTS)
# the card rollups' latest miss and latest right answer: of the answers since a time,
# the card's own where it is that recent (the latest of a suffix of the log is the
# latest of the whole log, or there is none in it)
LATEST = (
    (f"MAX(CASE WHEN {RIGHT} = 0 THEN reviews.reviewed_at END)", "last_miss"),
    (f"MAX(CASE WHEN {RIGHT} = 1 THEN reviews.reviewed_at END)", "last_right"),
)
# the card rollups' sums of a group of log entries, as (expression, column)
CARD_SUMS = (*CARD_COUNTS, *LATEST, ("SUM(reviews.duration_ms)", "duration_ms"))
TAG_SUMS = ("cards", "answers", "right_answers", "lapses", "misses")
WEAK = f"""
SELECT c.card_id, cards.deck_id, c.answers, c.right_answers, c.lapses, c.drill_misses,
       c.last_miss, {WRONG_LAST}, cs.state, cs.stability, cs.last_review, cs.reps, cs.lapses
FROM {CARD_ROLLUPS} AS c JOIN cards ON cards.id = c.card_id
LEFT JOIN card_states AS cs ON cs.learner_id = c.learner_id AND cs.card_id = c.card_id
WHERE c.learner_id = :learner
  AND (c.answers > c.right_answers OR c.lapses > 0 OR COALESCE(cs.lapses, 0) > 0)
"""


def shift_minutes(tz: tzinfo, now: datetime) -> int:
    """The zone's minutes past the hour at `now` (India's +5:30: 30)."""
    offset = now.astimezone(tz).utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60) % 60


def usable(shift: int) -> bool:
    """Can the rollups answer this `quiz stats`? (a zone on the quarter hour, whose
    hours are whole quarters; with --deck or --since they give part of the figures)"""
    return shift % 15 == 0


def from_hour_key(key: str | int, shift_minutes: int) -> datetime:
    """The UTC start of the hour that `hour_key` gave as `key`."""
    if isinstance(key, int):
        at = datetime.fromtimestamp(key * 3600, timezone.utc)
    else:
        at = datetime.strptime(key, "%Y-%m-%d %H").replace(tzinfo=timezone.utc)
    return at - timedelta(minutes=shift_minutes)


def hour_key(sqlite: bool, column: str, shift: int, micros: bool) -> str:
    """The clock hour of `column` + `shift` minutes, in SQL, as `from_hour_key` reads it
    back: hours since 1970 for an integer time on SQLite (`micros`: the log's times;
    grouping a million entries by a number, not by a formatted text, is what `quiz stats
    --since` spends its time on), else 'YYYY-MM-DD HH'."""
    shift = int(shift)
    if sqlite:
        if micros:
            moved = f"({column} + {shift * 60_000_000})" if shift else column
            return f"{moved} / 3600000000"
        if shift:
            return f"strftime('%Y-%m-%d %H', {column}, '{shift:+d} minutes')"
        return f"substr({column}, 1, 13)"
    shifted = f"{column} + interval '{shift} minutes'" if shift else column
    return f"to_char({shifted}, 'YYYY-MM-DD HH24')"


def days_between(sqlite: bool, later: str, earlier: str) -> str:
    """Days (fractional) from one log time to another, in SQL."""
    if sqlite:  # integer microseconds (migration 0012)
        return f"({later} - {earlier}) / 86400000000.0"
    return f"EXTRACT(EPOCH FROM {later} - {earlier}) / 86400.0"


def age_bucket(sqlite: bool, at: str, first: str, *, index: bool = False) -> str:
    """AGE_BUCKETS' lower bound of a card's age (days since `first`, its first review)
    at the time `at`, in SQL (`index`: the bucket's place in AGE_BUCKETS instead).

    On SQLite the age is compared in the log's integer microseconds with each bound's
    microseconds: the same answer as comparing `days_between`'s fractional days (a bound
    of whole days is exact in both, and an age short of it by a microsecond stays short
    of it as a quotient), without a division per bound and answer."""
    bounds = [b[0] for b in AGE_BUCKETS]
    labels = range(len(bounds)) if index else bounds
    if sqlite:
        age = f"{at} - {first}"
        limits = [hi * 86_400_000_000 for hi in bounds[1:]]
    else:
        age = days_between(sqlite, at, first)
        limits = bounds[1:]
    whens = " ".join(f"WHEN {age} < {hi} THEN {lo}" for lo, hi in zip(labels, limits, strict=False))
    return f"CASE {whens} ELSE {labels[-1]} END"


def deck_cards(p: Params, decks: Sequence[str]) -> str:
    """The ids of the cards of these decks, as a subquery."""
    return (
        "SELECT cards.id FROM cards WHERE cards.deck_id IN"
        f" (SELECT decks.id FROM decks WHERE decks.slug IN ({p.names(decks)}))"
    )


def in_decks(decks: Sequence[str]) -> Conditions:
    """A condition over `cards`: the card is in one of these decks."""
    return lambda p: [
        f"cards.deck_id IN (SELECT decks.id FROM decks WHERE decks.slug IN ({p.names(decks)}))"
    ]


def card_sums(
    where: str,
    extra: Sequence[tuple[str, str]] = (),
    sums: Sequence[tuple[str, str]] = CARD_SUMS,
) -> str:
    """The log entries of `where` grouped by card, with the card rollups' columns
    (`sums`: some of them; and `extra` (expression, column) pairs after them)."""
    columns = ", ".join(f"{e} AS {c}" for e, c in (*sums, *extra))
    return (
        f"SELECT reviews.card_id AS card_id, {columns} FROM reviews WHERE {where}"
        " GROUP BY reviews.card_id"
    )


def tag_sums(cards: str, where: str, sign: int = 1) -> str:
    """The tag rollups' rows (learner, deck, kind, tag and TAG_SUMS, times `sign`) of
    the card rollups in the table `cards` (alias c) that meet `where`; an untagged
    card's tag is ''."""
    tag = "COALESCE(card_tags.tag, '')"
    return (
        f"SELECT c.learner_id, cards.deck_id, cards.kind, {tag}, {sign} * COUNT(*),"
        f" {sign} * SUM(c.answers), {sign} * SUM(c.right_answers), {sign} * SUM(c.lapses),"
        f" {sign} * SUM(c.answers - c.right_answers)"
        f" FROM {cards} AS c JOIN cards ON cards.id = c.card_id"
        " LEFT JOIN card_tags ON card_tags.card_id = c.card_id"
        f" WHERE {where} GROUP BY c.learner_id, cards.deck_id, cards.kind, {tag}"
    )


class StatsReads:
    """The reads of `quiz stats` for one learner through `execute(sql, params)`
    (quiz.store.due's driver-neutral callable); `sqlite`: how the store keeps times."""

    def __init__(self, execute: Execute, learner_id: int, sqlite: bool) -> None:
        self.execute = execute
        self.learner_id = learner_id
        self.sqlite = sqlite

    def _rows(self, sql: str, p: dict[str, object] | None = None) -> list[Sequence[Any]]:
        return list(self.execute(sql, {"learner": self.learner_id} if p is None else p))

    def _params(self) -> Params:
        return Params("p", learner=self.learner_id)

    def log_time(self, instant: datetime) -> object:
        """A time to compare with the log's times (quiz.store.models.StoredTime)."""
        if self.sqlite:
            return micros_since_1970(instant)
        return instant.astimezone(timezone.utc).replace(tzinfo=None)

    def _since(self, p: Params, since: datetime) -> str:
        """The log's entries from `since` on, as a condition (`p` binds the time)."""
        return times_from("reviews", p.add(self.log_time(since)), sqlite=self.sqlite)

    def entries(self, *, bounded: bool = False) -> str:
        """This learner's log entries, as a condition (see the module docstring)."""
        if bounded or not self.sqlite:
            return "reviews.learner_id = :learner"
        return "reviews.learner_id + 0 = :learner"

    # ---- the rollups -----------------------------------------------------------------

    def rollups_current(self, clock: str | None = None) -> bool:
        """Do the learner's rollups hold the whole log? (their mark is there and holds,
        quiz.store.rollup_marks, and no entry of the learner lies past it; with a
        `clock` (LearnerDays.key), the tag rollups and the day rollups in that clock
        hold the same entries): then they answer without being refreshed, which writes."""
        mark = self._rows(
            "SELECT last_id, answers FROM review_rollup_marks WHERE learner_id = :learner"
        )
        if not mark:
            return False
        last_id, answers = (int(v) for v in mark[0])
        if clock is not None and not self._local_current(clock, last_id):
            return False
        if not mark_holds(self.execute, self.sqlite, self.learner_id, last_id, answers):
            return False
        past = self._rows(
            f"SELECT 1 FROM reviews WHERE {self.entries()}"
            f" AND {ids_after('reviews', ':last', sqlite=self.sqlite)} LIMIT 1",
            {"learner": self.learner_id, "last": last_id},
        )
        return not past

    def _local_current(self, clock: str, last_id: int) -> bool:
        """Do the tag rollups and the day rollups (in `clock`) hold the log up to `last_id`?"""
        [(tags, days)] = self._rows(
            "SELECT (SELECT last_id FROM review_tag_marks WHERE learner_id = :learner),"
            " (SELECT last_id FROM review_day_marks WHERE learner_id = :learner"
            " AND clock = :clock)",
            {"learner": self.learner_id, "clock": clock},
        )
        return tags == last_id and days == last_id

    def answers_held(self) -> int:
        """How many of the learner's log entries the rollups hold (their mark)."""
        rows = self._rows("SELECT answers FROM review_rollup_marks WHERE learner_id = :learner")
        return int(rows[0][0]) if rows else 0

    def rolled_days(self, decks: Sequence[str] = ()) -> list[DayCount]:
        """As figures.days_of over `hour_counts(decks)`, from the day rollups (whose
        clock rollups_current checked), in day order."""
        p = self._params()
        sql = (
            "SELECT day, SUM(answers), SUM(drills), SUM(right_answers), SUM(graded),"
            " SUM(passed), SUM(duration_ms) FROM review_day_rollups"
            f" WHERE {self._in_decks('learner_id = :learner', decks, p)}"
            " GROUP BY day ORDER BY day"
        )
        day = date.fromordinal
        return [
            DayCount(day(int(d)), int(n), int(dr), int(r), int(g), int(ps), int(ms))
            for d, n, dr, r, g, ps, ms in self._rows(sql, p)
        ]

    @staticmethod
    def _in_decks(where: str, decks: Sequence[str], p: Params) -> str:
        """`where` over a rollup kept by deck, of these decks only (all: none given)."""
        if not decks:
            return where
        return (
            f"{where} AND deck_id IN"
            f" (SELECT decks.id FROM decks WHERE decks.slug IN ({p.names(decks)}))"
        )

    def rolled_ages(
        self,
        since: datetime | None = None,
        decks: Sequence[str] = (),
        *,
        from_day: date | None = None,
    ) -> list[AgeCount]:
        """As `log_ages`: over the whole log (of some decks), or from the learner day
        `from_day` on, from the day rollups, which keep each day's answers by their
        card's age then (the caller knows that the day's first clock hour starts at the
        time asked for: quiz.stats.gather); since a time only those answers are read
        (through the (learner, time) index, or each card's entries) and each card's first
        review comes from its rollup, where grouping the log itself finds every card's
        first review in a pass over the whole log."""
        p = self._params()
        if since is None:
            held = "learner_id = :learner"
            if from_day is not None:
                held += f" AND day >= {p.add(from_day.toordinal())}"
            sql = (
                "SELECT min_days, SUM(graded), SUM(passed) FROM review_day_rollups"
                f" WHERE {self._in_decks(held, decks, p)}"
                " GROUP BY min_days HAVING SUM(graded) > 0"
            )
            return [AgeCount(int(lo), int(n), int(ps)) for lo, n, ps in self._rows(sql, p)]
        where = [self.entries(bounded=True), self._since(p, since)]
        if decks:
            where.append(f"reviews.card_id IN ({deck_cards(p, decks)})")
        return self._ages(
            "review_card_rollups.first_review_at",
            "JOIN review_card_rollups ON review_card_rollups.learner_id = reviews.learner_id"
            " AND review_card_rollups.card_id = reviews.card_id",
            where,
            p,
        )

    def _ages(self, first: str, join: str, where: list[str], p: Params) -> list[AgeCount]:
        """Review-state answers (`where`) by their card's age then, grouped by
        AGE_BUCKETS' lower bound; `first`: the card's first review, from `join`."""
        bucket = age_bucket(self.sqlite, "reviews.reviewed_at", first)
        sql = (
            f"SELECT {bucket} AS bucket, COUNT(*), SUM(CASE WHEN reviews.rating > 1 THEN 1 ELSE 0 END)"
            f" FROM reviews {join} WHERE {' AND '.join(where)} AND {GRADED} GROUP BY {bucket}"
        )
        return [AgeCount(int(lo), int(n), int(ps or 0)) for lo, n, ps in self._rows(sql, p)]

    def tag_figures(
        self,
        kind: str | None = None,
        untagged: str = "(untagged)",
        decks: Sequence[str] = (),
        *,
        table: str = "review_tag_rollups",
    ) -> tuple[TagFigure, ...]:
        """quiz.stats.figures.tag_figures over every answered card (of `kind`, of
        `decks`), from the tag rollups (`table`: or a table of their columns, as
        `since_rollups` makes): untagged cards are kept under ''."""
        from quiz.stats.figures import TagFigure

        p = self._params()
        where = ["learner_id = :learner"]
        if kind is not None:
            where.append(f"kind = {p.add(kind)}")
        sql = (
            "SELECT tag, SUM(cards), SUM(answers), SUM(right_answers), SUM(lapses), SUM(misses)"
            f" FROM {table} WHERE {self._in_decks(' AND '.join(where), decks, p)}"
            " GROUP BY tag"
            " HAVING SUM(cards) > 0"
        )
        rows = {
            str(name) or untagged: [int(v or 0) for v in figures]
            for name, *figures in self._rows(sql, p)
        }
        return tuple(TagFigure(name, *rows[name]) for name in sorted(rows))

    def weak_cards(
        self,
        retrievability: Callable[[str, int, Schedule], float],
        limit: int = 10,
        *,
        now: datetime | None = None,
        zero_ratio: float | None = None,
        where: Conditions | None = None,
        table: str = CARD_ROLLUPS,
    ) -> tuple[tuple[WeakCard, ...], dict[str, int]]:
        """The `limit` weakest cards over the card rollups (`table`: or a table of their
        columns, as `since_rollups` makes; quiz.stats.ranking), and the shown cards' ids
        by key.

        Only cards with a miss or a lapse come back from the database, as named rows
        (times unparsed); retrievability is asked only where it decides the order (a
        card whose latest answer was wrong ranks as 0 whatever FSRS says).

        With `now` and `zero_ratio` (the smallest elapsed-days/stability ratio at which
        any deck's retrievability can round to 0.00, see Scheduler.elapsed_ratio), when
        at least `limit` cards' latest answer was wrong the weakest are all in that 0.00
        tier and only its head is read (on a big log most candidates are thus never read).

        `where`: further conditions over `cards` (a drill's pool: Selection.drill_sql).
        """
        base = self._params()
        sql = WEAK.replace(f"FROM {CARD_ROLLUPS} AS c", f"FROM {table} AS c") + "".join(
            f" AND {c}" for c in (where(base) if where else [])
        )
        slugs = {int(i): str(s) for i, s in self._rows("SELECT id, slug FROM decks", {})}

        def candidates(query: str, p: dict[str, object]) -> list[WeakCandidate]:
            return [
                WeakCandidate(
                    card_id=r[0],
                    deck=slugs[r[1]],
                    answers=r[2],
                    right=r[3],
                    lapses=r[4],
                    drill_misses=r[5],
                    last_miss=r[6],
                    wrong_last=bool(r[7]),
                    state=r[8],
                    stability=r[9],
                    last_review=r[10],
                    reps=r[11],
                    state_lapses=r[12],
                )
                for r in self._rows(query, p)
            ]

        recall = ranking.recall_by(retrievability)
        if now is not None and zero_ratio is not None:
            # Every card whose latest answer was wrong ranks 0.00; within that tier the
            # order is (misses, latest miss, key). So the database orders those cards and
            # hands over the first `limit` plus any tied with the last of them (the key
            # decides ties here, not in SQL, whose collation may differ), and the cards
            # that may round to 0.00 by FSRS alone: forgotten at least `zero_ratio` x
            # stability days ago (learner days can exceed the clock's by one: a superset,
            # scored exactly).
            wrong = f"{sql} AND {WRONG_LAST} = 1"
            first = candidates(
                f"{wrong} ORDER BY c.lapses + c.drill_misses DESC,"
                f" c.last_miss DESC NULLS LAST, c.card_id LIMIT {int(limit)}",
                base,
            )
            if len(first) >= limit:
                edge = first[-1]
                edge_miss = utc_time(edge.last_miss)
                p = Params("e", **base)
                tied = f"{wrong} AND c.lapses + c.drill_misses = {p.add(edge.lapses + edge.drill_misses)}"
                if edge_miss is not None:
                    tied += f" AND c.last_miss >= {p.add(self.log_time(edge_miss))}"
                fading = [
                    c
                    for ids in _chunks(self._faded(now, zero_ratio))
                    for c in candidates(
                        f"{sql} AND {WRONG_LAST} = 0 AND c.card_id IN ({', '.join(map(str, ids))})",
                        base,
                    )
                ]
                found = {
                    c.card_id: c for part in (first, candidates(tied, p), fading) for c in part
                }
                zero = [
                    (ckey, c)
                    for ckey, c in ranking.coarse(found.values(), recall)
                    if ckey.recall == 0.0
                ]
                return ranking.weakest(zero, recall, self.card_keys, limit)
        every = candidates(sql, base)
        return ranking.weakest(ranking.coarse(every, recall), recall, self.card_keys, limit)

    def _faded(self, now: datetime, zero_ratio: float) -> list[int]:
        """The cards forgotten at least `zero_ratio` x stability days before `now`
        (usually none: ix_card_states_stability, 0005)."""
        p = self._params()
        when = p.add(state_time(now, self.sqlite))
        if self.sqlite:
            elapsed = f"julianday({when}) - julianday(cs.last_review)"
        else:
            elapsed = f"EXTRACT(EPOCH FROM CAST({when} AS TIMESTAMP) - cs.last_review) / 86400.0"
        where = ["cs.learner_id = :learner"]
        if zero_ratio > 0:
            # no review is older than 1970: a stability above this cannot have faded that
            # far (a cheap test first, so the date arithmetic runs for few rows or none)
            since_1970 = (now - EPOCH).days + 1
            where.append(f"cs.stability < {p.add(since_1970 / zero_ratio)}")
        where.append(
            f"cs.reps > 0 AND cs.stability > 0 AND ({elapsed}) + 1 > {p.add(zero_ratio)} * cs.stability"
        )
        sql = f"SELECT cs.card_id FROM card_states AS cs WHERE {' AND '.join(where)}"
        return [int(i) for (i,) in self._rows(sql, p)]

    def card_keys(self, card_ids: Sequence[int]) -> dict[int, str]:
        """Card id -> key, for these cards."""
        return {
            int(i): str(k)
            for ids in _chunks(card_ids)
            for i, k in self._rows(
                f"SELECT id, key FROM cards WHERE id IN ({', '.join(map(str, ids))})", {}
            )
        }

    def since_rollups(
        self, since: datetime, decks: Sequence[str] = (), *, scan: bool = False
    ) -> None:
        """The card rollups (SINCE_CARDS) and the tag rollups over them (SINCE_TAGS) of
        the learner's answers from `since` on (of `decks`), as temporary tables that
        `weak_cards` and `tag_figures` read as they read the rollups: the log is grouped
        once in SQL and only the weakest cards and the tags' sums leave the database.
        Only the counts are summed (on SQLite each answer added to its card's row, the
        temporary table's key: sorting the answers by card to group them costs more;
        PostgreSQL groups them): each card's latest miss and right answer since then
        are its card rollup's where they are that recent (LATEST; the rollups hold the
        whole log, `rollups_current`), and its time spent is not read (NULL).
        `scan`: read the whole log in its order rather than the answers since through
        the (learner, time) index, whose every entry is a lookup into the log (the
        caller knows that much of the log is that recent)."""
        p = self._params()
        at = p.add(self.log_time(since))
        where = [self.entries(bounded=not scan), times_from("reviews", at, sqlite=self.sqlite)]
        if decks:
            where.append(f"reviews.card_id IN ({deck_cards(p, decks)})")
        self.drop_since_rollups()
        moment = "BIGINT" if self.sqlite else "TIMESTAMP"
        counts = [c for _e, c in ENTRY_COUNTS]
        self.execute(
            f"CREATE TEMPORARY TABLE {SINCE_CARDS} (learner_id INTEGER NOT NULL,"
            " card_id INTEGER PRIMARY KEY, answers INTEGER, drills INTEGER,"
            " right_answers INTEGER, lapses INTEGER, drill_misses INTEGER,"
            f" last_miss {moment}, last_right {moment}, duration_ms BIGINT)",
            {},
        )
        insert = f"INSERT INTO {SINCE_CARDS} (learner_id, card_id, {', '.join(counts)})"
        if self.sqlite:
            add = ", ".join(f"{c} = {SINCE_CARDS}.{c} + excluded.{c}" for c in counts)
            self.execute(
                f"{insert} SELECT :learner, reviews.card_id, {', '.join(e for e, _c in ENTRY_COUNTS)}"
                f" FROM reviews WHERE {' AND '.join(where)}"
                f" ON CONFLICT (card_id) DO UPDATE SET {add}",
                p,
            )
        else:
            self.execute(
                f"{insert} SELECT :learner, g.card_id, {', '.join(f'g.{c}' for c in counts)}"
                f" FROM ({card_sums(' AND '.join(where), sums=CARD_COUNTS)}) AS g",
                p,
            )
        # each card of the table looks its rollup up (UPDATE ... FROM would read every
        # card rollup of the learner and look the table up)
        latest = [c for _e, c in LATEST]
        recent = ", ".join(f"CASE WHEN c.{c} >= {at} THEN c.{c} END" for c in latest)
        self.execute(
            f"UPDATE {SINCE_CARDS} SET ({', '.join(latest)}) = (SELECT {recent}"
            f" FROM {CARD_ROLLUPS} AS c"
            f" WHERE c.learner_id = :learner AND c.card_id = {SINCE_CARDS}.card_id)",
            p,
        )
        self.execute(
            f"CREATE TEMPORARY TABLE {SINCE_TAGS} (learner_id INTEGER NOT NULL,"
            " deck_id INTEGER NOT NULL, kind VARCHAR(20) NOT NULL, tag VARCHAR(200) NOT NULL,"
            " cards INTEGER, answers INTEGER, right_answers INTEGER, lapses INTEGER,"
            " misses INTEGER)",
            {},
        )
        self.execute(
            f"INSERT INTO {SINCE_TAGS} (learner_id, deck_id, kind, tag, {', '.join(TAG_SUMS)})"
            f" {tag_sums(SINCE_CARDS, 'c.learner_id = :learner')}",
            {"learner": self.learner_id},
        )

    def drop_since_rollups(self) -> None:
        """The temporary tables of `since_rollups` gone (if there)."""
        schema = "temp" if self.sqlite else "pg_temp"
        for table in (SINCE_CARDS, SINCE_TAGS):
            self.execute(f"DROP TABLE IF EXISTS {schema}.{table}", {})

    # ---- the log itself --------------------------------------------------------------

    def hour_counts(self, decks: Sequence[str] = (), shift: int = 0) -> list[HourCount]:
        """Answers per clock hour over the whole log: one small row per hour."""
        p = self._params()
        hour = hour_key(self.sqlite, "reviews.reviewed_at", shift, micros=True)
        where = [self.entries()]
        if decks:
            where.append(f"reviews.card_id IN ({deck_cards(p, decks)})")
        sql = (
            f"SELECT {hour} AS hour, COUNT(*), {HOUR_SUMS}"
            f" FROM reviews WHERE {' AND '.join(where)} GROUP BY {hour}"
        )
        return [
            HourCount(
                from_hour_key(h, shift),
                int(n),
                int(d or 0),
                int(r or 0),
                int(g or 0),
                int(ps or 0),
                int(ms or 0),
            )
            for h, n, d, r, g, ps, ms in self._rows(sql, p)
        ]

    def log_ages(self, decks: Sequence[str] = (), since: datetime | None = None) -> list[AgeCount]:
        """Review-state answers by the card's age (days since its first review) at the
        time, each card's first review grouped from the whole log."""
        p = self._params()
        first = (
            "JOIN (SELECT reviews.card_id AS card_id, MIN(reviews.reviewed_at) AS first_at"
            f" FROM reviews WHERE {self.entries()} AND reviews.kind = {REVIEW}"
            " GROUP BY reviews.card_id) AS f ON f.card_id = reviews.card_id"
        )
        where = [self.entries(bounded=since is not None)]
        if since is not None:
            where.append(self._since(p, since))
        if decks:
            where.append(f"reviews.card_id IN ({deck_cards(p, decks)})")
        return self._ages("f.first_at", first, where, p)

    def tallies_and_schedules(
        self,
        decks: Sequence[str] = (),
        since: datetime | None = None,
        card_ids: Iterable[int] | None = None,
    ) -> tuple[list[CardTally], dict[int, Schedule]]:
        """Per-card answer counts (reviews and drills) since `since`, with keys and tags,
        and each answered card's schedule, in one query: the log grouped by card (one
        row per answered card), each card's schedule with its row."""
        p = self._params()
        where = [self.entries(bounded=since is not None or card_ids is not None)]
        if since is not None:
            where.append(self._since(p, since))
        if decks:
            where.append(f"reviews.card_id IN ({deck_cards(p, decks)})")
        if card_ids is not None:
            where.append(
                f"reviews.card_id IN ({', '.join(str(int(i)) for i in card_ids) or 'NULL'})"
            )
        sql = f"""
SELECT g.card_id, g.answers, g.drills, g.right_answers, g.lapses, g.drill_misses, g.last_miss,
       g.last_right, g.duration_ms, cards.key, cards.kind, decks.slug, cs.state, cs.step,
       cs.stability, cs.difficulty, cs.due, cs.last_review, cs.reps, cs.lapses
FROM ({card_sums(" AND ".join(where))}) AS g
JOIN cards ON cards.id = g.card_id JOIN decks ON decks.id = cards.deck_id
LEFT JOIN card_states AS cs ON cs.card_id = g.card_id AND cs.learner_id = :learner
"""
        rows = self._rows(sql, p)
        tags = self.card_tags([int(r[0]) for r in rows])
        tallies = []
        schedules: dict[int, Schedule] = {}
        for r in rows:
            card_id = int(r[0])
            tallies.append(_tally(r, tags.get(card_id, ())))
            if r[12] is not None:
                schedules[card_id] = schedule_from(
                    r[12],
                    r[13],
                    r[14],
                    r[15],
                    instant_of(r[16]),
                    instant_of(r[17]),
                    r[18],
                    r[19],
                )
        return tallies, schedules

    def card_tags(self, card_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        """Each card's tags, in tag order."""
        out: dict[int, list[str]] = defaultdict(list)
        if len(card_ids) > 5000:  # most of the store: every tag once, not 900 ids at a time
            wanted = set(card_ids)
            for card_id, tag in self._rows("SELECT card_id, tag FROM card_tags ORDER BY tag", {}):
                if card_id in wanted:
                    out[card_id].append(tag)
            return {k: tuple(v) for k, v in out.items()}
        for ids in _chunks(card_ids):
            for card_id, tag in self._rows(
                "SELECT card_id, tag FROM card_tags"
                f" WHERE card_id IN ({', '.join(map(str, ids))}) ORDER BY tag",
                {},
            ):
                out[card_id].append(tag)
        return {k: tuple(v) for k, v in out.items()}

    # ---- the cards' states -----------------------------------------------------------

    def due_hours(
        self, until: datetime, decks: Sequence[str] = (), shift: int = 0
    ) -> list[DueHour]:
        """Cards (learning, review, relearning; not suspended) due before `until`, per hour."""
        p = self._params()
        hour = hour_key(self.sqlite, "cs.due", shift, micros=False)
        where = [
            "cs.learner_id = :learner",
            f"cs.state IN {SCHEDULED}",
            "cs.suspended = FALSE",
            f"cs.due < {p.add(state_time(until, self.sqlite))}",
            "cards.retired = FALSE",
        ]
        if decks:
            where.append(f"cs.card_id IN ({deck_cards(p, decks)})")
        sql = (
            f"SELECT {hour} AS hour, COUNT(*) FROM card_states AS cs"
            f" JOIN cards ON cards.id = cs.card_id WHERE {' AND '.join(where)} GROUP BY {hour}"
        )
        return [DueHour(from_hour_key(h, shift), int(n)) for h, n in self._rows(sql, p)]

    def state_rows(self, decks: Sequence[str] = ()) -> list[StateCount]:
        """(state, suspended, leech, cards) for live cards; a card with no state row is new.

        For the whole store the counts come from the learner's state rows alone (the
        index ix_card_states_counts, migration 0005), minus those of retired cards,
        plus every live card without a state row as new: no join over every card. With
        decks, one grouped outer join."""
        if not decks:
            counts: dict[tuple[int, bool, bool], int] = defaultdict(int)
            by_state = (
                "SELECT cs.state, cs.suspended, cs.leech, COUNT(*) FROM card_states AS cs"
                " WHERE cs.learner_id = :learner{} GROUP BY cs.state, cs.suspended, cs.leech"
            )
            retired = " AND cs.card_id IN (SELECT cards.id FROM cards WHERE cards.retired = TRUE)"
            for sql, sign in ((by_state.format(""), 1), (by_state.format(retired), -1)):
                for st, su, le, n in self._rows(sql):
                    counts[(int(st), bool(su), bool(le))] += sign * int(n)
            [(live,)] = self._rows("SELECT COUNT(*) FROM cards WHERE cards.retired = FALSE", {})
            counts[(0, False, False)] += int(live or 0) - sum(counts.values())
            return [StateCount(st, su, le, n) for (st, su, le), n in counts.items() if n]
        p = self._params()
        columns = "COALESCE(cs.state, 0), COALESCE(cs.suspended, FALSE), COALESCE(cs.leech, FALSE)"
        sql = (
            f"SELECT {columns}, COUNT(*) FROM cards LEFT JOIN card_states AS cs"
            " ON cs.card_id = cards.id AND cs.learner_id = :learner"
            f" WHERE cards.retired = FALSE AND cards.id IN ({deck_cards(p, decks)})"
            f" GROUP BY {columns}"
        )
        return [
            StateCount(int(s), bool(su), bool(le), int(n)) for s, su, le, n in self._rows(sql, p)
        ]

    def strict_grading(self, decks: Sequence[str] = ()) -> list[StrictCard]:
        """Cards with answers the learner overruled as "I was right", most overruled
        first: their grading may be too strict, for their author. The overruled answers
        are found through their partial index (0008); only their cards' answers are then
        counted."""
        overruled = {
            int(card): int(n)
            for card, n in self._rows(
                # the same words as the partial index's WHERE, so SQLite uses it (0008;
                # on PostgreSQL the packs' flag, 0017)
                "SELECT reviews.card_id, COUNT(*) FROM reviews"
                " WHERE reviews.learner_id = :learner"
                f" AND {overruled_answers('reviews', sqlite=self.sqlite)}"
                " GROUP BY reviews.card_id"
            )
        }
        if not overruled:
            return []
        p = self._params()
        sql = (
            "SELECT cards.key, reviews.card_id, COUNT(*) FROM reviews"
            " JOIN cards ON cards.id = reviews.card_id"
            " WHERE reviews.learner_id = :learner"
            f" AND reviews.card_id IN ({', '.join(map(str, overruled))})"
        )
        if decks:
            sql += f" AND cards.deck_id IN (SELECT decks.id FROM decks WHERE decks.slug IN ({p.names(decks)}))"
        sql += " GROUP BY cards.key, reviews.card_id"
        rows = [
            StrictCard(str(key), overruled[int(card)], int(n))
            for key, card, n in self._rows(sql, p)
        ]
        return sorted(rows, key=lambda c: (-c.overruled, c.key))


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    """`ids` in parts of at most `_BOUND` (written into the statement, as integers)."""
    ids = [int(i) for i in ids]
    return (ids[start : start + _BOUND] for start in range(0, len(ids), _BOUND))


def _tally(r: Sequence[Any], tags: tuple[str, ...]) -> CardTally:
    """A CardTally from a row of `tallies_and_schedules`.

    The latest answer's flag is "the latest right answer is the latest answer" (a right
    and a wrong answer at the same instant count as right)."""
    last_miss, last_right = instant_of(r[6]), instant_of(r[7])
    last = max(t for t in (last_miss, last_right) if t is not None)
    answers = int(r[1])
    drills = int(r[2] or 0)
    right_n = int(r[3] or 0)
    return CardTally(
        card_id=int(r[0]),
        key=str(r[9]),
        deck=str(r[11]),
        kind=str(r[10]),
        reviews=answers - drills,
        drills=drills,
        right=right_n,
        lapses=int(r[4] or 0),
        misses=answers - right_n,
        drill_misses=int(r[5] or 0),
        last_miss=last_miss,
        last_answer=last,
        last_right=last_right is not None and last_right >= last,
        duration_ms=int(r[8] or 0),
        tags=tags,
    )
