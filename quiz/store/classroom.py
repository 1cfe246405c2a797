"""Queries across every learner of a store: the learners list and the class report.

Unlike `Repo`, these are not bound to one learner, and they only read: they take a
plain session, so listing the class does not enrol whoever runs the command. The class
report's rows are grouped in SQL (per learner, per learner and hour, per learner and
tag, per card), never the log itself; the figures are computed in quiz.stats.classroom
(pure), and quiz.stats.gather calls these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from quiz.model import CardState, Rating
from quiz.stats.classroom import CardMisses, LearnerHour, LearnerTag, LearnerTotals
from quiz.store.models import CardRow, CardTag, DeckRow, Learner, ReviewRow
from quiz.store.stats_queries import from_hour_key, hour_key

R = ReviewRow
AGAIN = int(Rating.AGAIN)
REVIEW = int(CardState.REVIEW)


@dataclass(frozen=True)
class LearnerOverview:
    learner: str
    cards_seen: int  # distinct cards answered (reviews or drills)
    reviews: int  # review-kind answers
    drills: int
    last_review: datetime | None  # the latest answer of either kind
    since: datetime  # when the learner first used this store


def learner_overview(session: Session) -> list[LearnerOverview]:
    r = ReviewRow
    q = (
        select(
            Learner.name,
            Learner.created_at,
            func.count(func.distinct(r.card_id)),
            func.count(r.id).filter(r.kind == "review"),
            func.count(r.id).filter(r.kind == "drill"),
            func.max(r.reviewed_at),
        )
        .select_from(Learner)
        .outerjoin(r, r.learner_id == Learner.id)
        .group_by(Learner.id, Learner.name, Learner.created_at)
        .order_by(Learner.name)
    )
    out = []
    for name, created, seen, reviews, drills, last in session.execute(q):
        out.append(LearnerOverview(name, seen or 0, reviews or 0, drills or 0, _utc(last), created))
    return out


def _utc(value: object) -> datetime | None:
    """`max()` loses the column's type on some back ends: bring it back to UTC-aware."""
    if value is None:
        return None
    from quiz.store.models import UTCDateTime

    return UTCDateTime().process_result_value(value, None)  # type: ignore[arg-type]


def learner_names(session: Session) -> list[str]:
    return list(session.scalars(select(Learner.name).order_by(Learner.name)))


def _in_decks(decks: Sequence[str]) -> list[ColumnElement[bool]]:
    """The condition for answers on cards of these decks (none when empty: all)."""
    if not decks:
        return []
    return [
        R.card_id.in_(
            select(CardRow.id)
            .join(DeckRow, DeckRow.id == CardRow.deck_id)
            .where(DeckRow.slug.in_(decks))
        )
    ]


def learner_totals(session: Session, decks: Sequence[str] = ()) -> list[LearnerTotals]:
    """Per learner with answers: cards seen, answers, reviews, the true-retention sample
    and the latest answer."""
    review = R.kind == "review"
    graded = and_(review, R.prev_state == REVIEW)
    q = (
        select(
            Learner.name,
            func.count(distinct(R.card_id)),
            func.count(),
            func.sum(case((review, 1), else_=0)),
            func.sum(case((graded, 1), else_=0)),
            func.sum(case((and_(graded, R.rating != AGAIN), 1), else_=0)),
            func.max(R.reviewed_at),
        )
        .select_from(R)
        .join(Learner, Learner.id == R.learner_id)
        .group_by(Learner.id, Learner.name)
    )
    return [
        LearnerTotals(name, int(seen), int(n), int(rev or 0), int(g or 0), int(p or 0), _utc(last))
        for name, seen, n, rev, g, p, last in session.execute(q.where(*_in_decks(decks)))
    ]


def learner_hours(session: Session, decks: Sequence[str] = (), shift: int = 0) -> list[LearnerHour]:
    """The clock hours (shifted by the zone's minutes past the hour, as quiz stats does)
    in which each learner answered: enough to find their active days and streak."""
    dialect = session.get_bind().dialect.name
    hour = hour_key(dialect, R.reviewed_at, shift).label("hour")
    q = (
        select(Learner.name, hour)
        .select_from(R)
        .join(Learner, Learner.id == R.learner_id)
        .group_by(Learner.name, hour)
    )
    return [
        LearnerHour(name, from_hour_key(h, shift))
        for name, h in session.execute(q.where(*_in_decks(decks)))
    ]


def learner_tags(session: Session, decks: Sequence[str] = ()) -> list[LearnerTag]:
    """Per learner and tag: review-kind answers on cards with the tag, and the Again."""
    q = (
        select(
            Learner.name,
            CardTag.tag,
            func.count(),
            func.sum(case((R.rating == AGAIN, 1), else_=0)),
        )
        .select_from(R)
        .join(Learner, Learner.id == R.learner_id)
        .join(CardTag, CardTag.card_id == R.card_id)
        .where(R.kind == "review")
        .group_by(Learner.name, CardTag.tag)
    )
    return [
        LearnerTag(name, tag, int(n), int(m or 0))
        for name, tag, n, m in session.execute(q.where(*_in_decks(decks)))
    ]


def card_misses(session: Session, decks: Sequence[str] = ()) -> list[CardMisses]:
    """Per card answered in review-kind answers: by how many learners, how many of them
    answered it Again at least once, its answers and Agains (in no order)."""
    again = R.rating == AGAIN
    per_card = (
        select(
            R.card_id.label("card_id"),
            func.count(distinct(R.learner_id)).label("learners"),
            func.count(distinct(case((again, R.learner_id)))).label("missed_by"),
            func.count().label("answers"),
            func.sum(case((again, 1), else_=0)).label("agains"),
        )
        .where(R.kind == "review")
        .group_by(R.card_id)
    )
    sub = per_card.where(*_in_decks(decks)).subquery()
    q = (
        select(
            CardRow.key, DeckRow.slug, sub.c.learners, sub.c.missed_by, sub.c.answers, sub.c.agains
        )
        .select_from(sub)
        .join(CardRow, CardRow.id == sub.c.card_id)
        .join(DeckRow, DeckRow.id == CardRow.deck_id)
    )
    return [
        CardMisses(key, deck, int(n), int(missed or 0), int(a), int(ag or 0))
        for key, deck, n, missed, a, ag in session.execute(q)
    ]


def deck_exists(session: Session, slug: str) -> bool:
    return (session.scalar(select(func.count(DeckRow.id)).where(DeckRow.slug == slug)) or 0) > 0
