"""Real Anki packages for the tests, made by the `anki` library (the test extra).

`collection(tmp)` builds a collection with a note of every standard type, one of a
custom type, an image, a suspended card, answers given through Anki's own scheduler and
a few years of revlog rows; `export(col_path, fmt, out)` writes it in each package
format quiz reads.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

anki_collection = pytest.importorskip(
    "anki.collection", reason="the `anki` package (pip install -e '.[test-anki]') is not installed"
)

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
DAY_MS = 86_400_000
START_MS = 1_500_000_000_000  # 2017-07-14: years of history before today
RATINGS = (1, 3, 3, 2, 3, 4, 3)
FORMATS = ("anki21b", "anki21", "anki2", "colpkg")


def collection(tmp: Path) -> Path:
    """A collection file with notes, cards, media and reviews (see module docstring)."""
    path = tmp / "source" / "collection.anki2"
    path.parent.mkdir(parents=True, exist_ok=True)
    col = anki_collection.Collection(str(path))
    try:
        did = col.decks.id("Python::Basics")
        other = col.decks.id("Spanish")
        image = col.media.write_data("gil.png", PNG)
        notes = [
            ("Basic", [f'What is the <b>GIL</b>?<br><img src="{image}">', "A <i>lock</i>"], did),
            ("Basic (and reversed card)", ["dict", "mapping"], did),
            ("Basic (optional reversed card)", ["set", "unordered", "y"], did),
            ("Basic (optional reversed card)", ["tuple", "immutable", ""], did),
            ("Basic (type in the answer)", ["2 + 2 =", "4"], did),
            ("Cloze", ["{{c1::Paris}} is in {{c2::France}}", "geography"], other),
        ]
        for name, fields, deck in notes:
            note = col.new_note(col.models.by_name(name))
            for i, value in enumerate(fields):
                note.fields[i] = value
            note.tags = ["py::core", "anki-made"]
            col.add_note(note, deck)
        models = col.models
        vocab = models.new("Vocab")
        for field in ("Word", "Meaning", "Example"):
            models.add_field(vocab, models.new_field(field))
        template = models.new_template("Recall")
        template["qfmt"] = "{{Word}}"
        template["afmt"] = "{{FrontSide}}<hr id=answer>{{Meaning}}<br>{{Example}}"
        models.add_template(vocab, template)
        models.add(vocab)
        note = col.new_note(models.by_name("Vocab"))
        note.fields[:] = ["perro", "dog", "el perro ladra"]
        col.add_note(note, other)
        cids = sorted(col.find_cards(""))
        for i, cid in enumerate(cids):
            for k, ease in enumerate(RATINGS):
                rid = START_MS + i * 1000 + k * 97 * DAY_MS
                kind = 0 if k == 0 else (2 if RATINGS[k - 1] == 1 else 1)
                col.db.execute(
                    "insert into revlog values (?,?,?,?,?,?,?,?,?)",
                    rid,
                    cid,
                    -1,
                    ease,
                    1,
                    0,
                    2500,
                    4000 + k,
                    kind,
                )
        # a manual reschedule (no rating): not a memory event
        col.db.execute(
            "insert into revlog values (?,?,?,?,?,?,?,?,?)",
            START_MS + 900 * DAY_MS,
            cids[0],
            -1,
            0,
            1,
            0,
            2500,
            0,
            4,
        )
        col.sched.suspend_cards([cids[-1]])
        # and answers given through Anki's own scheduler
        col.decks.select(did)
        queued = col.sched.get_queued_cards()
        if queued.cards:
            top = queued.cards[0]
            card = col.get_card(top.card.id)
            card.start_timer()
            col.sched.answer_card(
                col.sched.build_answer(card=card, states=top.states, rating=3)
            )  # 3: Easy
    finally:
        col.close()
    return path


def export(col_path: Path, fmt: str, out: Path) -> Path:
    """The collection as a package of format `fmt` (FORMATS)."""
    col = anki_collection.Collection(str(col_path))
    try:
        if fmt == "colpkg":
            target = out / "all.colpkg"
            col.export_collection_package(str(target), include_media=True, legacy=False)
            return target
        options = anki_collection.ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=True, with_media=True, legacy=fmt != "anki21b"
        )
        target = out / f"{fmt}.apkg"
        col.export_anki_package(out_path=str(target), options=options, limit=None)
    finally:
        col.close()
    if fmt == "anki2":  # the oldest layout: the same schema 11 database under its old name
        with zipfile.ZipFile(target) as src:
            members = {n: src.read(n) for n in src.namelist()}
        target.unlink()
        with zipfile.ZipFile(target, "w") as dst:
            dst.writestr("collection.anki2", members["collection.anki21"])
            for name, data in members.items():
                if name not in ("collection.anki2", "collection.anki21", "meta"):
                    dst.writestr(name, data)
    with zipfile.ZipFile(target) as zf:
        assert f"collection.{fmt}" in zf.namelist() or fmt == "colpkg"
    return target


def revlog(col_path: Path) -> list[tuple[int, int, int, int]]:
    """(id, card id, ease, type) of every revlog row, by id."""
    col = anki_collection.Collection(str(col_path))
    try:
        return [tuple(r) for r in col.db.all("select id, cid, ease, type from revlog order by id")]
    finally:
        col.close()
