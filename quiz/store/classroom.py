"""Queries across every learner of a store: the learners list and the class report.

Unlike `Repo`, these are not bound to one learner, and they only read: they take a
plain session, so listing the class does not enrol whoever runs the command. The
figures themselves are computed in `quiz.classroom` (pure); here are only the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from quiz.classroom import Answer
from quiz.store.models import CardRow, CardTag, DeckRow, Learner, ReviewRow


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


def class_answers(session: Session, decks: Sequence[str] = ()) -> list[Answer]:
    """Every answer of every learner (optionally only in these decks), oldest first."""
    r = ReviewRow
    q = (
        select(
            Learner.name, CardRow.key, DeckRow.slug, r.kind, r.rating, r.prev_state, r.reviewed_at
        )
        .join(Learner, Learner.id == r.learner_id)
        .join(CardRow, CardRow.id == r.card_id)
        .join(DeckRow, DeckRow.id == CardRow.deck_id)
        .order_by(r.reviewed_at, r.id)
    )
    if decks:
        q = q.where(DeckRow.slug.in_(decks))
    return [Answer(*row) for row in session.execute(q)]


def card_tags(session: Session, decks: Sequence[str] = ()) -> dict[str, tuple[str, ...]]:
    """card key -> its tags, for the cards of these decks (all when empty)."""
    q = select(CardRow.key, CardTag.tag).join(CardTag, CardTag.card_id == CardRow.id)
    if decks:
        q = q.join(DeckRow, and_(DeckRow.id == CardRow.deck_id, DeckRow.slug.in_(decks)))
    found: dict[str, list[str]] = defaultdict(list)
    for key, tag in session.execute(q.order_by(CardRow.key, CardTag.tag)):
        found[key].append(tag)
    return {k: tuple(v) for k, v in found.items()}


def deck_exists(session: Session, slug: str) -> bool:
    return session.scalar(select(func.count(DeckRow.id)).where(DeckRow.slug == slug)) > 0
