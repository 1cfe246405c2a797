"""A deck file's cards into the store: the one implementation of `sync_deck`, as SQL
text that either driver runs.

`Repo.sync_deck` runs it through the ORM session (PostgreSQL, a store to migrate, a new
learner) and `quiz import` through the stdlib `sqlite3` connection of a current SQLite
store (`quiz.store.lean_write`), so that SQLAlchemy never loads for the commonest
import (issue #19). Both hand the same statements the same values; a `Runner` only
turns a value into what its driver binds, by the column it goes to (`PARAMS`, its
`form`), and may fire an idempotent row trigger once for a statement's rows (`once`).

The rule: the deck row takes the file's title, description, language, path and
digest (importing a removed deck brings it back, history and all); a card whose
content digest changed is rewritten (content, kind, change time, tags); a moved card
gets its new position and line; a card back in the file is restored; a card gone from
the file is retired, never deleted; a new card is inserted in the file's order, so
row ids follow it (taken before its row is written: its tags go in with it). The rows
go a batch of cards at a time, in one `run_many` per statement and set of columns, not
a statement per row: one card inserted at the top of a big deck moves every later card.

Free of SQLAlchemy (the lean path imports it); standard library and the core only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain

from quiz.model import card_to_dict, content_digest
from quiz.store.content import without_columns

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime
    from typing import Any, Protocol

    from quiz.model import Deck, Text

    class Runner(Protocol):
        """Runs this module's statements on one driver, inside the caller's transaction."""

        def rows(self, sql: str, params: dict[str, Any]) -> list[Sequence[Any]]: ...

        def run(self, sql: str, params: dict[str, Any]) -> None: ...

        def form(self, name: str) -> Callable[[Any], Any]:
            """What a value of the parameter `name` becomes for `run_many` on this driver."""
            ...

        def run_many(self, sql: str, rows: list[tuple[Any, ...]], once: str | None = None) -> None:
            """`sql` once per row: each row the statement's parameters in their order in
            `sql` (`parameter_names`), each value already in its `form`. `once`: a row
            trigger of the statement's table whose effect is the same fired once for all
            the rows (a driver may fire it so, by `finish`)."""
            ...

        def card_ids(self, count: int) -> Sequence[int]:
            """Ids for `count` new cards, in order, that the store hands out to nobody
            else: a new card's tags are written with its id, without reading it back."""
            ...

        def finish(self) -> None:
            """Every write asked for is done (or has raised) when this returns."""
            ...


# Parameters bound as something other than themselves: the column whose type writes
# them (table, column) and that type's kind ("json", "time", "bool"), which the sqlite3
# runner writes as SQLAlchemy's SQLite types do, JSON as its data in orjson's text
# (tests/store/test_import_rows.py).
PARAMS: dict[str, tuple[str, str, str]] = {
    "title": ("decks", "title", "json"),
    "description": ("decks", "description", "json"),
    "imported_at": ("decks", "imported_at", "time"),
    "content": ("cards", "content", "json"),
    "changed_at": ("cards", "changed_at", "time"),
    "retired": ("cards", "retired", "bool"),
}

DECKS = "SELECT id, slug, path, file_hash, removed_at FROM decks"
DECK_ID = "SELECT id FROM decks WHERE slug = :slug"
_DECK_COLUMNS = ("title", "description", "lang", "path", "file_hash", "imported_at")
NEW_DECK = (
    f"INSERT INTO decks (slug, {', '.join(_DECK_COLUMNS)}, removed_at)"
    f" VALUES (:slug, {', '.join(':' + c for c in _DECK_COLUMNS)}, NULL)"
)
DECK = (
    f"UPDATE decks SET {', '.join(f'{c} = :{c}' for c in _DECK_COLUMNS)}, removed_at = NULL"
    " WHERE id = :deck_id"
)
CARDS = (
    'SELECT id, "key", content_hash, retired, position, line FROM cards WHERE deck_id = :deck_id'
)
NEW_CARD_COLUMNS = (
    "id",
    "deck_id",
    "key",
    "note_key",
    "kind",
    "content",
    "content_hash",
    "position",
    "line",
    "retired",
    "changed_at",
)
NEW_CARD = "INSERT INTO cards ({}) VALUES ({})".format(
    ", ".join(f'"{c}"' if c == "key" else c for c in NEW_CARD_COLUMNS),
    ", ".join(":" + c for c in NEW_CARD_COLUMNS),
)
RETIRE = "UPDATE cards SET retired = :retired WHERE id = :card_id"
DROP_TAGS = "DELETE FROM card_tags WHERE card_id = :card_id"
NEW_TAG = "INSERT INTO card_tags (card_id, tag) VALUES (:card_id, :tag)"
# card_tags' insert trigger (migration 0015) marks the tag rollups stale whatever the row:
# fired once after a statement's rows it leaves what firing after each row leaves, and
# SQLite fires a trigger for each row (Runner.run_many's `once`)
TAGS_ADDED = "card_tags_added_rollup_stale"


