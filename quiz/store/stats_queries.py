"""Queries for `quiz stats` and `quiz drill` over the log itself (goals: quiz.store.goals;
the log's rollups: quiz.store.rollups). quiz.stats.gather picks which to run.

Statistics over a long log must not load it: every query here groups in the database
(answers per clock hour, per card, per card-age bucket; due cards per hour) and hands
quiz.stats a few thousand small named rows (quiz.stats.rows). Hours rather than days come back because the
learner's day depends on their time zone and day boundary, which SQL cannot know
portably; an hour bucket is shifted by the zone's sub-hour offset (India's +5:30) so
that every bucket lies inside one local hour, hence inside one learner day.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, literal_column, select, text, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from quiz.model import CardState, Schedule
from quiz.stats.rows import (
    AGE_BUCKETS,
    AgeCount,
    CardTally,
    DueHour,
    HourCount,
    StateCount,
    StrictCard,
)
from quiz.store.models import CardRow, CardStateRow, CardTag, DeckRow, ReviewRow, StoredTime
from quiz.store.repo import Repo, schedule_of

R = ReviewRow
ST = CardStateRow
SCHEDULED = (CardState.LEARNING, CardState.REVIEW, CardState.RELEARNING)


def _dialect(repo: Repo) -> str:
    bind = repo.session.get_bind()
    return bind.dialect.name


def _hour_key(repo: Repo, column: Any, shift_minutes: int) -> ColumnElement[Any]:
    return hour_key(_dialect(repo), column, shift_minutes)


def _integer_time(column: Any) -> bool:
    """Is this a StoredTime column (integer microseconds on SQLite, migration 0012)?"""
    return isinstance(getattr(column, "type", None), StoredTime)


def epoch_seconds(dialect: str, column: Any) -> ColumnElement[Any]:
    """Whole seconds since 1970 of a StoredTime column, in SQL."""
    if dialect == "sqlite":
        return type_coerce(column, Integer) // literal_column("1000000", Integer)
    return cast(func.floor(func.extract("epoch", column)), Integer)


def days_between(dialect: str, later: Any, earlier: Any) -> ColumnElement[Any]:
    """Days (fractional) from one StoredTime to another, in SQL."""
    if dialect == "sqlite":
        return (type_coerce(later, Integer) - type_coerce(earlier, Integer)) / literal_column(
            "86400000000.0"
        )
    return func.extract("epoch", later - earlier) / 86400.0


def hour_key(dialect: str, column: Any, shift_minutes: int) -> ColumnElement[Any]:
    """The clock hour of `column` + shift, in SQL, as `from_hour_key` reads it back:
    hours since 1970 for an integer time on SQLite (grouping a million entries by a
    number, not by a formatted text, is what `quiz stats --since` spends its time on),
    else 'YYYY-MM-DD HH'."""
    if dialect == "sqlite":
        args: list[Any] = [column]
        if _integer_time(column):
            micros: ColumnElement[int] = type_coerce(column, Integer)
            if shift_minutes:
                micros = micros + literal_column(str(int(shift_minutes) * 60_000_000), Integer)
            return micros // literal_column("3600000000", Integer)
        if shift_minutes:
            args.append(f"{shift_minutes:+d} minutes")
        elif not _integer_time(column):
            return func.substr(column, literal_column("1"), literal_column("13"))
        return func.strftime("%Y-%m-%d %H", *args)
    from sqlalchemy import text

    shifted = column + text(f"interval '{int(shift_minutes)} minutes'") if shift_minutes else column
    return func.to_char(shifted, "YYYY-MM-DD HH24")


def from_hour_key(key: str | int, shift_minutes: int) -> datetime:
    if isinstance(key, int):
        at = datetime.fromtimestamp(key * 3600, timezone.utc)
    else:
        at = datetime.strptime(key, "%Y-%m-%d %H").replace(tzinfo=timezone.utc)
    return at - timedelta(minutes=shift_minutes)


def _days_between(repo: Repo, later, earlier):
    return days_between(_dialect(repo), later, earlier)


def _in_decks(column, decks: Sequence[str]):
    return column.in_(
        select(CardRow.id)
        .join(DeckRow, DeckRow.id == CardRow.deck_id)
        .where(DeckRow.slug.in_(decks))
    )


def learners_entries(repo: Repo, *, bounded: bool = False) -> ColumnElement[bool]:
    """This learner's log entries, as a condition.

    Over the whole log (or a range of ids: the rollups' fold) SQLite does better reading
    the table in order than looking up every one of a learner's entries through the
    (learner, time) index, which it picks for `learner_id = ?` because the log keeps no
    planner statistics (quiz.store.tuning): so there the condition is written so that no
    index serves it (`learner_id + 0`). A read `bounded` in time (`since`) or to given
    cards keeps the indexes; PostgreSQL's planner has statistics and chooses for itself."""
    if bounded or _dialect(repo) != "sqlite":
        return R.learner_id == repo.learner_id
    return (R.learner_id + 0) == repo.learner_id


def _right() -> ColumnElement[int]:
    """1 for a right answer: its `correct` flag, or (self-rated cards) not Again."""
    return case((R.correct.is_(True), 1), (and_(R.correct.is_(None), R.rating > 1), 1), else_=0)


def shift_minutes(tz, now: datetime) -> int:
    offset = now.astimezone(tz).utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60) % 60


