"""An Anki package (.apkg) of quiz decks, written with genanki.

One Anki deck per quiz deck (named by its title), one note per card - except a cloze
note, whose parts (`id#c1`, `id#c2`) are one quiz card each but one Anki Cloze note,
since Anki makes the cards from the deletions itself. Note GUIDs are derived from the
card key (`deck/id`, or the note key for a cloze) and the language written, and deck
and note-type ids are fixed hashes, so importing a newer export into Anki updates the
notes instead of duplicating them, while an English and a Chinese export stay two sets
of notes (with one GUID, importing one would overwrite the other). Anki's browser sorts
by the question (the sort field), not by the `Key` field. Tags are kept. genanki is a
dependency of quiz: it makes the collection (Anki's schema, the deck and note-type
records, each note type's `req`), the GUIDs and a cloze note's cards; the note and card
rows, a handful of plain columns each, are made here as its `Note.write_to_db` makes
them (a genanki Note per note, checked and inserted one at a time, would cost more than
the rows) and go in with one executemany per table.

The learner's history travels with the notes: every answer as a row of Anki's review
log and each card's scheduling columns set from its quiz state (`quiz.anki.revlog`),
so Anki continues where quiz left off and a package that comes back from Anki brings
the answers given there (`quiz import`, which recognises the answers it already has).
The revlog rows are a hundred thousand for a big deck: the store makes them in SQL
(`RevlogSource`, quiz.store.export_reads), into this collection itself where it can: each
card's answers while the notes are made (`_write_package`), the rows once the notes and
cards are in and their Anki card ids known.
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
from pathlib import Path
from typing import Any, Protocol

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


class RevlogSource(Protocol):
    """The learner's answers as the package's revlog, read in two halves:
    quiz.store.export_reads.ExportReads."""

    def read_answers(self, card_ids: Sequence[int]) -> Callable[[], None]:
        """Stage these quiz cards (their store ids) and return the read of their
        answers, which keeps them for `revlog_into` and needs no Anki card id."""
        raise NotImplementedError

    def revlog_into(self, cards: Sequence[tuple[int, int]]) -> list[RevlogRow]:
        """The revlog rows of the answers to these cards (quiz card id, Anki card id),
        sorted by id; a source that writes them into the collection itself (it has the
        file attached) returns no rows."""
        raise NotImplementedError


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
    # through a temporary file and a rename: an interrupted or failed write leaves no half package
    tmp = path.with_name(f".{path.name}.quiz-tmp")
    try:
        counts = _write_package(
            lambda: _notes(decks, lang, changed or {}),
            tmp,
            history or {},
            now,
            revlog,
            collection,
        )
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, _ReadFailed):  # the store's error, for the caller to word
            raise exc.error from None
        if isinstance(exc, ImportError):  # genanki, imported on the notes' thread
            raise QuizError("exporting to Anki needs genanki: pip install genanki") from None
        if isinstance(exc, (OSError, sqlite3.Error)):
            reason = getattr(exc, "strerror", None) or exc
            raise QuizError(f"{path}: cannot write: {reason}") from None
        raise
    return counts


def _notes(
    decks: Sequence[ExportDeck], lang: str | None, changed: Mapping[str, datetime]
) -> tuple[Any, list[_Note], dict[str, int]]:
    """genanki's package of the Anki decks, the notes (rendered, not yet with ids) and
    the count of notes per quiz deck."""
    import genanki

    basic, cloze = _models()
    anki_decks = []
    notes: list[_Note] = []
    counts: dict[str, int] = {}
    for deck in decks:
        written = lang or deck.lang or ""  # the language the notes are in
        by_note: dict[str, list[datetime]] = {}
        parts: dict[str, list[Card]] = {}  # a note's cards (a cloze note's deletions)
        for part in deck.cards:
            if part.key in changed:
                by_note.setdefault(part.note_key, []).append(changed[part.key])
            parts.setdefault(part.note_key, []).append(part)
        anki_deck = genanki.Deck(stable_id(f"quiz-deck:{deck.id}"), deck.title_in(lang) or deck.id)
        count = 0
        for card in one_per_note(deck.cards):
            sides = html_sides(card, lang, deck.lang)  # a cloze's back is its explanation
            times = by_note.get(card.note_key, [])  # a cloze note: the latest of its parts
            mod = max(times).timestamp() if times else None
            if card.kind is CardKind.CLOZE:
                keys = {
                    int(m.group(1)) - 1: part.key
                    for part in parts[card.note_key]
                    if (m := _CLOZE_PART.search(part.key))
                }
                model = cloze
                fields = (sides.front, sides.back, card.note_key)
            else:
                keys = {0: card.key}
                model = basic
                fields = (sides.front, sides.back, card.key)
            anki_deck.add_model(model)  # the deck's note types, in the order its notes use them
            guid = genanki.guid_for(fields[2], written)
            notes.append(_Note(anki_deck.deck_id, model, fields, card.tags, guid, mod, keys))
            count += 1
        counts[deck.id] = count
        anki_decks.append(anki_deck)
    return genanki.Package(anki_decks), notes, counts


class _ReadFailed(Exception):
    """The revlog source's error (reading the store), told apart from the package's own."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class _Note:
    """One note of the package, before it has ids: its deck, note type, fields (front,
    back, key), tags, GUID, modification time (None: the export's), and which quiz card
    each of its Anki cards (by template ordinal) is."""

    deck_id: int
    model: Any  # a genanki.Model
    fields: tuple[str, str, str]
    tags: tuple[str, ...]
    guid: str
    mod: float | None
    keys: Mapping[int, str]


