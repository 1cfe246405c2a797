"""Start-up: the lean path (quiz.cli.lean) answers `quiz due`, an unchanged re-import and
a bare `quiz review`/`quiz stats` through the same functions as the typer commands,
declines whatever it does not own, and imports no heavy library; `--help` stays complete.
The due rule itself is shared (quiz.store.due): these tests check that the sqlite3 driver
and the SQLAlchemy session give the same numbers through it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from quiz.cli.lean import _lean_due, _render_due, parse_due, split_globals
from quiz.clock import now_utc
from tests.conftest import write_deck

DECK = """
deck: {name}
title: {name}
cards:
{cards}
"""


def parse(argv: list[str]):  # type: ignore[no-untyped-def]
    """(globals, decks, --json) of a `due` line the lean path recognises, else None."""
    split = split_globals(argv)
    if split is None:
        return None
    due = parse_due(split[1])
    return None if due is None else (split[0], *due)


def fast_due(parsed) -> str | None:  # type: ignore[no-untyped-def]
    """The lean path's answer (sqlite3), or None when it declines to the full path."""
    given, decks, as_json = parsed
    found = _lean_due(given.db, given.learner)
    if found is None:
        return None
    queries, store = found
    try:
        return _render_due(queries, tuple(decks), as_json, now_utc())
    finally:
        store.close()


def fast_import(given, paths) -> str | None:  # type: ignore[no-untyped-def]
    from quiz.cli.lean import unchanged_import_output

    return unchanged_import_output(given.db, given.learner, paths)


def deck(env: Path, name: str, n: int) -> Path:
    cards = "".join(f"  - id: c{i}\n    front: Q{i}?\n    back: A{i}.\n" for i in range(n))
    return write_deck(env, f"{name}.yaml", DECK.format(name=name, cards=cards))


def run_quiz(*args: str, now: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if now:
        env["QUIZ_NOW"] = now
    return subprocess.run(
        [sys.executable, "-m", "quiz", *args], capture_output=True, text=True, env=env, timeout=60
    )


@pytest.fixture
def studied(cli, env):
    """Two decks, some cards answered on day 1 (learning, review, Again), one suspended."""
    cli("import", str(deck(env, "alpha", 6)), str(deck(env, "beta", 4)))
    assert (
        cli(
            "review", "--deck", "alpha", input="3\n4\n1\n4\n!\n", now="2026-03-01T09:00:00Z"
        ).exit_code
        == 0
    )
    assert (
        cli("review", "--deck", "beta", input="4\n1\n", now="2026-03-01T10:00:00Z").exit_code == 0
    )
    return env


@pytest.mark.parametrize(
    "now",
    [
        "2026-03-01T09:30:00Z",
        "2026-03-02T09:00:00Z",
        "2026-03-05T12:00:00Z",
        "2026-04-01T12:00:00Z",
    ],
)
def test_fast_due_gives_the_same_numbers_as_the_full_command(cli, studied, now):
    for args in (
        ["due"],
        ["due", "--json"],
        ["due", "--deck", "beta", "--json"],
        ["due", "-d", "alpha"],
    ):
        parsed = parse(args)
        assert parsed is not None
        full = cli(*args, now=now).stdout.strip()
        os.environ["QUIZ_NOW"] = now
        try:
            fast = fast_due(parsed)
        finally:
            del os.environ["QUIZ_NOW"]
        assert fast is not None, "the fast path declined a current store"
        assert fast == full, args
    assert json.loads(cli("due", "--json", now=now).stdout)["decks"].keys() == {"alpha", "beta"}


@pytest.mark.parametrize("layout", ["contiguous", "interleaved"])
def test_fast_due_json_counts_started_cards_by_id_range_or_join_alike(cli, studied, layout):
    """New-card counts per deck come from id ranges when each deck's ids form one block,
    else from a join; retired cards that were answered are left out either way."""
    from quiz.store.lean import LeanStore
    from quiz.store.location import resolve_url, sqlite_path

    now = "2026-03-05T12:00:00Z"
    alpha = studied / "alpha.yaml"
    text = alpha.read_text()
    if (
        layout == "interleaved"
    ):  # new alpha cards get ids after beta's: alpha is no longer one block
        alpha.write_text(
            text + "".join(f"  - id: x{i}\n    front: X{i}?\n    back: Y.\n" for i in range(3))
        )
        assert cli("import", str(alpha)).exit_code == 0
    # retire two answered cards (c0, c1 were answered on day 1) by dropping them from the file
    body = alpha.read_text().replace("  - id: c0\n    front: Q0?\n    back: A0.\n", "")
    alpha.write_text(body.replace("  - id: c1\n    front: Q1?\n    back: A1.\n", ""))
    assert cli("import", str(alpha)).exit_code == 0
    store = LeanStore.open(sqlite_path(resolve_url(None)), "tester")
    assert store is not None
    try:
        ranges = store.conn.execute(
            "SELECT deck_id, MIN(id), MAX(id), COUNT(*) FROM cards GROUP BY deck_id"
        ).fetchall()
        retired = store.conn.execute("SELECT COUNT(*) FROM cards WHERE retired = 1").fetchone()[0]
    finally:
        store.close()
    assert retired == 2
    assert all(hi - lo + 1 == n for _d, lo, hi, n in ranges) == (layout == "contiguous")
    os.environ["QUIZ_NOW"] = now
    try:
        fast = fast_due(parse(["due", "--json"]))
    finally:
        del os.environ["QUIZ_NOW"]
    assert fast == cli("due", "--json", now=now).stdout.strip()


def test_the_console_entry_takes_the_fast_path_and_agrees(studied):
    code = (
        "import sys; sys.argv = ['quiz', 'due', '--json']; from quiz.cli import main; main(); "
        "print(sorted(m for m in ('sqlalchemy', 'typer', 'rich', 'fsrs') if m in sys.modules))"
    )
    env = dict(os.environ, QUIZ_NOW="2026-03-05T12:00:00Z")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    counts, loaded = out.stdout.strip().splitlines()
    assert loaded == "[]"
    assert json.loads(counts)["due"] >= 1
    assert run_quiz("due", "--json", now="2026-03-05T12:00:00Z").stdout.strip() == counts


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["due", "--help"],
        ["due", "--jsn"],
        ["--debug", "due"],
        ["decks"],
        ["due", "extra"],
        ["--db"],
        [],
        ["--version", "due"],
    ],
)
def test_everything_else_goes_to_the_full_app(argv):
    assert parse(argv) is None


