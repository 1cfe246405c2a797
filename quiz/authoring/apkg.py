"""Anki packages (.apkg / .colpkg) -> YAML deck files, media, and the review history.

A package is a zip holding one SQLite collection and its media. Three layouts exist:
`collection.anki2` (the oldest), `collection.anki21` (same schema 11, newer scheduler)
and `collection.anki21b` (schema 18, zstd-compressed, note types and decks in their own
tables with protobuf configs; its media list and files are zstd-compressed too). Newer
packages also carry a stub `collection.anki2` that only says "please update", so the
newest collection present wins.

The package is untrusted: media names are reduced to plain file names, nothing is
written outside the target folder, and an existing different deck file is never
overwritten (as for CSV tables, `quiz.authoring.csv_import`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from quiz.anki.notes import MappedNote, Note, NoteType, Template, map_note
from quiz.anki.package import ImportedPackage, RevlogEntry
from quiz.authoring.ids import deck_id
from quiz.authoring.schema_line import schema_line
from quiz.authoring.tags import hoist_common_tags
from quiz.authoring.yaml_text import deck_text
from quiz.errors import QuizError, UsageError

log = logging.getLogger("quiz.authoring.apkg")

PACKAGE_SUFFIXES = (".apkg", ".colpkg")
_COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
_MAX_UNPACKED = 4 << 30  # a zstd member larger than this is refused, not unpacked


class PackageError(QuizError):
    """The package cannot be read, or its decks cannot be written."""


def is_package(path: Path) -> bool:
    return path.suffix.lower() in PACKAGE_SUFFIXES


def _zstd(data: bytes) -> bytes:
    try:
        import zstandard
    except ImportError:  # pragma: no cover - a dependency; a broken install says so
        raise PackageError(
            "this package is zstd-compressed (Anki 2.1.50+); install `zstandard` "
            "(pip install zstandard) or export it from Anki with 'Support older versions'"
        ) from None
    try:
        return zstandard.ZstdDecompressor().decompress(data, max_output_size=_MAX_UNPACKED)
    except zstandard.ZstdError as exc:
        raise PackageError(f"corrupt zstd data: {exc}") from None


def _protobuf(data: bytes) -> list[tuple[int, int | bytes]]:
    """The top-level fields of a protobuf message: (number, varint or bytes)."""
    out: list[tuple[int, int | bytes]] = []
    i = 0

    def varint() -> int:
        nonlocal i
        shift = value = 0
        while True:
            if i >= len(data):
                raise PackageError("truncated protobuf in the package")
            byte = data[i]
            i += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value

    while i < len(data):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            out.append((number, varint()))
        elif wire == 2:
            size = varint()
            out.append((number, data[i : i + size]))
            i += size
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            raise PackageError("unreadable protobuf in the package")
    return out


def _media_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Zip member -> media file name."""
    try:
        raw = zf.read("media")
    except KeyError:
        return {}
    try:
        mapping = json.loads(raw.decode("utf-8"))
        return {str(k): str(v) for k, v in mapping.items()}
    except (UnicodeDecodeError, ValueError):
        pass
    entries = _protobuf(_zstd(raw))  # MediaEntries { repeated MediaEntry entries = 1; }
    names: dict[str, str] = {}
    for index, (_number, entry) in enumerate(e for e in entries if e[0] == 1):
        fields = dict(_protobuf(entry)) if isinstance(entry, bytes) else {}
        name = fields.get(1)
        if isinstance(name, bytes):
            names[str(index)] = name.decode("utf-8", "replace")
    return names


def _safe_name(name: str) -> str | None:
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name.startswith(".") or "\x00" in name:
        return None
    return name


@dataclass(frozen=True)
class _Collection:
    notetypes: dict[int, NoteType]
    decks: dict[int, str]
    notes: list[Note]
    cards: list[tuple[int, int, int, int, int]]  # id, note, deck, ord, queue
    revlog: list[RevlogEntry]


