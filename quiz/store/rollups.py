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
hour of its entries to its day through the same `DayClock.day_of`, in a temporary
table the one grouped INSERT joins, with each answer's card-age bucket beside its day
(the card's deck and first review from a second temporary table made from the card
rollups, so each answer looks its card up once, by an integer key).

The figures are exactly those of the direct queries in quiz.store.stats_reads (the
tests compare both): the same CASE expressions, the same age arithmetic, and the same
ranking of weak cards (quiz.stats.ranking) over the same named rows.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    and_,
    case,
    delete,
    func,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement

from quiz.model import CardState
from quiz.stats.rows import AGE_BUCKETS, LearnerDays
from quiz.store.models import (
    CardRollup,
    DayMark,
    DayRollup,
    ReviewRow,
    RollupMark,
    TagMark,
    TagRollup,
)
from quiz.store.repo import Repo
from quiz.store.retry import run_write
from quiz.store.rollup_marks import mark_holds
from quiz.store.stats_queries import learners_entries
from quiz.store.stats_reads import (
    CARD_ROLLUPS,
    HOUR_SUM_TERMS,
    TAG_SUMS,
    age_bucket,
    from_hour_key,
    hour_key,
    tag_sums,
    usable,
)

if TYPE_CHECKING:
    pass

__all__ = ["refresh", "usable"]

log = logging.getLogger("quiz.store.rollups")

R = ReviewRow
C = CardRollup
M = RollupMark
TR, TM = TagRollup, TagMark
DR, DM = DayRollup, DayMark
REVIEW = int(CardState.REVIEW)


def _dialect(repo: Repo) -> str:
    return repo.session.get_bind().dialect.name


def _insert(repo: Repo) -> Any:
    """The dialect's INSERT (both have ON CONFLICT DO UPDATE, with the same spelling)."""
    if _dialect(repo) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def _right() -> ColumnElement[int]:
    """1 for a right answer: its `correct` flag, or (self-rated cards) not Again (as stats_queries._right)."""
    return case((R.correct.is_(True), 1), (and_(R.correct.is_(None), R.rating > 1), 1), else_=0)


def _later(old, new):
    """The later of two nullable times (SQLite's max() of a NULL is NULL)."""
    return case((new.is_(None), old), (old.is_(None), new), (new > old, new), else_=old)


def _earlier(old, new):
    return case((new.is_(None), old), (old.is_(None), new), (new < old, new), else_=old)


# ---- keeping them up to date -------------------------------------------------------


def refresh(repo: Repo, days: LearnerDays | None = None) -> str | None:
    """Bring this learner's rollups up to the end of the log; commits. With `days`,
    the day rollups too, in that clock (rebuilt when they are kept in another).

    Returns "built", "folded" or "current" (the log's rollups; the tag and day rollups
    are rebuilt whenever they are not current, whatever the word), or None when the
    store cannot be written (a read-only file or role): the caller then groups the log
    directly.
    """
    session = repo.session
    session.commit()  # end the read transaction: the refresh is one transaction of its own

    def work() -> str:
        if _dialect(repo) == "postgresql":
            # one snapshot for every statement below: rows committed meanwhile (ids
            # below the new mark) are then missing from all the folds, and the count
            # at the next refresh notices them
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return _refresh(repo, days)

    try:
        return run_write(session, work, repo.retry)
    except DBAPIError as exc:
        if _read_only(exc):
            log.info("read-only store: rollups not refreshed; the log is grouped directly")
            return None
        raise


def _read_only(exc: DBAPIError) -> bool:
    message = str(exc.orig).lower()
    return (
        "readonly" in message
        or "read-only" in message
        or "read only" in message
        or "permission denied" in message
        or getattr(exc.orig, "sqlstate", None) in ("42501", "25006")
    )


