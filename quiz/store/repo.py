"""Every query quiz makes, bound to one ORM session and one learner.

The rest of the program asks the Repo questions in the core's terms (decks, cards,
schedules, reviews) and never sees SQL. Writes that must survive a killed process
(an answer, an undo, a bury) commit at once, each in a short transaction that is run
again when a shared store reports a lost race (`quiz.store.retry`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property
from itertools import count
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    Table,
    bindparam,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from quiz.errors import Conflict
from quiz.model import (
    CardFilter,
    Deck,
    Schedule,
    StoredCard,
)
from quiz.store import deck_sync, due
from quiz.store.answer_write import (
    AFTER,
    ANSWERED_STATE,
    INSERT_BEFORE,
    INSERT_ENTRY,
    LAST_ENTRY,
    LAST_ENTRY_BEFORE,
    MANUAL,
    ONE_TRIP,
    schedule_columns,
    state_params,
    table_of,
)
from quiz.store.card_actions import CardActions
from quiz.store.deck_sync import StoredDeckInfo
from quiz.store.export_reads import ExportReads, ListedDeck
from quiz.store.history_reads import HistoryReads
from quiz.store.log_packs import delete_packs, ids_after
from quiz.store.models import (
    CardRollup,
    CardRow,
    CardStateRow,
    CardTag,
    DeckRow,
    GoalRow,
    Learner,
    ReviewBefore,
    ReviewRow,
    RollupMark,
    UTCDateTime,
    after_columns,
    after_of,
)
from quiz.store.retry import DEFAULT_POLICY, RetryPolicy, run_write
from quiz.store.selection import AnsweredSince, Params, Selection, schedule_from
from quiz.store.summaries import DeckSummary, deck_summaries
from quiz.store.values import instant_of

if TYPE_CHECKING:
    from quiz.review.answer import Answer
    from quiz.review.goal import Goal
    from quiz.store.stats_reads import StatsReads

T = TypeVar("T")
_CLAUSES = count()  # keeps the parameter names of `Repo._clauses` apart


# The named state sets of quiz.store.due, for the queries written with SQLAlchemy.
LEARNING_STATES = due.LEARNING_STATES
REVIEW_STATES = due.REVIEW_STATES
DUE_STATES = due.STARTED_STATES

# The learner's card states under the alias that the shared SQL of quiz.store.due uses.
ST = aliased(CardStateRow, name="cs")


def _schedule_left(row: Any) -> tuple[int, Schedule]:
    """The id of the entry a row of `answer_write.last_entry`'s columns names, and the
    schedule it left: (0, a new card's) for no row, or a row of nulls."""
    if row is None or row.id is None:
        return 0, Schedule()
    stored = {column.key: getattr(row, column.key) for column in AFTER}
    stored["reviewed_at"] = instant_of(row.reviewed_at)
    return row.id, after_of(SimpleNamespace(**stored)) or Schedule()


class _TypedRunner:
    """quiz.store.deck_sync's statements as SQLAlchemy text, each typed parameter bound
    with its column's type (JSON, UTC times, booleans as the dialect keeps them)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    @staticmethod
    @cache
    def _statement(sql: str) -> Any:
        binds = [
            bindparam(name, type_=_table_named(table).c[column].type)
            for name, (table, column, _kind) in deck_sync.PARAMS.items()
            if f":{name}" in sql
        ]
        return text(sql).bindparams(*binds)

    def rows(self, sql: str, params: dict[str, Any]) -> list[Any]:
        return list(self.conn.execute(self._statement(sql), params).all())

    def run(self, sql: str, params: dict[str, Any]) -> None:
        self.conn.execute(self._statement(sql), params)

    def form(self, name: str) -> Any:
        return _as_it_is  # the parameter's column type converts it

    def run_many(self, sql: str, rows: list[tuple[Any, ...]], once: str | None = None) -> None:
        names = deck_sync.parameter_names(sql)
        self.conn.execute(
            self._statement(sql), [dict(zip(names, row, strict=True)) for row in rows]
        )

    def card_ids(self, count: int) -> list[int]:
        """From the id column's own sequence, as an insert without an id takes them."""
        found = self.conn.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('cards', 'id'))"
                " FROM generate_series(1, :count)"
            ),
            {"count": count},
        )
        return [card_id for (card_id,) in found]

    def finish(self) -> None:
        pass  # every statement ran when asked


def _as_it_is(value: object) -> object:
    return value