# The rows genanki's Note.write_to_db would insert one statement at a time, inserted
# with one executemany per table (`_rows`).
_NOTE_INSERT = "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);"
_CARD_INSERT = "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);"
_REVLOG_INSERT = (
    f"insert into revlog (usn, {', '.join(REVLOG_COLUMNS)})"
    f" values (-1, {', '.join('?' * len(REVLOG_COLUMNS))})"
)
# Deflate at its fastest level: the collection is mostly text that compresses well at
# any level, and every zip reader (Anki's too) inflates any level.
_COMPRESS_LEVEL = 1


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
    notes: Callable[[], tuple[Any, Sequence[_Note], dict[str, int]]],
    target: Path,
    history: Mapping[str, CardHistory],
    now: datetime | None,
    revlog: RevlogSource | None,
    collection: Path | None,
) -> dict[str, int]:
    """genanki's collection (schema, decks, note types) with the notes (`notes()`: the
    package, the notes, their counts), their cards and the history added, zipped as an
    .apkg (what `genanki.Package.write_to_file` does, with steps between writing and
    zipping); return the counts.

    The answers are read in two halves (`RevlogSource`): the first needs only the quiz
    cards, and the store's SQL does it while another thread imports genanki, renders the
    notes and writes them and their cards (the notes are Python work and the read is
    SQLite's, which lets go of the interpreter); the second, once the cards have their
    Anki ids."""
    stamp = now.timestamp() if now is not None else time.time()
    answered_ids = [h.row_id for h in history.values() if h.answered] if revlog else []
    with contextlib.ExitStack() as stack:
        db = collection if collection is not None else stack.enter_context(scratch_collection())
        # made here, written on the notes' thread, then here again
        conn = sqlite3.connect(db, check_same_thread=False)
        stack.callback(conn.close)

        def notes_and_cards() -> tuple[dict[str, int], list[tuple[int, int]], list[str]]:
            package, made, counts = notes()
            cursor = conn.cursor()
            # a scratch file, zipped and deleted: no journal, no waiting for the disk
            cursor.execute("pragma journal_mode = off")
            cursor.execute("pragma synchronous = off")
            ids = itertools.count(int(stamp * 1000))  # genanki's ids: note, its cards, next note
            package.write_to_db(cursor, stamp, ids)
            (created,) = cursor.execute("select crt from col").fetchone()
            note_rows, card_rows, answered = _rows(made, stamp, ids, history, int(created))
            indexes = _drop_indexes(cursor, ("notes", "cards", "revlog"))
            cursor.executemany(_NOTE_INSERT, note_rows)
            cursor.executemany(_CARD_INSERT, card_rows)
            conn.commit()  # the notes and cards in: a source may write the revlog itself
            return counts, answered, indexes

        if revlog is not None and answered_ids:
            from concurrent.futures import ThreadPoolExecutor

            try:
                read = revlog.read_answers(answered_ids)  # staged before the thread starts
            except sqlite3.Error as exc:
                raise _ReadFailed(exc) from exc
            failed: sqlite3.Error | None = None
            with ThreadPoolExecutor(1) as pool:  # leaving it waits for the notes
                made = pool.submit(notes_and_cards)
                try:
                    read()
                except sqlite3.Error as exc:
                    failed = exc
            counts, answered, indexes = made.result()
            if failed is not None:
                raise _ReadFailed(failed) from failed
        else:
            counts, answered, indexes = notes_and_cards()
        cursor = conn.cursor()
        if revlog is not None and answered:
            try:
                rows = revlog.revlog_into(answered)
            except sqlite3.Error as exc:
                raise _ReadFailed(exc) from exc
            if rows:
                cursor.executemany(_REVLOG_INSERT, rows)
        for sql in indexes:  # built after the rows went in: one sort each
            cursor.execute(sql)
        _declare_v2_scheduler(cursor)
        conn.commit()
        conn.close()
        with zipfile.ZipFile(
            target, "w", zipfile.ZIP_DEFLATED, compresslevel=_COMPRESS_LEVEL
        ) as out:
            out.write(db, "collection.anki2")
            out.writestr("media", "{}")
    return counts


