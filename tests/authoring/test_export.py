"""`quiz export` (apkg, csv, yaml) from the store, and `quiz import` of CSV/TSV tables."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from quiz.authoring.csv_import import convert, table_rows
from quiz.deck import load_deck
from quiz.errors import QuizError
from quiz.model import card_to_dict
from tests.authoring.helpers import REPO
from tests.conftest import BASIC_DECK, write_deck

DECKS = REPO / "decks"
CLOZE_DECK = """
deck: mixed
title: {en: Mixed, zh: 混合}
lang: en
tags: [mix]
python: ">=3.10"
cards:
  - id: gap
    type: cloze
    text: "Only {{c1::one thread}} runs bytecode under the {{c2::GIL}}."
    explain: The GIL.
    tags: [gil]
  - id: out
    type: output
    code: |
      print(sorted([3, 1, 2]))
    output: "[1, 2, 3]\\n"
    requires: [gap]
  - id: boom
    type: output
    code: "{}['x']\\n"
    raises: KeyError
    timeout: 2
  - id: pick
    type: choice
    front: {en: Pick one, zh: 选一个}
    choices: [a, b, c]
    correct: [0, 2]
"""


def cards_of(path: Path) -> list[dict]:
    return [card_to_dict(c, with_line=False) for c in load_deck(path).cards]


def apkg_notes(path: Path) -> list[tuple[str, list[str], str, str]]:
    """(guid, fields, tags, note type name) of every note in an .apkg, read as the zip +
    SQLite file it is."""
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        inner = "collection.anki21" if "collection.anki21" in names else "collection.anki2"
        db_path = path.with_suffix(".sqlite")
        db_path.write_bytes(package.read(inner))
    with sqlite3.connect(db_path) as db:
        models = json.loads(db.execute("select models from col").fetchone()[0])
        rows = db.execute("select guid, flds, tags, mid from notes").fetchall()
        cards = db.execute("select count(*) from cards").fetchone()[0]
    db_path.unlink()
    return [(g, f.split("\x1f"), t.strip(), models[str(m)]["name"]) for g, f, t, m in rows], cards  # type: ignore[return-value]


def test_apkg_has_a_note_per_card_with_fields_tags_and_stable_guids(cli, env):
    write_deck(env, "demo.yaml", BASIC_DECK)
    write_deck(env, "mixed.yaml", CLOZE_DECK)
    assert cli("import", str(env / "demo.yaml"), str(env / "mixed.yaml")).exit_code == 0
    target = env / "out.apkg"
    result = cli("export", "--format", "apkg", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "8 notes in 2 decks" in result.stdout
    notes, cards = apkg_notes(target)
    assert len(notes) == 8 and cards == 9  # the cloze note makes two Anki cards
    by_key = {fields[2]: (guid, fields, tags, model) for guid, fields, tags, model in notes}
    assert set(by_key) == {
        "demo/one",
        "demo/two",
        "demo/three",
        "demo/four",
        "mixed/gap",
        "mixed/out",
        "mixed/boom",
        "mixed/pick",
    }
    _guid, fields, tags, model = by_key["demo/one"]
    assert model == "quiz basic" and tags == "demo"
    assert (
        "First question?" in fields[0]
        and "First answer." in fields[1]
        and "Because one comes first." in fields[1]
    )
    _g, fields, tags, model = by_key["mixed/gap"]
    assert model == "quiz cloze" and "{{c1::one thread}}" in fields[0] and tags == "mix gil"
    _g, fields, _t, _m = by_key["mixed/out"]
    assert (
        "<pre" in fields[0] and "sorted" in fields[0] and "style=" in fields[0]
    )  # highlighted inline
    assert "[1, 2, 3]" in fields[1]
    assert "KeyError" in by_key["mixed/boom"][1][1]
    _g, fields, _t, _m = by_key["mixed/pick"]
    assert "<li>a</li>" in fields[0] and "<li>b</li>" in fields[0]
    assert (
        "<li>(1) a</li>" in fields[1]
        and "<li>(3) c</li>" in fields[1]
        and "b</li>" not in fields[1]
    )
    again = env / "again.apkg"
    cli("export", "--format", "apkg", "-o", str(again), "--lang", "zh", "--deck", "mixed")
    notes2, _ = apkg_notes(again)
    # another language: other notes in Anki (one GUID would make one overwrite the other)
    assert not {g for g, *_ in notes2} & {g for g, *_ in notes}
    same = env / "same.apkg"
    cli("export", "--format", "apkg", "-o", str(same))
    assert {g for g, *_ in apkg_notes(same)[0]} == {g for g, *_ in notes}  # stable per language
    assert any("选一个" in f[0] for _g, f, _t, _m in notes2)


def test_apkg_opens_in_anki(cli, env, tmp_path):
    """With the `anki` library installed (pip install anki), Anki itself imports the package."""
    anki_collection = pytest.importorskip("anki.collection")
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    assert cli("import", str(DECKS)).exit_code == 0
    target = env / "all.apkg"
    assert cli("export", "-o", str(target)).exit_code == 0
    expected = len(
        {(c.deck, c.note or c.id) for d in DECKS.glob("*.yaml") for c in load_deck(d).cards}
    )
    folder = tmp_path / "anki"
    folder.mkdir()
    col = anki_collection.Collection(str(folder / "collection.anki2"))
    try:
        col.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(target), options=ImportAnkiPackageOptions(with_scheduling=False)
            )
        )
        assert col.note_count() == expected
        assert col.find_notes("tag:closures")
    finally:
        col.close()


def test_csv_export_then_import_it_back(cli, env):
    write_deck(env, "demo.yaml", BASIC_DECK)
    cli("import", str(env / "demo.yaml"))
    result = cli("export", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["front", "back", "tags"] and len(rows) == 5
    assert rows[1] == ["First question?", "First answer.\n\nBecause one comes first.", "demo"]
    assert rows[4][1] == "- (3) processes"
    table = env / "exported.csv"
    assert cli("export", "-f", "csv", "-o", str(table)).exit_code == 0
    imported = cli("import", str(table))
    assert imported.exit_code == 0, imported.output
    assert f"converted {table} -> {env / 'exported.yaml'}" in imported.stderr
    deck = load_deck(env / "exported.yaml")
    assert deck.id == "exported" and deck.tags == ("demo",) and len(deck.cards) == 4


def test_yaml_export_round_trips_through_the_loader(cli, env):
    assert cli("import", str(DECKS)).exit_code == 0
    write_deck(env, "mixed.yaml", CLOZE_DECK)
    assert cli("import", str(env / "mixed.yaml")).exit_code == 0
    out = env / "out"
    result = cli("export", "--format", "yaml", "-o", str(out))
    assert result.exit_code == 0, result.output
    for original in [*DECKS.glob("*.yaml"), env / "mixed.yaml"]:
        exported = out / original.name
        assert cards_of(exported) == cards_of(original), original.name
        assert load_deck(exported).title == load_deck(original).title
    single = cli("export", "-f", "yaml", "--deck", "mixed")
    assert (
        single.stdout.splitlines()[1:]
        == (out / "mixed.yaml").read_text(encoding="utf-8").splitlines()[1:]
    )
    clash = cli("export", "-f", "yaml", "-o", str(env / "mixed.yaml"), "--deck", "python-gil")
    assert clash.exit_code == 2 and "--force" in clash.stderr
    assert cli("export", "-f", "yaml", "-o", str(out)).exit_code == 0  # identical files: fine


def test_export_errors_are_one_line(cli, env):
    write_deck(env, "demo.yaml", BASIC_DECK)
    cli("import", str(env / "demo.yaml"))
    for args, words in (
        (("export", "--deck", "nope", "-o", "x.apkg"), "no deck named 'nope'"),
        (("export", "-f", "pdf"), "unknown --format"),
        (("export",), "needs -o"),
    ):
        result = cli(*args)
        assert result.exit_code != 0 and words in result.stderr and "Traceback" not in result.output


def test_anki_text_export_is_converted(tmp_path):
    source = tmp_path / "anki.txt"
    source.write_text(
        "#separator:tab\n#html:true\n#tags column:3\n"
        "What is <b>2+2</b>?\t4<br>four &amp; more\tmath arith::basic\n"
        "Capital of France?\tParis\tgeo\n",
        encoding="utf-8",
    )
    target = convert(source)
    assert target == tmp_path / "anki.yaml"
    deck = load_deck(target)
    assert [(c.front.get(), c.back.get(), c.tags) for c in deck.cards] == [
        ("What is 2+2?", "4\nfour & more", ("math", "arith-basic")),
        ("Capital of France?", "Paris", ("geo",)),
    ]
    assert convert(source) == target  # identical: reused
    target.write_text(target.read_text() + "# edited\n")
    with pytest.raises(QuizError, match="already exists"):
        convert(source)


def test_table_columns_by_header_and_by_position():
    rows = table_rows("tags,Question,Answer\nx y,Q1,A1\n", ".csv")
    assert [{k: r[k] for k in ("front", "back", "tags")} for r in rows] == [
        {"front": "Q1", "back": "A1", "tags": "x y"}
    ]
    rows = table_rows("Q1\tA1\nQ2\tA2\ttag\n", ".tsv")
    assert [r["front"] for r in rows] == ["Q1", "Q2"] and rows[1]["tags"] == "tag"


def test_apkg_sorts_by_the_question_in_anki(cli, env):
    """Anki's browser sorts by the sort field: the question, not the `Key` field."""
    write_deck(env, "demo.yaml", BASIC_DECK)
    assert cli("import", str(env / "demo.yaml")).exit_code == 0
    target = env / "sorted.apkg"
    assert cli("export", "--format", "apkg", "-o", str(target)).exit_code == 0
    with zipfile.ZipFile(target) as package:
        inner = (
            "collection.anki21" if "collection.anki21" in package.namelist() else "collection.anki2"
        )
        db_path = env / "sorted.sqlite"
        db_path.write_bytes(package.read(inner))
    with sqlite3.connect(db_path) as db:
        models = json.loads(db.execute("select models from col").fetchone()[0])
        sort_fields = [row[0] for row in db.execute("select sfld from notes")]
    assert {m["sortf"] for m in models.values()} == {0}
    assert any("First question?" in str(s) for s in sort_fields)
    assert not any(str(s).startswith("demo/") for s in sort_fields)


