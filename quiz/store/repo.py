"""Every query quiz makes, bound to one ORM session and one learner.

The rest of the program asks the Repo questions in the core's terms (decks, cards,
schedules, reviews) and never sees SQL. Writes that must survive a killed process
(an answer, an undo, a bury) commit at once, each in a short transaction that is run
again when a shared store reports a lost race (`quiz.store.retry`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quiz.errors import Conflict
from quiz.model import (
    CardState,
    Deck,
    Rating,
    Schedule,
    StoredCard,
    Text,
    card_from_dict,
    card_to_dict,
)
from quiz.scheduler import schedule_from_dict, schedule_to_dict
from quiz.store.models import CardRow, CardStateRow, CardTag, DeckRow, Learner, ReviewRow
from quiz.store.retry import DEFAULT_POLICY, RetryPolicy, run_write


@dataclass(frozen=True)
class DeckSummary:
    deck: str
    title: Text
    cards: int
    new: int
    learning: int
    due: int
    suspended: int
    path: str
    lang: str | None = None


@dataclass(frozen=True)
class StoredDeckInfo:
    id: int
    slug: str
    path: str
    file_hash: str


def text_to_json(text: Text | None) -> dict[str, object] | None:
    return None if text is None else {"variants": [list(v) for v in text.variants]}


def text_from_json(data: dict[str, object] | None) -> Text | None:
    if not data:
        return None
    return Text(tuple((str(a), str(b)) for a, b in data["variants"]))


def _schedule(row: CardStateRow | None) -> Schedule:
    if row is None:
        return Schedule()
    return Schedule(
        state=CardState(row.state),
        step=row.step,
        stability=row.stability,
        difficulty=row.difficulty,
        due=row.due,
        last_review=row.last_review,
        reps=row.reps,
        lapses=row.lapses,
    )


@dataclass(frozen=True)
class CardFilter:
    decks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()


class Repo:
    def __init__(
        self, session: Session, learner_id: int, retry: RetryPolicy = DEFAULT_POLICY
    ) -> None:
        self.session = session
        self.learner_id = learner_id
        self.retry = retry

    def commit(self) -> None:
        self.session.commit()

    # ---- decks -------------------------------------------------------------------

    def decks_by_path(self) -> dict[str, StoredDeckInfo]:
        rows = self.session.execute(
            select(DeckRow.id, DeckRow.slug, DeckRow.path, DeckRow.file_hash)
        )
        return {r.path: StoredDeckInfo(r.id, r.slug, r.path, r.file_hash) for r in rows}

    def deck_slugs(self) -> dict[str, str]:
        """deck id -> file path, for every deck in the store."""
        return dict(self.session.execute(select(DeckRow.slug, DeckRow.path)).all())

    def sync_deck(self, deck: Deck, path: str, file_hash: str, now: datetime) -> dict[str, int]:
        """Bring the store's copy of `deck` in line with its file; keep all history.

        Returns counts: added, updated, retired, restored, unchanged.
        """
        row = self.session.scalar(select(DeckRow).where(DeckRow.slug == deck.id))
        if row is None:
            row = DeckRow(slug=deck.id, title={}, path=path, file_hash="", imported_at=now)
            self.session.add(row)
            self.session.flush()
        row.title = text_to_json(deck.title) or {}
        row.description = text_to_json(deck.description)
        row.lang = deck.lang
        row.path = path
        row.file_hash = file_hash
        row.imported_at = now

        existing = {
            c.key: c
            for c in self.session.execute(
                select(
                    CardRow.id,
                    CardRow.key,
                    CardRow.content_hash,
                    CardRow.retired,
                    CardRow.position,
                    CardRow.line,
                ).where(CardRow.deck_id == row.id)
            )
        }
        counts = dict(added=0, updated=0, retired=0, restored=0, unchanged=0)
        inserts: list[dict[str, object]] = []
        tags_for: dict[str, tuple[str, ...]] = {}
        changed_ids: list[int] = []
        for position, card in enumerate(deck.cards):
            digest = card.content_hash()
            old = existing.get(card.key)
            if old is None:
                inserts.append(
                    dict(
                        deck_id=row.id,
                        key=card.key,
                        note_key=card.note_key,
                        kind=card.kind.value,
                        content=card_to_dict(card),
                        content_hash=digest,
                        position=position,
                        line=card.line,
                        retired=False,
                    )
                )
                tags_for[card.key] = card.tags
                counts["added"] += 1
                continue
            values: dict[str, object] = {}
            if old.content_hash != digest:
                values.update(content=card_to_dict(card), content_hash=digest, kind=card.kind.value)
                counts["updated"] += 1
                changed_ids.append(old.id)
                tags_for[card.key] = card.tags
            if old.retired:
                values["retired"] = False
                counts["restored"] += 1
            if old.position != position or old.line != card.line:
                values.update(position=position, line=card.line)
                if "content" not in values:
                    values["content"] = card_to_dict(card)
            if values:
                self.session.execute(update(CardRow).where(CardRow.id == old.id).values(**values))
            elif not old.retired:
                counts["unchanged"] += 1
        keep = set(deck.card_keys)
        gone = [c.id for key, c in existing.items() if key not in keep and not c.retired]
        if gone:
            self.session.execute(update(CardRow).where(CardRow.id.in_(gone)).values(retired=True))
            counts["retired"] = len(gone)
        if inserts:
            self.session.execute(CardRow.__table__.insert(), inserts)
        if tags_for:
            ids = dict(
                self.session.execute(
                    select(CardRow.key, CardRow.id).where(CardRow.deck_id == row.id)
                ).all()
            )
            if changed_ids:
                self.session.execute(delete(CardTag).where(CardTag.card_id.in_(changed_ids)))
            tag_rows = [
                {"card_id": ids[key], "tag": tag} for key, tags in tags_for.items() for tag in tags
            ]
            if tag_rows:
                self.session.execute(CardTag.__table__.insert(), tag_rows)
        return counts

    def deck_summaries(self, now: datetime) -> list[DeckSummary]:
        st = CardStateRow
        live = and_(st.suspended.is_(False), or_(st.buried_until.is_(None), st.buried_until <= now))
        q = (
            select(
                DeckRow.slug,
                DeckRow.title,
                DeckRow.path,
                DeckRow.lang,
                func.count(CardRow.id),
                func.sum(((st.state.is_(None)) | (st.state == 0)).cast(int_type())),
                func.sum(and_(st.state.in_((1, 3)), live).cast(int_type())),
                func.sum(and_(st.state.in_((1, 2, 3)), st.due <= now, live).cast(int_type())),
                func.sum((st.suspended.is_(True)).cast(int_type())),
            )
            .select_from(DeckRow)
            .outerjoin(CardRow, and_(CardRow.deck_id == DeckRow.id, CardRow.retired.is_(False)))
            .outerjoin(st, and_(st.card_id == CardRow.id, st.learner_id == self.learner_id))
            .group_by(DeckRow.id)
            .order_by(DeckRow.slug)
        )
        return [
            DeckSummary(
                deck=r[0],
                title=text_from_json(r[1]) or Text.plain(r[0]),
                path=r[2],
                lang=r[3],
                cards=r[4] or 0,
                new=r[5] or 0,
                learning=r[6] or 0,
                due=r[7] or 0,
                suspended=r[8] or 0,
            )
            for r in self.session.execute(q)
        ]

    def card_count(self) -> int:
        return (
            self.session.scalar(select(func.count(CardRow.id)).where(CardRow.retired.is_(False)))
            or 0
        )

    # ---- cards for a session ---------------------------------------------------

    def _filtered(self, q, flt: CardFilter):
        q = q.where(CardRow.retired.is_(False))
        if flt.decks:
            q = q.where(CardRow.deck_id.in_(select(DeckRow.id).where(DeckRow.slug.in_(flt.decks))))
        if flt.tags:
            q = q.where(exists().where(CardTag.card_id == CardRow.id, CardTag.tag.in_(flt.tags)))
        if flt.kinds:
            q = q.where(CardRow.kind.in_(flt.kinds))
        return q

    def _stored(self, rows: Iterable[Any]) -> list[StoredCard]:
        """StoredCards from rows of `_base()`: plain columns, not ORM objects (loading
        ~1000 cards for a review session through the ORM's identity map cost ~25 ms)."""
        out = []
        for r in rows:
            has_state = (
                r.state is not None
            )  # no state row (outer join): the card is new to this learner
            out.append(
                StoredCard(
                    row_id=r.id,
                    card=card_from_dict(r.content),
                    schedule=Schedule(
                        state=CardState(r.state),
                        step=r.step,
                        stability=r.stability,
                        difficulty=r.difficulty,
                        due=r.due,
                        last_review=r.last_review,
                        reps=r.reps,
                        lapses=r.lapses,
                    )
                    if has_state
                    else Schedule(),
                    path=r.path,
                    suspended=bool(has_state and r.suspended),
                    leech=bool(has_state and r.leech),
                    lang=r.lang,
                )
            )
        return out

    def _base(self):
        st = CardStateRow
        return (
            select(
                CardRow.id,
                CardRow.content,
                st.state,
                st.step,
                st.stability,
                st.difficulty,
                st.due,
                st.last_review,
                st.reps,
                st.lapses,
                st.suspended,
                st.leech,
                DeckRow.path,
                DeckRow.lang,
            )
            .join(DeckRow, DeckRow.id == CardRow.deck_id)
            .outerjoin(st, and_(st.card_id == CardRow.id, st.learner_id == self.learner_id))
        )

    def due_cards(
        self, now: datetime, horizon: datetime, flt: CardFilter, states: Sequence[int], limit: int
    ) -> list[StoredCard]:
        """Cards in `states` due by `horizon`, not suspended or buried, most overdue first."""
        st = CardStateRow
        q = self._filtered(self._base(), flt).where(
            st.state.in_(states),
            st.due <= horizon,
            st.suspended.is_(False),
            or_(st.buried_until.is_(None), st.buried_until <= now),
        )
        q = q.order_by(st.due, CardRow.id).limit(limit)
        return self._stored(self.session.execute(q))

    def due_count(
        self, now: datetime, horizon: datetime, flt: CardFilter, states: Sequence[int]
    ) -> int:
        """How many cards `due_cards` would return without a limit (a count: the
        session's closing line must not load every card due tomorrow)."""
        st = CardStateRow
        q = self._filtered(
            select(func.count())
            .select_from(CardRow)
            .join(st, and_(st.card_id == CardRow.id, st.learner_id == self.learner_id)),
            flt,
        ).where(
            st.state.in_(states),
            st.due <= horizon,
            st.suspended.is_(False),
            or_(st.buried_until.is_(None), st.buried_until <= now),
        )
        return int(self.session.scalar(q) or 0)

    def new_cards(self, now: datetime, flt: CardFilter, limit: int) -> list[StoredCard]:
        st = CardStateRow
        q = self._filtered(self._base(), flt).where(
            or_(
                st.state.is_(None),
                and_(
                    st.state == 0,
                    st.suspended.is_(False),
                    or_(st.buried_until.is_(None), st.buried_until <= now),
                ),
            )
        )
        q = q.order_by(DeckRow.slug, CardRow.position).limit(limit)
        return self._stored(self.session.execute(q))

    def seen_keys(self, keys: Iterable[str]) -> set[str]:
        """Of these card keys, the ones this learner has answered at least once."""
        keys = list(keys)
        if not keys:
            return set()
        q = (
            select(CardRow.key)
            .join(
                CardStateRow,
                and_(
                    CardStateRow.card_id == CardRow.id, CardStateRow.learner_id == self.learner_id
                ),
            )
            .where(CardRow.key.in_(keys), CardStateRow.reps > 0)
        )
        return set(self.session.scalars(q))

    def notes_answered_since(self, since: datetime) -> set[str]:
        q = (
            select(CardRow.note_key)
            .join(ReviewRow, ReviewRow.card_id == CardRow.id)
            .where(
                ReviewRow.learner_id == self.learner_id,
                ReviewRow.reviewed_at >= since,
                ReviewRow.kind == "review",
            )
            .distinct()
        )
        return set(self.session.scalars(q))

    def answered_since(self, since: datetime) -> dict[int, int]:
        """Count of review-log entries since `since`, by the state the card was in."""
        q = (
            select(ReviewRow.prev_state, func.count())
            .where(
                ReviewRow.learner_id == self.learner_id,
                ReviewRow.reviewed_at >= since,
                ReviewRow.kind == "review",
            )
            .group_by(ReviewRow.prev_state)
        )
        return dict(self.session.execute(q).all())

    def get_card(self, key: str) -> StoredCard | None:
        q = self._base().where(CardRow.key == key)
        found = self._stored(self.session.execute(q))
        return found[0] if found else None

    def cards(self, flt: CardFilter, include_retired: bool = False) -> list[StoredCard]:
        q = self._base()
        q = self._filtered(q, flt) if not include_retired else q
        q = q.order_by(DeckRow.slug, CardRow.position)
        return self._stored(self.session.execute(q))

    # ---- answers -----------------------------------------------------------------

    def _state_row(self, card_id: int) -> CardStateRow:
        row = self.session.get(CardStateRow, (self.learner_id, card_id))
        if row is None:
            row = CardStateRow(
                learner_id=self.learner_id,
                card_id=card_id,
                state=0,
                reps=0,
                lapses=0,
                suspended=False,
                leech=False,
            )
            self.session.add(row)
        return row

    def record_answer(
        self,
        card_id: int,
        *,
        kind: str,
        rating: Rating,
        at: datetime,
        duration_ms: int,
        answer: str | None,
        correct: bool | None,
        before: Schedule,
        after: Schedule | None,
        leech: bool = False,
        expect_reps: int | None = None,
    ) -> int:
        """Append one answer to the log and (for reviews) update the schedule; commit.

        `expect_reps` is the `reps` of the schedule the session fetched and showed.
        When given, the card's stored state is read again under a row lock inside the
        write (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the log insert before
        it already holds the database's write lock), and if this learner answered the
        card elsewhere since (the stored `reps` differ), nothing is written and
        `quiz.errors.Conflict` is raised. Lost races are retried (`quiz.store.retry`).
        """

        def work() -> int:
            entry = ReviewRow(
                prev_id=self._last_entry(card_id) if kind == "review" else None,
                learner_id=self.learner_id,
                card_id=card_id,
                kind=kind,
                rating=int(rating),
                prev_state=int(before.state),
                reviewed_at=at,
                duration_ms=int(duration_ms),
                answer=answer,
                correct=correct,
                state_before=schedule_to_dict(before),
                state_after=schedule_to_dict(after) if after else None,
            )
            self.session.add(entry)
            self.session.flush()  # the first write of the transaction: SQLite's write lock is ours now
            if after is not None:
                if expect_reps is not None:
                    self._expect_reps(card_id, expect_reps)
                self._write_schedule(card_id, after)
                if leech:
                    row = self._state_row(card_id)
                    row.leech = True
                    row.suspended = True
            return entry.id

        # a unique-key clash (card_states' key, or migration 0006's one answer per log
        # entry) is two answers to the same state at once: the rerun sees a Conflict
        try:
            return run_write(
                self.session, work, self.retry, retry_integrity=expect_reps is not None
            )
        except IntegrityError as exc:
            if kind == "review" and ("prev_id" in str(exc) or "ux_reviews_chain" in str(exc)):
                raise Conflict("already answered on another machine") from None
            raise

    def _last_entry(self, card_id: int) -> int:
        """The id of this learner's latest review or manual entry of the card (0: none):
        the link a new answer records, unique per entry (migration 0006)."""
        return (
            self.session.scalar(
                select(func.max(ReviewRow.id)).where(
                    ReviewRow.learner_id == self.learner_id,
                    ReviewRow.card_id == card_id,
                    ReviewRow.kind.in_(("review", "manual")),
                )
            )
            or 0
        )

    def _expect_reps(self, card_id: int, expected: int) -> None:
        row = self.session.get(
            CardStateRow, (self.learner_id, card_id), with_for_update=True, populate_existing=True
        )
        stored = row.reps if row is not None else 0
        if stored != expected:
            raise Conflict("already answered on another machine")

    def _write_schedule(self, card_id: int, s: Schedule) -> None:
        row = self._state_row(card_id)
        row.state = int(s.state)
        row.step = s.step
        row.stability = s.stability
        row.difficulty = s.difficulty
        row.due = s.due
        row.last_review = s.last_review
        row.reps = s.reps
        row.lapses = s.lapses

    def undo(self, review_id: int) -> int | None:
        """Remove one log entry and restore the card's state from before it; commit.

        Returns the card's row id, or None when the entry no longer exists.
        """

        def work() -> int | None:
            entry = self.session.get(ReviewRow, review_id)
            if entry is None or entry.learner_id != self.learner_id:
                return None
            card_id = entry.card_id
            if entry.kind == "review":
                before = schedule_from_dict(entry.state_before)
                row = self._state_row(card_id)
                if row.leech and before.lapses < (entry.state_after or {}).get("lapses", 0):
                    row.leech = False
                    row.suspended = False
                self._write_schedule(card_id, before)
            self.session.delete(entry)
            return card_id

        return run_write(self.session, work, self.retry)

    def bury(self, card_id: int, until: datetime) -> None:
        def work() -> None:
            self._state_row(card_id).buried_until = until

        run_write(self.session, work, self.retry, retry_integrity=True)

    def set_suspended(self, card_id: int, suspended: bool) -> None:
        def work() -> None:
            self._state_row(card_id).suspended = suspended

        run_write(self.session, work, self.retry, retry_integrity=True)

    # ---- the log -----------------------------------------------------------------

    def review_log(self, kinds: Sequence[str] = ("review",)) -> list[ReviewRow]:
        q = (
            select(ReviewRow)
            .where(ReviewRow.learner_id == self.learner_id, ReviewRow.kind.in_(kinds))
            .order_by(ReviewRow.card_id, ReviewRow.reviewed_at, ReviewRow.id)
        )
        return list(self.session.scalars(q))

    def card_keys_by_id(self) -> dict[int, str]:
        return dict(self.session.execute(select(CardRow.id, CardRow.key)).all())

    def all_schedules(self) -> dict[int, tuple[Schedule, bool, bool]]:
        q = select(CardStateRow).where(CardStateRow.learner_id == self.learner_id)
        return {r.card_id: (_schedule(r), r.suspended, r.leech) for r in self.session.scalars(q)}

    def replace_schedule(self, card_id: int, s: Schedule | None, leech: bool) -> None:
        """Set a card's cached schedule outright (used by `quiz rebuild`)."""
        if s is None:
            row = self.session.get(CardStateRow, (self.learner_id, card_id))
            if row is not None and not row.suspended and row.buried_until is None:
                self.session.delete(row)
            elif row is not None:
                self._write_schedule(card_id, Schedule())
            return
        self._write_schedule(card_id, s)
        row = self._state_row(card_id)
        if leech and not row.leech:
            row.leech = True
            row.suspended = True
        elif not leech and row.leech:
            row.leech = False

    def learners(self) -> list[str]:
        return list(self.session.scalars(select(Learner.name).order_by(Learner.name)))


def int_type():
    from sqlalchemy import Integer

    return Integer
