"""An Anki package (.apkg) of quiz decks, written with genanki.

One Anki deck per quiz deck (named by its title), one note per card - except a cloze
note, whose parts (`id#c1`, `id#c2`) are one quiz card each but one Anki Cloze note,
since Anki makes the cards from the deletions itself. Note GUIDs are derived from the
card key (`deck/id`, or the note key for a cloze) and the language written, and deck
and note-type ids are fixed hashes, so importing a newer export into Anki updates the
notes instead of duplicating them, while an English and a Chinese export stay two sets
of notes (with one GUID, importing one would overwrite the other). Anki's browser sorts
by the question (the sort field), not by the `Key` field. Tags are kept. genanki is a
dependency of quiz.

The learner's history travels with the notes: every answer as a row of Anki's review
log and each card's scheduling columns set from its quiz state (`quiz.anki.revlog`),
so Anki continues where quiz left off and a package that comes back from Anki brings
the answers given there (`quiz import`, which recognises the answers it already has).
The revlog rows are a hundred thousand for a big deck: the store makes them in SQL
(`RevlogSource`, quiz.store.export_reads), into this collection itself where it can,
once genanki's notes and cards are in and their Anki card ids known.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from pathlib import Path

from quiz.anki.revlog import REVLOG_COLUMNS, RevlogRow, anki_schedule
from quiz.errors import QuizError
from quiz.export.gather import ExportDeck, one_per_note
from quiz.export.render import html_sides
from quiz.model import Card, CardKind, Schedule

_CLOZE_PART = re.compile(r"#c([0-9]+)$")


@dataclass(frozen=True)
class CardHistory:
    """Where the learner's answers left one card; `row_id` is the store's card, whose
    answers (if it has any: `answered`) the revlog source reads."""

    row_id: int
    schedule: Schedule
    suspended: bool = False
    answered: bool = False


# The revlog rows of the answers to these cards (quiz card id, Anki card id), sorted by id:
# quiz.store.export_reads.ExportReads.revlog_into. A source that writes them into the
# collection itself (it has the file attached) returns no rows.
RevlogSource = Callable[[Sequence[tuple[int, int]]], list[RevlogRow]]


# Fixed ids: the same note types on every export, so Anki recognises them.
BASIC_MODEL_ID = 1_607_392_319
CLOZE_MODEL_ID = 1_607_392_320
CSS = """.card { font-family: sans-serif; font-size: 18px; text-align: left; color: black; background: white; }
pre { text-align: left; padding: 8px; border-radius: 4px; overflow-x: auto; }
code { font-family: monospace; }
.cloze { font-weight: bold; color: blue; }"""


def stable_id(text: str) -> int:
    """A positive 60-bit id from `text` (deck ids)."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:15], 16)


def _models():
    import genanki

    basic = genanki.Model(
        BASIC_MODEL_ID,
        "quiz basic",
        fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Key"}],
        templates=[
            {"name": "Card 1", "qfmt": "{{Front}}", "afmt": '{{FrontSide}}<hr id="answer">{{Back}}'}
        ],
        css=CSS,
        sort_field_index=0,
    )
    cloze = genanki.Model(
        CLOZE_MODEL_ID,
        "quiz cloze",
        fields=[{"name": "Text"}, {"name": "Back Extra"}, {"name": "Key"}],
        templates=[
            {"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}<br>{{Back Extra}}"}
        ],
        css=CSS,
        model_type=genanki.Model.CLOZE,
        sort_field_index=0,
    )
    return basic, cloze


