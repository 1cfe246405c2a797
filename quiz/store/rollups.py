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
hours (`hour_counts`) exactly as quiz.store.stats_queries groups the log itself.

The figures are exactly those of the direct queries in quiz.store.stats_queries (the
tests compare both): the same CASE expressions, the same age arithmetic, and the same
ranking of weak cards (quiz.stats.ranking) over the same named rows.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    delete,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.engine import Row
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement

from quiz.model import CardState, Schedule
from quiz.stats import ranking
from quiz.stats.figures import TagFigure, WeakCard
from quiz.stats.rows import AGE_BUCKETS, AgeCount, HourCount, WeakCandidate, utc_time
from quiz.store.models import (
    AgeRollup,
    CardRollup,
    CardRow,
    CardStateRow,
    CardTag,
    DeckRow,
    QuarterRollup,
    ReviewRow,
    RollupMark,
    UTCDateTime,
)
from quiz.store.repo import Repo
from quiz.store.retry import run_write
from quiz.store.rollup_marks import mark_holds
from quiz.store.stats_queries import days_between, learners_entries

log = logging.getLogger("quiz.store.rollups")

R = ReviewRow
C = CardRollup
Q = QuarterRollup
A = AgeRollup
M = RollupMark
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


def refresh(repo: Repo) -> str | None:
    """Bring this learner's rollups up to the end of the log; commits.

    Returns "built", "folded" or "current", or None when the store cannot be written
    (a read-only file or role): the caller then groups the log directly.
    """
    session = repo.session
    session.commit()  # end the read transaction: the refresh is one transaction of its own

    def work() -> str:
        if _dialect(repo) == "postgresql":
            # one snapshot for every statement below: rows committed meanwhile (ids
            # below the new mark) are then missing from all the folds, and the count
            # at the next refresh notices them
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return _refresh(repo)

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


def _refresh(repo: Repo) -> str:
    session, learner = repo.session, repo.learner_id
    # a write first: on SQLite it takes the write lock, so nothing commits under us
    session.execute(update(M).where(M.learner_id == learner).values(last_id=M.last_id))
    mark = session.execute(
        select(M.last_id, M.answers).where(M.learner_id == learner).with_for_update()
    ).first()
    top = session.scalar(select(func.max(R.id))) or 0
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
            if top <= last_id:
                return "current"
            added = _fold(repo, last_id, top)
            session.execute(
                update(M)
                .where(M.learner_id == learner)
                .values(last_id=top, answers=answers + added)
            )
            return "folded"
    for model in (A, C, Q, M):
        session.execute(delete(model).where(model.learner_id == learner))
    added = _fold(repo, 0, top)
    session.execute(_insert(repo)(M).values(learner_id=learner, last_id=top, answers=added))
    return "built"


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
    age = days_between(_dialect(repo), R.reviewed_at, C.first_review_at)
    bounds = [b[0] for b in AGE_BUCKETS]
    bucket = case(
        *[(age < hi, lo) for lo, hi in itertools.pairwise(bounds)], else_=bounds[-1]
    ).label("bucket")
    return (
        select(*first, bucket, func.count(), func.sum(case((R.rating > 1, 1), else_=0)))
        .select_from(R)
        .join(C, and_(C.learner_id == R.learner_id, C.card_id == R.card_id))
        .where(rows, R.kind == "review", R.prev_state == REVIEW)
        .group_by(bucket)
    )


# ---- reading them ------------------------------------------------------------------


