"""Rollups of the review log: what `quiz stats` reads instead of grouping a million rows.

Per learner (migration 0004): answers per UTC quarter hour, per card, per card-age
bucket, and a mark (the highest review id folded in, and how many of the learner's
rows had an id up to it). `refresh` brings them up to date in one write transaction:

- no mark (never built, or a trigger deleted it because a row of the log was deleted:
  undo), or (PostgreSQL, where ids can commit out of order; SQLite has one writer)
  fewer/more rows up to the mark than it says, or a new review earlier than its card's first review (the card's age
  at every later answer shifts): rebuild the learner's rollups from the log;
- otherwise fold in the rows past the mark with grouped INSERT ... ON CONFLICT DO
  UPDATE (sums add up, latest times take the later one).

Quarter hours rather than hours because every time zone in use is offset from UTC by
a multiple of 15 minutes: the read side regroups quarters into the learner's local
hours (`StatsReads.rolled_hours`) exactly as `StatsReads.hour_counts` groups the log itself.

The figures are exactly those of the direct queries in quiz.store.stats_queries (the
tests compare both): the same CASE expressions, the same age arithmetic, and the same
ranking of weak cards (quiz.stats.ranking) over the same named rows.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Integer,
    and_,
    case,
    cast,
    delete,
    func,
    literal,
    literal_column,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement

from quiz.model import CardState
from quiz.stats.figures import days_of
from quiz.stats.rows import HourCount, LearnerDays
from quiz.store.models import (
    AgeRollup,
    CardRollup,
    DayMark,
    DayRollup,
    QuarterRollup,
    ReviewRow,
    RollupMark,
    TagMark,
    TagRollup,
)
from quiz.store.repo import Repo
from quiz.store.retry import run_write
from quiz.store.rollup_marks import mark_holds
from quiz.store.stats_queries import learners_entries
from quiz.store.stats_reads import age_bucket, usable

if TYPE_CHECKING:
    pass

__all__ = ["refresh", "usable"]

log = logging.getLogger("quiz.store.rollups")

R = ReviewRow
C = CardRollup
Q = QuarterRollup
A = AgeRollup
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


def _quarter(repo: Repo):
    """The review's UTC quarter hour: epoch seconds // 900."""
    if _dialect(repo) == "sqlite":  # integer microseconds (0012)
        return type_coerce(R.reviewed_at, Integer) // literal_column("900000000", Integer)
    return cast(func.floor(func.extract("epoch", R.reviewed_at) / 900), Integer)


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
        for model in (A, C, Q, M, TR, TM, DR, DM):
            session.execute(delete(model).where(model.learner_id == learner))
        added = _fold(repo, 0, top)
        session.execute(_insert(repo)(M).values(learner_id=learner, last_id=top, answers=added))
        _build_tags(repo, top)
    if days is not None:
        _days_up_to(repo, days, top)
    return word


# ---- the tag rollups: the card rollups by deck, kind and tag ---------------------------

TAG = "COALESCE(card_tags.tag, '')"
TAG_SUMS = ("cards", "answers", "right_answers", "lapses", "misses")