def _declare_v2_scheduler(cursor: sqlite3.Cursor) -> None:
    """genanki's collection names no scheduler version, which Anki reads as the v1
    scheduler and so re-maps the ratings of learning answers (Good 3 becomes Easy 4):
    quiz's ratings are those of the v2/v3 schedulers."""
    (conf,) = cursor.execute("select conf from col").fetchone()
    settings = json.loads(conf or "{}")
    settings["schedVer"] = 2
    cursor.execute("update col set conf = ?", (json.dumps(settings),))


def _rows(
    notes: Sequence[_Note],
    stamp: float,
    ids: Iterator[int],
    history: Mapping[str, CardHistory],
    created: int,
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[int, int]]]:
    """The notes' and their cards' rows as genanki's `Note.write_to_db` makes them (ids
    from `ids` in its order, a note's cards as `_Ordinals` says), each card with a
    history given its scheduling columns (type, queue, due, ivl, factor, reps, lapses,
    data; `anki_schedule`); and the answered cards as (quiz card id, Anki card id), in
    Anki's card order (by id: the order the answers take their revlog ids in)."""
    note_rows: list[tuple[object, ...]] = []
    card_rows: list[tuple[object, ...]] = []
    answered: list[tuple[int, int]] = []
    ordinals = _Ordinals()
    for note in notes:
        mod = int(note.mod or stamp)
        note_id = next(ids)
        fields = note.fields
        note_rows.append(
            (
                note_id,
                note.guid,
                note.model.model_id,
                mod,
                -1,
                f" {' '.join(note.tags)} ",
                "\x1f".join(fields),
                fields[note.model.sort_field_index],
                0,
                0,
                "",
            )
        )
        for ordinal in ordinals(note):
            card_id = next(ids)
            key = note.keys.get(ordinal)
            card = history.get(key) if key is not None else None
            state = None
            if card is not None:
                if card.answered:
                    answered.append((card.row_id, card_id))
                state = anki_schedule(card.schedule, card.suspended, created)
            if state is None:  # a new card, as genanki makes it
                card_rows.append((card_id, note_id, note.deck_id, ordinal, mod, -1, *_NEW_CARD))
            else:
                card_rows.append(
                    (card_id, note_id, note.deck_id, ordinal, mod, -1, state.type, state.queue)
                    + (state.due, state.ivl, state.factor, state.reps, state.lapses)
                    + (0, 0, 0, 0, state.data)
                )
    return note_rows, card_rows, answered


# a new card's columns after its usn: type, queue, due, ivl, factor, reps, lapses, left,
# odue, odid, flags, data (genanki's Card.write_to_db)
_NEW_CARD = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "")


class _Ordinals:
    """Which cards (template ordinals) Anki has of a note, by genanki's rule: a cloze
    note's deletions in its text (genanki's `Note.cards`), a front/back note's templates
    whose required fields are filled (the note type's `req`, which genanki computes by
    rendering the templates: looked up once per note type)."""

    def __init__(self) -> None:
        import genanki

        self._note = genanki.Note
        self._cloze = genanki.Model.CLOZE
        self._req: dict[int, list[tuple[int, str, list[int]]]] = {}

    def __call__(self, note: _Note) -> list[int]:
        model = note.model
        if model.model_type == self._cloze:
            return [card.ord for card in self._note(model=model, fields=list(note.fields)).cards]
        req = self._req.get(model.model_id)
        if req is None:
            req = self._req[model.model_id] = model.to_json(0, 0)["req"]
        fields = note.fields
        return [
            ordinal
            for ordinal, need, wanted in req
            if (any if need == "any" else all)(fields[i] for i in wanted)
        ]


def _drop_indexes(cursor: sqlite3.Cursor, tables: Sequence[str]) -> list[str]:
    """Drop the tables' indexes (genanki's schema: Anki's) and return the statements that
    make them again: built after the rows went in, one sort each, not an insert per row
    at a random place."""
    indexes = cursor.execute(
        "select name, sql from sqlite_master where type = 'index' and sql is not null"
        f" and tbl_name in ({', '.join('?' * len(tables))}) order by rowid",
        tuple(tables),
    ).fetchall()
    for name, _ in indexes:
        cursor.execute(f'drop index "{name}"')
    return [sql for _, sql in indexes]
