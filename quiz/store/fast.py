"""A lean read path for `quiz due`: the stdlib sqlite3 module, no SQLAlchemy.

`quiz due` is meant for shell prompts and cron lines, where importing the ORM (~280 ms)
would cost more than the answer. This module answers the same question as
`Repo.deck_summaries` for a SQLite store that already exists at the newest schema,
and declines (returns None) in every other case — a missing or older store, another
database, an unknown learner, any driver error — so the full path can create,
migrate or report as usual. Only reads; never writes.

Times are compared as SQLAlchemy stores them in SQLite: naive UTC text with
microseconds, which sorts like the instants it names.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

MIGRATIONS = Path(__file__).with_name("migrations") / "versions"


class DueCounts:
    """One deck's counts (a plain class: `dataclasses` and `typing` cost ~10 ms to import)."""

    __slots__ = ("deck", "due", "learning", "new")

    def __init__(self, deck: str, due: int, new: int, learning: int) -> None:
        self.deck = deck
        self.due = due
        self.new = new
        self.learning = learning

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DueCounts) and all(
            getattr(self, k) == getattr(other, k) for k in self.__slots__
        )

    def __repr__(self) -> str:
        return f"DueCounts(deck={self.deck!r}, due={self.due}, new={self.new}, learning={self.learning})"


