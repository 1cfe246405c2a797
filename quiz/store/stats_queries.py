"""Queries for `quiz stats` and `quiz drill` over the log itself (goals: quiz.store.goals;
the log's rollups: quiz.store.rollups). quiz.stats.gather picks which to run.

Statistics over a long log must not load it: every query groups in the database
(answers per clock hour, per card, per card-age bucket; due cards per hour) and hands
quiz.stats a few thousand small named rows (quiz.stats.rows). Hours rather than days come back because the
learner's day depends on their time zone and day boundary, which SQL cannot know
portably; an hour bucket is shifted by the zone's sub-hour offset (India's +5:30) so
that every bucket lies inside one local hour, hence inside one learner day.

The statements are quiz.store.stats_reads' SQL text, run through the Repo's session
(`Repo.stats`) as the lean path of `quiz stats` runs them through sqlite3; what stays
here is SQLAlchemy's side of the same rules, for the queries written with it (the
rollups' fold, the class report).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.sql.elements import ColumnElement

from quiz.store import stats_reads
from quiz.store.models import CardRow, ReviewRow, StoredTime, reviewed_since
from quiz.store.repo import Repo
from quiz.store.stats_reads import from_hour_key, shift_minutes

__all__ = [
    "answer_times",
    "from_hour_key",
    "hour_key",
    "learners_entries",
    "shift_minutes",
]

R = ReviewRow


def _dialect(repo: Repo) -> str:
    bind = repo.session.get_bind()
    return bind.dialect.name


def hour_key(dialect: str, column: Any, shift_minutes: int) -> ColumnElement[Any]:
    """The clock hour of `column` + shift as SQLAlchemy's column: quiz.store.stats_reads'
    `hour_key` over the column's name (an integer time on SQLite: migration 0012)."""
    micros = isinstance(getattr(column, "type", None), StoredTime)
    name = f"{column.table.name}.{column.name}"
    return literal_column(stats_reads.hour_key(dialect == "sqlite", name, shift_minutes, micros))


def learners_entries(repo: Repo, *, bounded: bool = False) -> ColumnElement[bool]:
    """This learner's log entries, as a condition (StatsReads.entries: on SQLite a read
    of the whole log, or of a range of ids as the rollups' fold does, is written so that
    no index serves it; PostgreSQL's planner has statistics and chooses for itself)."""
    if bounded or _dialect(repo) != "sqlite":
        return R.learner_id == repo.learner_id
    return (R.learner_id + 0) == repo.learner_id


# ---- stats: StatsReads through the Repo's session ------------------------------------


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
            reviewed_since(repo.session.get_bind().dialect.name, since),
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
