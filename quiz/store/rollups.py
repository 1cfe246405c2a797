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
hours (`hour_counts`) exactly as quiz.store.progress groups the log itself.

The figures are exactly those of the direct queries in quiz.store.progress (the tests
compare both): the same CASE expressions, the same age arithmetic.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timezone

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement

from quiz import stats
from quiz.model import CardState, Schedule
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

log = logging.getLogger("quiz.store.rollups")

R = ReviewRow
C = CardRollup
Q = QuarterRollup
A = AgeRollup
M = RollupMark
REVIEW = int(CardState.REVIEW)


def _dialect(repo: Repo) -> str:
    return repo.session.get_bind().dialect.name


def _insert(repo: Repo):
    if _dialect(repo) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _right() -> ColumnElement[int]:
    """1 for a right answer: its `correct` flag, or (self-rated cards) not Again (as progress._right)."""
    return case((R.correct.is_(True), 1), (and_(R.correct.is_(None), R.rating > 1), 1), else_=0)


def _quarter(repo: Repo):
    """The review's UTC quarter hour: epoch seconds // 900."""
    if _dialect(repo) == "sqlite":
        return cast(func.strftime("%s", R.reviewed_at), Integer) // 900
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
    session.execute(M.__table__.update().where(M.learner_id == learner).values(last_id=M.last_id))
    mark = session.execute(
        select(M.last_id, M.answers).where(M.learner_id == learner).with_for_update()
    ).first()
    top = session.scalar(select(func.max(R.id))) or 0
    if mark is not None:
        last_id, answers = mark
        if _dialect(repo) == "sqlite":
            # one writer at a time: ids become visible in order, and a deleted row
            # (whose id SQLite may hand out again) deletes the mark by trigger
            held = answers
        else:
            held = session.scalar(
                select(func.count()).select_from(R).where(R.learner_id == learner, R.id <= last_id)
            )
        if held == answers and not _moves_first_review(repo, last_id, top):
            if top <= last_id:
                return "current"
            added = _fold(repo, last_id, top)
            session.execute(
                M.__table__.update()
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
    rows = and_(R.learner_id == learner, R.id > after, R.id <= upto)
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
    if _dialect(repo) == "sqlite":
        age = func.julianday(R.reviewed_at) - func.julianday(C.first_review_at)
    else:
        age = func.extract("epoch", R.reviewed_at - C.first_review_at) / 86400.0
    bounds = [b[0] for b in stats.AGE_BUCKETS]
    bucket = case(
        *[(age < hi, lo) for lo, hi in itertools.pairwise(bounds)], else_=bounds[-1]
    ).label("bucket")
    src = (
        select(literal(learner), bucket, func.count(), func.sum(case((R.rating > 1, 1), else_=0)))
        .select_from(R)
        .join(C, and_(C.learner_id == R.learner_id, C.card_id == R.card_id))
        .where(rows, R.kind == "review", R.prev_state == REVIEW)
        .group_by(bucket)
    )
    stmt = insert(A).from_select(["learner_id", "min_days", "answers", "passed"], src)
    ex = stmt.excluded
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[A.learner_id, A.min_days],
            set_={"answers": A.answers + ex.answers, "passed": A.passed + ex.passed},
        )
    )
    return int(session.scalar(select(func.count()).select_from(R).where(rows)) or 0)


# ---- reading them ------------------------------------------------------------------