def _refresh(repo: Repo, days: LearnerDays | None) -> str:
    session, learner = repo.session, repo.learner_id
    # a write first: on SQLite it takes the write lock, so nothing commits under us
    session.execute(update(M).where(M.learner_id == learner).values(last_id=M.last_id))
    mark = session.execute(
        select(M.last_id, M.answers).where(M.learner_id == learner).with_for_update()
    ).first()
    top = session.scalar(select(func.max(R.id))) or 0
    word = "built"
    if mark is not None:
        last_id, answers = mark
        holds = mark_holds(
            lambda sql, params: session.execute(text(sql), params),
            _dialect(repo) == "sqlite",
            learner,
            last_id,
            answers,
        )
        if holds and not _moves_first_review(repo, last_id, top):
            tags = session.scalar(select(TM.last_id).where(TM.learner_id == learner))
            if top <= last_id:
                word = "current"
                if tags != last_id:
                    _build_tags(repo, top)
            else:
                if tags == last_id:
                    _fold_tags(repo, last_id, top, -1)
                added = _fold(repo, last_id, top)
                session.execute(
                    update(M)
                    .where(M.learner_id == learner)
                    .values(last_id=top, answers=answers + added)
                )
                word = "folded"
                if tags == last_id:
                    _fold_tags(repo, last_id, top, 1)
                    _mark_tags(repo, top)
                else:
                    _build_tags(repo, top)
    if word == "built":
        for model in (C, M, TR, TM, DR, DM):
            session.execute(delete(model).where(model.learner_id == learner))
        added = _fold(repo, 0, top, built=True)
        session.execute(_insert(repo)(M).values(learner_id=learner, last_id=top, answers=added))
        _build_tags(repo, top)
    if days is not None:
        _days_up_to(repo, days, top)
    return word


# ---- the tag rollups: the card rollups by deck, kind and tag ---------------------------


def _fold_tags(repo: Repo, after: int, upto: int | None, sign: int) -> None:
    """Add (`sign` 1) or take away (-1) the tag figures of the cards with entries
    `after` < id <= `upto` (all the learner's cards: `upto` None) as their card rollups
    stand: taken away before those entries are folded into the card rollups and added
    after, the tag rollups follow the card rollups."""
    sign = 1 if sign > 0 else -1
    where = "c.learner_id = :learner"
    params: dict[str, object] = {"learner": repo.learner_id}
    if upto is not None:
        learner = "reviews.learner_id + 0" if _dialect(repo) == "sqlite" else "reviews.learner_id"
        where += (  # read by the id range (the rowid), as the folds
            " AND c.card_id IN (SELECT reviews.card_id FROM reviews"
            f" WHERE {learner} = :learner AND reviews.id > :after AND reviews.id <= :upto)"
        )
        params |= {"after": after, "upto": upto}
    sets = ", ".join(f"{c} = review_tag_rollups.{c} + excluded.{c}" for c in TAG_SUMS)
    session = repo.session
    session.execute(
        text(
            "INSERT INTO review_tag_rollups (learner_id, deck_id, kind, tag,"
            f" {', '.join(TAG_SUMS)}) {tag_sums(CARD_ROLLUPS, where, sign)}"
            f" ON CONFLICT (learner_id, deck_id, kind, tag) DO UPDATE SET {sets}"
        ),
        params,
    )


def _build_tags(repo: Repo, top: int) -> None:
    """The tag rollups anew from the card rollups (which hold the log up to `top`)."""
    repo.session.execute(delete(TR).where(TR.learner_id == repo.learner_id))
    _fold_tags(repo, 0, None, 1)
    _mark_tags(repo, top)


def _mark_tags(repo: Repo, top: int) -> None:
    session, learner = repo.session, repo.learner_id
    session.execute(delete(TM).where(TM.learner_id == learner))
    session.execute(_insert(repo)(TM).values(learner_id=learner, last_id=top))


# ---- the day rollups: the log's hours by deck, summed per learner day ------------------


DAY_SUMS = ("drills", "right_answers", "graded", "passed", "duration_ms")
HOURS = "quiz_hour_days"  # a temporary table: each clock hour of the fold's entries -> its day
CARDS = "quiz_day_cards"  # a temporary table: each card of the fold's entries -> deck, first review
# The fold groups by one integer, (deck * DAY_SPAN + day) * BUCKET_SPAN + age bucket: SQLite
# sorts a million entries by one integer much faster than by three columns. Every day
# ordinal (date.max's is 3652059) is below DAY_SPAN; a deck id is below DECK_SPAN, or
# the fold groups by the three columns.
BUCKET_SPAN = 8
DAY_SPAN = 1 << 22
DECK_SPAN = 1 << 38


def _days_up_to(repo: Repo, days: LearnerDays, top: int) -> None:
    """The day rollups in the clock `days`, holding the log up to `top`: the entries past
    their mark folded in, or (no mark, another clock) all of them anew. The card
    rollups hold the log up to `top` already (the answers' card ages come from them)."""
    session, learner = repo.session, repo.learner_id
    mark = session.execute(select(DM.clock, DM.last_id).where(DM.learner_id == learner)).first()
    if mark is not None and mark.clock == days.key:
        after = int(mark.last_id)
    else:
        after = 0
        session.execute(delete(DR).where(DR.learner_id == learner))
    if after < top:
        _fold_days(repo, days, after, top)
    session.execute(delete(DM).where(DM.learner_id == learner))
    session.execute(_insert(repo)(DM).values(learner_id=learner, clock=days.key, last_id=top))


