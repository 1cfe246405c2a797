"""The console script's first stop: the command lines that must start fast.

`quiz due` runs on every shell prompt, so it must cost little more than starting Python;
a bare `quiz review` or `quiz stats` is the daily habit. This module recognises exactly
those command lines — global options `--db X` / `--learner X`, then `due [--json]
[--deck D]...`, `decks [--json] [--lang L]`, `learners [--json]`, `import PATH...`, or a
bare `review` / `stats` — and calls the same functions that the typer commands call
(`due_output`, `quiz.store.summaries.deck_summaries` and `render_decks`,
`quiz.store.learners` and `render_learners`, `unchanged_import_output`,
`quiz.cli.review.run_review`, ...). Anything else, and anything these decline (a store
that needs creating or migrating, PostgreSQL, a changed deck file, an error to word),
goes to the typer app unchanged. Only argument *recognition* lives here; every rule
(where the store is, who the learner is, what is due) has its one home elsewhere.

Nothing here imports `typing`, `dataclasses`, typer or SQLAlchemy at module level.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from quiz.store.due import DueCounts, DueQueries
    from quiz.store.learners import LearnerOverview
    from quiz.store.summaries import DeckSummary

_GLOBAL_VALUE = {"--db": "db", "--learner": "learner"}
BARE = ("review", "stats")  # called without click's parsing when given no options


class Globals:
    """`--db` and `--learner` given before the command (a plain class: see the docstring)."""

    def __init__(self) -> None:
        self.db: str | None = None
        self.learner: str | None = None


def split_globals(argv: list[str]) -> tuple[Globals, list[str]] | None:
    """(global options, the rest) of a command line, or None for any option the
    typer app must handle (--debug, --version, --help, typos)."""
    given = Globals()
    rest = list(argv)
    while rest and rest[0].startswith("--"):
        word = rest.pop(0)
        name, eq, value = word.partition("=")
        if name not in _GLOBAL_VALUE:
            return None
        if not eq:
            if not rest:
                return None
            value = rest.pop(0)
        setattr(given, _GLOBAL_VALUE[name], value)
    return given, rest


def parse_due(rest: list[str]) -> tuple[list[str], bool] | None:
    """(decks, --json) of `due [--json] [--deck D]...`, else None."""
    if not rest or rest[0] != "due":
        return None
    parsed = _options(rest[1:], {"--deck": "deck", "-d": "deck"})
    if parsed is None:
        return None
    as_json, values = parsed
    return [v for name, v in values if name == "deck"], as_json


def _options(words: list[str], valued: dict[str, str]) -> tuple[bool, list[tuple[str, str]]] | None:
    """(--json given, the (name, value) pairs in order) of a plain option list: `--json`
    and the `valued` options (`--x V` or `--x=V`, named by `valued[option]`); None for
    anything else (help, typos, a missing value), which the full command words."""
    as_json, values, words = False, [], list(words)
    while words:
        word = words.pop(0)
        name, eq, value = word.partition("=")
        if word == "--json":
            as_json = True
        elif name in valued and (eq or words):
            values.append((valued[name], value if eq else words.pop(0)))
        else:
            return None
    return as_json, values


def _given(values: list[tuple[str, str]]) -> Globals:
    """The global options among parsed `values` (the last of each wins, as in click)."""
    given = Globals()
    for name, value in values:
        if name in _GLOBAL_VALUE.values():
            setattr(given, name, value)
    return given


# ---- `quiz due`: one implementation for both paths --------------------------------------


def _lean_due(db: str | None, learner: str | None) -> tuple[DueQueries, object] | None:
    """The due queries on a read-only sqlite3 connection, when the store allows it."""
    if os.environ.get("QUIZ_DEBUG"):
        return None
    from quiz.store.lean import LeanStore
    from quiz.store.location import LocationError, learner_name, locate

    try:
        found = locate(db, create=False)  # the store rules of every path (quiz.store.location)
        if found.path is None:
            return None  # PostgreSQL
        store = LeanStore.open(found.path, learner_name(learner))
    except (LocationError, OSError, ValueError):
        return None  # refused, a name too long, a bad path: the full path words the error
    return (store.due, store) if store is not None else None


def due_output(
    db: str | None, learner: str | None, decks: list[str], as_json: bool, now: datetime
) -> str:
    """What `quiz due` prints: the total due now, or per-deck counts as JSON.

    Answered through sqlite3 when the store is a current SQLite file; otherwise (a store
    to create or migrate, PostgreSQL) through the full store, with the same queries."""
    lean = _lean_due(db, learner)
    if lean is not None:
        queries, store = lean
        try:
            return _render_due(queries, tuple(decks), as_json, now)
        except Exception:  # a locked or damaged store: the full store reports it properly
            pass
        finally:
            store.close()  # type: ignore[attr-defined]  # _lean_due returns the store as object to keep its import lazy
    import logging

    logging.getLogger(__name__).debug(
        "quiz due: answered through the full store (%s)",
        "a store to create or migrate, PostgreSQL, or --debug"
        if lean is None
        else "a driver error",
    )
    from quiz.store import open_store

    with open_store(db) as full, full.unit(learner) as repo:
        return _render_due(repo.due, tuple(decks), as_json, now)


def _render_due(queries: DueQueries, decks: tuple[str, ...], as_json: bool, now: datetime) -> str:
    if not as_json:
        return str(queries.total(now, decks))
    import json

    counts: list[DueCounts] = [c for c in queries.by_deck(now) if not decks or c.deck in decks]
    return json.dumps(
        {
            "due": sum(c.due for c in counts),
            "new": sum(c.new for c in counts),
            "decks": {c.deck: {"due": c.due, "new": c.new, "learning": c.learning} for c in counts},
        }
    )


# ---- `quiz decks`: one implementation for both paths -------------------------------------


def parse_decks(rest: list[str]) -> tuple[bool, str | None, Globals] | None:
    """(--json, --lang, the global options given after the command) of `decks [--json]
    [--lang L] [--db X] [--learner X]`, else None (`decks remove`, help, typos)."""
    if not rest or rest[0] != "decks":
        return None
    parsed = _options(rest[1:], {"--lang": "lang", **_GLOBAL_VALUE})
    if parsed is None:
        return None
    as_json, values = parsed
    langs = [v for name, v in values if name == "lang"]
    return as_json, langs[-1] if langs else None, _given(values)


def lean_decks(
    db: str | None, learner: str | None, lang: str | None
) -> tuple[list[DeckSummary], str | None] | None:
    """(the summaries `quiz decks` lists, the language to show them in) through a
    read-only sqlite3 connection, or None when the full command must answer: a store to
    create or migrate, PostgreSQL, an unknown learner, a bundled deck to load or refresh
    or an update of one to report (the full command writes), a QUIZ_NOW or a config.toml
    to refuse, a driver error (a locked or damaged store) — the full path words it."""
    if os.environ.get("QUIZ_DEBUG"):
        return None
    from quiz.clock import command_now
    from quiz.store.lean import LeanStore
    from quiz.store.location import learner_name, locate

    try:
        now = command_now()
        found = locate(db, create=False)
        if now is None or found.path is None:
            return None
        store = LeanStore.open(found.path, learner_name(learner))
    except Exception:  # refused, a name too long, a bad path, a bad QUIZ_NOW
        return None
    if store is None:
        return None
    try:
        from quiz.cli.bundled import BUNDLED_UPDATED, bundled_folder, bundled_work

        if bundled_folder() is not None:
            if bundled_work(store.stored_files()):
                return None  # decks to load, or to refresh: `context.ensure_bundled`
            pending = store.setting(BUNDLED_UPDATED)
            if isinstance(pending, dict) and pending.get("decks"):
                return None  # an update to report once: `context.take_bundled_updates`
        from quiz.store.summaries import deck_summaries

        summaries = deck_summaries(store.due, now)
    except Exception:  # a locked or damaged store: the full store reports it properly
        return None
    finally:
        store.close()
    try:
        if not lang:  # as the full command: `lang or config().lang`
            from quiz.config import load_config

            lang = load_config().lang  # a config.toml refused here is worded by the full path
    except Exception:
        return None
    return summaries, lang


# ---- `quiz import` of unchanged files -------------------------------------------------


def unchanged_import_output(db: str | None, learner: str | None, paths: list[str]) -> str | None:
    """What `quiz import` prints when every deck file is byte-for-byte the one already
    imported (read through sqlite3), or None when anything may change."""
    from pathlib import Path

    from quiz.store.lean import LeanStore
    from quiz.store.location import learner_name, locate

    if os.environ.get("QUIZ_DEBUG"):
        return None
    try:
        from quiz.deck.files import NOTHING_CHANGED, file_digest, find_deck_files, skipped_line

        files = find_deck_files(paths)
        path = locate(db, create=False).path
        store = LeanStore.open(path, learner_name(learner)) if path is not None else None
    except Exception:  # a missing path, a bad store: the full command reports it
        return None
    if store is None:
        return None
    try:
        stored = store.deck_files()
        decks = []
        for file in files:
            known = stored.get(str(Path(file).resolve()))
            if known is None or file_digest(Path(file).read_bytes()) != known[1]:
                return None
            decks.append(known[0])
    except Exception:
        return None
    finally:
        store.close()
    lines = [skipped_line(deck) for deck in sorted(decks)]
    if len(set(decks)) != len(decks):
        return None  # duplicates to report: the full command
    return "\n".join([*lines, NOTHING_CHANGED])


# ---- the entry point ------------------------------------------------------------------


def parse_import(argv: list[str]) -> tuple[Globals, list[str]] | None:
    """(global options, paths) of `import PATH...`, else None."""
    split = split_globals(argv)
    if split is None or len(split[1]) < 2 or split[1][0] != "import":
        return None
    paths = split[1][1:]
    if any(p.startswith("-") for p in paths):
        return None
    if any(not p.lower().endswith((".yaml", ".yml")) and not os.path.isdir(p) for p in paths):
        return None  # tables to convert, typos: the full command
    return split[0], paths


def parse_bare(argv: list[str]) -> tuple[Globals, str] | None:
    """(global options, command) of a bare `review` or `stats`, else None."""
    split = split_globals(argv)
    if split is None or len(split[1]) != 1 or split[1][0] not in BARE:
        return None
    return split[0], split[1][0]


def config_accepted() -> bool:
    """`quiz due` uses no setting, but a config.toml that every other command refuses is
    refused here too (one validation, quiz.config): the full path words the error. Only
    an existing file costs the import of quiz.config."""
    path = os.environ.get("QUIZ_CONFIG")
    if not path:
        import platformdirs

        path = os.path.join(platformdirs.user_config_dir("quiz", appauthor=False), "config.toml")
    if not os.path.exists(path):
        return True
    from quiz.config import load_config
    from quiz.errors import QuizError

    try:
        load_config()
    except QuizError:
        return False
    return True


def _answer(argv: list[str]) -> str | None:
    split = split_globals(argv)
    due = parse_due(split[1]) if split is not None else None
    if split is not None and due is not None and config_accepted():
        from quiz.clock import now_utc

        return due_output(split[0].db, split[0].learner, due[0], due[1], now_utc())
    imported = parse_import(argv)
    if imported is not None:
        return unchanged_import_output(imported[0].db, imported[0].learner, imported[1])
    return None


def _decks(argv: list[str]) -> tuple[list[DeckSummary], bool, str | None] | None:
    """(summaries, --json, language) of a `quiz decks` answered through sqlite3, or None
    when the full command must answer (see `lean_decks`)."""
    split = split_globals(argv)
    parsed = parse_decks(split[1]) if split is not None else None
    if split is None or parsed is None:
        return None
    as_json, lang, after = parsed
    given = split[0]
    found = lean_decks(
        after.db if after.db is not None else given.db,
        after.learner if after.learner is not None else given.learner,
        lang,
    )
    return None if found is None else (found[0], as_json, found[1])


def parse_learners(rest: list[str]) -> tuple[bool, Globals] | None:
    """(--json, the global options given after the command) of `learners [--json]
    [--db X] [--learner X]`, else None."""
    if not rest or rest[0] != "learners":
        return None
    parsed = _options(rest[1:], _GLOBAL_VALUE)
    if parsed is None:
        return None
    as_json, values = parsed
    return as_json, _given(values)


def _learners(argv: list[str]) -> tuple[list[LearnerOverview], bool] | None:
    """(rows, --json) of a `quiz learners` answered through sqlite3 (the SQL of
    quiz.store.learners, as the full command runs it), or None when the full command
    must answer: a missing store, PostgreSQL, a schema to migrate, a driver error,
    --debug."""
    split = split_globals(argv)
    parsed = parse_learners(split[1]) if split is not None else None
    if split is None or parsed is None or os.environ.get("QUIZ_DEBUG"):
        return None
    as_json, after = parsed
    from quiz.store.lean import learner_overview
    from quiz.store.location import locate

    try:
        found = locate(after.db if after.db is not None else split[0].db, create=False)
    except Exception:  # refused, a name too long, a bad path: the full command words it
        return None
    if found.path is None:
        return None
    rows = learner_overview(found.path)
    return None if rows is None else (rows, as_json)


def _show(render: Callable[[], None]) -> None:
    """A lean command's output through the command's own renderer; an error while
    rendering is worded by the error boundary of every command (quiz.cli.boundary, imported
    only then)."""
    try:
        render()
    except BrokenPipeError:
        pass
    except (Exception, KeyboardInterrupt) as exc:  # Ctrl-C too: the boundary words it
        from quiz.cli.boundary import boundary

        failure = exc

        def again() -> None:
            raise failure

        boundary(again)


def _direct(given: Globals, name: str) -> None:
    from quiz.cli.boundary import run_direct

    if name == "review":
        from quiz.cli.review import run_review
        from quiz.review.options import ReviewOptions

        run_direct(run_review, db=given.db, learner=given.learner, options=ReviewOptions())
    else:
        from quiz.cli.stats import stats

        run_direct(
            stats,
            db=given.db,
            learner=given.learner,
            deck=None,
            since=None,
            as_json=False,
            export=None,
            lang=None,
        )


# ---- plain command lines of other commands, called directly ------------------------------
# Typer builds its whole app (click, a pydantic adapter per parameter, every command
# module) before it parses one line: a fixed cost of every command. A command line made
# only of options and arguments with plain values (flags, text, numbers, paths,
# repeatable ones) is bound here from the command function's own declarations
# (quiz.cli.declare, which typer's app is built from too) and the function is called as
# typer would call it (`run_direct`); anything else — help, an unknown or unusual option,
# a value out of its declared range, a missing argument — goes to the typer app, which
# words the error.

DIRECT = {
    "drill": ("quiz.cli.progress", "drill"),
    "goal": ("quiz.cli.progress", "goal"),
    "learners": ("quiz.cli.store_cmds", "learners"),
    "run": ("quiz.cli.sandbox", "run"),
    "export": ("quiz.cli.authoring", "export"),
    "fmt": ("quiz.cli.authoring", "fmt"),
    "check": ("quiz.cli.check", "check"),
    "stats": ("quiz.cli.stats", "stats"),
    "import": ("quiz.cli.decks", "import_"),
    "cards": ("quiz.cli.cards", "cards"),  # its listing
    "cards show": ("quiz.cli.cards", "show"),  # a subcommand: its two words
    **{  # the card actions: `cards set-due KEY... --on DAY` -> quiz.cli.cards.set_due
        f"cards {a}": ("quiz.cli.cards", a.replace("-", "_"))
        for a in ("suspend", "unsuspend", "bury", "unbury", "forget", "set-due")
    },
}
# typer settings that change how a value is read or checked: a parameter declared with
# any of them is left to typer
_UNUSUAL = (
    "callback", "is_eager", "envvar", "prompt", "exists", "resolve_path", "parser", "count",
    "default_factory", "confirmation_prompt", "file_okay", "dir_okay", "readable", "writable",
    "allow_dash", "clamp", "formats", "case_sensitive", "path_type", "expose_value",
)  # fmt: skip


class _NoTyper:
    """What `typer.Context` in a command's annotations stands for here (typer unloaded)."""

    class Context:
        pass