def card_update(columns: Sequence[str]) -> str:
    """The UPDATE of one set of a card's columns, by id."""
    return f"UPDATE cards SET {', '.join(f'{c} = :{c}' for c in columns)} WHERE id = :card_id"


@dataclass(frozen=True)
class StoredDeckInfo:
    id: int
    slug: str
    path: str
    file_hash: str
    removed: bool = False  # `quiz decks remove`d (history kept)


def decks_by_path(db: Runner) -> dict[str, StoredDeckInfo]:
    """Every deck of the store by its file's path, as last imported."""
    return {
        path: StoredDeckInfo(deck_id, slug, path, file_hash, removed_at is not None)
        for deck_id, slug, path, file_hash, removed_at in db.rows(DECKS, {})
    }


def text_to_json(text: Text | None) -> dict[str, object] | None:
    """A deck's title or description as its JSON column holds it."""
    return None if text is None else {"variants": [list(v) for v in text.variants]}


def sync_deck(db: Runner, deck: Deck, path: str, file_hash: str, now: datetime) -> dict[str, int]:
    """Bring the store's copy of `deck` in line with its file; keep all history.

    Returns counts: added, updated, retired, restored, unchanged.
    """
    values = {
        "slug": deck.id,
        "title": text_to_json(deck.title) or {},
        "description": text_to_json(deck.description),
        "lang": deck.lang,
        "path": path,
        "file_hash": file_hash,
        "imported_at": now,
    }
    found = db.rows(DECK_ID, {"slug": deck.id})
    if found:
        deck_id = found[0][0]
        del values["slug"]
        db.run(DECK, {**values, "deck_id": deck_id})
    else:
        db.run(NEW_DECK, values)
        deck_id = db.rows(DECK_ID, {"slug": deck.id})[0][0]

    existing = {row[1]: row for row in db.rows(CARDS, {"deck_id": deck_id})}
    counts = dict(added=0, updated=0, retired=0, restored=0, unchanged=0)
    as_json, as_time, as_bool = db.form("content"), db.form("changed_at"), db.form("retired")
    changed_at, kept = as_time(now), as_bool(False)
    new_cards = sum(1 for card in deck.cards if card.key not in existing)
    new_ids = iter(db.card_ids(new_cards) if new_cards else ())
    batch = _Batch()
    for position, card in enumerate(deck.cards):
        # one dict per card, hashed, then written without what its row's columns hold:
        # without its line (not hashed, and the row's column anyway) and without the
        # fields at their defaults (which the stored content leaves out too)
        data = card_to_dict(card, with_line=False, defaults=False)
        digest = content_digest(data)
        key = card.key
        # the kind's value as card_to_dict wrote it, without Enum's descriptor again
        kind: str = data["kind"]  # type: ignore[assignment]  # a CardKind value: a str
        line = card.line
        old = existing.get(key)
        if old is None:
            card_id = next(new_ids)
            batch.inserts.append(
                (
                    card_id,
                    deck_id,
                    key,
                    card.note_key,
                    kind,
                    as_json(without_columns(data, key, kind, line)),
                    digest,
                    position,
                    line,
                    kept,
                    changed_at,
                )
            )
            for tag in card.tags:
                batch.tags.append((card_id, tag))
        else:
            old_id, _key, old_hash, old_retired, old_position, old_line = old
            change: dict[str, Any] = {}
            moved = old_position != position or old_line != line
            if old_hash != digest or moved:  # the stored content holds neither
                change["content"] = as_json(without_columns(data, key, kind, line))
            if old_hash != digest:
                change.update(content_hash=digest, kind=kind, changed_at=changed_at)
                counts["updated"] += 1
                batch.retagged.append((old_id,))
                for tag in card.tags:
                    batch.tags.append((old_id, tag))
            if old_retired:
                change["retired"] = kept
                counts["restored"] += 1
            if moved:
                change.update(position=position, line=line)
            if change:
                columns = tuple(sorted(change))
                batch.changes.setdefault(columns, []).append(
                    (*(change[c] for c in columns), old_id)
                )
            elif not old_retired:
                counts["unchanged"] += 1
        if position % BATCH_CARDS == BATCH_CARDS - 1:
            batch.write(db)
            batch = _Batch()
    batch.write(db)
    counts["added"] = new_cards

    keep = set(deck.card_keys)
    gone = [row[0] for key, row in existing.items() if key not in keep and not row[3]]
    if gone:
        retired = as_bool(True)
        db.run_many(RETIRE, [(retired, card_id) for card_id in gone])
        counts["retired"] = len(gone)
    db.finish()
    return counts