def write_apkg(
    decks: Sequence[ExportDeck],
    path: Path,
    lang: str | None,
    changed: Mapping[str, datetime] | None = None,
    history: Mapping[str, CardHistory] | None = None,
    now: datetime | None = None,
    revlog: RevlogSource | None = None,
    collection: Path | None = None,
) -> dict[str, int]:
    """Write the package; return counts of notes per quiz deck.

    `history` maps card keys to the learner's history of the card and `revlog` reads
    their answers (see the module docstring); `now` is when the export happens (the
    package's creation time). `collection` is the scratch file the collection is built
    in (`scratch_collection`; one of its own if None).

    `changed` maps card keys to when their content last changed: each note carries that
    time as its modification time, so re-exporting unchanged cards does not make Anki
    see every note as modified (genanki would stamp them all with the export's time).
    """
    try:
        import genanki
    except ImportError:
        raise QuizError("exporting to Anki needs genanki: pip install genanki") from None
    changed = changed or {}

    class Note(genanki.Note):
        mod: float | None = None

        def write_to_db(self, cursor, timestamp, deck_id, id_gen):
            return super().write_to_db(cursor, self.mod or timestamp, deck_id, id_gen)

    basic, cloze = _models()
    packages = []
    counts: dict[str, int] = {}
    keys_of: dict[str, dict[int, str]] = {}  # note GUID -> Anki card ordinal -> card key
    for deck in decks:
        written = lang or deck.lang or ""  # the language the notes are in
        by_note: dict[str, list[datetime]] = {}
        parts: dict[str, list[Card]] = {}  # a note's cards (a cloze note's deletions)
        for part in deck.cards:
            if part.key in changed:
                by_note.setdefault(part.note_key, []).append(changed[part.key])
            parts.setdefault(part.note_key, []).append(part)
        anki_deck = genanki.Deck(stable_id(f"quiz-deck:{deck.id}"), deck.title_in(lang) or deck.id)
        for card in one_per_note(deck.cards):
            if card.kind is CardKind.CLOZE:
                sides = html_sides(card, lang, deck.lang)  # a cloze's back is its explanation
                fields = [sides.front, sides.back, card.note_key]
                note = Note(
                    model=cloze,
                    fields=fields,
                    tags=list(card.tags),
                    guid=genanki.guid_for(card.note_key, written),
                )
                keys_of[note.guid] = {
                    int(m.group(1)) - 1: part.key
                    for part in parts[card.note_key]
                    if (m := _CLOZE_PART.search(part.key))
                }
            else:
                sides = html_sides(card, lang, deck.lang)
                note = Note(
                    model=basic,
                    fields=[sides.front, sides.back, card.key],
                    tags=list(card.tags),
                    guid=genanki.guid_for(card.key, written),
                )
                keys_of[note.guid] = {0: card.key}
            times = by_note.get(card.note_key, [])  # a cloze note: the latest of its parts
            note.mod = max(times).timestamp() if times else None
            anki_deck.add_note(note)
        counts[deck.id] = len(anki_deck.notes)
        packages.append(anki_deck)
    # through a temporary file and a rename: an interrupted or failed write leaves no half package
    tmp = path.with_name(f".{path.name}.quiz-tmp")
    try:
        _write_package(
            genanki.Package(packages), tmp, keys_of, history or {}, now, revlog, collection
        )
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, _ReadFailed):  # the store's error, for the caller to word
            raise exc.error from None
        if isinstance(exc, (OSError, sqlite3.Error)):
            reason = getattr(exc, "strerror", None) or exc
            raise QuizError(f"{path}: cannot write: {reason}") from None
        raise
    return counts