def store_timestamp(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def sqlite_file(db: str | None) -> Path | None:
    """The store's file, resolved as the full path resolves it
    (quiz.store.location.locate); None when the store is not an existing quiz store in
    a SQLite file, or breaks a rule: the full path then creates it or words the error."""
    from quiz.store.location import LocationError, locate

    try:
        found = locate(db, create=False)
    except LocationError:
        return None
    return found.path


def head_revision() -> str:
    """The newest migration shipped (the files are named `NNNN_*.py`)."""
    return max(p.name.split("_", 1)[0] for p in MIGRATIONS.glob("[0-9]*_*.py"))


_LIVE = "cs.suspended = 0 AND (cs.buried_until IS NULL OR cs.buried_until <= :now)"

_DUE_TOTAL = f"""
SELECT COUNT(*) FROM card_states AS cs JOIN cards AS c ON c.id = cs.card_id
WHERE cs.learner_id = :learner AND cs.due <= :now AND cs.state IN (1, 2, 3) AND {_LIVE} AND c.retired = 0
"""

_DUE_BY_DECK = f"""
SELECT c.deck_id, COUNT(*),
       SUM(CASE WHEN cs.state IN (1, 3) THEN 1 ELSE 0 END)
FROM card_states AS cs JOIN cards AS c ON c.id = cs.card_id
WHERE cs.learner_id = :learner AND cs.due <= :now AND cs.state IN (1, 2, 3) AND {_LIVE} AND c.retired = 0
GROUP BY c.deck_id
"""

_LEARNING_NOT_DUE = f"""
SELECT c.deck_id, COUNT(*) FROM card_states AS cs JOIN cards AS c ON c.id = cs.card_id
WHERE cs.learner_id = :learner AND cs.state IN (1, 3) AND (cs.due IS NULL OR cs.due > :now) AND {_LIVE}
  AND c.retired = 0
GROUP BY c.deck_id
"""


# Each deck's id range, its cards and its live cards, in one scan of a covering index.
_DECK_RANGES = """
SELECT deck_id, MIN(id), MAX(id), COUNT(*), SUM(CASE WHEN retired = 0 THEN 1 ELSE 0 END)
FROM cards INDEXED BY ix_cards_deck_position GROUP BY deck_id
"""

# Started cards of retired cards (few): subtracted from the counts by id range.
_STARTED_RETIRED_BY_DECK = """
SELECT c.deck_id, COUNT(*) FROM cards AS c JOIN card_states AS cs ON cs.card_id = c.id AND cs.learner_id = :learner
WHERE c.retired = 1 AND cs.state != 0
GROUP BY c.deck_id
"""

# INDEXED BY: left alone, SQLite reads each card's table row (its whole content) for two
# small columns; the covering index of migration 0002 makes this count ~3x faster.
_STARTED_BY_DECK = """
SELECT c.deck_id, COUNT(*) FROM card_states AS cs JOIN cards AS c INDEXED BY ix_cards_id_deck ON c.id = cs.card_id
WHERE cs.learner_id = :learner AND cs.state != 0 AND c.retired = 0
GROUP BY c.deck_id
"""


class FastStore:
    """A read-only connection to an existing, current SQLite store."""

    def __init__(self, conn: sqlite3.Connection, learner_id: int) -> None:
        self.conn = conn
        self.learner_id = learner_id

    @classmethod
    def open(cls, path: Path, learner: str) -> FastStore | None:
        if not path.is_file():
            return None
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        except sqlite3.Error:
            return None
        try:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            if revision is None or revision[0] != head_revision():
                conn.close()
                return None
            row = conn.execute("SELECT id FROM learners WHERE name = ?", (learner,)).fetchone()
        except sqlite3.Error:
            conn.close()
            return None
        if row is None:
            conn.close()
            return None
        return cls(conn, row[0])

    def close(self) -> None:
        self.conn.close()

    def deck_files(self) -> dict[str, tuple[str, str]]:
        """Stored deck file path -> (deck id, sha256 of the file when it was imported)."""
        return {
            path: (slug, digest)
            for slug, path, digest in self.conn.execute("SELECT slug, path, file_hash FROM decks")
        }

    def due_total(self, now: datetime, decks: tuple[str, ...] = ()) -> int:
        """Cards due now (learning, review, relearning), not suspended or buried."""
        args = {"learner": self.learner_id, "now": store_timestamp(now)}
        if not decks:
            return int(self.conn.execute(_DUE_TOTAL, args).fetchone()[0])
        wanted = set(decks)
        return sum(c.due for c in self.due_counts(now) if c.deck in wanted)

    def due_counts(self, now: datetime) -> list[DueCounts]:
        """Per deck, in slug order: due, new and learning, as `Repo.deck_summaries` counts them."""
        args = {"learner": self.learner_id, "now": store_timestamp(now)}
        q = self.conn.execute
        due = {d: (n, learning) for d, n, learning in q(_DUE_BY_DECK, args)}
        learning_later = dict(q(_LEARNING_NOT_DUE, args).fetchall())
        cards, started = self._started_by_deck()
        out = []
        for deck_id, slug in q("SELECT id, slug FROM decks ORDER BY slug"):
            n_due, n_learning = due.get(deck_id, (0, 0))
            out.append(
                DueCounts(
                    deck=slug,
                    due=n_due,
                    new=cards.get(deck_id, 0) - started.get(deck_id, 0),
                    learning=(n_learning or 0) + learning_later.get(deck_id, 0),
                )
            )
        return out

    def _started_by_deck(self) -> tuple[dict[int, int], dict[int, int]]:
        """(live cards, started live cards) per deck.

        A deck's cards usually hold one block of ids (imported together): then its
        started cards are counted from the learner's states by id range in one pass over
        an index, with no lookup of each card (55 ms -> ~30 ms at 85k started cards).
        Otherwise, one join."""
        q = self.conn.execute
        learner = {"learner": self.learner_id}
        ranges = q(_DECK_RANGES).fetchall()
        cards = {deck: int(live or 0) for deck, _lo, _hi, _n, live in ranges}
        if not ranges or any(hi - lo + 1 != n for _deck, lo, hi, n, _live in ranges):
            return cards, dict(q(_STARTED_BY_DECK, learner).fetchall())
        case = " ".join(
            f"WHEN cs.card_id BETWEEN {int(lo)} AND {int(hi)} THEN {int(deck)}"
            for deck, lo, hi, _n, _l in ranges
        )
        started = dict(
            q(
                f"SELECT CASE {case} END, COUNT(*) FROM card_states AS cs "
                "WHERE cs.learner_id = :learner AND cs.state != 0 GROUP BY 1",
                learner,
            ).fetchall()
        )
        if any(n != live for _deck, _lo, _hi, n, live in ranges):
            for deck, n in q(_STARTED_RETIRED_BY_DECK, learner):
                started[deck] = started.get(deck, 0) - n
        return cards, started


def default_learner() -> str:
    """As quiz.store.store.default_learner: the OS user name, else "learner"."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no user name (some containers)
        return "learner"