# ---- stats -------------------------------------------------------------------------


def hour_counts(repo: Repo, decks: Sequence[str] = (), shift: int = 0) -> list[HourCount]:
    """Answers per clock hour over the whole log: one small row per hour."""
    hour = _hour_key(repo, R.reviewed_at, shift).label("hour")
    graded = and_(R.kind == "review", R.prev_state == int(CardState.REVIEW))
    q = (
        select(
            hour,
            func.count(),
            func.sum(case((R.kind == "drill", 1), else_=0)),
            func.sum(_right()),
            func.sum(case((graded, 1), else_=0)),
            func.sum(case((and_(graded, R.rating > 1), 1), else_=0)),
            func.sum(R.duration_ms),
        )
        .where(learners_entries(repo))
        .group_by(hour)
    )
    if decks:
        q = q.where(_in_decks(R.card_id, decks))
    out = []
    for h, n, drills, right, graded_n, passed, ms in repo.session.execute(q):
        at = from_hour_key(h, shift)
        out.append(
            HourCount(
                at,
                int(n),
                int(drills or 0),
                int(right or 0),
                int(graded_n or 0),
                int(passed or 0),
                int(ms or 0),
            )
        )
    return out


def _card_counts(
    repo: Repo, decks: Sequence[str], since: datetime | None, card_ids: Iterable[int] | None = None
):
    """The log grouped by card (one row per answered card), as a subquery.

    The grouping reads the covering index ix_reviews_card_stats (migration 0003) in
    card order."""
    right = _right()
    miss = 1 - right
    agg = (
        select(
            R.card_id.label("card_id"),
            func.count().label("answers"),
            func.sum(case((R.kind == "drill", 1), else_=0)).label("drills"),
            func.sum(right).label("right"),
            func.sum(
                case(
                    (
                        and_(
                            R.kind == "review", R.prev_state == int(CardState.REVIEW), R.rating == 1
                        ),
                        1,
                    ),
                    else_=0,
                )
            ).label("lapses"),
            func.sum(case((R.kind == "drill", miss), else_=0)).label("drill_misses"),
            func.max(case((miss == 1, R.reviewed_at))).label("last_miss"),
            func.max(case((right == 1, R.reviewed_at))).label("last_right"),
            func.sum(R.duration_ms).label("ms"),
        )
        .where(learners_entries(repo, bounded=since is not None or card_ids is not None))
        .group_by(R.card_id)
    )
    if since is not None:
        agg = agg.where(R.reviewed_at >= since)
    if decks:
        agg = agg.where(_in_decks(R.card_id, decks))
    if card_ids is not None:
        agg = agg.where(R.card_id.in_(list(card_ids)))
    return agg.subquery()


def _tally(r, tags: dict[int, tuple[str, ...]]) -> CardTally:
    """A CardTally from a `_card_counts` row joined with the card's key, kind and deck.

    The latest answer's flag is "the latest right answer is the latest answer" (a right
    and a wrong answer at the same instant count as right)."""
    last_miss, last_right = (
        r.last_miss,
        r.last_right,
    )  # UTC-aware: the CASE keeps reviewed_at's type
    last = max(t for t in (last_miss, last_right) if t is not None)
    answers = int(r.answers)
    drills = int(r.drills or 0)
    right_n = int(r.right or 0)
    return CardTally(
        card_id=r.card_id,
        key=r.key,
        deck=r.slug,
        kind=r.kind,
        reviews=answers - drills,
        drills=drills,
        right=right_n,
        lapses=int(r.lapses or 0),
        misses=answers - right_n,
        drill_misses=int(r.drill_misses or 0),
        last_miss=last_miss,
        last_answer=last,
        last_right=last_right is not None and last_right >= last,
        duration_ms=int(r.ms or 0),
        tags=tags.get(r.card_id, ()),
    )