def _fold_days(repo: Repo, days: LearnerDays, after: int, upto: int) -> None:
    """Add the learner's entries with `after` < id <= `upto` to the day rollups, by
    deck, learner day and card-age bucket, in one grouped INSERT over two small
    temporary tables: each clock hour's day, and each card's deck and first review
    (from its rollup), both looked up by an integer key."""
    session, learner = repo.session, repo.learner_id
    sqlite = _dialect(repo) == "sqlite"
    params = {"learner": learner, "after": after, "upto": upto}
    entries = "reviews.learner_id = :learner AND reviews.id > :after AND reviews.id <= :upto"
    if sqlite:  # read by the id range (the rowid), as the other folds
        entries = entries.replace("reviews.learner_id =", "reviews.learner_id + 0 =")
    hour = hour_key(sqlite, "reviews.reviewed_at", days.shift, micros=True)
    if after == 0:  # every entry up to the newest: the learner's first and last, by index
        first, last = (
            hour_key(sqlite, f"({end})", days.shift, micros=True)
            for end in (
                f"SELECT {fn}(reviews.reviewed_at) FROM reviews WHERE reviews.learner_id = :learner"
                for fn in ("MIN", "MAX")
            )
        )
        span_sql = f"SELECT {first}, {last}"  # two subqueries: each one end of the index
    else:
        span_sql = f"SELECT MIN({hour}), MAX({hour}) FROM reviews WHERE {entries}"
    span = session.execute(text(span_sql), params).first()
    if span is None or span[0] is None:
        return
    temp = "temp." if sqlite else "pg_temp."
    for table in (HOURS, CARDS):
        session.execute(text(f"DROP TABLE IF EXISTS {temp}{table}"))
    kind = "INTEGER" if sqlite else "TEXT"
    session.execute(
        text(f"CREATE TEMPORARY TABLE {HOURS} (hour {kind} PRIMARY KEY, day INTEGER NOT NULL)")
    )
    session.execute(
        text(f"INSERT INTO {HOURS} (hour, day) VALUES (:hour, :day)"),
        [
            {"hour": key, "day": days.clock.day_of(from_hour_key(key, days.shift)).toordinal()}
            for key in _hour_keys(span[0], span[1], days.shift)
        ],
    )
    time_type = "BIGINT" if sqlite else "TIMESTAMP"
    session.execute(
        text(
            f"CREATE TEMPORARY TABLE {CARDS} (card_id INTEGER PRIMARY KEY,"
            f" deck_id BIGINT NOT NULL, first_at {time_type})"
        )
    )
    folded = (
        ""
        if after == 0
        else f" AND c.card_id IN (SELECT reviews.card_id FROM reviews WHERE {entries})"
    )
    session.execute(
        text(
            f"INSERT INTO {CARDS} (card_id, deck_id, first_at)"
            " SELECT c.card_id, cards.deck_id, c.first_review_at"
            " FROM review_card_rollups AS c JOIN cards ON cards.id = c.card_id"
            f" WHERE c.learner_id = :learner{folded}"
        ),
        params,
    )
    top_deck = session.scalar(text(f"SELECT MAX(deck_id) FROM {CARDS}")) or 0
    bucket = age_bucket(sqlite, "reviews.reviewed_at", "f.first_at", index=True)
    if int(top_deck) < DECK_SPAN:
        keys = [(f"(f.deck_id * {DAY_SPAN} + h.day) * {BUCKET_SPAN} + {bucket}", "k")]
        deck, day, place = (
            f"g.k / {DAY_SPAN * BUCKET_SPAN}",
            f"(g.k / {BUCKET_SPAN}) % {DAY_SPAN}",
            f"g.k % {BUCKET_SPAN}",
        )
    else:  # an id too large to share one integer: the same groups, by three columns
        keys = [("f.deck_id", "deck_id"), ("h.day", "day"), (bucket, "place")]
        deck, day, place = "g.deck_id", "g.day", "g.place"
    min_days = " ".join(f"WHEN {i} THEN {b[0]}" for i, b in enumerate(AGE_BUCKETS))
    sums = ("answers", *DAY_SUMS)
    inner = ", ".join(
        [f"{e} AS {a}" for e, a in keys]
        + [f"{e} AS {a}" for e, a in zip(("COUNT(*)", *HOUR_SUM_TERMS), sums, strict=True)]
    )
    sets = ", ".join(f"{c} = review_day_rollups.{c} + excluded.{c}" for c in sums)
    session.execute(
        text(
            "INSERT INTO review_day_rollups (learner_id, deck_id, day, min_days,"
            f" {', '.join(sums)})"
            f" SELECT :learner, {deck}, {day}, CASE {place} {min_days} END,"
            f" {', '.join(f'g.{c}' for c in sums)}"
            f" FROM (SELECT {inner} FROM reviews JOIN {CARDS} AS f ON f.card_id = reviews.card_id"
            f" JOIN {HOURS} AS h ON h.hour = {hour} WHERE {entries}"
            f" GROUP BY {', '.join(e for e, _a in keys)}) AS g"
            " WHERE TRUE"  # (SQLite: the ON below is the upsert's, not a join's)
            f" ON CONFLICT (learner_id, deck_id, day, min_days) DO UPDATE SET {sets}"
        ),
        params,
    )
    for table in (HOURS, CARDS):
        session.execute(text(f"DROP TABLE {temp}{table}"))