def hour_counts(repo: Repo, shift: int) -> list[stats.HourCount]:
    """As progress.hour_counts (whole log, no deck): quarters regrouped into shifted hours.

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
        stats.HourCount(
            at(int(h) * 3600 - shift * 60, utc), int(n), int(d), int(r), int(g), int(p), int(ms)
        )
        for h, n, d, r, g, p, ms in repo.session.execute(q)
    ]


def age_counts(repo: Repo) -> list[stats.AgeCount]:
    q = select(A.min_days, A.answers, A.passed).where(
        A.learner_id == repo.learner_id, A.answers > 0
    )
    return [stats.AgeCount(int(lo), int(n), int(p)) for lo, n, p in repo.session.execute(q)]


def tag_figures(
    repo: Repo, kind: str | None = None, untagged: str = "(untagged)"
) -> tuple[stats.TagFigure, ...]:
    """stats.tag_figures over every answered card (of `kind`), grouped in the database:
    one pass, untagged cards grouped under `untagged` by the outer join."""
    where = [C.learner_id == repo.learner_id]
    if kind is not None:
        where.append(C.card_id.in_(select(CardRow.id).where(CardRow.kind == kind)))
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
    return tuple(stats.TagFigure(name, *rows[name]) for name in sorted(rows))


def weak_cards(
    repo: Repo,
    retrievability: Callable[[str, int, Schedule], float],
    limit: int = 10,
    *,
    now: datetime | None = None,
    zero_ratio: float | None = None,
) -> tuple[tuple[stats.WeakCard, ...], dict[str, int]]:
    """stats.weakest_cards over the card rollups, and the shown cards' ids by key.

    Only cards with a miss or a lapse come back from the database, as plain rows (times
    unparsed); retrievability is asked only where it decides the order (a card whose
    latest answer was wrong ranks as 0 whatever FSRS says). The order is decided in two
    steps with the same result as sorting by stats.weakness_rank and the key: first by
    (rounded retrievability, misses) for every card, then the full rank only for the
    cards that tie with or beat the `limit`-th of those.

    With `now` and `zero_ratio` (the smallest elapsed-days/stability ratio at which any
    deck's retrievability can round to 0.00, see Scheduler.elapsed_ratio), when at
    least `limit` cards' latest answer was wrong the weakest are all in that 0.00 tier
    and only its head is read (on a big log most candidates are thus never read).
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
            literal(None),
            C.answers,
            C.right_answers,
            C.lapses,
            C.drill_misses,
            type_coerce(C.last_miss, String),
            wrong_last,
            ST.state,
            ST.stability,
            type_coerce(ST.last_review, String),
            ST.reps,
            ST.lapses,
        )
        .join(CardRow, CardRow.id == C.card_id)  # id and deck only: ix_cards_id_deck covers them
        .outerjoin(ST, and_(ST.learner_id == C.learner_id, ST.card_id == C.card_id))
        .where(
            C.learner_id == repo.learner_id,
            (C.answers > C.right_answers) | (C.lapses > 0) | (func.coalesce(ST.lapses, 0) > 0),
        )
    )
    slugs = dict(repo.session.execute(select(DeckRow.id, DeckRow.slug)).all())

    def r_of(row) -> float | None:
        if row[9] is None or not row[12]:  # no state row, or never reviewed: CardStatus has None
            return None
        s = Schedule(
            state=CardState(row[9]),
            stability=row[10],
            last_review=_time(row[11]),
            reps=row[12],
            lapses=row[13],
        )
        return retrievability(slugs[row[1]], row[0], s)

    def coarse_of(rows) -> list:  # type: ignore[no-untyped-def, type-arg]
        out = []
        for row in rows:
            if row[8]:
                r2 = 0.0
            else:
                r = r_of(row)
                r2 = round(r, 2) if r is not None else 1.0
            out.append(((r2, -(row[5] + row[6])), row))
        return out

    if now is not None and zero_ratio is not None:
        # Every card whose latest answer was wrong ranks 0.00; within that tier the order is
        # (misses, latest miss, key). So the database orders those cards and hands over
        # the first `limit` plus any tied with the last of them (the key decides ties
        # here, not in SQL, whose collation may differ), and the cards that may round to
        # 0.00 by FSRS alone: forgotten at least `zero_ratio` x stability days ago
        # (learner days can exceed the clock's by one: a superset, scored exactly).
        misses = C.lapses + C.drill_misses
        wrong = q.where(wrong_last == 1)
        first = list(
            repo.session.execute(
                wrong.order_by(misses.desc(), C.last_miss.desc().nulls_last(), C.card_id).limit(
                    limit
                )
            )
        )
        if len(first) >= limit:
            edge = first[-1]
            edge_miss = _time(edge[7])
            tied = wrong.where(misses == edge[5] + edge[6])
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
                row
                for start in range(0, len(faded_ids), 900)
                for row in repo.session.execute(
                    q.where(wrong_last == 0, C.card_id.in_(faded_ids[start : start + 900]))
                )
            ]
            rows = {
                row[0]: row for part in (first, repo.session.execute(tied), fading) for row in part
            }
            zero = [c for c in coarse_of(rows.values()) if c[0][0] == 0.0]
            return _ranked(repo, zero, r_of, slugs, limit)
    return _ranked(repo, coarse_of(repo.session.execute(q)), r_of, slugs, limit)


def _ranked(
    repo: Repo,
    coarse: list,
    r_of,
    slugs: dict[int, str],
    limit: int,  # type: ignore[no-untyped-def, type-arg]
) -> tuple[tuple[stats.WeakCard, ...], dict[str, int]]:
    """The `limit` weakest of `coarse` ((rounded retrievability, -misses), row) pairs."""
    if not coarse:
        return (), {}
    bar = heapq.nsmallest(limit, (c[0] for c in coarse))[-1]
    near = [(ckey, row) for ckey, row in coarse if ckey <= bar]
    keys = _card_keys(repo, [row[0] for _ckey, row in near])
    full = []
    for ckey, row in near:
        last_miss = _time(row[7])
        rank = stats.weakness_rank(
            0.0 if row[8] else (ckey[0] if ckey[0] != 1.0 else None),
            bool(row[8]),
            row[5] + row[6],
            last_miss,
        )
        full.append((rank, keys[row[0]], row, last_miss))
    top = heapq.nsmallest(limit, full, key=lambda item: (item[0], item[1]))
    shown = tuple(
        stats.WeakCard(
            key,
            slugs[row[1]],
            max(row[5], row[13] or 0),
            row[3] - row[4],
            r_of(row),
            last_miss,
            row[3],
        )
        for _rank, key, row, last_miss in top
    )
    return shown, {key: row[0] for _rank, key, row, _lm in top}


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


def _time(value) -> datetime | None:
    """A time read as text (SQLite) or as a naive datetime (PostgreSQL): UTC-aware."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc)


def usable(shift: int, decks: Sequence[str], since: object) -> bool:
    """Can the rollups answer this `quiz stats`? (whole log, no deck, a 15-minute zone)"""
    return not decks and since is None and shift % 15 == 0