def _table_named(name: str) -> Table:
    return CardRow.metadata.tables[name]


def live(now: datetime) -> Any:
    """The one live-card rule (quiz.store.due.LIVE) as a clause over `ST`: not
    suspended, not buried past `now`."""
    return text(due.LIVE).bindparams(bindparam("now", now, type_=UTCDateTime))


def schedule_of(row: Any, *, lapses: str = "lapses") -> Schedule:
    """A Schedule from any row with the card state columns (None: a card never answered);
    `lapses` names the column holding the state's lapses where a query labels it apart."""
    if row is None:
        return Schedule()
    return schedule_from(
        row.state,
        row.step,
        row.stability,
        row.difficulty,
        row.due,
        row.last_review,
        row.reps,
        getattr(row, lapses),
    )


@dataclass(frozen=True)
class RemovedDeck:
    """What `Repo.remove_deck` did: the cards retired (kept) or deleted (purged), and the
    review-log rows deleted (0 unless purged)."""

    deck: str
    cards: int
    reviews: int
    purged: bool


class Repo:
    def __init__(
        self, session: Session, learner_id: int, retry: RetryPolicy = DEFAULT_POLICY
    ) -> None:
        self.session = session
        self.learner_id = learner_id
        self.retry = retry

    @property
    def _sqlite(self) -> bool:
        """Whether the store is SQLite (else PostgreSQL: the log in packs, 0017)."""
        return bool(self.session.get_bind().dialect.name == "sqlite")

    def commit(self) -> None:
        self.session.commit()

    # ---- decks -------------------------------------------------------------------

    def decks_by_path(self) -> dict[str, StoredDeckInfo]:
        return deck_sync.decks_by_path(self._sync_runner())

    def deck_slugs(self) -> dict[str, str]:
        """deck id -> file path, for every deck in the store."""
        return self.selection.deck_slugs()

    def require_known(self, decks: Sequence[str] = (), tags: Sequence[str] = ()) -> None:
        """Raise NotFound for a deck or tag the store has never seen (Selection.require_known)."""
        self.selection.require_known(decks, tags)

    def sync_deck(self, deck: Deck, path: str, file_hash: str, now: datetime) -> dict[str, int]:
        """Bring the store's copy of `deck` in line with its file; keep all history.

        Returns counts: added, updated, retired, restored, unchanged. The statements
        are quiz.store.deck_sync's, which `quiz import` also runs through sqlite3.
        """
        self.session.flush()  # the ORM's pending changes first: the writes are SQL
        return deck_sync.sync_deck(self._sync_runner(), deck, path, file_hash, now)

    def _sync_runner(self) -> deck_sync.Runner:
        """quiz.store.deck_sync's statements through this session's connection: on
        SQLite with the driver's named parameters and SQLite's stored forms (as the
        lean writer), elsewhere as text with each parameter's column type."""
        conn = self.session.connection()
        if conn.dialect.name == "sqlite":
            return deck_sync.SqliteRunner(conn.exec_driver_sql, conn.exec_driver_sql)
        return _TypedRunner(conn)

    @property
    def due(self) -> due.DueQueries:
        """The due rule (quiz.store.due), run through this session."""
        return due.DueQueries(
            lambda sql, params: self.session.execute(text(sql), params),
            self.learner_id,
            sqlite=self._sqlite,
        )

    def deck_summaries(self, now: datetime) -> list[DeckSummary]:
        """Every deck with its due / new / learning counts (quiz.store.due) and its cards,
        suspended cards and cards buried until a later day (quiz.store.summaries, the
        same statements as the lean path of `quiz decks`)."""
        return deck_summaries(self.due, now)

    def listed_decks(self) -> list[ListedDeck]:
        """The decks not removed, by id, with their titles, languages and descriptions
        (what `deck_summaries` says of them, without counting their cards)."""
        return ExportReads(self.selection).listed_decks()

    def listed_deck_slugs(self) -> dict[str, str]:
        """deck id -> file path, for the decks not removed (`quiz decks remove`)."""
        q = select(DeckRow.slug, DeckRow.path).where(DeckRow.removed_at.is_(None))
        return dict(self.session.execute(q).all())

    def remove_deck(self, slug: str, now: datetime, purge: bool) -> RemovedDeck | None:
        """Take a deck out of the collection (None: no such listed deck); not committed.

        Kept (the default): the deck is marked removed and its cards retired; the log, the
        cards' states and tags stay, so statistics keep the past and importing the deck
        again restores its cards with their history (`sync_deck`). The file hash is
        cleared so that such an import is not skipped as unchanged.

        Purged: every row of the deck goes, for every learner of the store (cards, states,
        tags, goals, log rows and the card rollups); the log rollups of every learner are
        marked for a rebuild, as after an undo (quiz.store.rollups).
        """
        row = self.session.scalar(
            select(DeckRow).where(DeckRow.slug == slug, DeckRow.removed_at.is_(None))
        )
        if row is None:
            return None
        card_ids = select(CardRow.id).where(CardRow.deck_id == row.id).scalar_subquery()
        cards = int(
            self.session.scalar(
                select(func.count(CardRow.id)).where(
                    CardRow.deck_id == row.id, CardRow.retired.is_(False)
                )
            )
            or 0
        )
        if not purge:
            self.session.execute(
                update(CardRow).where(CardRow.deck_id == row.id).values(retired=True)
            )
            row.removed_at = now
            row.file_hash = ""
            return RemovedDeck(slug, cards, 0, purged=False)
        self.session.execute(
            delete(ReviewBefore).where(
                ReviewBefore.review_id.in_(
                    select(ReviewRow.id).where(ReviewRow.card_id.in_(card_ids))
                )
            )
        )
        if self._sqlite:
            entries = delete(ReviewRow).where(ReviewRow.card_id.in_(card_ids))
            deleted = int(getattr(self.session.execute(entries), "rowcount", 0) or 0)
        else:  # whole packs, not an entry at a time through the view (quiz.store.log_packs)
            packs = text(delete_packs("SELECT id FROM cards WHERE deck_id = :deck"))
            deleted = sum(int(n) for (n,) in self.session.execute(packs, {"deck": row.id}))
        for table in (CardRollup, CardStateRow, CardTag):
            self.session.execute(delete(table).where(table.card_id.in_(card_ids)))
        self.session.execute(delete(GoalRow).where(GoalRow.deck_id == row.id))
        if deleted:
            self.session.execute(delete(RollupMark))
        self.session.execute(delete(CardRow).where(CardRow.deck_id == row.id))
        self.session.delete(row)
        return RemovedDeck(slug, cards, deleted, purged=True)

    def card_count(self) -> int:
        return (
            self.session.scalar(select(func.count(CardRow.id)).where(CardRow.retired.is_(False)))
            or 0
        )

    # ---- the learner's settings and goals ---------------------------------------------

    def setting(self, name: str) -> dict[str, Any] | None:
        """The learner's setting `name` (quiz.store.settings), or None."""
        from quiz.store.settings import get_setting

        return get_setting(self, name)

    def goals(self) -> list[Goal]:
        """The learner's goals, nearest date first (quiz.store.goal_rows)."""
        from quiz.store import goal_rows

        return goal_rows.goals(lambda sql, p: self.session.execute(text(sql), p), self.learner_id)

    # ---- selecting cards ---------------------------------------------------------
    # Every card selection is quiz.store.selection's, run through this session: the same
    # SQL text as the lean path of `quiz review` (live cards of a CardFilter, with this
    # learner's schedule `cs`, as StoredCards).

    @cached_property
    def stats(self) -> StatsReads:
        """The reads of `quiz stats` (quiz.store.stats_reads) through this session: the
        same SQL text as its lean path."""
        from quiz.store.stats_reads import StatsReads

        return StatsReads(
            lambda sql, params: self.session.execute(text(sql), params),
            self.learner_id,
            sqlite=self._sqlite,
        )

    @cached_property
    def selection(self) -> Selection:
        return Selection(
            lambda sql, params: self.session.execute(text(sql), params),
            self.learner_id,
            sqlite=self._sqlite,
        )

    @property
    def history(self) -> HistoryReads:
        """A card's log and the schedule before each entry (quiz.store.history_reads)."""
        return HistoryReads(
            lambda sql, params: self.session.execute(text(sql), params),
            self.learner_id,
            sqlite=self._sqlite,
        )

    def select_cards(
        self,
        flt: CardFilter = CardFilter(),
        where: Sequence[str] = (),
        params: Params | None = None,
        *,
        order_by: str = "",
        limit: int | None = None,
        include_retired: bool = False,
    ) -> list[StoredCard]:
        """Cards matching `flt` and the conditions `where` (SQL text over cards, decks
        and the learner's state `cs`; their values in `params`): `Selection.select`."""
        return self.selection.select(
            flt, where, params, order_by=order_by, limit=limit, include_retired=include_retired
        )

    def _clauses(self, conditions: Callable[[Params], list[str]]) -> list[Any]:
        """SQL-text conditions of the selection as SQLAlchemy clauses, for the queries
        written with SQLAlchemy that add them (their parameter names kept apart)."""
        p = Params(f"c{next(_CLAUSES)}_", learner=self.learner_id)
        sql = conditions(p)
        given = {k: v for k, v in p.items() if k != "learner"}
        return [
            text(c).bindparams(
                *(bindparam(k, v) for k, v in given.items() if f":{k}" in c),
                *([bindparam("learner", self.learner_id)] if ":learner" in c else []),
            )
            for c in sql
        ]

    def filter_conditions(self, flt: CardFilter) -> list[Any]:
        """The conditions, over CardRow alone, of the live cards matching `flt`."""
        return self._clauses(lambda p: self.selection.filter_sql(flt, p))

    def due_cards(
        self, now: datetime, horizon: datetime, flt: CardFilter, states: Sequence[int], limit: int
    ) -> list[StoredCard]:
        return self.selection.due_cards(now, horizon, flt, states, limit)

    def due_count(
        self, now: datetime, horizon: datetime, flt: CardFilter, states: Sequence[int]
    ) -> int:
        return self.selection.due_count(now, horizon, flt, states)

    def new_cards(
        self, now: datetime, flt: CardFilter, limit: int, *, interleave: bool = False
    ) -> list[StoredCard]:
        return self.selection.new_cards(now, flt, limit, interleave=interleave)

    # ---- a drill's pool (quiz.review.drill) ---------------------------------------

    def drill_fill(self, flt: CardFilter, exclude: Sequence[int], limit: int) -> list[StoredCard]:
        return self.selection.drill_fill(flt, exclude, limit)

    def drill_ids(self, flt: CardFilter, among: Sequence[int] | None = None) -> list[int]:
        return self.selection.drill_ids(flt, among)

    def card_id_range(self) -> tuple[int, int] | None:
        return self.selection.card_id_range()

    def cards_by_id(self, card_ids: Iterable[int]) -> list[StoredCard]:
        return self.selection.cards_by_id(card_ids)

    def seen_keys(self, keys: Iterable[str]) -> set[str]:
        return self.selection.seen_keys(keys)

    def answered_since(self, since: datetime) -> AnsweredSince:
        return self.selection.answered_since(since)

    def get_card(self, key: str) -> StoredCard | None:
        return self.selection.get_card(key)

    def cards(self, flt: CardFilter, include_retired: bool = False) -> list[StoredCard]:
        return self.select_cards(
            flt, order_by="decks.slug, cards.position", include_retired=include_retired
        )

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

    def record_answer(self, answer: Answer) -> int:
        """Append one answer to the log and (for reviews) update the schedule; commit.

        `answer.expect_reps` is the `reps` of the schedule the session fetched and
        showed. When given, the write of the card's state only happens where the stored
        `reps` are still those (the UPDATE's own condition, under the row's lock; on
        SQLite the log insert before it already holds the database's write lock), and if
        this learner answered the card elsewhere since, nothing is written and
        `quiz.errors.Conflict` is raised. Lost races are retried (`quiz.store.retry`).

        The statements are compiled once (quiz.store.prepared): a learner waits for them
        between two cards.
        """
        card_id = answer.card_id
        after = answer.after
        entry = {
            "learner_id": self.learner_id,
            "card_id": card_id,
            "kind": answer.kind,
            "rating": int(answer.rating),
            "prev_state": int(answer.before.state),
            "reviewed_at": answer.at,
            "duration_ms": int(answer.duration_ms),
            "answer": answer.given,
            "correct": answer.correct,
            "overruled": answer.overruled or None,
            "closeness": answer.closeness,
            "suggested": int(answer.suggested) if answer.suggested is not None else None,
            **after_columns(after, answer.at),
        }

        chained = answer.kind == "review"  # its prev_id links it to the latest entry
        expect = answer.expect_reps
        rule = None  # the state's write (answer_write.EXPECTATIONS), None: no state moves
        state: dict[str, Any] = {}
        if after is not None:
            # the card's stored reps are checked by the write itself, under the row's
            # lock: a reps other than the session saw is an answer given elsewhere
            rule = "any" if expect is None else "none" if expect == 0 else "reps"
            state = {
                "learner": self.learner_id,
                "card": card_id,
                "leech": answer.leech,
                "expect": expect,
                **schedule_columns(after),
            }

        def work() -> int:
            self.session.flush()  # the ORM's pending changes first: the writes below are SQL
            conn = self.session.connection()
            if conn.dialect.name == "sqlite":
                last_id, derived = self.last_entry(card_id)
                row = {**entry, "prev_id": last_id if chained else None}
                # the first write of the transaction: SQLite's write lock is ours now
                entry_id = int(INSERT_ENTRY["lastrowid"].run(conn, row).lastrowid)
                written = 0 if rule is None else ANSWERED_STATE[rule].run(conn, state).rowcount
            else:
                # one trip to the server (quiz.store.answer_write)
                params = {**entry, "learner": self.learner_id, "card": card_id}
                if not chained:
                    params["prev_id"] = None
                params.update(state_params(state))
                done = ONE_TRIP[chained, rule].run(conn, params).one()
                entry_id, written = int(done.entry_id), done.states
                derived = _schedule_left(done)[1]
            self._keep_before(entry_id, answer.before, derived)
            if rule is not None:
                if written != 1:
                    raise Conflict("already answered on another machine")
                self._forget_loaded_state(card_id)
            return entry_id

        # a unique-key clash (card_states' key, or migration 0006's one answer per log
        # entry) is two answers to the same state at once: the rerun sees a Conflict
        try:
            return run_write(
                self.session, work, self.retry, retry_integrity=answer.expect_reps is not None
            )
        except IntegrityError as exc:
            if answer.kind == "review" and (
                "prev_id" in str(exc) or "ux_reviews_card_chain" in str(exc)
            ):
                raise Conflict("already answered on another machine") from None
            raise

    def last_entry(self, card_id: int, before_id: int | None = None) -> tuple[int, Schedule]:
        """This learner's latest review or manual entry of the card (before `before_id`)
        and the schedule it left: (0, a new card's) when there is none. Its id is the
        link a new answer records, unique per entry (migration 0006); its schedule is
        the one the next entry starts from (migration 0012)."""
        params = {"learner": self.learner_id, "card": card_id}
        statement = LAST_ENTRY
        if before_id is not None:
            statement, params["before"] = LAST_ENTRY_BEFORE, before_id
        return _schedule_left(statement.run(self.session.connection(), params).first())

    def _keep_before(self, review_id: int, before: Schedule, derived: Schedule) -> None:
        """Keep the schedule before an entry only where the log cannot give it (0012)."""
        if before != derived:
            row = {"review_id": review_id, **schedule_columns(before)}
            INSERT_BEFORE.run(self.session.connection(), row)

    def befores(self, entries: Sequence[ReviewRow]) -> dict[int, Schedule]:
        """The schedule each entry started from, by entry id (quiz.store.history_reads)."""
        return self.history.befores([e.id for e in entries], [e.card_id for e in entries])

    def _forget_loaded_state(self, card_id: int) -> None:
        """A card state written with SQL: the ORM's copy of it, if loaded, is read again."""
        # the identity key as SQLAlchemy makes it (Session.identity_key), without the
        # mapper lookups that cost more than the check (test_answer_write holds it to it)
        loaded = self.session.identity_map.get((CardStateRow, (self.learner_id, card_id), None))
        if loaded is not None:
            self.session.expire(loaded)

    def _write_schedule(self, card_id: int, s: Schedule) -> None:
        row = self._state_row(card_id)
        for name, value in schedule_columns(s).items():
            setattr(row, name, value)

    def undo(self, review_id: int) -> int | None:
        """Remove one log entry and restore the card's state from before it; commit.

        Returns the card's row id, or None when the entry no longer exists.
        """

        def work() -> int | None:
            # read and deleted by id and learner (and card): on PostgreSQL an id alone
            # would unnest every pack of the log (quiz.store.log_packs)
            found = select(ReviewRow).where(
                ReviewRow.id == review_id,
                ReviewRow.learner_id == self.learner_id,
                text(ids_after("reviews", str(int(review_id) - 1), sqlite=self._sqlite)),
            )
            entry = self.session.scalars(found).first()
            if entry is None:
                return None
            card_id = entry.card_id
            if entry.kind in ("review", MANUAL):
                before = self.befores([entry])[entry.id]
                row = self._state_row(card_id)
                if row.leech and before.lapses < (entry.lapses or 0):
                    row.leech = False
                    row.suspended = False
                self._write_schedule(card_id, before)
            self.session.execute(delete(ReviewBefore).where(ReviewBefore.review_id == entry.id))
            self.session.execute(
                delete(ReviewRow).where(
                    ReviewRow.id == entry.id,
                    ReviewRow.learner_id == entry.learner_id,
                    ReviewRow.card_id == card_id,
                )
            )
            self.session.expunge(entry)
            return card_id

        return run_write(self.session, work, self.retry)

    # ---- the card actions (quiz.store.card_actions: the lean writer runs them too) -----

    def _act(self, card_id: int, work: Callable[[CardActions], T], *, retry_integrity: bool) -> T:
        def run() -> T:
            self.session.flush()  # the ORM's pending changes first: the writes are SQL
            done = work(CardActions(self.selection))
            self._forget_loaded_state(card_id)
            return done

        return run_write(self.session, run, self.retry, retry_integrity=retry_integrity)

    def bury(self, card_id: int, until: datetime) -> None:
        self._act(card_id, lambda a: a.bury(card_id, until), retry_integrity=True)

    def unbury(self, card_id: int) -> None:
        self._act(card_id, lambda a: a.bury(card_id, None), retry_integrity=True)

    def reschedule(self, item: StoredCard, after: Schedule, at: datetime) -> int:
        """Set a card's schedule by hand (`quiz cards forget` / `set-due`): logged as a
        'manual' entry with the states before and after, so that undo and `quiz rebuild`
        reproduce it; the card's answers stay in the log."""
        return self._act(
            item.row_id, lambda a: a.reschedule(item, after, at), retry_integrity=False
        )

    def set_suspended(self, card_id: int, suspended: bool) -> None:
        self._act(card_id, lambda a: a.set_suspended(card_id, suspended), retry_integrity=True)

    # ---- the log -----------------------------------------------------------------

    def review_log(
        self,
        kinds: Sequence[str] = ("review",),
        *,
        by_time: bool = False,
        schedules: bool = False,
        details: bool = False,
    ) -> Iterator[Any]:
        """This learner's entries of these kinds, by card and then time (`by_time`: by
        time, then card, as a replay of the whole log reads them), streamed as plain rows:
        the entry's id, card, kind, rating and time, with the schedule it left
        (`schedules`: `after_of` reads it) and what the learner did (`details`: time
        taken, right or wrong, closeness, the suggested rating) when asked.

        Read through the table's columns, not the mapped class's: a whole log is a
        million rows, and the ORM's handling of each row cost more than the read (a log
        of a million answers as ORM objects held gigabytes); a column not asked for is
        neither unpacked on PostgreSQL nor sent."""
        t = table_of(ReviewRow).c
        columns = [t.id, t.card_id, t.kind, t.rating, t.reviewed_at]
        if details:
            columns += [t.duration_ms, t.correct, t.closeness, t.suggested]
        if schedules:
            columns += [t[column.key] for column in AFTER]
        order = (t.reviewed_at, t.card_id) if by_time else (t.card_id, t.reviewed_at)
        q = (
            select(*columns)
            .where(t.learner_id == self.learner_id, t.kind.in_(kinds))
            .order_by(*order, t.id)
        )
        return iter(self.session.execute(q.execution_options(yield_per=5000)))

    def card_keys_by_id(self) -> dict[int, str]:
        return dict(self.session.execute(select(CardRow.id, CardRow.key)).all())

    def card_kinds_by_id(self) -> dict[int, str]:
        """Every card's kind (retired ones too), without its content."""
        return dict(self.session.execute(select(CardRow.id, CardRow.kind)).all())

    def all_schedules(self) -> dict[int, tuple[Schedule, bool, bool]]:
        state = table_of(CardStateRow)
        q = select(state).where(state.c.learner_id == self.learner_id)
        return {r.card_id: (schedule_of(r), r.suspended, r.leech) for r in self.session.execute(q)}

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

    def changed_at(self, decks: Sequence[str]) -> dict[str, datetime]:
        """When each live card of these decks last changed its content, by key (cards
        that predate the record: absent)."""
        return ExportReads(self.selection).changed_at(decks)

    def learners(self) -> list[str]:
        return list(self.session.scalars(select(Learner.name).order_by(Learner.name)))