# Cards written a batch at a time: a runner may write one batch while the next is made
# (quiz.store.lean_write), and a batch's rows are few enough to hold twice.
BATCH_CARDS = 1000


class _Batch:
    """The writes of a run of the deck's cards, in the order they must go: changed rows,
    the old tags of the cards whose content changed, new rows, then every tag of both
    (a tag's row needs its card's)."""

    __slots__ = ("changes", "inserts", "retagged", "tags")

    def __init__(self) -> None:
        self.changes: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}  # columns -> rows
        self.retagged: list[tuple[int]] = []
        self.inserts: list[tuple[Any, ...]] = []  # NEW_CARD's parameters, in order
        self.tags: list[tuple[int, str]] = []

    def write(self, db: Runner) -> None:
        for columns, rows in self.changes.items():
            db.run_many(card_update(columns), rows)
        if self.retagged:
            db.run_many(DROP_TAGS, self.retagged)
        if self.inserts:
            db.run_many(NEW_CARD, self.inserts)
        if self.tags:
            db.run_many(NEW_TAG, self.tags, once=TAGS_ADDED)


# ---- the values as SQLite keeps them ----------------------------------------------


def _json_text(value: object) -> str:
    """A JSON column's text (None: JSON's null, as SQLAlchemy's JSON on SQLite writes it),
    as orjson writes it: compact, UTF-8. SQLAlchemy's own, the standard library's, puts
    spaces after separators and escapes every character outside ASCII; every reader
    parses the text, the browser's text search reads either form
    (quiz.store.browse_reads), and an import writes every card's content."""
    return _orjson_dumps()(value).decode()


@cache
def _orjson_dumps() -> Callable[[object], bytes]:
    import orjson  # loaded by the first write, not with this module

    return orjson.dumps


def _time_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store; pass UTC-aware times")
    from datetime import timezone

    at = value.astimezone(timezone.utc)
    # SQLAlchemy's SQLite DATETIME, as quiz.store.models.UTCDateTime hands it a UTC time
    return (
        f"{at.year:04d}-{at.month:02d}-{at.day:02d} "
        f"{at.hour:02d}:{at.minute:02d}:{at.second:02d}.{at.microsecond:06d}"
    )


def _bool_int(value: object) -> int | None:
    return None if value is None else int(bool(value))


SQLITE_FORMS = {"json": _json_text, "time": _time_text, "bool": _bool_int}


