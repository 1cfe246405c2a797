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
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from quiz.clock import micros_since_1970
from quiz.model import Schedule
from quiz.store.values import AFTER_COLUMNS as AFTER_COLUMNS  # re-exported
from quiz.store.values import ENTRY_KINDS, instant_of
from quiz.store.values import after_columns as after_columns
from quiz.store.values import after_of as after_of
from quiz.store.values import due_after as due_after


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


class StoredTime(TypeDecorator[datetime]):
    """A UTC time kept small: integer microseconds since 1970 on SQLite (8 bytes instead
    of 26 bytes of text; exact, as the text was), a timestamp on PostgreSQL (8 bytes
    already). Python sees a UTC-aware datetime either way. SQL that does arithmetic on
    such a column goes through `quiz.store.times` (the dialects differ)."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass UTC-aware times")
        if dialect.name == "sqlite":
            return micros_since_1970(value)
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        return instant_of(value)


class EntryKind(TypeDecorator[str]):
    """A log entry's kind as a small number (0 review, 1 drill, 2 manual): SQLite stores
    0 and 1 in no bytes at all, where 'review' took six."""

    impl = SmallInteger
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> int | None:
        return None if value is None else ENTRY_KINDS.index(value)

    def process_result_value(self, value: int | None, dialect: Any) -> str | None:
        return None if value is None else ENTRY_KINDS[value]


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
    # on SQLite the table is its key's b-tree (0012): no rowid and no second copy of the
    # key in an index of its own
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012  # SQLAlchemy reads it

    card_id: Mapped[int] = mapped_column(
        ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)


class CardStateRow(Base):
    """A learner's scheduling state of one card. No row: the card is new to them."""

    __tablename__ = "card_states"
    __table_args__ = (
        Index("ix_card_states_due", "learner_id", "suspended", "due"),
        Index("ix_card_states_card", "card_id"),  # a card's foreign key checks (0018)
    )

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
    """One log entry. `kind` is 'review' (moves the schedule), 'drill' (practice only) or
    'manual' (a schedule set by hand: forget, set due).

    Lean since migration 0012 (issue 20): the schedule an entry left is kept as numbers
    (`state` ... `lapses`; all None for a drill, which moves nothing) and the schedule
    before it is not kept at all: it is the schedule the learner's previous review or
    manual entry of the card left (a new card's when there is none), which
    `quiz.store.repo.Repo.befores` derives. The rare entry whose card changed between the
    two without a log entry (a `quiz rebuild` that rewrote states) keeps its own in
    `review_befores`.

    On PostgreSQL `reviews` is a view over the packed log (migration 0017,
    quiz.store.log_packs): the same columns, written through its triggers; the indexes
    declared here are SQLite's.
    """

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_learner_time", "learner_id", "reviewed_at"),
        # a card's entries (history, undo, the last entry), and one answer after each log
        # entry: `prev_id` is set on review entries only (migration 0006), and NULLs never
        # clash (migration 0012 merged the card index with the chain's)
        Index("ux_reviews_card_chain", "card_id", "learner_id", "prev_id", unique=True),
        # The few overruled answers have a partial index, ix_reviews_overruled (learner,
        # card) WHERE overruled (migrations 0008, 0012). It is not declared here: the
        # migrations create the schema, and a `postgresql_where` here made every SQLite
        # command import SQLAlchemy's PostgreSQL dialect.
        # On PostgreSQL the primary key and the (learner, time) index, which an
        # append-only log grows at their right end, fill their pages whole (0014).
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"))
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    kind: Mapped[str] = mapped_column(EntryKind, default="review")
    rating: Mapped[int] = mapped_column(SmallInteger)
    prev_state: Mapped[int] = mapped_column(SmallInteger, default=0)  # CardState before
    reviewed_at: Mapped[datetime] = mapped_column(StoredTime)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    answer: Mapped[str | None] = mapped_column(Text)
    correct: Mapped[bool | None]
    overruled: Mapped[bool | None]  # "I was right": correct by the learner's word (0008)
    # how close a graded answer was (0..1) and the rating quiz suggested for it (0011)
    closeness: Mapped[float | None] = mapped_column(Float)
    suggested: Mapped[int | None] = mapped_column(SmallInteger)
    # the learner's latest review/manual entry of the card when this review was written
    # (0: none); None for drills, manual entries and bulk-loaded history
    prev_id: Mapped[int | None] = mapped_column(Integer)
    # the schedule after the entry (0012): None for a drill
    state: Mapped[int | None] = mapped_column(SmallInteger)
    step: Mapped[int | None] = mapped_column(SmallInteger)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    # microseconds from `reviewed_at` to the schedule's due time (the interval: six
    # bytes on SQLite where a time takes eight; None: no due time)
    due_lag: Mapped[int | None] = mapped_column(BigInteger)
    # microseconds from the schedule's last review to `reviewed_at` (0 for an answer,
    # which is its card's last review; None: no last review)
    last_review_lag: Mapped[int | None] = mapped_column(BigInteger)
    reps: Mapped[int | None] = mapped_column(Integer)
    lapses: Mapped[int | None] = mapped_column(Integer)

    @property
    def after(self) -> Schedule | None:
        """The schedule this entry left (None: a drill)."""
        return after_of(self)