def test_global_options_before_due_are_understood():
    args = parse(["--db", "x.db", "--learner=ann", "due", "--deck", "a", "-d=b", "--json"])
    assert args is not None
    given, decks, as_json = args
    assert (given.db, given.learner, decks, as_json) == ("x.db", "ann", ["a", "b"], True)


def test_fast_path_declines_a_missing_store_and_the_full_path_creates_it(env):
    assert fast_due(parse(["due"])) is None  # no store yet
    result = run_quiz("due")
    assert result.returncode == 0 and result.stdout.strip() == "0"
    assert (env / "store.db").exists()


def test_fast_path_declines_an_older_schema(cli, studied):
    import sqlite3

    with sqlite3.connect(studied / "store.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
    assert fast_due(parse(["due"])) is None


def test_fast_path_declines_an_unknown_learner(studied, monkeypatch):
    monkeypatch.setenv("QUIZ_LEARNER", "nobody-yet")
    assert fast_due(parse(["due"])) is None


def test_a_damaged_store_is_still_one_line(env):
    (env / "store.db").write_bytes(b"not a database at all" * 100)
    result = run_quiz("due")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_help_lists_every_command():
    from quiz.cli import app

    names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    assert "due" in names and "optimize" in names
    result = run_quiz("--help")
    assert result.returncode == 0
    listed = {
        line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()
    }
    assert set(names) <= listed


def test_help_and_due_paths_import_only_what_they_need():
    code = "import sys; import quiz.cli, quiz.cli.lean, quiz.store.lean, quiz.store.due, quiz.clock; print(sorted(sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    ).stdout
    for heavy in ("'sqlalchemy'", "'typer'", "'rich'", "'fsrs'", "'yaml'"):
        assert heavy not in loaded


def test_fast_store_head_is_the_migrations_head():
    from quiz.store.lean import head_revision
    from quiz.store.migrate import HEAD

    assert head_revision() == HEAD


def test_unchanged_reimport_takes_the_fast_path_with_the_full_output(cli, env):
    from quiz.cli.lean import parse_import

    folder = env / "decks"
    folder.mkdir()
    deck(folder, "alpha", 3)
    deck(folder, "beta", 2)
    assert cli("import", str(folder)).exit_code == 0
    full = cli("import", str(folder))
    for argv in (
        ["import", str(folder)],
        ["import", str(folder / "beta.yaml"), str(folder / "alpha.yaml")],
    ):
        parsed = parse_import(argv)
        assert parsed is not None
        fast = fast_import(*parsed)
        assert fast is not None
        assert fast == cli(*argv).stdout.strip()
    assert fast_import(*parse_import(["import", str(folder)])) == full.stdout.strip()
    assert run_quiz("import", str(folder)).stdout == full.stdout


def test_an_unchanged_reimport_loads_neither_yaml_nor_the_store(cli, env):
    """The fast re-import needs a file's digest, not the deck loader: its YAML and its
    validator are not even imported (issue #19: the command within ~80 ms)."""
    path = deck(env, "alpha", 3)
    assert cli("import", str(path)).exit_code == 0
    code = (
        f"import sys; sys.argv = ['quiz', 'import', {str(path)!r}]; "
        "from quiz.cli import main; main(); "
        "print(sorted(m for m in ('yaml', 'quiz.deck.validate', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    *printed, loaded = out.stdout.strip().splitlines()
    assert printed == ["alpha: unchanged (file not modified)", "nothing changed"]
    assert loaded == "[]"


def test_a_changed_or_new_file_goes_to_the_full_import(cli, env):
    from quiz.cli.lean import parse_import

    path = deck(env, "alpha", 3)
    assert cli("import", str(path)).exit_code == 0
    path.write_text(path.read_text() + "  - id: extra\n    front: E?\n    back: E.\n")
    assert fast_import(*parse_import(["import", str(path)])) is None
    result = run_quiz("import", str(path))
    assert result.returncode == 0 and "1 added" in result.stdout
    other = deck(env, "gamma", 1)
    assert fast_import(*parse_import(["import", str(path), str(other)])) is None
    assert fast_import(*parse_import(["import", str(env / "missing.yaml")])) is None


def test_a_direct_import_keeps_one_line_per_deck_error(env):
    """A new or changed file is imported by the command function called directly (no
    typer parsing, issue #19): a broken deck is still one `path:line: message` line and
    a non-zero exit, and nothing of the run is written."""
    good = deck(env, "alpha", 2)
    bad = write_deck(env, "bad.yaml", DECK.format(name="bad", cards="  - id: c1\n    front: Q?\n"))
    result = run_quiz("import", str(good), str(bad))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{bad}:") and "back" in lines[0]
    assert "alpha" not in run_quiz("decks").stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["import"],
        ["import", "--json", "x.yaml"],
        ["import", "cards.csv"],
        ["--debug", "import", "x.yaml"],
    ],
)
def test_other_import_lines_go_to_the_full_app(argv):
    from quiz.cli.lean import parse_import

    assert parse_import(argv) is None