def card_tallies(
    repo: Repo,
    decks: Sequence[str] = (),
    since: datetime | None = None,
    card_ids: Iterable[int] | None = None,
) -> list[CardTally]:
    """Per-card answer counts (reviews and drills) since `since`, with keys and tags."""
    sub = _card_counts(repo, decks, since, card_ids)
    q = (
        select(sub, CardRow.key, CardRow.kind, DeckRow.slug)
        .join(CardRow, CardRow.id == sub.c.card_id)
        .join(DeckRow, DeckRow.id == CardRow.deck_id)
    )
    rows = list(repo.session.execute(q))
    tags = card_tags(repo, [r.card_id for r in rows])
    return [_tally(r, tags) for r in rows]


def tallies_and_schedules(
    repo: Repo, decks: Sequence[str], since: datetime | None
) -> tuple[list[CardTally], dict[int, Schedule]]:
    """`card_tallies` and each card's schedule for every answered card, in one query:
    each card's schedule comes with its row, so nothing is loaded per card."""
    sub = _card_counts(repo, decks, since)
    q = (
        select(
            sub,
            CardRow.key,
            CardRow.kind,
            DeckRow.slug,
            ST.state,
            ST.step,
            ST.stability,
            ST.difficulty,
            ST.due,
            ST.last_review,
            ST.reps,
            ST.lapses.label("state_lapses"),
        )
        .join(CardRow, CardRow.id == sub.c.card_id)
        .join(DeckRow, DeckRow.id == CardRow.deck_id)
        .outerjoin(ST, and_(ST.card_id == sub.c.card_id, ST.learner_id == repo.learner_id))
    )
    rows = list(repo.session.execute(q))
    tags = card_tags(repo, [r.card_id for r in rows])
    sched: dict[int, Schedule] = {}
    for r in rows:
        if r.state is not None:
            sched[r.card_id] = schedule_of(r, lapses="state_lapses")
    return [_tally(r, tags) for r in rows], sched