def _kind(annotation: object) -> tuple[str, bool] | None:
    """(value kind, repeatable) of a parameter annotation, None when not plain."""
    import types
    import typing
    from pathlib import Path

    plain = {bool: "bool", int: "int", float: "float", str: "str", Path: "path"}
    if typing.get_origin(annotation) in (types.UnionType, typing.Union):
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(rest) != 1:
            return None
        annotation = rest[0]
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return (plain[item], True) if item in plain and item is not bool else None
    return (plain[annotation], False) if annotation in plain else None


def _value(kind: str, text: str, info: object) -> object:
    """`text` as the parameter's kind; ValueError when it is not one or out of range."""
    from pathlib import Path

    value: object = (
        int(text) if kind == "int" else float(text) if kind == "float" else Path(text)
        if kind == "path" else text
    )  # fmt: skip
    low, high = info.settings.get("min"), info.settings.get("max")  # type: ignore[attr-defined]  # a Param
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(text)
    return value


def bind(fn: object, words: list[str]) -> dict[str, object] | None:
    """The keyword arguments typer would call `fn` with for `words`, or None."""
    import inspect

    from quiz.cli.declare import Param

    options: dict[str, tuple[str, str, bool, object]] = {}
    arguments: list[tuple[str, str, bool, object]] = []
    values: dict[str, object] = {}
    flags: dict[str, bool] = {}  # a flag's name -> the value it sets
    signature = inspect.signature(fn, eval_str=True, locals={"typer": _NoTyper})  # type: ignore[arg-type]  # a command function
    for param in signature.parameters.values():
        if param.annotation is _NoTyper.Context:
            values[param.name] = None  # a callback's context: none when called directly
            continue
        info, kind = param.default, _kind(param.annotation)
        if kind is None or not isinstance(info, Param):
            return None
        if any(a in info.settings for a in _UNUSUAL):
            return None
        if info.argument:
            arguments.append((param.name, kind[0], kind[1], info))
            continue
        decls = info.decls or ("--" + param.name.replace("_", "-"),)
        # a switch (`--history/--no-history`): each name of the pair sets its value
        switch = kind[0] == "bool" and all(d.count("/") == 1 for d in decls)
        if kind[0] == "bool" and info.default is not False and not switch:
            return None
        for decl in decls:
            on, _, off = decl.partition("/")
            for name, flag in ((on, True), (off, False)) if switch else ((decl, True),):
                if "/" in name or not name.startswith("-"):
                    return None
                options[name] = (param.name, kind[0], kind[1], info)
                flags[name] = flag
        values[param.name] = info.default
    positional: list[str] = []
    repeated: set[str] = set()
    words = list(words)
    try:
        while words:
            word = words.pop(0)
            if word in ("--", "-h", "--help") or (word.startswith("-") and len(word) > 1):
                if word in ("--", "-h", "--help"):
                    return None
                name, eq, text = word.partition("=") if word.startswith("--") else (word, "", "")
                if name not in options:
                    return None
                pname, kind_, many, info = options[name]
                if kind_ == "bool":
                    if eq:
                        return None
                    values[pname] = flags[name]
                    continue
                if not eq:
                    if not words:
                        return None
                    text = words.pop(0)
                value = _value(kind_, text, info)
                if many:
                    values[pname] = [*(values[pname] if pname in repeated else []), value]  # type: ignore[misc]  # a list once repeated
                    repeated.add(pname)
                else:
                    values[pname] = value
            else:
                positional.append(word)
        for pname, kind_, many, info in arguments:
            if many:
                values[pname] = [_value(kind_, w, info) for w in positional]
                positional = []
            elif positional:
                values[pname] = _value(kind_, positional.pop(0), info)
            else:
                values[pname] = info.default  # type: ignore[attr-defined]  # a Param
            if values[pname] is ... or values[pname] == []:
                return None  # a required argument is missing: typer says so
    except ValueError:
        return None
    if any(value is ... for value in values.values()):
        return None  # a required option is missing: typer says so
    return None if positional else values


