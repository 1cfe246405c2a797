"""What is due: the one implementation of the rule, as SQL that both paths run.

`quiz due` runs on shell prompts, so it answers through the stdlib `sqlite3` driver
without importing SQLAlchemy (`quiz.store.lean`); `quiz decks`, the review session and
everything else run the same statements through their SQLAlchemy session
(`quiz.store.repo`). The rule lives here once: a card counts when it is live (not
retired, not suspended, not buried past `now`) and in a started state due by `now`.

Imports nothing beyond the standard library (not even `typing` or `dataclasses`: the
lean path of `quiz due` pays for every import).
"""

from __future__ import annotations

from datetime import datetime, timezone

TYPE_CHECKING = False  # `typing` is not imported at run time (see the module docstring)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any

    Execute = Callable[[str, dict[str, object]], Iterable[Sequence[Any]]]

# Card states by value (quiz.model.CardState; tests/store/test_due.py keeps them equal).
NEW = 0
LEARNING_STATES = (1, 3)  # learning, relearning: back within the day
REVIEW_STATES = (2,)
STARTED_STATES = (1, 2, 3)  # every state with a due date

# A card state row (alias `cs`) that the learner may be asked today. Written as equalities
# (`= FALSE`, not `NOT`) so that SQLite can use the (learner, suspended, due) index.
LIVE = "cs.suspended = FALSE AND (cs.buried_until IS NULL OR cs.buried_until <= :now)"

_IN_STARTED = f"cs.state IN {STARTED_STATES}"
_IN_LEARNING = f"cs.state IN {LEARNING_STATES}"

DUE_TOTAL = f"""
SELECT COUNT(*) FROM card_states AS cs JOIN cards AS c ON c.id = cs.card_id
WHERE cs.learner_id = :learner AND cs.due <= :now AND {_IN_STARTED} AND {LIVE} AND c.retired = FALSE
"""

DUE_BY_DECK = f"""
SELECT c.deck_id, COUNT(*), SUM(CASE WHEN {_IN_LEARNING} THEN 1 ELSE 0 END)
FROM card_states AS cs JOIN cards AS c ON c.id = cs.card_id
WHERE cs.learner_id = :learner AND cs.due <= :now AND {_IN_STARTED} AND {LIVE} AND c.retired = FALSE
GROUP BY c.deck_id
"""

LEARNING_NOT_DUE = f"""
SELECT c.deck_id, COUNT(*) FROM card_states AS cs JOIN cards AS c ON c.id = cs.card_id
WHERE cs.learner_id = :learner AND {_IN_LEARNING} AND (cs.due IS NULL OR cs.due > :now)
  AND {LIVE} AND c.retired = FALSE
GROUP BY c.deck_id
"""

# Each deck's id range, its cards and its live cards, in one scan of a covering index.
_DECK_RANGES = """
SELECT deck_id, MIN(id), MAX(id), COUNT(*), SUM(CASE WHEN retired THEN 0 ELSE 1 END)
FROM cards {hint} GROUP BY deck_id
"""

# A card that is not new and available: answered at least once, or suspended, or buried.
_TAKEN = f"(cs.state != {NEW} OR NOT ({LIVE}))"

# Taken cards among retired cards (few): subtracted from the counts by id range.
_TAKEN_RETIRED_BY_DECK = f"""
SELECT c.deck_id, COUNT(*) FROM cards AS c
JOIN card_states AS cs ON cs.card_id = c.id AND cs.learner_id = :learner
WHERE c.retired = TRUE AND {_TAKEN}
GROUP BY c.deck_id
"""

# The hint on SQLite: left alone, it reads each card's row (its whole content) for two
# small columns; the covering index of migration 0002 avoids that.
_TAKEN_BY_DECK = f"""
SELECT c.deck_id, COUNT(*) FROM card_states AS cs JOIN cards AS c {{hint}} ON c.id = cs.card_id
WHERE cs.learner_id = :learner AND {_TAKEN} AND c.retired = FALSE
GROUP BY c.deck_id
"""


# The decks `quiz decks` lists, with what the store says of each.
LISTED_DECKS = """
SELECT id, slug, title, path, lang, description FROM decks WHERE removed_at IS NULL ORDER BY slug
"""

# Live cards set aside per deck: suspended, or buried until after `now` (one pass over
# the learner's states, joined to the cards only for the few set aside).
SET_ASIDE_BY_DECK = """
SELECT c.deck_id,
       SUM(CASE WHEN cs.suspended = TRUE THEN 1 ELSE 0 END),
       SUM(CASE WHEN cs.suspended = FALSE AND cs.buried_until > :now THEN 1 ELSE 0 END)
FROM card_states AS cs JOIN cards AS c ON c.id = cs.card_id
WHERE cs.learner_id = :learner AND (cs.suspended = TRUE OR cs.buried_until > :now)
  AND c.retired = FALSE
GROUP BY c.deck_id
"""


class DueCounts:
    """One deck's counts (a plain class: `dataclasses` is not imported on this path)."""

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