class SqliteRunner:
    """This module's statements on SQLite's own driver (`sqlite3`'s named parameters),
    each value written as SQLAlchemy's SQLite types write it: over a bare sqlite3
    connection (the lean writer) or the session's connection (`Repo.sync_deck`), with
    `execute(sql, params)` and `executemany(sql, rows)` of either. `in_transaction`
    (the lean writer's) lets `run_many` fire a `once` trigger once: see there.
    `variables`: how many parameters one statement may bind (the connection's limit),
    where the driver lets an insert take many rows a statement."""

    def __init__(
        self,
        execute: Any,
        executemany: Any,
        in_transaction: Callable[[], bool] | None = None,
        variables: int = 0,
    ) -> None:
        self.execute = execute
        self.executemany = executemany
        self.in_transaction = in_transaction
        self.variables = variables
        # a `once` trigger dropped until `finish`: its text, the statement and the one
        # row held back to fire it
        self.dropped: dict[str, tuple[str, str, tuple[Any, ...]]] = {}

    @staticmethod
    def _typed(names: Any) -> list[tuple[str, Any]]:
        return [(name, SQLITE_FORMS[PARAMS[name][2]]) for name in names if name in PARAMS]

    def rows(self, sql: str, params: dict[str, Any]) -> list[Sequence[Any]]:
        return list(self.execute(sql, params).fetchall())

    def run(self, sql: str, params: dict[str, Any]) -> None:
        for name, form in self._typed(params):
            params[name] = form(params[name])
        self.execute(sql, params)

    def form(self, name: str) -> Callable[[Any], Any]:
        kind = PARAMS.get(name)
        return _as_it_is if kind is None else SQLITE_FORMS[kind[2]]

    def card_ids(self, count: int) -> Sequence[int]:
        """After the highest id, as SQLite itself hands out a new row's: the deck's row,
        written first, holds the write lock, so no other program adds a card meanwhile."""
        (highest,) = self.execute("SELECT coalesce(max(id), 0) FROM cards", {}).fetchone()
        return range(highest + 1, highest + 1 + count)

    def run_many(self, sql: str, rows: list[tuple[Any, ...]], once: str | None = None) -> None:
        """With positional parameters (`?`): bound without a lookup by name for every
        value of every row. The trigger `once` is dropped at its first statement and
        made again, from its own text, by `finish`, which then writes the one row held
        back to fire it: inside the caller's transaction only, so that a kill at any
        point leaves it as it was (a tag trigger fired per row cost a third of writing
        a big deck's tags)."""
        if once is not None and self.in_transaction is not None and rows:
            held = self.dropped.get(once)
            if held is not None:  # dropped by an earlier statement, which held its last row
                rows = [held[2], *rows]
            elif len(rows) > 1 and self.in_transaction():
                found = self.execute(_TRIGGER, {"name": once}).fetchone()
                if found is not None:
                    self.execute(f'DROP TRIGGER "{once}"', {})
                    held = (found[0], sql, rows[-1])
            if held is not None:
                self.dropped[once] = (held[0], held[1], rows[-1])
                rows = rows[:-1]
        self._write(sql, rows)

    def _write(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """An INSERT's rows many to a statement where the driver binds enough parameters
        (a statement's step is one call into SQLite for all its rows: the lean writer
        runs it beside the Python that makes the next rows); anything else row by row."""
        positional, names = _positional(sql)
        per_statement = self.variables // max(len(names), 1)
        if per_statement < 2 or len(rows) < 2 or not sql.startswith("INSERT"):
            self.executemany(positional, rows)
            return
        whole = len(rows) - len(rows) % per_statement
        if whole:
            statement = _multi_row(positional, len(names), per_statement)
            for start in range(0, whole, per_statement):
                self.execute(statement, list(chain(*rows[start : start + per_statement])))
        if whole < len(rows):
            rest = rows[whole:]
            self.execute(_multi_row(positional, len(names), len(rest)), list(chain(*rest)))

    def finish(self) -> None:
        for name, (trigger, sql, row) in list(self.dropped.items()):
            self.execute(trigger, {})
            del self.dropped[name]
            self.executemany(_positional(sql)[0], [row])


@lru_cache(maxsize=64)  # a batch's last statement takes what is left: counts vary
def _multi_row(positional: str, width: int, count: int) -> str:
    """`positional`, an INSERT of one row of `width` values, as an INSERT of `count`."""
    head = positional[: positional.rindex(" VALUES ")]
    one = "(" + ", ".join("?" * width) + ")"
    return f"{head} VALUES {', '.join([one] * count)}"


_TRIGGER = "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"


def _as_it_is(value: object) -> object:
    return value


def parameter_names(sql: str) -> tuple[str, ...]:
    """The names of `sql`'s parameters in their order: a `run_many` row's order."""
    return _positional(sql)[1]


@cache
def _positional(sql: str) -> tuple[str, tuple[str, ...]]:
    """`sql` with its `:name` parameters as `?`, and the names in order (this module's
    statements hold no `:` but their parameters')."""
    import re

    names = tuple(re.findall(r":(\w+)", sql))
    return re.sub(r":\w+", "?", sql), names