def parse_direct(argv: list[str]) -> tuple[Globals, object, dict[str, object]] | None:
    """(global options, command function, its arguments) of a plain command line of a
    `DIRECT` command, else None."""
    split = split_globals(argv)
    if split is None or not split[1] or split[1][0] not in DIRECT:
        return None
    if split[1] == ["stats"]:
        return None  # the bare command: _direct
    import importlib

    words = split[1]
    two = " ".join(words[:2])
    command, rest = (two, words[2:]) if two in DIRECT else (words[0], words[1:])
    module, name = DIRECT[command]
    fn = getattr(importlib.import_module(module), name)
    values = bind(fn, rest)
    return None if values is None else (split[0], fn, values)


def main() -> None:
    """Console-script entry point."""
    argv = sys.argv[1:]
    from quiz.cli import help_screens

    if help_screens.wanted(argv):  # a help screen: kept from an earlier run, or kept now
        if not help_screens.serve(argv):
            from quiz.cli import run_full

            with help_screens.Keeping(argv):
                run_full()
        return
    try:
        output = _answer(argv)
    except Exception:  # any error is worded by the full path, inside its boundary
        output = None
    if output is not None:
        try:
            sys.stdout.write(output + "\n")
            sys.stdout.flush()
        except BrokenPipeError:
            pass
        return
    try:
        decks = _decks(argv)
    except Exception:  # nothing shown yet: the full command answers and words any error
        decks = None
    if decks is not None:
        from quiz.ui.reports import render_decks

        summaries, as_json, lang = decks  # nothing loaded: see lean_decks
        _show(lambda: render_decks(summaries, as_json, lang, ()))
        return
    try:
        learners = _learners(argv)
    except Exception:  # nothing shown yet: the full command answers and words any error
        learners = None
    if learners is not None:
        from quiz.ui.class_view import render_learners

        _show(lambda: render_learners(*learners))
        return
    bare = parse_bare(argv)
    if bare is not None:
        _direct(*bare)
        return
    try:
        direct = parse_direct(argv)
    except Exception:  # a command module that cannot load, a signature not understood
        direct = None
    if direct is not None:
        from quiz.cli.boundary import run_direct

        given, fn, values = direct
        run_direct(fn, db=given.db, learner=given.learner, **values)  # type: ignore[arg-type]  # a command function
        return
    from quiz.cli import run_full

    run_full()
