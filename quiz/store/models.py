"""The store's tables, as SQLAlchemy 2.x typed ORM models.

Decks and cards are shared by every learner of a store; scheduling state, the review
log, drills and goals belong to one learner. The review log is append-only (undo
removes the last entry) and is the truth: `card_states` is a cache that
`quiz rebuild` re-derives by replaying the log.

Times are stored as naive UTC and come back UTC-aware (`UTCDateTime`), so that the
same column compares correctly as text in SQLite and as timestamps in PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass UTC-aware times")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # raw text from SQLite
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Learner(Base):
    __tablename__ = "learners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]


class DeckRow(Base):
    __tablename__ = "decks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[dict[str, Any]]  # {"variants": [[lang, text], ...]}
    description: Mapped[dict[str, Any] | None]
    lang: Mapped[str | None] = mapped_column(String(20))
    path: Mapped[str] = mapped_column(Text)
    file_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]  # `quiz decks remove` (history kept); None: listed


class CardRow(Base):
    __tablename__ = "cards"
    __table_args__ = (Index("ix_cards_deck_position", "deck_id", "retired", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id"))
    key: Mapped[str] = mapped_column(String(400), unique=True)  # deck/id
    note_key: Mapped[str] = mapped_column(String(400), index=True)  # cloze siblings share it
    kind: Mapped[str] = mapped_column(String(20))
    content: Mapped[dict[str, Any]]  # model.card_to_dict
    content_hash: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    line: Mapped[int] = mapped_column(Integer, default=0)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime | None]  # content last changed (Anki exports' note mtime)


class CardTag(Base):
    __tablename__ = "card_tags"

    card_id: Mapped[int] = mapped_column(
        ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)


class CardStateRow(Base):
    """A learner's scheduling state of one card. No row: the card is new to them."""

    __tablename__ = "card_states"
    __table_args__ = (Index("ix_card_states_due", "learner_id", "suspended", "due"),)

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), primary_key=True)
    state: Mapped[int] = mapped_column(Integer)
    step: Mapped[int | None]
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime | None]
    last_review: Mapped[datetime | None]
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    leech: Mapped[bool] = mapped_column(Boolean, default=False)
    buried_until: Mapped[datetime | None]


class ReviewRow(Base):
    """One answer. `kind` is 'review' (moves the schedule) or 'drill' (practice only)."""

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_learner_time", "learner_id", "reviewed_at"),
        Index("ix_reviews_card", "card_id", "learner_id"),
        # one answer after each log entry (migration 0006)
        Index(
            "ux_reviews_chain",
            "learner_id",
            "card_id",
            "prev_id",
            unique=True,
            sqlite_where=text("kind = 'review' AND prev_id IS NOT NULL"),
            postgresql_where=text("kind = 'review' AND prev_id IS NOT NULL"),
        ),
        # the few overruled answers, without scanning the log (migration 0008)
        Index(
            "ix_reviews_overruled",
            "learner_id",
            "card_id",
            sqlite_where=text("overruled"),
            postgresql_where=text("overruled"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"))
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    kind: Mapped[str] = mapped_column(String(10), default="review")
    rating: Mapped[int] = mapped_column(Integer)
    prev_state: Mapped[int] = mapped_column(Integer, default=0)  # CardState before the answer
    reviewed_at: Mapped[datetime]
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    answer: Mapped[str | None] = mapped_column(Text)
    correct: Mapped[bool | None]
    overruled: Mapped[bool | None]  # "I was right": correct by the learner's word (0008)
    # how close a graded answer was (0..1) and the rating quiz suggested for it (0011)
    closeness: Mapped[float | None] = mapped_column(Float)
    suggested: Mapped[int | None] = mapped_column(SmallInteger)
    state_before: Mapped[dict[str, Any] | None]
    state_after: Mapped[dict[str, Any] | None]
    # the learner's latest review/manual entry of the card when this review was written
    # (0: none); None before migration 0006, for drills and for bulk-loaded history
    prev_id: Mapped[int | None] = mapped_column(Integer)


class GoalRow(Base):
    """An exam date for a deck: the scheduler aims to have it reviewed before then."""

    __tablename__ = "goals"
    __table_args__ = (UniqueConstraint("learner_id", "deck_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"))
    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id"))
    due_by: Mapped[datetime]
    created_at: Mapped[datetime]


class SettingRow(Base):
    """Per-learner values the program learns (fitted FSRS parameters, for one)."""

    __tablename__ = "settings"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]]


# ---- rollups of the review log (derived; quiz.store.rollups keeps them) ----------------


class RollupMark(Base):
    """How much of a learner's log the rollups hold: every row with id <= `last_id`,
    `answers` of them. No row: the rollups are to be rebuilt (an undo deletes it)."""

    __tablename__ = "review_rollup_marks"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer)
    answers: Mapped[int] = mapped_column(Integer)


class QuarterRollup(Base):
    """A learner's answers in one UTC quarter hour (`quarter` = epoch seconds // 900)."""

    __tablename__ = "review_quarter_rollups"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    quarter: Mapped[int] = mapped_column(Integer, primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
    drills: Mapped[int] = mapped_column(Integer)
    right_answers: Mapped[int] = mapped_column(Integer)
    graded: Mapped[int] = mapped_column(Integer)
    passed: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(BigInteger)


class CardRollup(Base):
    """A learner's answers of one card; `first_review_at` is its first review-kind answer."""

    __tablename__ = "review_card_rollups"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
    drills: Mapped[int] = mapped_column(Integer)
    right_answers: Mapped[int] = mapped_column(Integer)
    lapses: Mapped[int] = mapped_column(Integer)
    drill_misses: Mapped[int] = mapped_column(Integer)
    last_miss: Mapped[datetime | None]
    last_right: Mapped[datetime | None]
    duration_ms: Mapped[int] = mapped_column(BigInteger)
    first_review_at: Mapped[datetime | None]


class AgeRollup(Base):
    """A learner's review-state answers by the card's age then (stats.AGE_BUCKETS)."""

    __tablename__ = "review_age_rollups"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    min_days: Mapped[int] = mapped_column(Integer, primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
    passed: Mapped[int] = mapped_column(Integer)