def sqlite_timestamp(instant: datetime) -> str:
    """An instant as SQLAlchemy stores it in SQLite: naive UTC text with microseconds,
    which sorts like the instants it names."""
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def state_time(instant: datetime, sqlite: bool) -> object:
    """A time to compare with card_states' times as the driver takes it: SQLite's text
    (`sqlite_timestamp`), else a naive UTC datetime (quiz.store.models.UTCDateTime)."""
    if sqlite:
        return sqlite_timestamp(instant)
    return instant.astimezone(timezone.utc).replace(tzinfo=None)


class DueQueries:
    """The due rule run through any driver: `execute(sql, params)` returns rows.

    `sqlite`: the store is SQLite (timestamps as text, index hints); otherwise
    PostgreSQL (naive UTC datetimes, as the store's columns hold them)."""

    def __init__(self, execute: Execute, learner_id: int, sqlite: bool) -> None:
        self.execute = execute
        self.learner_id = learner_id
        self.sqlite = sqlite

    def _at(self, now: datetime) -> object:
        return state_time(now, self.sqlite)

    def total(self, now: datetime, decks: tuple[str, ...] = ()) -> int:
        """Cards due now (learning, review, relearning), live."""
        if decks:
            wanted = set(decks)
            return sum(c.due for c in self.by_deck(now) if c.deck in wanted)
        return int(next(iter(self.execute(DUE_TOTAL, self._args(now))))[0])

    def by_deck(self, now: datetime) -> list[DueCounts]:
        """Per deck, in slug order: due, new (never answered, not suspended or buried)
        and learning."""
        counts = self._counts(self._args(now))
        return [
            counts(deck_id, slug)[0]
            for deck_id, slug in self.execute(
                "SELECT id, slug FROM decks WHERE removed_at IS NULL ORDER BY slug", {}
            )
        ]

    def listed(self, now: datetime) -> list[tuple[tuple[Any, ...], DueCounts, int, int, int]]:
        """What `quiz decks` shows, per listed deck in slug order: the deck's row of
        `LISTED_DECKS` (id, slug, title, path, lang, description as the driver gives them),
        its `DueCounts`, its live cards, and of those the suspended and the buried."""
        args = self._args(now)
        counts = self._counts(args)
        aside = {d: (s or 0, b or 0) for d, s, b in self.execute(SET_ASIDE_BY_DECK, args)}
        out = []
        for row in self.execute(LISTED_DECKS, {}):
            due, cards = counts(row[0], row[1])
            suspended, buried = aside.get(row[0], (0, 0))
            out.append((tuple(row), due, cards, int(suspended), int(buried)))
        return out

    def _args(self, now: datetime) -> dict[str, object]:
        return {"learner": self.learner_id, "now": self._at(now)}

    def _counts(self, args: dict[str, object]) -> Callable[[int, str], tuple[DueCounts, int]]:
        """(a deck's counts, its live cards) by deck id and slug."""
        q = self.execute
        due = {d: (n, learning) for d, n, learning in q(DUE_BY_DECK, args)}
        learning_later = {d: n for d, n in q(LEARNING_NOT_DUE, args)}
        cards, taken = self._taken_by_deck(args)

        def of(deck_id: int, slug: str) -> tuple[DueCounts, int]:
            n_due, n_learning = due.get(deck_id, (0, 0))
            counts = DueCounts(
                deck=slug,
                due=n_due,
                new=cards.get(deck_id, 0) - taken.get(deck_id, 0),
                learning=(n_learning or 0) + learning_later.get(deck_id, 0),
            )
            return counts, cards.get(deck_id, 0)

        return of

    def _taken_by_deck(self, args: dict[str, object]) -> tuple[dict[int, int], dict[int, int]]:
        """(live cards, taken live cards) per deck; taken: see `_TAKEN`.

        A deck's cards usually hold one block of ids (imported together): then its taken
        cards are counted from the learner's states by id range in one pass over an
        index, with no lookup of each card. Otherwise, one join."""
        q = self.execute
        ranges = [
            tuple(r)
            for r in q(
                _DECK_RANGES.format(
                    hint="INDEXED BY ix_cards_deck_position" if self.sqlite else ""
                ),
                {},
            )
        ]
        cards = {deck: int(live or 0) for deck, _lo, _hi, _n, live in ranges}
        if not ranges or any(hi - lo + 1 != n for _deck, lo, hi, n, _live in ranges):
            hint = "INDEXED BY ix_cards_id_deck" if self.sqlite else ""
            return cards, {d: n for d, n in q(_TAKEN_BY_DECK.format(hint=hint), args)}
        case = " ".join(
            f"WHEN cs.card_id BETWEEN {int(lo)} AND {int(hi)} THEN {int(deck)}"
            for deck, lo, hi, _n, _l in ranges
        )
        taken = {
            d: n
            for d, n in q(
                f"SELECT CASE {case} END, COUNT(*) FROM card_states AS cs "
                f"WHERE cs.learner_id = :learner AND {_TAKEN} GROUP BY 1",
                args,
            )
        }
        if any(n != live for _deck, _lo, _hi, n, live in ranges):
            for deck, n in q(_TAKEN_RETIRED_BY_DECK, args):
                taken[deck] = taken.get(deck, 0) - n
        return cards, taken