def _read_collection(db: Path) -> _Collection:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.create_collation("unicase", lambda a, b: (a.lower() > b.lower()) - (a.lower() < b.lower()))
    try:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        if "notetypes" in tables:
            notetypes, decks = _schema18(conn)
        else:
            notetypes, decks = _schema11(conn)
        notes = [
            Note(
                id=nid,
                guid=str(guid),
                notetype=mid,
                fields=tuple(str(flds).split("\x1f")),
                tags=tuple(str(tags).split()),
            )
            for nid, guid, mid, flds, tags in conn.execute(
                "select id, guid, mid, flds, tags from notes order by id"
            )
        ]
        # a card borrowed by a filtered deck belongs to its home deck (odid)
        cards = list(
            conn.execute(
                "select id, nid, case when odid != 0 then odid else did end, ord, queue"
                " from cards order by id"
            )
        )
        revlog = [
            RevlogEntry(int(i), int(c), int(e), max(0, int(t or 0)), int(k))
            for i, c, e, t, k in conn.execute(
                "select id, cid, ease, time, type from revlog order by id"
            )
        ]
    except sqlite3.DatabaseError as exc:
        raise PackageError(f"not an Anki collection: {exc}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:  # malformed JSON configs
        raise PackageError(f"unreadable Anki collection: {exc!r}") from None
    finally:
        conn.close()
    return _Collection(notetypes, decks, notes, cards, revlog)


def _schema11(conn: sqlite3.Connection) -> tuple[dict[int, NoteType], dict[int, str]]:
    models_json, decks_json = conn.execute("select models, decks from col").fetchone()
    notetypes = {}
    for model in json.loads(models_json or "{}").values():
        fields = tuple(f["name"] for f in sorted(model.get("flds", []), key=lambda f: f["ord"]))
        templates = tuple(
            Template(t.get("name", ""), t.get("qfmt", ""), t.get("afmt", ""))
            for t in sorted(model.get("tmpls", []), key=lambda t: t["ord"])
        )
        notetypes[int(model["id"])] = NoteType(
            int(model["id"]), str(model.get("name", "")), fields, templates, model.get("type") == 1
        )
    decks = {int(d["id"]): str(d["name"]) for d in json.loads(decks_json or "{}").values()}
    return notetypes, decks


def _schema18(conn: sqlite3.Connection) -> tuple[dict[int, NoteType], dict[int, str]]:
    fields: dict[int, list[str]] = defaultdict(list)
    for ntid, name in conn.execute("select ntid, name from fields order by ntid, ord"):
        fields[ntid].append(str(name))
    templates: dict[int, list[Template]] = defaultdict(list)
    for ntid, name, config in conn.execute(
        "select ntid, name, config from templates order by ntid, ord"
    ):
        parts = dict(_protobuf(config or b""))  # TemplateConfig: q_format = 1, a_format = 2
        q, a = parts.get(1, b""), parts.get(2, b"")
        templates[ntid].append(
            Template(
                str(name),
                q.decode("utf-8", "replace") if isinstance(q, bytes) else "",
                a.decode("utf-8", "replace") if isinstance(a, bytes) else "",
            )
        )
    notetypes = {}
    for ntid, name, config in conn.execute("select id, name, config from notetypes"):
        kind = dict(_protobuf(config or b"")).get(1, 0)  # NotetypeConfig.kind: 1 = cloze
        notetypes[int(ntid)] = NoteType(
            int(ntid), str(name), tuple(fields[ntid]), tuple(templates[ntid]), kind == 1
        )
    decks = {
        int(i): str(name).replace("\x1f", "::")
        for i, name in conn.execute("select id, name from decks")
    }
    return notetypes, decks


def read_package(path: Path, workdir: Path) -> tuple[_Collection, zipfile.ZipFile]:
    """The collection inside the package (unpacked into `workdir`), and the open zip for
    its media (the caller closes it)."""
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackageError(f"{path}: not an Anki package (a zip file): {exc}") from None
    try:
        member = next((n for n in _COLLECTIONS if n in set(zf.namelist())), None)
        if member is None:
            raise PackageError(f"no Anki collection inside (looked for {', '.join(_COLLECTIONS)})")
        data = zf.read(member)
        if member.endswith("b"):
            data = _zstd(data)
        db = workdir / "collection.sqlite"
        db.write_bytes(data)
        log.info("reading %s from %s", member, path)
        return _read_collection(db), zf
    except (PackageError, zipfile.BadZipFile, OSError) as exc:
        zf.close()
        raise PackageError(f"{path}: {exc}") from None


def convert(
    path: Path,
    out: Path | None = None,
    imported: Mapping[str, str] | None = None,
    stored: Mapping[str, str] | None = None,
) -> ImportedPackage:
    """Write the package's decks as YAML files (and its media) into `out`, by default a
    folder named after the package beside it; return what the history import needs.

    `imported` maps resolved deck paths to the SHA-256 of the file as quiz last
    imported it: a deck file still exactly so (not edited since) is replaced by the
    package's newer version; any other existing, different file is left alone and the
    conversion stops. `stored` maps the store's deck ids to their files: notes that quiz
    exported from one of those decks go back onto its cards (their history is imported;
    the deck file stays the deck's text, and no copy of the deck is written)."""
    path = Path(path)
    folder = Path(out) if out is not None else path.with_suffix("")
    try:
        with tempfile.TemporaryDirectory(prefix="quiz-apkg-") as tmp:
            collection, zf = read_package(path, Path(tmp))
            with zf:
                return _write(path, folder, collection, zf, imported or {}, stored or {})
    except PackageError as exc:
        if str(exc).startswith(str(path)):
            raise
        raise PackageError(f"{path}: {exc}") from None
    except (zipfile.BadZipFile, OSError) as exc:  # a damaged member, a folder we cannot write
        raise PackageError(f"{path}: {exc}") from None


def _write(
    path: Path,
    folder: Path,
    col: _Collection,
    zf: zipfile.ZipFile,
    imported: Mapping[str, str],
    stored: Mapping[str, str],
) -> ImportedPackage:
    cards_of: dict[int, list[tuple[int, int, int, int, int]]] = defaultdict(list)
    for card in col.cards:
        cards_of[card[1]].append(card)
    per_deck: dict[str, list[dict[str, object]]] = defaultdict(list)
    titles: dict[str, str] = {}
    card_keys: dict[int, str] = {}
    unknown: dict[str, int] = defaultdict(int)
    wanted_media: list[str] = []
    onto: set[str] = set()  # decks in the store that quiz-exported notes go back onto
    for note in col.notes:
        notetype = col.notetypes.get(note.notetype)
        own = sorted(cards_of.get(note.id, []), key=lambda c: c[3])
        if notetype is None:
            notetype = NoteType(note.notetype, "(missing note type)", (), (), False)
        mapped: MappedNote = map_note(note, notetype, tuple(c[3] for c in own))
        if mapped.unknown_type:
            unknown[notetype.name] += 1
        name = col.decks.get(own[0][2], "Default") if own else "Default"
        slug = mapped.deck or deck_id(name) or "default"
        titles.setdefault(slug, name)
        own_file = str((folder / f"{slug}.yaml").resolve())
        if mapped.deck is not None and stored.get(slug, own_file) != own_file:
            onto.add(slug)
        else:
            per_deck[slug].extend(mapped.cards)
            wanted_media.extend(mapped.media)
        for card_id, _nid, _did, ordinal, _queue in own:
            if ordinal in mapped.ids:
                card_keys[card_id] = f"{slug}/{mapped.ids[ordinal]}"
    for name, count in unknown.items():
        log.warning("%d notes of the note type %r imported as basic cards", count, name)
    if not col.notes:
        raise PackageError(f"{path}: the package holds no notes")
    for slug in sorted(onto):
        log.info("%s: notes of the deck %r go back onto its cards in the store", path, slug)
    media: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    if per_deck:
        folder.mkdir(parents=True, exist_ok=True)
        media, missing = _copy_media(zf, folder, wanted_media)
    files = []
    for slug, cards in sorted(per_deck.items()):
        target = folder / f"{slug}.yaml"
        header = [
            schema_line(target)[2:],
            f"Imported by quiz from the Anki package {path.name} (deck {titles[slug]!r}).",
            "Edit freely: a re-import of the package never overwrites a changed file.",
        ]
        if media:
            header.append("Images are shown as media/ file names; sounds are not played.")
        deck_tags, cards = hoist_common_tags(cards)
        data: dict[str, object] = {"deck": slug, "title": titles[slug]}
        if deck_tags:
            data["tags"] = deck_tags
        data["cards"] = cards
        text = deck_text(data, header)
        if target.exists():
            current = target.read_bytes()
            if current == text.encode("utf-8"):
                files.append(target)
                continue
            if imported.get(str(target.resolve())) == hashlib.sha256(current).hexdigest():
                log.info("%s: not edited since its last import; replaced by the package's", target)
                target.write_bytes(text.encode("utf-8"))
            else:
                raise PackageError(
                    f"{target} already exists and differs from what {path.name} converts to; "
                    "move it away, or import it directly (the history import needs the package's cards)"
                )
        else:
            target.write_bytes(text.encode("utf-8"))
        files.append(target)
    suspended = frozenset(c[0] for c in col.cards if c[4] == -1)
    return ImportedPackage(
        folder=folder,
        deck_files=tuple(files),
        card_keys=card_keys,
        suspended=suspended,
        revlog=tuple(col.revlog),
        notes=len(col.notes),
        unknown_types=tuple(sorted(unknown)),
        media=media,
        missing_media=missing,
        onto=tuple(sorted(onto)),
    )


def _copy_media(
    zf: zipfile.ZipFile, folder: Path, wanted: list[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every media file of the package into folder/media (plain names only)."""
    names = _media_names(zf)
    if not names:
        return (), tuple(dict.fromkeys(wanted))
    target = folder / "media"
    target.mkdir(exist_ok=True)
    zstd_files = "meta" in zf.namelist() and "collection.anki21b" in zf.namelist()
    copied = []
    for member, name in names.items():
        safe = _safe_name(name)
        if safe is None or member not in zf.namelist():
            continue
        data = zf.read(member)
        if zstd_files:
            data = _zstd(data)
        dest = target / safe
        if not dest.exists() or dest.read_bytes() != data:
            dest.write_bytes(data)
        copied.append(safe)
    missing = tuple(m for m in dict.fromkeys(wanted) if m not in set(copied))
    return tuple(copied), missing
