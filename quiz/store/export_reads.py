"""What `quiz export` reads from the store, as SQL text that both drivers run.

An export only reads, and importing SQLAlchemy and the store's ORM models would cost a
good part of exporting a deck. So for a current SQLite store the export reads through the
read-only stdlib `sqlite3` connection of `quiz.store.lean`, and for every other store
(PostgreSQL, a store to migrate) through the Repo's session: the same statements either
way (the pattern of `quiz.store.selection`, whose card selection it reads the cards
with), so that both give the same decks, cards, times and answers. The Repo's own
`listed_decks` and `changed_at` are these reads. The one write is into an Anki package's
scratch collection, attached to the read-only connection: its revlog (`read_answers`,
then `revlog_into`).
Imports no SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter

from quiz.anki.revlog import EASE, MAX_TIME_MS
from quiz.model import CardFilter, CardState, StoredCard, Text
from quiz.store.selection import Params, Selection
from quiz.store.summaries import deck_title, json_value, text_from_json
from quiz.store.values import ENTRY_KINDS, instant_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3

    from quiz.anki.revlog import RevlogRow

_REVIEW = ENTRY_KINDS.index("review")
_BOUND = 900  # SQLite's bound-parameter limit, with room to spare
_MILLION = (
    "CAST(1000000 AS DOUBLE PRECISION)"  # a float on both (1000000.0 is numeric on PostgreSQL)
)


@dataclass(frozen=True)
class ListedDeck:
    """A deck not removed, as an export names it: no counts."""

    deck: str
    title: Text
    lang: str | None = None
    description: Text | None = None


class ExportReads:
    """An export's reads of one learner's store, through the selection's driver-neutral
    `execute(sql, params)` (the lean connection's or the Repo session's)."""

    def __init__(self, selection: Selection, attached: sqlite3.Connection | None = None) -> None:
        self.selection = selection
        self.execute = selection.execute
        self.learner_id = selection.learner_id
        self.sqlite = selection.sqlite
        # the read-only connection, with the package's collection attached as `pkg`
        self.attached = attached
        self._answers_read = False  # `export_answers` holds them (`read_answers`)

    def listed_decks(self) -> list[ListedDeck]:
        """The decks not removed, by id, with their titles, languages and descriptions
        (what `deck_summaries` says of them, without counting their cards)."""
        return [
            ListedDeck(slug, deck_title(slug, title), lang, text_from_json(json_value(about)))
            for slug, title, lang, about in self.execute(
                "SELECT slug, title, lang, description FROM decks"
                " WHERE removed_at IS NULL ORDER BY slug",
                {},
            )
        ]

    def cards(self, decks: Sequence[str]) -> list[StoredCard]:
        """The live cards of these decks with the learner's schedules, in deck order
        (`Repo.cards`' selection)."""
        return self.selection.select(
            CardFilter(decks=tuple(decks)), order_by="decks.slug, cards.position"
        )

    def changed_at(self, decks: Sequence[str]) -> dict[str, datetime]:
        """When each live card of these decks last changed its content (cards that
        predate the record: absent), by card key: one statement by deck (the cards'
        own filter), not one per bound-parameter's worth of keys."""
        p = Params()
        conditions = " AND ".join(self.selection.filter_sql(CardFilter(decks=tuple(decks)), p))
        out: dict[str, datetime] = {}
        for key, at in self.execute(
            f"SELECT cards.key, cards.changed_at FROM cards WHERE {conditions}"
            " AND cards.changed_at IS NOT NULL",
            p,
        ):
            when = instant_of(at)
            if when is not None:
                out[key] = when
        return out

    def read_answers(self, card_ids: Sequence[int]) -> Callable[[], None]:
        """The first half of the revlog (`answers_sql`): the learner's answers to these
        cards (quiz card ids), each with the columns that depend on the card's own log
        alone, kept in the connection's temporary table `export_answers` (keyed in the
        order `revlog_into` walks it) for `revlog_into`, in the same snapshot. Stages the
        cards and returns the read itself: it needs no Anki card id, so it can run while
        the package's notes are still being made (`quiz.export.apkg`: on another thread,
        since SQLite does this without Python), in as few statements as it takes, since
        each waits for the interpreter's lock between the two threads."""
        wanted = list(dict.fromkeys(int(q) for q in card_ids))
        self.execute(f"CREATE TEMPORARY TABLE export_answered (card_id {_id_key(self.sqlite)})", {})
        for start in range(0, len(wanted), _BOUND):
            values = ", ".join(f"({q})" for q in wanted[start : start + _BOUND])
            self.execute(f"INSERT INTO export_answered (card_id) VALUES {values}", {})
        # kept in the order `revlog_sql` reads a card's answers in, (card, seq): on SQLite
        # a table without rowid is that order itself, which the rows arrive in (the
        # window hands them over card by card, oldest first), so no index is built
        # after them and the join reads each card's answers in place
        clustered = " WITHOUT ROWID" if self.sqlite else ""
        self.execute(
            f"CREATE TEMPORARY TABLE export_answers ({', '.join(_ANSWER_COLUMNS)},"
            f" PRIMARY KEY (card_id, seq)){clustered}",
            {},
        )
        names = ", ".join(c.split()[0] for c in _ANSWER_COLUMNS)

        def read() -> None:
            self.execute(
                f"INSERT INTO export_answers ({names}) {answers_sql(self.sqlite)}",
                {"learner": self.learner_id, "kind": _REVIEW},
            )
            self._answers_read = True

        return read

    def revlog_into(self, cards: Sequence[tuple[int, int]]) -> list[RevlogRow]:
        """The learner's answers to these cards (quiz card id, Anki card id) as the rows
        of the package's revlog (`revlog_sql` over what `read_answers` kept; read here if
        it was not), ids made unique by `RevlogIds`.
        Through the read-only connection with the package attached (`attached`): one
        INSERT ... SELECT into `pkg.revlog`, no Python object per answer; SQLite calls
        `RevlogIds` as the rows come, in their order (card by card, each card's answers
        oldest first), and the rows go in sorted by id; the list returned is then empty,
        and the read's snapshot ends with it. Otherwise (the Repo's session: PostgreSQL,
        a store to migrate) the same SELECT's rows, read in that order and returned
        sorted by id for the package's connection."""
        from quiz.anki.revlog import RevlogIds

        if not self._answers_read:
            self.read_answers([q for q, _ in cards])()
        # Anki's card order, as a table the SELECT walks (dropped after; on an error it
        # goes with the connection), keyed by the Anki card id: on SQLite its rowid, so
        # the walk is the table itself, and SQLite knows each card comes once and need
        # not sort a card's answers again after reading them in order
        self.execute(
            f"CREATE TEMPORARY TABLE export_cards (cid {_id_key(self.sqlite)},"
            " card_id BIGINT NOT NULL)",
            {},
        )
        for start in range(0, len(cards), _BOUND):
            values = ", ".join(f"({int(q)}, {int(a)})" for q, a in cards[start : start + _BOUND])
            self.execute(f"INSERT INTO export_cards (card_id, cid) VALUES {values}", {})
        ids = RevlogIds()
        rows: list[RevlogRow] = []
        if self.attached is not None:
            self.attached.create_function("quiz_revlog_id", 1, ids)
            # SQLite calls the function on the rows as the subquery hands them over, and
            # would drop the subquery's ORDER BY under the outer one (and walk the cards
            # by quiz id): its LIMIT (none) makes SQLite keep that order
            self.attached.execute(
                "INSERT INTO pkg.revlog (usn, id, cid, ease, ivl, lastIvl, factor, time, type)"
                " SELECT -1, quiz_revlog_id(millis), cid, ease, ivl, last_ivl, factor,"
                f" duration, entry_type FROM ({revlog_sql()} LIMIT -1) AS answers ORDER BY 2"
            )
            # the last read: the snapshot ends, and the package is the writer's again
            self.attached.commit()
        else:
            rows = [(ids(millis), *rest) for millis, *rest in self.execute(revlog_sql(), {})]
            rows.sort(key=itemgetter(0))
        for table in ("export_cards", "export_answers", "export_answered"):
            self.execute(f"DROP TABLE {table}", {})
        self._answers_read = False
        return rows


def _id_key(sqlite: bool) -> str:
    """A temporary table's key of ids: on SQLite the table's rowid itself (the table is
    its own index, walked in key order), a BIGINT primary key on PostgreSQL."""
    return "INTEGER PRIMARY KEY" if sqlite else "BIGINT PRIMARY KEY"


# `export_answers`: a card's answers numbered oldest first (`seq`), with their revlog
# columns but the id and the Anki card id
_ANSWER_COLUMNS = (
    "card_id BIGINT NOT NULL",
    "seq BIGINT NOT NULL",
    "millis BIGINT NOT NULL",
    "ease INTEGER NOT NULL",
    "ivl BIGINT NOT NULL",
    "last_ivl BIGINT NOT NULL",
    "duration INTEGER NOT NULL",
    "entry_type INTEGER NOT NULL",
)


def revlog_sql() -> str:
    """Anki's revlog rows (quiz.anki.revlog.REVLOG_COLUMNS, the id as the answer's epoch
    millisecond: `millis`) of the answers `read_answers` kept, of the cards in
    `export_cards`, card by card in Anki's card order and each card's answers oldest
    first: the order the ids are handed out in."""
    return (
        "SELECT a.millis AS millis, m.cid AS cid, a.ease AS ease, a.ivl AS ivl,"
        f" a.last_ivl AS last_ivl, {EASE} AS factor, a.duration AS duration,"
        " a.entry_type AS entry_type"
        # CROSS JOIN: SQLite walks the cards in Anki's order (export_cards' key) and
        # reads each one's answers in order from export_answers' key (card, seq)
        " FROM export_cards AS m CROSS JOIN export_answers AS a"
        " WHERE a.card_id = m.card_id ORDER BY m.cid, a.seq"
    )


def answers_sql(sqlite: bool) -> str:
    """The columns of `export_answers` (`_ANSWER_COLUMNS`) of the answers to the cards in
    `export_answered`: each card's answers numbered oldest first (`seq`). Drills and
    manual changes are not answers Anki knows. Per answer: its epoch millisecond; the
    rating; Anki's ivl, whole days until the next showing for a card the answer left in
    review (at least one, rounded half to even), else minus the whole seconds (at least
    one); lastIvl, the card's previous answer's ivl; the time taken, capped as Anki caps
    it; the type, the state the card was answered in (learn, review, relearn). The log's
    times are integer microseconds on SQLite and timestamps on PostgreSQL: the
    millisecond is the same float arithmetic either way (`int(at.timestamp() * 1000)`
    of the instant)."""
    if sqlite:
        micros = "r.reviewed_at"
        trunc = "CAST({} AS INTEGER)"
        # SQLite's ROUND breaks a tie away from zero; Python's round, to even
        days = f"(r.due_lag / {_MILLION} / 86400)"
        whole = trunc.format(days)
        rounded = (
            f"(CASE WHEN {days} - {whole} = 0.5 THEN {whole} + {whole} % 2"
            f" ELSE CAST(ROUND({days}) AS INTEGER) END)"
        )
    else:
        micros = "CAST(EXTRACT(EPOCH FROM r.reviewed_at) * 1000000 AS BIGINT)"
        trunc = "CAST(TRUNC({}) AS BIGINT)"
        # PostgreSQL's round of a double precision breaks a tie to even, as Python's does
        rounded = f"CAST(ROUND(r.due_lag / {_MILLION} / 86400) AS BIGINT)"
    millis = trunc.format(f"{micros} / {_MILLION} * 1000")
    seconds = trunc.format(f"r.due_lag / {_MILLION}")
    ivl = (
        "CASE WHEN r.state IS NULL OR r.due_lag IS NULL THEN 0"
        f" WHEN r.state = {int(CardState.REVIEW)}"
        f" THEN CASE WHEN {rounded} < 1 THEN 1 ELSE {rounded} END"
        f" ELSE -(CASE WHEN {seconds} < 1 THEN 1 ELSE {seconds} END) END"
    )
    entry_type = (
        f"CASE r.prev_state WHEN {int(CardState.REVIEW)} THEN 1"
        f" WHEN {int(CardState.RELEARNING)} THEN 2 ELSE 0 END"
    )
    duration = (
        f"CASE WHEN r.duration_ms > {MAX_TIME_MS} THEN {MAX_TIME_MS}"
        " WHEN r.duration_ms > 0 THEN r.duration_ms ELSE 0 END"
    )
    return (
        "SELECT card_id, ROW_NUMBER() OVER w, millis, ease, ivl, COALESCE(LAG(ivl) OVER w, 0),"
        " duration, entry_type FROM ("
        f"SELECT r.card_id AS card_id, {millis} AS millis, r.rating AS ease, {ivl} AS ivl,"
        f" {duration} AS duration, {entry_type} AS entry_type, r.reviewed_at AS at, r.id AS entry"
        # CROSS JOIN: SQLite walks the cards and finds each one's answers by
        # ux_reviews_card_chain
        " FROM export_answered AS m CROSS JOIN reviews AS r"
        " WHERE r.card_id = m.card_id AND r.learner_id = :learner AND r.kind = :kind"
        ") AS answers WINDOW w AS (PARTITION BY card_id ORDER BY at, entry)"
    )
