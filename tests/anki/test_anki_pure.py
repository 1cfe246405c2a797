"""The pure half of the Anki import: field HTML -> text, note types -> quiz cards."""

from __future__ import annotations

import pytest

from quiz.anki.html import html_to_text
from quiz.anki.notes import Note, NoteType, Template, map_note, quiz_tags

FRONT_BACK = "{{FrontSide}}<hr id=answer>{{Back}}"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("plain", "plain"),
        ("<div>one</div><div>two</div>", "one\ntwo"),
        ("a<br>b<br/>c", "a\nb\nc"),
        ("<b>bold</b> <strong>s</strong> <i>it</i> <em>e</em>", "**bold** **s** *it* *e*"),
        ("a&nbsp;&amp;&lt;b&gt;", "a &<b>"),
        ("<ul><li>x</li><li>y</li></ul>", "- x\n- y"),
        ("<ol><li>x</li><li>y</li></ol>", "1. x\n2. y"),
        ("use <code>len(x)</code>", "use `len(x)`"),
        ("<pre>def f():\n    return 1</pre>", "```\ndef f():\n    return 1\n```"),
        ('<a href="https://docs.python.org">docs</a>', "[docs](https://docs.python.org)"),
        ('<a href="javascript:alert(1)">x</a>', "x"),
        ("x<script>alert(1)</script><style>p{}</style>y", "xy"),
        ('<span style="color:red">  spaced   out </span>', "spaced out"),
        ("<div><br></div><div><br></div><div><br></div>end", "end"),
        ("{{c1::<b>Paris</b>::city}}", "{{c1::**Paris**::city}}"),
        ("<p>para</p><p>next</p>", "para\nnext"),
    ],
)
def test_html_to_text(html, text):
    assert html_to_text(html)[0] == text


def test_media_references_are_reported_and_pointed_at_the_media_folder():
    text, media = html_to_text(
        '<img src="a%20b.png" alt="pic"> [sound:say.mp3] <img src="../x/c.jpg">'
    )
    assert text == "![pic](media/a b.png) (sound: media/say.mp3) ![](media/c.jpg)"
    assert media == ("a b.png", "c.jpg", "say.mp3")


def _type(name, fields, *templates, cloze=False):
    return NoteType(1, name, fields, tuple(Template(*t) for t in templates), cloze)


BASIC = _type("Basic", ("Front", "Back"), ("Card 1", "{{Front}}", FRONT_BACK))
REVERSED = _type(
    "Basic (and reversed card)",
    ("Front", "Back"),
    ("Card 1", "{{Front}}", FRONT_BACK),
    ("Card 2", "{{Back}}", "{{FrontSide}}<hr id=answer>{{Front}}"),
)
TYPE_IN = _type(
    "Basic (type in the answer)",
    ("Front", "Back"),
    ("Card 1", "{{Front}}\n\n{{type:Back}}", "{{Front}}<hr id=answer>{{type:Back}}"),
)
CLOZE = _type(
    "Cloze",
    ("Text", "Back Extra"),
    ("Cloze", "{{cloze:Text}}", "{{cloze:Text}}<br>{{Back Extra}}"),
    cloze=True,
)


def note(*fields, tags=()):
    return Note(42, "guid", 1, tuple(fields), tuple(tags))


def test_basic_note_with_tags():
    mapped = map_note(note("Q<br>2", "A", tags=("Py::Core", "bad,tag")), BASIC, (0,))
    assert mapped.cards == ({"front": "Q\n2", "back": "A", "id": "n42", "tags": ["py-core"]},)
    assert mapped.ids == {0: "n42"} and not mapped.unknown_type


def test_reversed_note_keeps_its_reverse():
    mapped = map_note(note("Q", "A"), REVERSED, (0, 1))
    assert [(c["id"], c["front"], c["back"]) for c in mapped.cards] == [
        ("n42", "Q", "A"),
        ("n42-r", "A", "Q"),
    ]
    assert mapped.ids == {0: "n42", 1: "n42-r"}


def test_type_in_note_is_a_typed_card():
    [card] = map_note(note("2+2", "4"), TYPE_IN, (0,)).cards
    assert card == {"type": "typed", "front": "2+2", "answer": "4", "id": "n42"}


def test_cloze_note_maps_ordinals_to_parts_and_extra_to_explain():
    mapped = map_note(note("{{c1::a}} and {{c3::b}}", "why"), CLOZE, (0, 2))
    assert mapped.cards == (
        {"id": "n42", "type": "cloze", "text": "{{c1::a}} and {{c3::b}}", "explain": "why"},
    )
    assert mapped.ids == {0: "n42#c1", 2: "n42#c3"}


def test_cloze_note_without_deletions_is_still_imported():
    [card] = map_note(note("no gaps here", ""), CLOZE, (0,)).cards
    assert card["front"] == "no gaps here" and card["back"]


def test_unknown_type_whose_templates_show_nothing_keeps_every_field():
    odd = _type("Odd", ("A", "B", "C"), ("Card 1", "{{#C}}static{{/C}}", "static"))
    mapped = map_note(note("first", "second", "third"), odd, (0,))
    assert mapped.unknown_type
    assert mapped.cards == ({"id": "n42", "front": "first", "back": "B: second\n\nC: third"},)


def test_more_fields_than_the_type_names_are_kept():
    mapped = map_note(note("Q", "A", "stray"), BASIC, (0,))
    assert mapped.cards[0]["back"] == "A"
    assert mapped.cards[0]["front"] == "Q"


def test_tags():
    assert quiz_tags(("A::B", "a-b", "x", "")) == ["a-b", "x"]


def _zip(path, members):
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _bad_collection(tmp_path, models: str):
    import sqlite3

    db = tmp_path / "bad.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("create table col (models text, decks text)")
        conn.execute("insert into col values (?, ?)", (models, "{}"))
        conn.execute("create table notes (id, guid, mid, flds, tags)")
        conn.execute("create table cards (id, nid, did, ord, queue, odid)")
        conn.execute("create table revlog (id, cid, ease, time, type)")
    return db.read_bytes()


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"media": "{}"}, "no Anki collection inside"),
        ({"collection.anki21b": b"not zstd"}, "corrupt zstd data"),
        ({"collection.anki2": b"not sqlite"}, "not an Anki collection"),
        ("models-not-json", "unreadable Anki collection"),
        ("models-wrong-shape", "unreadable Anki collection"),
    ],
)
def test_broken_packages_are_one_clear_line(cli, env, members, message):
    if members == "models-not-json":
        members = {"collection.anki2": _bad_collection(env, "{nope")}
    elif members == "models-wrong-shape":
        members = {"collection.anki2": _bad_collection(env, '{"1": {"name": "x"}}')}
    package = _zip(env / "broken.apkg", members)
    result = cli("import", str(package))
    assert result.exit_code != 0
    assert "broken.apkg" in result.output and message in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