ANKI_NOTES_EXPORT = (
    "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n"
    "#tags column:7\n"
    "g1\tCloze\tPython::Core\t{{c1::GIL}} is a lock\t\t\tgil\n"
    "g2\tCloze\tPython::Core\t{{c1::gc}} collects {{c2::cycles}}\tsee <b>gc</b>\t\tgc\n"
    "g3\tBasic (and reversed card)\tPython::Core\tdict\tmapping\t\t\n"
    "g4\tBasic (optional reversed card)\tPython::Core\tset\tunordered\ty\t\n"
    "g5\tBasic (optional reversed card)\tPython::Core\ttuple\timmutable\t\t\n"
    "g6\tBasic (type in the answer)\tPython::Core\t2+2\t4\t\t\n"
)


def test_anki_notes_in_plain_text_keep_their_note_types(tmp_path):
    source = tmp_path / "notes.txt"
    source.write_text(ANKI_NOTES_EXPORT, encoding="utf-8")
    deck = load_deck(convert(source))
    assert (deck.id, deck.title.get()) == ("python-core", "Python::Core")
    cloze = [c for c in deck.cards if c.kind.value == "cloze"]
    assert [(c.text.get(), c.explain.get() if c.explain else None) for c in cloze] == [
        ("{{c1::GIL}} is a lock", None),  # an empty Back Extra is no answer
        ("{{c1::gc}} collects {{c2::cycles}}", "see gc"),
        ("{{c1::gc}} collects {{c2::cycles}}", "see gc"),
    ]
    basic = [(c.front.get(), c.back.get()) for c in deck.cards if c.kind.value == "basic"]
    assert basic == [
        ("dict", "mapping"),
        ("mapping", "dict"),
        ("set", "unordered"),
        ("unordered", "set"),
        ("tuple", "immutable"),
    ]
    [typed] = [c for c in deck.cards if c.kind.value == "typed"]
    assert (typed.front.get(), typed.answers) == ("2+2", ("4",))
    assert "TODO" not in convert(source).read_text()