def hour_counts(repo: Repo, shift: int) -> list[HourCount]:
    """As stats_queries.hour_counts (whole log, no deck): quarters regrouped into shifted hours.

    `shift` (the zone's minutes past the hour) must be a multiple of 15.
    """
    assert shift % 15 == 0
    hour = ((Q.quarter * 15 + shift) // 60).label("hour")
    q = (
        select(
            hour,
            func.sum(Q.answers),
            func.sum(Q.drills),
            func.sum(Q.right_answers),
            func.sum(Q.graded),
            func.sum(Q.passed),
            func.sum(Q.duration_ms),
        )
        .where(Q.learner_id == repo.learner_id)
        .group_by(hour)
    )
    at = datetime.fromtimestamp
    utc = timezone.utc
    return [
        HourCount(
            at(int(h) * 3600 - shift * 60, utc), int(n), int(d), int(r), int(g), int(p), int(ms)
        )
        for h, n, d, r, g, p, ms in repo.session.execute(q)
    ]


def in_decks(decks: Sequence[str]) -> ColumnElement[bool]:
    """A condition over CardRow: the card is in one of these decks."""
    return CardRow.deck_id.in_(select(DeckRow.id).where(DeckRow.slug.in_(decks)))


def age_counts(
    repo: Repo, since: datetime | None = None, decks: Sequence[str] = ()
) -> list[AgeCount]:
    """As stats_queries.age_counts. Since a time or for some decks, only those answers
    are read (through the (learner, time) index, or each card's entries) and each card's
    first review comes from its rollup, where grouping the log itself finds every
    card's first review in a pass over the whole log."""
    if since is not None or decks:
        rows = learners_entries(repo, bounded=True)
        if since is not None:
            rows = and_(rows, R.reviewed_at >= since)
        if decks:
            rows = and_(rows, R.card_id.in_(select(CardRow.id).where(in_decks(decks))))
        return [
            AgeCount(int(lo), int(n), int(p or 0))
            for lo, n, p in repo.session.execute(_ages(repo, rows))
        ]
    q = select(A.min_days, A.answers, A.passed).where(
        A.learner_id == repo.learner_id, A.answers > 0
    )
    return [AgeCount(int(lo), int(n), int(p)) for lo, n, p in repo.session.execute(q)]


def tag_figures(
    repo: Repo, kind: str | None = None, untagged: str = "(untagged)", decks: Sequence[str] = ()
) -> tuple[TagFigure, ...]:
    """quiz.stats.figures.tag_figures over every answered card (of `kind`, of `decks`),
    grouped in the database: one pass, untagged cards grouped under `untagged` by the
    outer join."""
    where = [C.learner_id == repo.learner_id]
    if kind is not None:
        where.append(C.card_id.in_(select(CardRow.id).where(CardRow.kind == kind)))
    if decks:
        where.append(C.card_id.in_(select(CardRow.id).where(in_decks(decks))))
    tag = func.coalesce(CardTag.tag, literal(untagged)).label("tag")
    q = (
        select(
            tag,
            func.count(),
            func.sum(C.answers),
            func.sum(C.right_answers),
            func.sum(C.lapses),
            func.sum(C.answers - C.right_answers),
        )
        .select_from(C)
        .outerjoin(CardTag, CardTag.card_id == C.card_id)
        .where(*where)
        .group_by(tag)
    )
    rows = {name: [int(v or 0) for v in figures] for name, *figures in repo.session.execute(q)}
    return tuple(TagFigure(name, *rows[name]) for name in sorted(rows))


def weak_cards(
    repo: Repo,
    retrievability: Callable[[str, int, Schedule], float],
    limit: int = 10,
    *,
    now: datetime | None = None,
    zero_ratio: float | None = None,
    where: Sequence[Any] = (),
) -> tuple[tuple[WeakCard, ...], dict[str, int]]:
    """The `limit` weakest cards over the card rollups (quiz.stats.ranking), and the
    shown cards' ids by key.

    Only cards with a miss or a lapse come back from the database, as named rows (times
    unparsed); retrievability is asked only where it decides the order (a card whose
    latest answer was wrong ranks as 0 whatever FSRS says).

    With `now` and `zero_ratio` (the smallest elapsed-days/stability ratio at which any
    deck's retrievability can round to 0.00, see Scheduler.elapsed_ratio), when at
    least `limit` cards' latest answer was wrong the weakest are all in that 0.00 tier
    and only its head is read (on a big log most candidates are thus never read).

    `where`: further conditions over CardRow (a drill's pool: Repo.drill_conditions).
    """
    ST = CardStateRow
    wrong_last = case(
        (
            or_(C.last_right.is_(None), and_(C.last_miss.is_not(None), C.last_right < C.last_miss)),
            1,
        ),
        else_=0,
    )
    q = (
        select(
            C.card_id,
            CardRow.deck_id,
            C.answers,
            C.right_answers,
            C.lapses,
            C.drill_misses,
            type_coerce(C.last_miss, String).label("last_miss"),
            wrong_last.label("wrong_last"),
            ST.state,
            ST.stability,
            type_coerce(ST.last_review, String).label("last_review"),
            ST.reps,
            ST.lapses.label("state_lapses"),
        )
        .join(CardRow, CardRow.id == C.card_id)  # id and deck only: ix_cards_id_deck covers them
        .outerjoin(ST, and_(ST.learner_id == C.learner_id, ST.card_id == C.card_id))
        .where(
            C.learner_id == repo.learner_id,
            (C.answers > C.right_answers) | (C.lapses > 0) | (func.coalesce(ST.lapses, 0) > 0),
            *where,
        )
    )
    slugs = dict(repo.session.execute(select(DeckRow.id, DeckRow.slug)).all())

    def candidates(rows: Iterable[Row[Any]]) -> list[WeakCandidate]:
        return [
            WeakCandidate(
                card_id=r.card_id,
                deck=slugs[r.deck_id],
                answers=r.answers,
                right=r.right_answers,
                lapses=r.lapses,
                drill_misses=r.drill_misses,
                last_miss=r.last_miss,
                wrong_last=bool(r.wrong_last),
                state=r.state,
                stability=r.stability,
                last_review=r.last_review,
                reps=r.reps,
                state_lapses=r.state_lapses,
            )
            for r in rows
        ]

    recall = ranking.recall_by(retrievability)

    def keys(card_ids: Sequence[int]) -> dict[int, str]:
        return _card_keys(repo, card_ids)

    if now is not None and zero_ratio is not None:
        # Every card whose latest answer was wrong ranks 0.00; within that tier the order is
        # (misses, latest miss, key). So the database orders those cards and hands over
        # the first `limit` plus any tied with the last of them (the key decides ties
        # here, not in SQL, whose collation may differ), and the cards that may round to
        # 0.00 by FSRS alone: forgotten at least `zero_ratio` x stability days ago
        # (learner days can exceed the clock's by one: a superset, scored exactly).
        misses = C.lapses + C.drill_misses
        wrong = q.where(wrong_last == 1)
        first = candidates(
            repo.session.execute(
                wrong.order_by(misses.desc(), C.last_miss.desc().nulls_last(), C.card_id).limit(
                    limit
                )
            )
        )
        if len(first) >= limit:
            edge = first[-1]
            edge_miss = utc_time(edge.last_miss)
            tied = wrong.where(misses == edge.lapses + edge.drill_misses)
            tied = tied.where(C.last_miss >= edge_miss) if edge_miss is not None else tied
            elapsed = _days_since(repo, now, ST.last_review) + 1
            # no review is older than 1970: a stability above this cannot have faded that far
            # (a cheap test first, so the date arithmetic runs for few rows or none)
            faded = select(ST.card_id).where(ST.learner_id == repo.learner_id)
            if zero_ratio > 0:
                since_1970 = (now - datetime(1970, 1, 1, tzinfo=timezone.utc)).days + 1
                faded = faded.where(ST.stability < since_1970 / zero_ratio)
            faded = faded.where(ST.reps > 0, ST.stability > 0, elapsed > zero_ratio * ST.stability)
            faded_ids = list(
                repo.session.scalars(faded)
            )  # usually none (ix_card_states_stability, 0005)
            fading = [
                c
                for start in range(0, len(faded_ids), 900)
                for c in candidates(
                    repo.session.execute(
                        q.where(wrong_last == 0, C.card_id.in_(faded_ids[start : start + 900]))
                    )
                )
            ]
            found = {
                c.card_id: c
                for part in (first, candidates(repo.session.execute(tied)), fading)
                for c in part
            }
            zero = [
                (ckey, c)
                for ckey, c in ranking.coarse(found.values(), recall)
                if ckey.recall == 0.0
            ]
            return ranking.weakest(zero, recall, keys, limit)
    every = candidates(repo.session.execute(q))
    return ranking.weakest(ranking.coarse(every, recall), recall, keys, limit)


def _days_since(repo: Repo, now: datetime, column):
    """Days (fractional) from `column` to `now`, in SQL."""
    at = literal(now, UTCDateTime)
    if _dialect(repo) == "sqlite":
        return func.julianday(at) - func.julianday(column)
    return func.extract("epoch", at - column) / 86400.0


def _card_keys(repo: Repo, card_ids: Sequence[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for start in range(0, len(card_ids), 900):  # SQLite's bound-parameter limit
        chunk = card_ids[start : start + 900]
        out.update(
            repo.session.execute(select(CardRow.id, CardRow.key).where(CardRow.id.in_(chunk))).all()
        )
    return out


def usable(shift: int) -> bool:
    """Can the rollups answer this `quiz stats`? (a zone on the quarter hour, whose
    hours are whole quarters; with --deck or --since they give part of the figures)"""
    return shift % 15 == 0