def reviewed_since(dialect: str, since: datetime) -> ColumnElement[bool]:
    """The log's entries from `since` on, with the PostgreSQL packs' indexed condition
    (quiz.store.log_packs.times_from, for the ORM's queries)."""
    from sqlalchemy import and_, literal_column

    from quiz.store.log_packs import packed

    if not packed(dialect):
        return ReviewRow.reviewed_at >= since
    pack_last_at = literal_column("reviews.pack_last_at", StoredTime())
    return and_(ReviewRow.reviewed_at >= since, pack_last_at >= since)


class ReviewBefore(Base):
    """The schedule before a log entry, where it is not the one the learner's previous
    entry of the card left (see ReviewRow); deleted with its entry."""

    __tablename__ = "review_befores"

    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE", onupdate="CASCADE"), primary_key=True
    )
    state: Mapped[int] = mapped_column(SmallInteger)
    step: Mapped[int | None] = mapped_column(SmallInteger)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime | None] = mapped_column(StoredTime)
    last_review: Mapped[datetime | None] = mapped_column(StoredTime)
    reps: Mapped[int] = mapped_column(Integer)
    lapses: Mapped[int] = mapped_column(Integer)


class GoalRow(Base):
    """An exam date for a deck: the scheduler aims to have it reviewed before then."""

    __tablename__ = "goals"
    __table_args__ = (
        UniqueConstraint("learner_id", "deck_id"),
        Index("ix_goals_deck", "deck_id"),  # a deck's foreign key checks (0020)
    )

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


class CardRollup(Base):
    """A learner's answers of one card; `first_review_at` is its first review-kind answer."""

    __tablename__ = "review_card_rollups"
    __table_args__ = (
        Index("ix_review_card_rollups_card", "card_id"),  # a card's foreign key checks (0020)
        {"sqlite_with_rowid": False},  # as card_tags (0012)
    )

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
    drills: Mapped[int] = mapped_column(Integer)
    right_answers: Mapped[int] = mapped_column(Integer)
    lapses: Mapped[int] = mapped_column(Integer)
    drill_misses: Mapped[int] = mapped_column(Integer)
    # the same type as reviews.reviewed_at, which they are taken from in SQL (0012)
    last_miss: Mapped[datetime | None] = mapped_column(StoredTime)
    last_right: Mapped[datetime | None] = mapped_column(StoredTime)
    duration_ms: Mapped[int] = mapped_column(BigInteger)
    first_review_at: Mapped[datetime | None] = mapped_column(StoredTime)


class DayMark(Base):
    """Which clock the day rollups are kept in (quiz.store.rollups.clock_key) and how
    much of the log they hold (every row with id <= `last_id`). No row: to be rebuilt
    (a trigger deletes it when a card changes deck, 0015)."""

    __tablename__ = "review_day_marks"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    clock: Mapped[str] = mapped_column(String(300))
    last_id: Mapped[int] = mapped_column(Integer)


class DayRollup(Base):
    """A learner's answers of one deck on one learner day (`day`: date.toordinal()) whose
    card was `min_days` or more days old then (stats.AGE_BUCKETS' lower bounds; the ages
    of the true-retention sample, `graded`)."""

    __tablename__ = "review_day_rollups"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012  # as card_tags (0012)

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    deck_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    min_days: Mapped[int] = mapped_column(Integer, primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
    drills: Mapped[int] = mapped_column(Integer)
    right_answers: Mapped[int] = mapped_column(Integer)
    graded: Mapped[int] = mapped_column(Integer)
    passed: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(BigInteger)


class TagMark(Base):
    """The tag rollups hold the card rollups up to `last_id` with the cards' tags, kinds
    and decks as they are now. No row: to be rebuilt (triggers delete it when a card's
    tags, kind or deck change, 0015)."""

    __tablename__ = "review_tag_marks"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer)


class TagRollup(Base):
    """A learner's answered cards of one deck, kind and tag ('' for untagged cards)."""

    __tablename__ = "review_tag_rollups"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012  # as card_tags (0012)

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), primary_key=True)
    deck_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    tag: Mapped[str] = mapped_column(String(200), primary_key=True)
    cards: Mapped[int] = mapped_column(Integer)
    answers: Mapped[int] = mapped_column(Integer)
    right_answers: Mapped[int] = mapped_column(Integer)
    lapses: Mapped[int] = mapped_column(Integer)
    misses: Mapped[int] = mapped_column(Integer)