def test_anki_text_export_with_several_decks_tags_each_card(tmp_path):
    source = tmp_path / "two.txt"
    source.write_text(
        "#separator:tab\n#html:true\n#notetype column:1\n#deck column:2\n#tags column:5\n"
        "Basic\tA::B\tq1\ta1\tt\nBasic\tC\tq2\ta2\tt\n",
        encoding="utf-8",
    )
    deck = load_deck(convert(source))
    assert deck.id == "two"
    assert [c.tags for c in deck.cards] == [("t", "a-b"), ("t", "c")]


def _note_mods(path: Path) -> dict[str, int]:
    """Key field -> the note's modification time (epoch seconds) in an .apkg."""
    with zipfile.ZipFile(path) as package:
        inner = (
            "collection.anki21" if "collection.anki21" in package.namelist() else "collection.anki2"
        )
        db_path = path.with_suffix(".sqlite")
        db_path.write_bytes(package.read(inner))
    with sqlite3.connect(db_path) as db:
        rows = db.execute("select flds, mod from notes").fetchall()
    db_path.unlink()
    return {flds.split("\x1f")[2]: mod for flds, mod in rows}


def test_apkg_notes_keep_their_cards_modification_time(cli, env):
    """A re-export does not mark every note as modified in Anki: each note carries the
    time its card's content last changed."""
    deck = write_deck(env, "demo.yaml", BASIC_DECK)
    assert cli("import", str(deck), now="2025-01-01T10:00:00+00:00").exit_code == 0
    first = env / "first.apkg"
    assert cli("export", "-o", str(first)).exit_code == 0
    january = int(datetime(2025, 1, 1, 10, tzinfo=timezone.utc).timestamp())
    assert set(_note_mods(first).values()) == {january}
    deck.write_text(deck.read_text().replace("Second answer.", "Second answer, edited."))
    assert cli("import", str(deck), now="2025-02-01T10:00:00+00:00").exit_code == 0
    second = env / "second.apkg"
    assert cli("export", "-o", str(second)).exit_code == 0
    mods = _note_mods(second)
    february = int(datetime(2025, 2, 1, 10, tzinfo=timezone.utc).timestamp())
    assert mods.pop("demo/two") == february
    assert set(mods.values()) == {january}


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_text_exports_hold_one_decks_cards_at_a_time(cli, env, monkeypatch, fmt):
    """A big store's yaml or csv export read every deck's cards before writing the first:
    all 100k cards held at once (over 200 MB). Each deck is now read, then written out,
    then the next read; the store's cards are asked for a deck at a time."""
    from quiz.export import table, yaml_deck
    from quiz.store.export_reads import ExportReads

    write_deck(env, "demo.yaml", BASIC_DECK)
    write_deck(env, "mixed.yaml", CLOZE_DECK)
    assert cli("import", str(env / "demo.yaml"), str(env / "mixed.yaml")).exit_code == 0
    events: list[str] = []
    read = ExportReads.cards

    def cards(self, decks):  # type: ignore[no-untyped-def]
        events.append("read " + ",".join(decks))
        return read(self, decks)

    monkeypatch.setattr(ExportReads, "cards", cards)
    if fmt == "yaml":
        render = yaml_deck.deck_yaml

        def deck_yaml(deck, *args):  # type: ignore[no-untyped-def]
            events.append("write " + deck.id)
            return render(deck, *args)

        monkeypatch.setattr(yaml_deck, "deck_yaml", deck_yaml)
    else:
        sides = table.markdown_sides

        def markdown_sides(card, *args):  # type: ignore[no-untyped-def]
            if not events[-1].startswith("write"):
                events.append("write " + card.deck)
            return sides(card, *args)

        monkeypatch.setattr(table, "markdown_sides", markdown_sides)
    out = env / ("out" if fmt == "yaml" else "out.csv")
    assert cli("export", "-f", fmt, "-o", str(out)).exit_code == 0
    assert events == ["read demo", "write demo", "read mixed", "write mixed"]
