"""Queries across every learner of a store: the learners list and the class report.

Unlike `Repo`, these are not bound to one learner, and they only read: they take a
plain session, so listing the class does not enrol whoever runs the command. The class
report's rows are grouped in SQL (per learner, per learner and hour, per learner and
tag, per card), never the log itself; the figures are computed in quiz.stats.classroom
(pure), and quiz.stats.gather calls these.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, null, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from quiz.model import CardState, Rating
from quiz.stats.classroom import CardMisses, LearnerHour, LearnerTag, LearnerTotals
from quiz.store.learners import LearnerOverview
from quiz.store.models import CardRow, CardTag, DeckRow, Learner, ReviewRow
from quiz.store.stats_queries import from_hour_key, hour_key

R = ReviewRow
AGAIN = int(Rating.AGAIN)
REVIEW = int(CardState.REVIEW)


def learner_overview(session: Session) -> list[LearnerOverview]:
    """Every learner with cards seen, reviews, drills and the latest answer: the SQL of
    quiz.store.learners (the lean path of `quiz learners` runs it too)."""
    from sqlalchemy import text

    from quiz.store import learners

    return learners.learner_overview(
        lambda sql, params: session.execute(text(sql), params),
        session.get_bind().dialect.name == "sqlite",
    )


def _utc(value: object) -> datetime | None:
    """`max()` loses the column's type on some back ends: bring it back to UTC-aware."""
    if value is None:
        return None
    from quiz.store.models import StoredTime

    return StoredTime().process_result_value(value, None)  # max() may give raw numbers or text


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


def learner_hours(session: Session, decks: Sequence[str] = (), shift: int = 0) -> list[LearnerHour]:
    """The clock hours (shifted by the zone's minutes past the hour, as quiz stats does)
    in which each learner answered: enough to find their active days and streak."""
    dialect = session.get_bind().dialect.name
    hour = hour_key(dialect, R.reviewed_at, shift).label("hour")
    per = (
        select(R.learner_id.label("learner_id"), hour)
        .where(*_in_decks(decks))
        .group_by(R.learner_id, hour)
        .subquery()
    )
    q = select(Learner.name, per.c.hour).join(Learner, Learner.id == per.c.learner_id)
    return [LearnerHour(name, from_hour_key(h, shift)) for name, h in session.execute(q)]


def card_figures(
    session: Session, decks: Sequence[str] = ()
) -> tuple[list[LearnerTotals], list[LearnerTag], list[CardMisses]]:
    """Per learner (cards seen, answers, reviews, the true-retention sample, the latest
    answer), per learner and tag (review-kind answers and Agains on cards with the tag)
    and per card answered in review-kind answers (by how many learners, how many of them
    answered it Again at least once, its answers and Agains).

    One statement, one pass over the log: the log grouped by (learner, card) once, in a
    common table expression that the three groupings read (PostgreSQL and SQLite keep a
    CTE read more than once as a table). Grouped three times over, the log was the
    class report's cost on PostgreSQL, where each pass unnests the packs. The tags and
    cards are grouped from these rows, not from the log joined with the tags (a log of a
    million rows and two tags a card would be two million joined rows to group)."""
    review = R.kind == "review"
    graded = and_(review, R.prev_state == REVIEW)
    per = (
        select(
            R.learner_id.label("learner_id"),
            R.card_id.label("card_id"),
            func.count().label("answers"),
            func.sum(case((review, 1), else_=0)).label("reviews"),
            func.sum(case((and_(review, R.rating == AGAIN), 1), else_=0)).label("agains"),
            func.sum(case((graded, 1), else_=0)).label("graded"),
            func.sum(case((and_(graded, R.rating != AGAIN), 1), else_=0)).label("passed"),
            func.max(R.reviewed_at).label("last"),
        )
        .where(*_in_decks(decks))
        .group_by(R.learner_id, R.card_id)
        .cte("per_card")
    )
    none = null()
    totals = (
        select(
            literal(_TOTALS).label("part"),
            Learner.name.label("name"),
            none.label("tag"),
            none.label("deck"),
            func.count().label("n1"),
            func.sum(per.c.answers).label("n2"),
            func.sum(per.c.reviews).label("n3"),
            func.sum(per.c.graded).label("n4"),
            func.sum(per.c.passed).label("n5"),
            func.max(per.c.last).label("last"),
        )
        .select_from(per)
        .join(Learner, Learner.id == per.c.learner_id)
        .group_by(Learner.id, Learner.name)
    )
    reviewed = per.c.reviews > 0
    tags = (
        select(
            literal(_TAGS),
            Learner.name,
            CardTag.tag,
            none,
            func.sum(per.c.reviews),
            func.sum(per.c.agains),
            none,
            none,
            none,
            none,
        )
        .select_from(per)
        .join(Learner, Learner.id == per.c.learner_id)
        .join(CardTag, CardTag.card_id == per.c.card_id)
        .where(reviewed)
        .group_by(Learner.name, CardTag.tag)
    )
    per_card = (
        select(
            per.c.card_id.label("card_id"),
            func.count().label("learners"),
            func.sum(case((per.c.agains > 0, 1), else_=0)).label("missed_by"),
            func.sum(per.c.reviews).label("answers"),
            func.sum(per.c.agains).label("agains"),
        )
        .where(reviewed)
        .group_by(per.c.card_id)
        .subquery()
    )
    cards = (
        select(
            literal(_CARDS),
            CardRow.key,
            none,
            DeckRow.slug,
            per_card.c.learners,
            per_card.c.missed_by,
            per_card.c.answers,
            per_card.c.agains,
            none,
            none,
        )
        .select_from(per_card)
        .join(CardRow, CardRow.id == per_card.c.card_id)
        .join(DeckRow, DeckRow.id == CardRow.deck_id)
    )
    learners: list[LearnerTotals] = []
    learner_tags: list[LearnerTag] = []
    misses: list[CardMisses] = []
    rows: Any = session.execute(union_all(totals, tags, cards))  # of three shapes
    for part, name, tag, deck, n1, n2, n3, n4, n5, last in rows:
        if part == _TOTALS:
            learners.append(
                LearnerTotals(
                    name, int(n1), int(n2), int(n3 or 0), int(n4 or 0), int(n5 or 0), _utc(last)
                )
            )
        elif part == _TAGS:
            learner_tags.append(LearnerTag(name, tag, int(n1), int(n2 or 0)))
        else:
            misses.append(CardMisses(name, deck, int(n1), int(n2 or 0), int(n3), int(n4 or 0)))
    return learners, learner_tags, misses


# which grouping a row of `card_figures`' statement belongs to
_TOTALS, _TAGS, _CARDS = 1, 2, 3


def deck_exists(session: Session, slug: str) -> bool:
    return (session.scalar(select(func.count(DeckRow.id)).where(DeckRow.slug == slug)) or 0) > 0
