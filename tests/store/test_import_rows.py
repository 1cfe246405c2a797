"""The rows `quiz import` writes are the same however the import is made fast (issue
#19): every deck of tests/deck/good, a deck of output cards (one that varies) and a
generated deck of all five card types are imported, then edited (changed, moved and
removed cards), then put back, and the card, tag and deck rows after each step (and the
order the cards were written in) are compared with the ones the import wrote before its
writer was reshaped (tests/store/data/import_rows.json): every column byte for byte but
the JSON ones, whose data is compared, keys in their order. Their text is the JSON
encoder's: on SQLite orjson's compact UTF-8 (quiz.store.deck_sync), through SQLAlchemy
the standard library's, which the file holds; every reader parses it.

Regenerate the file only for an intended change of the stored form:
    python -m tests.store.test_import_rows > tests/store/data/import_rows.json
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from quiz.collection import import_paths
from quiz.store import deck_sync, lean_write, open_store
from quiz.store.lean_write import open_writer

HERE = Path(__file__).parent
GOLDEN = HERE / "data" / "import_rows.json"
GOOD = HERE.parent / "deck" / "good"
NOW = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)

sys.path.insert(0, str(HERE.parent / "deck"))
from make_big_deck import make_deck_text  # type: ignore[import-not-found]  # noqa: E402

VARYING = """\
deck: varying
title: {en: Cards that vary, zh: 会变的卡片}
lang: en
python: ">=3.9"
cards:
  - id: late
    type: output
    front: "{{n}} lambdas `lambda{{param}}: i`. What is printed?"
    code: |
      funcs = [lambda{{param}}: i for i in range({{n}})]
      print([f() for f in funcs])
    vary:
      param: ['', ' i=i']
      n: {range: [2, 4]}
    explain: Late binding.
    tags: [closures]
  - id: fixed
    type: output
    code: print(1 + 1)
    output: "2"
    accept: ["2.0"]
    match: literal
    timeout: 2
"""


def _edited(deck: str) -> str:
    """The generated deck with a changed card, a typed card moved to the end, and two
    cards removed (one a cloze note's two parts)."""
    lines = deck.replace("return, and does it build a list?", "return?", 1)
    blocks = lines.split("\n  - id: ")
    head, cards = blocks[0], blocks[1:]
    moved = cards.pop(1)
    kept = [c for c in cards if not c.startswith(("choice-7", "cloze-3"))]
    return "\n  - id: ".join([head, *kept, moved])


def _dump(url: str) -> dict[str, object]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            cards = [
                [*row[:8], row[8].isoformat() if hasattr(row[8], "isoformat") else row[8]]
                for row in conn.execute(
                    text(
                        "SELECT key, note_key, kind, CAST(content AS TEXT), content_hash,"
                        " position, line, retired, changed_at FROM cards ORDER BY key"
                    )
                )
            ]
            tags = [
                list(row)
                for row in conn.execute(
                    text(
                        "SELECT c.key, t.tag FROM card_tags t JOIN cards c ON c.id = t.card_id"
                        " ORDER BY c.key, t.tag"
                    )
                )
            ]
            decks = [
                list(row)
                for row in conn.execute(
                    text(
                        "SELECT slug, CAST(title AS TEXT), CAST(description AS TEXT), lang,"
                        " file_hash, removed_at IS NULL FROM decks ORDER BY slug"
                    )
                )
            ]
            # the order the rows were written in (ids are given in that order, and the
            # review log, the tags and the learners' states refer to cards by id)
            order = [row[0] for row in conn.execute(text("SELECT key FROM cards ORDER BY id"))]
    finally:
        engine.dispose()
    for row in cards:
        row[7] = bool(row[7])
    for row in decks:
        row[5] = bool(row[5])
    return {"cards": cards, "tags": tags, "decks": decks, "order": order}


def _lean_import(url: str, paths: list[Path]) -> None:
    """`quiz import`'s sqlite3 writer (quiz.store.lean_write), as the command runs it."""
    writer = open_writer(url, "ann")
    assert writer is not None, "a current SQLite store with its learner: the lean writer's"
    with writer:
        report = import_paths(writer, paths, NOW)
        if report.changed:
            writer.refresh_catalogue_stats()
        writer.commit()


def steps(folder: Path, url: str, *, lean: bool = False) -> dict[str, object]:
    """Import, edit, restore; the rows after each step (`lean`: through the sqlite3
    writer of `quiz import` instead of the Repo's session)."""
    for deck in sorted(GOOD.glob("*.yaml")):
        shutil.copyfile(deck, folder / deck.name)
    (folder / "varying.yaml").write_text(VARYING, encoding="utf-8")
    generated = make_deck_text(40)
    big = folder / "generated.yaml"
    big.write_text(generated, encoding="utf-8")
    out: dict[str, object] = {}
    with open_store(url) as store:
        with store.unit("ann"):
            pass  # the learner
        for step, body, paths in (
            ("new", generated, [folder]),
            ("edited", _edited(generated), [folder]),
            ("restored", generated, [big]),
        ):
            big.write_text(body, encoding="utf-8")
            if lean:
                _lean_import(url, paths)
            else:
                with store.unit("ann") as repo:
                    import_paths(repo, paths, NOW)
                    repo.commit()
            out[step] = _dump(url)
    return out


@pytest.fixture(params=["batches", "small batches"])
def batches(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """As an import writes, and in batches of a few cards with a few rows a statement:
    a deck's rows then go in many batches (the sqlite3 writer runs them on its second
    thread while the next are made), each INSERT in several statements of many rows and
    one of the rest, card_tags' trigger dropped by the first batch and fired by the last
    row, held back until the end (quiz.store.deck_sync.SqliteRunner)."""
    if request.param == "small batches":
        monkeypatch.setattr(deck_sync, "BATCH_CARDS", 3)
        monkeypatch.setattr(lean_write, "_variables", lambda conn: 7)
    return str(request.param)


def test_import_writes_the_same_rows(store_url: str, tmp_path: Path, batches: str) -> None:
    folder = tmp_path / "decks"
    folder.mkdir()
    got = steps(folder, store_url)
    _compare(got, store_url)


def test_the_sqlite3_writer_writes_the_same_rows(tmp_path: Path, batches: str) -> None:
    folder = tmp_path / "decks"
    folder.mkdir()
    url = f"sqlite:///{tmp_path / 'store.db'}"
    _compare(steps(folder, url, lean=True), url)


def _compare(got: dict[str, object], store_url: str) -> None:
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    if not store_url.startswith("sqlite"):  # times come back with their zone there
        for rows in (got, want):
            for step in rows.values():  # type: ignore[attr-defined]
                for row in step["cards"]:
                    row[8] = None
    for rows in (got, want):
        for step in rows.values():  # type: ignore[attr-defined]
            for row in step["cards"]:
                row[3] = _data(row[3])
            for row in step["decks"]:
                row[1], row[2] = _data(row[1]), _data(row[2])
    for step in ("new", "edited", "restored"):
        for table in ("decks", "cards", "tags", "order"):
            assert got[step][table] == want[step][table], (step, table)  # type: ignore[index]


def _data(text: str | None) -> object:
    """A JSON column's data, its objects as lists of (key, value) in their order."""
    return None if text is None else json.loads(text, object_pairs_hook=list)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "decks"
        folder.mkdir()
        rows = steps(folder, f"sqlite:///{Path(tmp) / 'store.db'}")
    json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
