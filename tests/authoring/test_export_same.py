"""Every export format writes what it wrote before the export was made faster (issue #19).

One store — basic, typed, choice, cloze and output cards, one that varies, two
languages, a review history with several answers in one instant, a suspended card —
is exported as apkg (with and without the history, in English and Chinese), CSV and
YAML at a fixed clock, from SQLite and from PostgreSQL, and every row of every table of each package, and each text
file, is compared with `export_same.json`, written by the export as it was before
(regenerate only for an intended change: QUIZ_WRITE_EXPORT_SNAPSHOT=1).
"""

from __future__ import annotations

import json
import os
import sqlite3
import zipfile
from pathlib import Path

from tests.conftest import BASIC_DECK, write_deck

SNAPSHOT = Path(__file__).with_name("export_same.json")
NOW = "2026-03-09T10:00:00Z"

TRIP = """
deck: trip
title: {en: Round trip, zh: 往返}
lang: en
tags: [trip]
cards:
  - id: alpha
    front: "Alpha? `a` and *b*"
    back: The first letter.
    explain: "Say `alpha`."
  - id: beta
    front: {en: Beta?, zh: 贝塔？}
    back: The second letter.
  - id: gaps
    type: cloze
    text: "{{c1::Paris}} is in {{c2::France}}"
    explain: Geography.
  - id: gamma
    front: Gamma?
    back: The third letter.
"""
MORE = """
deck: more
title: More
lang: en
tags: [more]
cards:
  - id: out
    type: output
    code: |
      print(sorted([3, 1, 2]))
    output: "[1, 2, 3]\\n"
    explain: Sorted.
  - id: boom
    type: output
    code: "{}['x']\\n"
    raises: KeyError
  - id: quiet
    type: output
    code: "x = 1\\n"
    output: ""
  - id: varies
    type: output
    code: |
      print({{n}} + 1)
    vary:
      n: [1, 2, 3]
  - id: pick
    type: choice
    front: {en: Pick one, zh: 选一个}
    choices: [a, "`b`", c]
    correct: [0, 2]
  - id: typed
    type: typed
    front: Type it
    answer: ["x`y", z]
"""


def _day(n: int) -> str:
    return f"2026-03-{n:02d}T09:00:00Z"


def _package(path: Path) -> dict[str, list[list[object]]]:
    """Every row of every table of the package's collection, and its other members."""
    with zipfile.ZipFile(path) as package:
        members = {name: package.read(name) for name in package.namelist()}
    db = path.with_suffix(".sqlite")
    db.write_bytes(members.pop("collection.anki2"))
    out: dict[str, list[list[object]]] = {n: [[v.decode()]] for n, v in members.items()}
    with sqlite3.connect(db) as conn:
        tables = [t for (t,) in conn.execute("select name from sqlite_master where type='table'")]
        for table in sorted(tables):
            rows = conn.execute(f"select * from {table}").fetchall()
            out[table] = sorted(([_plain(v) for v in row] for row in rows), key=repr)
    db.unlink()
    return out


def _plain(value: object) -> object:
    if isinstance(value, str) and value.startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _yaml(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if "$schema=" not in line)  # a path on this machine


def test_every_format_writes_what_it_wrote_before(cli, env, store_url):
    assert cli("import", str(write_deck(env, "trip.yaml", TRIP)), now=_day(1)).exit_code == 0
    assert cli("review", "--new", "10", input="3\n3\n3\n3\n3\n", now=_day(1)).exit_code == 0
    assert cli("review", input="3\n1\n3\n3\n3\n", now=_day(2)).exit_code == 0
    assert cli("review", input="1\n3\n3\n3\n3\n3\n", now=_day(5)).exit_code == 0
    assert cli("cards", "suspend", "trip/gamma", now=_day(6)).exit_code == 0
    from sqlalchemy import create_engine, text

    engine = create_engine(store_url)  # answer times, as a session measures them
    with engine.begin() as db:
        db.execute(text("update reviews set duration_ms = (id * 7919) % 70000"))
    engine.dispose()
    assert cli("import", str(write_deck(env, "demo.yaml", BASIC_DECK)), now=_day(6)).exit_code == 0
    assert cli("import", str(write_deck(env, "more.yaml", MORE)), now=_day(7)).exit_code == 0

    got: dict[str, object] = {}
    runs = {
        "apkg": ("--format", "apkg"),
        "apkg-no-history": ("--format", "apkg", "--no-history"),
        "apkg-zh-trip": ("--format", "apkg", "--lang", "zh", "--deck", "trip"),
    }
    for name, args in runs.items():
        target = env / f"{name}.apkg"
        result = cli("export", *args, "-o", str(target), now=NOW)
        assert result.exit_code == 0, result.output
        got[name] = _package(target)
    for name, args in {"csv": (), "csv-zh": ("--lang", "zh")}.items():
        target = env / f"{name}.csv"
        result = cli("export", "--format", "csv", *args, "-o", str(target), now=NOW)
        assert result.exit_code == 0, result.output
        got[name] = target.read_text(encoding="utf-8")
    result = cli("export", "--format", "yaml", "-o", str(env / "yaml"), now=NOW)
    assert result.exit_code == 0, result.output
    got["yaml"] = {p.name: _yaml(p) for p in sorted((env / "yaml").glob("*.yaml"))}

    got = json.loads(json.dumps(got))  # tuples as lists, as the snapshot holds them
    if os.environ.get("QUIZ_WRITE_EXPORT_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", "utf-8")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert got.keys() == expected.keys()
    for name in expected:
        assert got[name] == expected[name], name
    assert len(expected["apkg"]["revlog"]) >= 10  # the history travelled