# ---- `quiz review`: called directly, without click's parsing ----------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["review", "--limit", "3"],
        ["review", "-d", "x"],
        ["--debug", "review"],
        ["review", "--help"],
        ["reviews"],
        [],
        ["stats", "--json"],
        ["stats", "x"],
    ],
)
def test_review_or_stats_with_options_goes_to_the_full_app(argv):
    from quiz.cli.lean import parse_bare

    assert parse_bare(argv) is None


def test_bare_stats_is_called_directly_and_agrees_with_the_full_app(cli, studied):
    from quiz.cli.lean import parse_bare

    assert parse_bare(["--db", "x.db", "stats"])[1] == "stats"  # type: ignore[index]
    now = "2026-03-05T12:00:00Z"
    code = (
        "import sys; sys.argv = ['quiz', 'stats']; from quiz.cli import main\ntry:\n    main()\nfinally:\n"
        "    print('LOADED', sorted(m for m in ('pydantic', 'quiz.cli.commands') if m in sys.modules))"
    )
    env = dict(os.environ, QUIZ_NOW=now, COLUMNS="100")
    direct = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert direct.returncode == 0, direct.stderr
    shown, _, loaded = direct.stdout.rpartition("LOADED ")
    assert loaded.strip() == "[]"
    full = subprocess.run(
        [sys.executable, "-m", "quiz", "stats", "--lang", "en"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert full.returncode == 0 and full.stdout == shown and "true retention" in shown


def test_bare_review_is_called_directly_and_agrees_with_the_full_app(studied, tmp_path):
    """The same scripted session on two copies of one store: the console entry (direct
    call) and the typer app (CliRunner) print the same and save the same answers."""
    import sqlite3

    from quiz.cli.lean import parse_bare

    assert parse_bare(["--learner", "tester", "review"])[1] == "review"  # type: ignore[index]
    twin = tmp_path / "twin.db"
    shutil.copyfile(studied / "store.db", twin)
    answers = "\n".join(["", "3"] * 6) + "\nq\n"
    now = "2026-03-05T12:00:00Z"
    code = (
        "import sys; sys.argv = ['quiz', 'review']; from quiz.cli import main\ntry:\n    main()\nfinally:\n"
        "    print('LOADED', sorted(m for m in ('pydantic', 'quiz.cli.commands') if m in sys.modules))"
    )
    env = dict(os.environ, QUIZ_NOW=now, COLUMNS="80")
    direct = subprocess.run(
        [sys.executable, "-c", code],
        input=answers,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert direct.returncode == 0, direct.stderr
    shown, _, loaded = direct.stdout.rpartition("LOADED ")
    assert loaded.strip() == "[]"  # neither typer's pydantic adapters nor every command module
    env["QUIZ_DB"] = str(twin)
    full = subprocess.run(
        [sys.executable, "-c", code.replace("'review']", "'review', '--limit', '1000']")],
        input=answers,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert full.returncode == 0, full.stderr
    assert full.stdout.rpartition("LOADED ")[0] == shown and "Reviewed" in shown

    def log(path):  # type: ignore[no-untyped-def]
        with sqlite3.connect(path) as conn:
            return conn.execute(
                "SELECT card_id, rating, reviewed_at, kind FROM reviews ORDER BY id"
            ).fetchall()

    assert log(studied / "store.db") == log(twin)


def test_bare_review_keeps_the_error_boundary(env):
    (env / "store.db").write_bytes(b"not a database at all" * 100)
    result = run_quiz("review")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("quiz: ")


# ---- plain command lines of other commands: bound without typer's parsing ---------------


def test_plain_command_lines_are_bound_as_typer_binds_them():
    from quiz.cli.lean import parse_direct

    given, fn, values = parse_direct(  # type: ignore[misc]
        ["--db", "x.db", "drill", "-n", "3", "-d", "a", "--deck=b", "--weak", "--timed", "30"]
    )
    assert given.db == "x.db" and fn.__name__ == "drill"  # type: ignore[attr-defined]
    assert values["count"] == 3 and values["deck"] == ["a", "b"] and values["weak"] is True
    assert values["timed"] == 30.0 and values["tag"] is None and values["exam"] is False
    _, _, fmt = parse_direct(["fmt", "a.yaml", "--check", "b"])  # type: ignore[misc]
    assert fmt == {"check": True, "paths": [Path("a.yaml"), Path("b")]}
    _, _, goal = parse_direct(["goal", "--json"])  # type: ignore[misc]
    assert goal == {"deck": None, "by": None, "clear": False, "as_json": True}
    _, fn, imported = parse_direct(["import", "a.yaml", "decks/", "--json"])  # type: ignore[misc]
    assert fn.__name__ == "import_"  # type: ignore[attr-defined]
    assert imported == {"paths": [Path("a.yaml"), Path("decks")], "as_json": True, "out": None}
    # a switch: either name of the pair, the last one given winning, as click reads it
    _, _, export = parse_direct(["export", "-f", "apkg", "-o", "x.apkg", "--no-history"])  # type: ignore[misc]
    assert export["history"] is False and export["fmt_name"] == "apkg"
    assert export["output"] == Path("x.apkg") and export["force"] is False
    _, _, export = parse_direct(["export", "--no-history", "--history"])  # type: ignore[misc]
    assert export["history"] is True
    _, _, export = parse_direct(["export", "--format", "csv"])  # type: ignore[misc]
    assert export["history"] is True and export["deck"] is None


@pytest.mark.parametrize(
    "argv",
    [
        ["drill", "--count", "0"],  # below its declared minimum: typer words the error
        ["drill", "--timed", "0.5"],
        ["drill", "--count", "x"],
        ["drill", "--help"],
        ["drill", "-n5"],
        ["drill", "--weak=1"],
        ["export", "--history=1"],
        ["drill", "--cnt", "1"],
        ["drill", "stray"],
        ["drill", "--count"],
        ["run"],  # a missing argument
        ["import"],
        ["import", "-o"],
        ["check", "--no-run", "--", "d"],
        ["decks"],  # a group with its own callback
        ["stats"],  # the bare command has its own direct call
        ["--debug", "goal"],
    ],
)
def test_anything_unusual_goes_to_typer(argv):
    from quiz.cli.lean import parse_direct

    assert parse_direct(argv) is None


def test_a_direct_command_agrees_with_the_full_app_and_keeps_its_errors(cli, studied):
    now = "2026-03-05T12:00:00Z"
    assert cli("goal", "--deck", "alpha", "--by", "2026-04-01", now=now).exit_code == 0
    full = cli("goal", "--json", now=now)
    direct = run_quiz("goal", "--json", now=now)
    assert direct.returncode == 0 and json.loads(direct.stdout) == json.loads(full.stdout)
    assert json.loads(direct.stdout)[0]["deck"] == "alpha"
    unknown = run_quiz("drill", "--deck", "nope", now=now)
    assert unknown.returncode == 4 and "nope" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    low = run_quiz("drill", "--count", "0", now=now)
    assert low.returncode == 2 and "--count" in low.stderr  # typer's own message


def test_a_direct_export_writes_what_the_full_app_writes(cli, studied):
    """`export` with its --history/--no-history switch is called directly (issue #19)."""
    import sqlite3
    import zipfile

    now = "2026-03-05T12:00:00Z"
    for switch in ("--history", "--no-history"):
        rows = []
        for name, run in (("full", cli), ("direct", run_quiz)):
            target = studied / f"{name}{switch}.apkg"
            result = run("export", "-o", str(target), switch, now=now)
            assert result.returncode == 0 if name == "direct" else result.exit_code == 0  # type: ignore[union-attr]
            with zipfile.ZipFile(target) as package:
                (studied / "c.anki2").write_bytes(package.read("collection.anki2"))
            with sqlite3.connect(studied / "c.anki2") as db:
                rows.append(
                    [
                        db.execute(f"select * from {t}").fetchall()
                        for t in ("notes", "cards", "revlog")
                    ]
                )
            (studied / "c.anki2").unlink()
        assert rows[0] == rows[1]
        assert bool(rows[0][2]) is (switch == "--history")


# ---- the plain command lines never load typer -------------------------------------------
LOADED_PROBE = (
    "import sys; how = sys.argv[1]; sys.argv = ['quiz', *sys.argv[2:]]\n"
    "from quiz.cli import main, run_full\n"
    "try:\n    (run_full if how == 'full' else main)()\nfinally:\n"
    "    print('LOADED', sorted(m for m in ('typer', 'click', 'pydantic') if m in sys.modules),"
    " file=sys.stderr)"
)


@pytest.mark.parametrize(
    "argv",
    [
        ["stats"],
        ["stats", "--deck", "alpha", "--json"],
        ["cards", "--sort", "recall", "--limit", "3"],
        ["cards", "--text", "q1"],
        ["cards", "show", "alpha/c1"],
        ["cards", "bury", "beta/c0"],
        ["learners", "--json"],
        ["goal", "--json"],
        ["export", "--format", "csv", "--deck", "beta"],
        ["cards", "show", "alpha/nope"],  # an error: one line, its exit code
        ["drill", "--count", "0"],  # below its minimum: typer words it, loaded for that only
    ],
)
def test_plain_command_lines_run_without_typer_and_print_what_the_app_prints(studied, argv):
    """The commands declare their options through quiz.cli.declare, so a plain command
    line is bound and run without importing typer (issue #19: typer's import was a fixed
    cost of every command); what it prints and its exit code are the typer app's."""
    runs = {}
    for how in ("direct", "full"):
        store = studied / f"{how}.db"
        shutil.copyfile(studied / "store.db", store)
        env = dict(os.environ, QUIZ_NOW="2026-03-05T12:00:00Z", COLUMNS="100", QUIZ_DB=str(store))
        done = subprocess.run(
            [sys.executable, "-c", LOADED_PROBE, how, *argv],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        err, _, loaded = done.stderr.rpartition("LOADED ")
        runs[how] = (done.returncode, done.stdout, err, loaded.strip())
    (code, out, err, loaded), full = runs["direct"], runs["full"]
    assert full[3] != "[]"  # the typer app: typer loaded
    assert (loaded == "[]") is not (argv[0] == "drill"), (argv, loaded)
    assert (code, out, err) == full[:3]
    assert "Traceback" not in err
    if code not in (0, 2):  # 2: click's usage message, the same either way
        assert len(err.strip().splitlines()) == 1