def _hour_keys(first: Any, last: Any, shift: int) -> list[Any]:
    """Every clock hour from `first` to `last` as `hour_key` gives them (hours since
    1970 on SQLite, else 'YYYY-MM-DD HH' of the shifted time)."""
    if isinstance(first, int):
        return list(range(int(first), int(last) + 1))
    start, end = from_hour_key(first, shift), from_hour_key(last, shift)
    moved = timedelta(minutes=shift)
    out = []
    while start <= end:
        out.append((start + moved).strftime("%Y-%m-%d %H"))
        start += timedelta(hours=1)
    return out


def _moves_first_review(repo: Repo, after: int, upto: int) -> bool:
    """Is a new review earlier than the first review its card had (every age shifts)?"""
    if upto <= after:
        return False
    q = (
        select(literal(1))
        .select_from(R)
        .join(C, and_(C.learner_id == R.learner_id, C.card_id == R.card_id))
        .where(
            R.learner_id == repo.learner_id,
            R.id > after,
            R.id <= upto,
            R.kind == "review",
            C.first_review_at.is_not(None),
            R.reviewed_at < C.first_review_at,
        )
        .limit(1)
    )
    return repo.session.scalar(q) is not None


def _fold(repo: Repo, after: int, upto: int, *, built: bool = False) -> int:
    """Add the learner's log rows with `after` < id <= `upto` to the rollups; how many
    (`built`: the learner's card rollups were empty, so they count them themselves,
    without a second pass over the log)."""
    session, learner = repo.session, repo.learner_id
    insert = _insert(repo)
    rows = and_(learners_entries(repo), R.id > after, R.id <= upto)  # read by id range
    right = _right()
    miss = 1 - right
    drill = case((R.kind == "drill", 1), else_=0)
    graded = and_(R.kind == "review", R.prev_state == REVIEW)

    src = (
        select(
            literal(learner),
            R.card_id,
            func.count(),
            func.sum(drill),
            func.sum(right),
            func.sum(case((and_(graded, R.rating == 1), 1), else_=0)),
            func.sum(case((R.kind == "drill", miss), else_=0)),
            func.max(case((miss == 1, R.reviewed_at))),
            func.max(case((right == 1, R.reviewed_at))),
            func.sum(R.duration_ms),
            func.min(case((R.kind == "review", R.reviewed_at))),
        )
        .where(rows)
        .group_by(R.card_id)
    )
    cols = [
        "learner_id",
        "card_id",
        "answers",
        "drills",
        "right_answers",
        "lapses",
        "drill_misses",
        "last_miss",
        "last_right",
        "duration_ms",
        "first_review_at",
    ]
    stmt = insert(C).from_select(cols, src)
    ex = stmt.excluded
    sums = ("answers", "drills", "right_answers", "lapses", "drill_misses", "duration_ms")
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[C.learner_id, C.card_id],
            set_={
                **{c: getattr(C, c) + getattr(ex, c) for c in sums},
                "last_miss": _later(C.last_miss, ex.last_miss),
                "last_right": _later(C.last_right, ex.last_right),
                "first_review_at": _earlier(C.first_review_at, ex.first_review_at),
            },
        )
    )

    if built:  # the card rollups hold these rows and no others
        held = select(func.sum(C.answers)).where(C.learner_id == learner)
        return int(session.scalar(held) or 0)
    return int(session.scalar(select(func.count()).select_from(R).where(rows)) or 0)