class _ReadFailed(Exception):
    """The revlog source's error (reading the store), told apart from the package's own."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


# genanki writes a note and each of its cards with an INSERT of its own; these are kept
# and written with one executemany per table (`_BatchedInserts`).
_NOTE_INSERT = "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);"
_CARD_INSERT = "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);"
_REVLOG_INSERT = (
    f"insert into revlog (usn, {', '.join(REVLOG_COLUMNS)})"
    f" values (-1, {', '.join('?' * len(REVLOG_COLUMNS))})"
)
# Deflate at its fastest level: the collection is mostly text that compresses well at
# any level, and every zip reader (Anki's too) inflates any level.
_COMPRESS_LEVEL = 1


class _BatchedInserts:
    """genanki's cursor, with its note and card rows kept rather than inserted one by one:
    genanki still builds every row (ids, GUIDs, fields, tags, card ordinals), and the rows
    go in with one executemany per table. Every row carries its id, so the id genanki reads
    back as `lastrowid` (a card's note) is the row's first value."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor
        self.rows: dict[str, list[tuple[object, ...]]] = {_NOTE_INSERT: [], _CARD_INSERT: []}
        self.lastrowid: int | None = None

    def execute(self, sql: str, params: Sequence[object] = ()) -> object:
        kept = self.rows.get(sql)
        if kept is None:
            return self._cursor.execute(sql, params)
        kept.append(tuple(params))
        self.lastrowid = int(params[0])  # type: ignore[call-overload]
        return self

    def executescript(self, script: str) -> object:
        return self._cursor.executescript(script)

    def flush(self) -> None:
        for sql, rows in self.rows.items():
            self._cursor.executemany(sql, rows)


@contextlib.contextmanager
def scratch_collection() -> Iterator[Path]:
    """A new empty file for a package's collection, deleted afterwards: made before the
    store is read, so that the read connection can attach it (`write_apkg`)."""
    fd, db = tempfile.mkstemp(prefix="quiz-apkg-", suffix=".anki2")
    os.close(fd)
    try:
        yield Path(db)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(db)


def _write_package(
    package,
    target: Path,
    keys_of: Mapping[str, Mapping[int, str]],
    history: Mapping[str, CardHistory],
    now: datetime | None,
    revlog: RevlogSource | None,
    collection: Path | None,
) -> None:
    """genanki's collection, with the history added, zipped as an .apkg (what
    `genanki.Package.write_to_file` does, with a step between writing and zipping)."""
    stamp = now.timestamp() if now is not None else time.time()
    with contextlib.ExitStack() as stack:
        db = collection if collection is not None else stack.enter_context(scratch_collection())
        conn = sqlite3.connect(db)
        stack.callback(conn.close)
        cursor = conn.cursor()
        # a scratch file, zipped and deleted: no journal, no waiting for the disk
        cursor.execute("pragma journal_mode = off")
        cursor.execute("pragma synchronous = off")
        batched = _BatchedInserts(cursor)
        package.write_to_db(batched, stamp, itertools.count(int(stamp * 1000)))
        answered = _with_history(cursor, batched, keys_of, history) if history else []
        with _indexes_built_after(cursor, ("notes", "cards", "revlog")):
            batched.flush()
            if revlog is not None and answered:
                conn.commit()  # the notes and cards in: a source may write the revlog itself
                try:
                    rows = revlog(answered)
                except sqlite3.Error as exc:
                    raise _ReadFailed(exc) from exc
                if rows:
                    cursor.executemany(_REVLOG_INSERT, rows)
        _declare_v2_scheduler(cursor)
        conn.commit()
        conn.close()
        with zipfile.ZipFile(
            target, "w", zipfile.ZIP_DEFLATED, compresslevel=_COMPRESS_LEVEL
        ) as out:
            out.write(db, "collection.anki2")
            out.writestr("media", "{}")


def _declare_v2_scheduler(cursor: sqlite3.Cursor) -> None:
    """genanki's collection names no scheduler version, which Anki reads as the v1
    scheduler and so re-maps the ratings of learning answers (Good 3 becomes Easy 4):
    quiz's ratings are those of the v2/v3 schedulers."""
    (conf,) = cursor.execute("select conf from col").fetchone()
    settings = json.loads(conf or "{}")
    settings["schedVer"] = 2
    cursor.execute("update col set conf = ?", (json.dumps(settings),))


def _with_history(
    cursor: sqlite3.Cursor,
    batched: _BatchedInserts,
    keys_of: Mapping[str, Mapping[int, str]],
    history: Mapping[str, CardHistory],
) -> list[tuple[int, int]]:
    """The scheduling columns of each card with a history set in genanki's card row
    before it goes in (its type, queue, due, ivl, factor, reps, lapses and data; the rest
    as genanki made it); returns the answered cards as (quiz card id, Anki card id), in
    Anki's card order (by id: the order the answers take their revlog ids in)."""
    (created,) = cursor.execute("select crt from col").fetchone()
    guid_of = {row[0]: row[1] for row in batched.rows[_NOTE_INSERT]}
    cards = batched.rows[_CARD_INSERT]
    cards.sort(key=itemgetter(0))
    answered: list[tuple[int, int]] = []
    for n, row in enumerate(cards):
        card_id, note_id, _, ordinal = row[:4]
        key = keys_of.get(str(guid_of[note_id]), {}).get(int(ordinal))  # type: ignore[call-overload]
        card = history.get(key) if key else None
        if card is None:
            continue
        if card.answered:
            answered.append((card.row_id, int(card_id)))  # type: ignore[call-overload]
        state = anki_schedule(card.schedule, card.suspended, int(created))
        if state is not None:
            cards[n] = (
                *row[:6],
                state.type,
                state.queue,
                state.due,
                state.ivl,
                state.factor,
                state.reps,
                state.lapses,
                *row[13:17],
                state.data,
            )
    return answered


@contextlib.contextmanager
def _indexes_built_after(cursor: sqlite3.Cursor, tables: Sequence[str]) -> Iterator[None]:
    """The tables' indexes (genanki's schema: Anki's) dropped while their rows go in and
    built again after: one sort each, not an insert per row at a random place."""
    indexes = cursor.execute(
        "select name, sql from sqlite_master where type = 'index' and sql is not null"
        f" and tbl_name in ({', '.join('?' * len(tables))}) order by rowid",
        tuple(tables),
    ).fetchall()
    for name, _ in indexes:
        cursor.execute(f'drop index "{name}"')
    yield
    for _, sql in indexes:
        cursor.execute(sql)