def _fold_tags(repo: Repo, after: int, upto: int | None, sign: int) -> None:
    """Add (`sign` 1) or take away (-1) the tag figures of the cards with entries
    `after` < id <= `upto` (all the learner's cards: `upto` None) as their card rollups
    stand: taken away before those entries are folded into the card rollups and added
    after, the tag rollups follow the card rollups."""
    sign = 1 if sign > 0 else -1
    where = "c.learner_id = :learner"
    params: dict[str, object] = {"learner": repo.learner_id}
    if upto is not None:
        where += (
            " AND c.card_id IN (SELECT reviews.card_id FROM reviews"
            " WHERE reviews.learner_id = :learner AND reviews.id > :after AND reviews.id <= :upto)"
        )
        params |= {"after": after, "upto": upto}
    sets = ", ".join(f"{c} = review_tag_rollups.{c} + excluded.{c}" for c in TAG_SUMS)
    session = repo.session
    session.execute(
        text(
            "INSERT INTO review_tag_rollups (learner_id, deck_id, kind, tag, cards, answers,"
            " right_answers, lapses, misses)"
            f" SELECT c.learner_id, cards.deck_id, cards.kind, {TAG}, {sign} * COUNT(*),"
            f" {sign} * SUM(c.answers), {sign} * SUM(c.right_answers), {sign} * SUM(c.lapses),"
            f" {sign} * SUM(c.answers - c.right_answers)"
            " FROM review_card_rollups AS c JOIN cards ON cards.id = c.card_id"
            " LEFT JOIN card_tags ON card_tags.card_id = c.card_id"
            f" WHERE {where} GROUP BY c.learner_id, cards.deck_id, cards.kind, {TAG}"
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


def _days_up_to(repo: Repo, days: LearnerDays, top: int) -> None:
    """The day rollups in the clock `days`, holding the log up to `top`: the entries past
    their mark folded in, or (no mark, another clock) all of them anew."""
    session, learner = repo.session, repo.learner_id
    mark = session.execute(select(DM.clock, DM.last_id).where(DM.learner_id == learner)).first()
    if mark is not None and mark.clock == days.key:
        after = int(mark.last_id)
        if after >= top:
            return
    else:
        after = 0
        session.execute(delete(DR).where(DR.learner_id == learner))
    by_deck: dict[int, list[HourCount]] = defaultdict(list)
    for deck, hour in repo.stats.deck_hours(after, top, days.shift):
        by_deck[deck].append(hour)
    sets = ", ".join(f"{c} = review_day_rollups.{c} + excluded.{c}" for c in DAY_SUMS)
    rows = [
        {
            "learner": learner,
            "deck": deck,
            "day": d.day.toordinal(),
            **dict(zip(DAY_SUMS, d[1:], strict=True)),
        }
        for deck, hours in by_deck.items()
        for d in days_of(hours, days.clock.day_of)
    ]
    if rows:
        session.execute(
            text(
                f"INSERT INTO review_day_rollups (learner_id, deck_id, day, {', '.join(DAY_SUMS)})"
                f" VALUES (:learner, :deck, :day, {', '.join(':' + c for c in DAY_SUMS)})"
                f" ON CONFLICT (learner_id, deck_id, day) DO UPDATE SET {sets}"
            ),
            rows,
        )
    session.execute(delete(DM).where(DM.learner_id == learner))
    session.execute(_insert(repo)(DM).values(learner_id=learner, clock=days.key, last_id=top))


DAY_SUMS = ("answers", "drills", "right_answers", "graded", "passed", "duration_ms")


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


def _fold(repo: Repo, after: int, upto: int) -> int:
    """Add the learner's log rows with `after` < id <= `upto` to the rollups; how many."""
    session, learner = repo.session, repo.learner_id
    insert = _insert(repo)
    rows = and_(learners_entries(repo), R.id > after, R.id <= upto)  # read by id range
    right = _right()
    miss = 1 - right
    drill = case((R.kind == "drill", 1), else_=0)
    graded = and_(R.kind == "review", R.prev_state == REVIEW)

    quarter = _quarter(repo).label("quarter")
    src = (
        select(
            literal(learner),
            quarter,
            func.count(),
            func.sum(drill),
            func.sum(right),
            func.sum(case((graded, 1), else_=0)),
            func.sum(case((and_(graded, R.rating > 1), 1), else_=0)),
            func.sum(R.duration_ms),
        )
        .where(rows)
        .group_by(quarter)
    )
    cols = [
        "learner_id",
        "quarter",
        "answers",
        "drills",
        "right_answers",
        "graded",
        "passed",
        "duration_ms",
    ]
    stmt = insert(Q).from_select(cols, src)
    ex = stmt.excluded
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Q.learner_id, Q.quarter],
            set_={c: getattr(Q, c) + getattr(ex, c) for c in cols[2:]},
        )
    )

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

    # ages after the cards: a card first reviewed in this batch has its first review now
    src = _ages(repo, rows, literal(learner))
    stmt = insert(A).from_select(["learner_id", "min_days", "answers", "passed"], src)
    ex = stmt.excluded
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[A.learner_id, A.min_days],
            set_={"answers": A.answers + ex.answers, "passed": A.passed + ex.passed},
        )
    )
    return int(session.scalar(select(func.count()).select_from(R).where(rows)) or 0)


def _ages(repo: Repo, rows: ColumnElement[bool], *first: Any):
    """Review-state answers among `rows` by their card's age then (days since its first
    review, from the card rollups), grouped by AGE_BUCKETS' lower bound."""
    bucket: ColumnElement[Any] = literal_column(
        age_bucket(
            _dialect(repo) == "sqlite", "reviews.reviewed_at", "review_card_rollups.first_review_at"
        )
    ).label("bucket")
    return (
        select(*first, bucket, func.count(), func.sum(case((R.rating > 1, 1), else_=0)))
        .select_from(R)
        .join(C, and_(C.learner_id == R.learner_id, C.card_id == R.card_id))
        .where(rows, R.kind == "review", R.prev_state == REVIEW)
        .group_by(bucket)
    )