def card_tags(repo: Repo, card_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    out: dict[int, list[str]] = defaultdict(list)
    if len(card_ids) > 5000:  # most of the store: read every tag once rather than 900 ids at a time
        wanted = set(card_ids)
        for card_id, tag in repo.session.execute(
            select(CardTag.card_id, CardTag.tag).order_by(CardTag.tag)
        ):
            if card_id in wanted:
                out[card_id].append(tag)
        return {k: tuple(v) for k, v in out.items()}
    for start in range(0, len(card_ids), 900):  # stay under SQLite's bound-parameter limit
        chunk = card_ids[start : start + 900]
        q = (
            select(CardTag.card_id, CardTag.tag)
            .where(CardTag.card_id.in_(chunk))
            .order_by(CardTag.tag)
        )
        for card_id, tag in repo.session.execute(q):
            out[card_id].append(tag)
    return {k: tuple(v) for k, v in out.items()}


def age_counts(
    repo: Repo, decks: Sequence[str] = (), since: datetime | None = None
) -> list[AgeCount]:
    """Review-state answers by the card's age (days since its first review) at the time."""
    first_at = func.min(R.reviewed_at)
    first = (
        select(R.card_id.label("card_id"), first_at.label("first"))
        .where(learners_entries(repo), R.kind == "review")
        .group_by(R.card_id)
        .subquery()
    )
    age = _days_between(repo, R.reviewed_at, first.c.first)
    bounds = [b[0] for b in AGE_BUCKETS]
    bucket = case(
        *[(age < hi, lo) for lo, hi in itertools.pairwise(bounds)], else_=bounds[-1]
    ).label("bucket")
    q = (
        select(bucket, func.count(), func.sum(case((R.rating > 1, 1), else_=0)))
        .join(first, first.c.card_id == R.card_id)
        .where(
            learners_entries(repo, bounded=since is not None),
            R.kind == "review",
            R.prev_state == int(CardState.REVIEW),
        )
        .group_by(bucket)
    )
    if since is not None:
        q = q.where(R.reviewed_at >= since)
    if decks:
        q = q.where(_in_decks(R.card_id, decks))
    return [
        AgeCount(int(lo), int(n), int(passed or 0)) for lo, n, passed in repo.session.execute(q)
    ]


def due_hours(
    repo: Repo, until: datetime, decks: Sequence[str] = (), shift: int = 0
) -> list[DueHour]:
    """Cards (learning, review, relearning; not suspended) due before `until`, per hour."""
    hour = _hour_key(repo, ST.due, shift).label("hour")
    q = (
        select(hour, func.count())
        .select_from(ST)
        .join(CardRow, CardRow.id == ST.card_id)
        .where(
            ST.learner_id == repo.learner_id,
            ST.state.in_([int(s) for s in SCHEDULED]),
            ST.suspended.is_(False),
            ST.due < until,
            CardRow.retired.is_(False),
        )
        .group_by(hour)
    )
    if decks:
        q = q.where(_in_decks(ST.card_id, decks))
    return [DueHour(from_hour_key(h, shift), int(n)) for h, n in repo.session.execute(q)]


def state_rows(repo: Repo, decks: Sequence[str] = ()) -> list[StateCount]:
    """(state, suspended, leech, cards) for live cards; a card with no state row is new.

    For the whole store the counts come from the learner's state rows alone (the index
    ix_card_states_counts, migration 0005), minus those of retired cards, plus every
    live card without a state row as new: no join over every card (0.16 s -> ~0.02 s
    at 100k cards). With decks, one grouped outer join."""
    if not decks:
        counts: dict[tuple[int, bool, bool], int] = defaultdict(int)
        by_state = (
            select(ST.state, ST.suspended, ST.leech, func.count())
            .where(ST.learner_id == repo.learner_id)
            .group_by(ST.state, ST.suspended, ST.leech)
        )
        retired = select(CardRow.id).where(CardRow.retired.is_(True))
        for rows, sign in (
            (repo.session.execute(by_state), 1),
            (repo.session.execute(by_state.where(ST.card_id.in_(retired))), -1),
        ):
            for st, su, le, n in rows:
                counts[(int(st), bool(su), bool(le))] += sign * int(n)
        live = (
            repo.session.scalar(
                select(func.count()).select_from(CardRow).where(CardRow.retired.is_(False))
            )
            or 0
        )
        counts[(0, False, False)] += int(live) - sum(counts.values())
        return [StateCount(st, su, le, n) for (st, su, le), n in counts.items() if n]
    state = func.coalesce(ST.state, 0).label("state")
    susp = func.coalesce(ST.suspended, False).label("susp")
    leech = func.coalesce(ST.leech, False).label("leech")
    q = (
        select(state, susp, leech, func.count())
        .select_from(CardRow)
        .outerjoin(ST, and_(ST.card_id == CardRow.id, ST.learner_id == repo.learner_id))
        .where(CardRow.retired.is_(False))
        .group_by(state, susp, leech)
        .where(_in_decks(CardRow.id, decks))
    )
    return [
        StateCount(int(s), bool(su), bool(le), int(n)) for s, su, le, n in repo.session.execute(q)
    ]


def strict_grading(repo: Repo, decks: Sequence[str] = ()) -> list[StrictCard]:
    """Cards with answers the learner overruled as "I was right", most overruled first:
    their grading may be too strict, for their author. The overruled answers are found
    through their partial index (0008); only their cards' answers are then counted."""
    overruled = dict(
        repo.session.execute(
            select(ReviewRow.card_id, func.count())
            # the same words as the partial index's WHERE, so SQLite uses it (0008)
            .where(ReviewRow.learner_id == repo.learner_id, text("reviews.overruled"))
            .group_by(ReviewRow.card_id)
        ).all()
    )
    if not overruled:
        return []
    q = (
        select(CardRow.key, ReviewRow.card_id, func.count())
        .join(CardRow, CardRow.id == ReviewRow.card_id)
        .where(ReviewRow.learner_id == repo.learner_id, ReviewRow.card_id.in_(list(overruled)))
        .group_by(CardRow.key, ReviewRow.card_id)
    )
    if decks:
        q = q.join(DeckRow, DeckRow.id == CardRow.deck_id).where(DeckRow.slug.in_(decks))
    rows = [
        StrictCard(key, int(overruled[card]), int(n)) for key, card, n in repo.session.execute(q)
    ]
    return sorted(rows, key=lambda c: (-c.overruled, c.key))


def answer_times(
    repo: Repo, since: datetime, per_kind: int, kinds: Sequence[str]
) -> dict[str, list[int]]:
    """The times (ms) of the learner's latest `per_kind` right answers of each card kind
    in `kinds` since `since` (reviews and drills), for the suggested rating's thresholds
    (quiz.review.suggest). One query when a session starts: the index on (learner,
    time) bounds the rows read to the window, and the database keeps the latest per
    kind (a window function, on SQLite and PostgreSQL alike)."""
    rank = (
        func.row_number()
        .over(partition_by=CardRow.kind, order_by=(R.reviewed_at.desc(), R.id.desc()))
        .label("rank")
    )
    inner = (
        select(CardRow.kind.label("kind"), R.duration_ms.label("ms"), rank)
        .join(CardRow, CardRow.id == R.card_id)
        .where(
            R.learner_id == repo.learner_id,
            R.reviewed_at >= since,
            R.correct.is_(True),
            R.duration_ms > 0,
            R.kind.in_(("review", "drill")),
            CardRow.kind.in_(tuple(kinds)),
        )
        .subquery()
    )
    times: dict[str, list[int]] = defaultdict(list)
    q = select(inner.c.kind, inner.c.ms).where(inner.c.rank <= per_kind)
    for kind, ms in repo.session.execute(q):
        times[kind].append(int(ms))
    return dict(times)
