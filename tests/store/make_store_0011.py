"""Write tests/store/data/store_0011.json: a store made by quiz at schema 0011 (the last
schema before the lean review log), with the figures that quiz printed for it.

Run once with the 0011 program (commit eb54fa4), never again: the file is the record of
what the old program stored and showed, which tests/store/test_lean_migration.py
migrates and compares byte for byte.

    python -m tests.store.make_store_0011 [POSTGRES_URL]

Several learners review on several days, undo, overrule a typed answer, drill, forget
a card and move another's due date; every table's rows are dumped with their types
(times as ISO strings), and the outputs of `quiz stats --json`, `quiz class report
--json`, `quiz rebuild --check` and `quiz cards show` are kept as printed.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, select
from typer.testing import CliRunner

DATA = Path(__file__).with_name("data") / "store_0011.json"
LEARNERS = ("ann", "bob", "cid")
NOW = "2026-03-25T20:00:00+00:00"

BASICS = "deck: basics\ntitle: Basics\nlang: en\ntags: [basics]\ncards:\n" + "".join(
    f"  - id: c{i}\n    front: Q{i}?\n    back: A{i}.\n    tags: [t{i % 3}]\n" for i in range(1, 9)
)
TYPED = (
    "deck: typed\ntitle: Typed\nlang: en\ncards:\n"
    + "".join(
        f"  - id: t{i}\n    type: typed\n    front: 'Say {i}'\n    answer: ['{i}']\n"
        for i in range(1, 4)
    )
    + "  - id: cz\n    type: cloze\n    text: 'a {{c1::b}} c {{c2::d}}'\n"
)


def day(n: int, hour: int = 9) -> str:
    return (datetime(2026, 3, 1, hour, tzinfo=timezone.utc) + timedelta(days=n - 1)).isoformat()


# (day, learner, command..., stdin)
SCRIPT: list[tuple[str, str, tuple[str, ...], str]] = [
    (day(1), "ann", ("review",), "4\n3\n1\n3\nu\n2\n4\n3\n3\n3\n1\n3\n3\n3\n3\n3\n"),
    (day(1, 10), "bob", ("review",), "3\n3\n3\n1\n1\n3\n3\n3\n4\n3\nwrong\n=r\n2\n3\n3\n3\n"),
    (day(1, 11), "cid", ("review", "--limit", "5"), "3\n3\n3\n3\n3\n"),
    (day(2, 21), "ann", ("review",), "3\n3\n1\n3\n3\n3\n3\n3\n3\n3\n3\n3\n"),
    (day(3, 8), "ann", ("review",), "3\n3\n3\n3\n4\n3\n1\nu\n3\n3\n3\n3\n3\n3\n3\n3\n"),
    (day(3, 9), "bob", ("drill", "--count", "5", "--seed", "3"), "3\n1\n3\n2\n3\n"),
    (day(4, 23), "bob", ("review",), "3\n1\n3\n3\nnope\n=r\n3\n3\n3\n3\n3\n3\n3\n3\n"),
    (day(5), "ann", ("cards", "forget", "basics/c2"), ""),
    (day(5), "bob", ("cards", "set-due", "basics/c3", "--on", "2026-03-20"), ""),
    (day(6), "ann", ("review",), "3\n3\n3\n1\n3\n3\n3\n3\n3\n3\n3\n3\n3\n3\n"),
    (day(6, 12), "ann", ("drill", "--count", "6", "--seed", "1", "--weak"), "1\n3\n3\n1\n3\n3\n"),
    (day(8), "cid", ("review",), "3\n1\n3\n3\n3\n3\n3\n3\n3\n3\n3\n"),
    (
        day(9),
        "bob",
        ("drill", "-d", "typed", "--count", "3", "--seed", "1", "--graded"),
        "nope\n=r\n9\n=r\nx\n",
    ),
    (day(9, 10), "cid", ("drill", "-d", "typed", "--count", "2", "--seed", "1"), "nope\n=r\n9\n"),
    (day(10), "bob", ("review",), "3\n3\n1\n3\n3\n3\nu\n4\n3\n3\n3\n3\n3\n3\n3\n"),
    (day(12), "ann", ("review",), "1\n3\n3\n3\n3\n3\n3\n3\n3\n3\n3\n3\n3\n"),
    (day(15), "ann", ("review",), "3\n3\n3\n3\n2\n3\n3\n3\n3\n3\n"),
    (day(18, 22), "bob", ("review",), "3\n3\n3\n1\n3\n3\n3\n3\n3\n3\n3\n"),
    (day(20), "cid", ("drill", "--count", "4", "--seed", "2", "--graded"), "3\n1\n3\n3\n"),
    (day(22), "ann", ("review",), "3\n3\n3\n3\n3\n3\n3\n1\n3\n3\n3\n"),
    (day(24), "bob", ("review",), "3\n3\n3\n3\n3\n3\n3\n3\n"),
]

SHOW = ("basics/c1", "basics/c2", "basics/c3", "typed/t1", "typed/cz#c1")


def encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.replace(tzinfo=None).isoformat()}
    return value


def dump_tables(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    meta = MetaData()
    with engine.connect() as conn:
        meta.reflect(conn)
        out: dict[str, Any] = {}
        for table in meta.sorted_tables:
            if table.name == "alembic_version":
                continue
            pk = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*pk)).mappings().all()
            out[table.name] = [{k: encode(v) for k, v in r.items()} for r in rows]
    engine.dispose()
    return out


def figures(invoke: Any) -> dict[str, str]:
    """What quiz prints about the store: the outputs a migration must not change."""
    out = {}
    for learner in LEARNERS:
        out[f"{learner} stats"] = invoke(learner, NOW, "stats", "--json")
        out[f"{learner} rebuild"] = invoke(learner, NOW, "rebuild", "--check")
        out[f"{learner} due"] = invoke(learner, NOW, "due", "--json")
        for key in SHOW:
            out[f"{learner} show {key}"] = invoke(learner, NOW, "cards", "show", key)
    out["class report"] = invoke("ann", NOW, "class", "report", "--json")
    return out


def runner(folder: Path, url: str) -> Any:
    from quiz.cli import app

    config = folder / "config.toml"
    config.write_text('timezone = "UTC"\n')
    base = {
        "QUIZ_DB": url,
        "QUIZ_CONFIG": str(config),
        "QUIZ_BUNDLED": "0",
        "COLUMNS": "120",
    }
    cli = CliRunner()

    def invoke(
        learner: str, now: str, *args: str, input: str = "", exit_code: int | None = 0
    ) -> str:
        """The command's output; `exit_code` None: any exit, its code on the first line."""
        from quiz.ui import console

        env = {**base, "QUIZ_NOW": now, "QUIZ_LEARNER": learner}
        console.use(None, None)  # a console made here, for COLUMNS=120 (not another test's)
        try:
            result = cli.invoke(app, list(args), input=input, env=env, catch_exceptions=False)
        finally:
            console.use(None, None)
        if exit_code is None:
            return f"{result.exit_code}\n{result.stdout}"
        assert result.exit_code == exit_code, (args, result.output)
        return result.stdout

    return invoke


def main() -> int:
    from quiz.store.migrate import HEAD

    assert HEAD == "0011", "run this with the 0011 program"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "basics.yaml").write_text(BASICS)
        (folder / "typed.yaml").write_text(TYPED)
        url = f"sqlite:///{folder / 'store.db'}"
        invoke = runner(folder, url)
        invoke("ann", day(1, 8), "import", str(folder / "basics.yaml"), str(folder / "typed.yaml"))
        for now, learner, args, stdin in SCRIPT:
            invoke(learner, now, *args, input=stdin)
        data: dict[str, Any] = {"tables": dump_tables(url), "now": NOW}
        data["figures"] = {"sqlite": figures(invoke)}
        if len(sys.argv) > 1:  # the same rows loaded into PostgreSQL at 0011, same commands
            from tests.pg import create_database
            from tests.store.test_lean_migration import load_0011

            pg = create_database(sys.argv[1])
            load_0011(pg, data["tables"])
            data["figures"]["postgresql"] = figures(runner(folder, pg))
    DATA.parent.mkdir(exist_ok=True)
    DATA.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {DATA}")
    return 0


if __name__ == "__main__":
    os.environ.pop("QUIZ_NOW", None)
    raise SystemExit(main())
