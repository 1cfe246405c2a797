"""The console script's first stop: answer `quiz due` without typer or SQLAlchemy.

A shell prompt may call `quiz due` on every prompt, so it must cost little more than
starting Python. `main` recognises exactly the command lines it can answer alone —
`quiz [--db X] [--learner X] due [--json] [--deck D ...]` on an existing, current SQLite
store, and `quiz import PATH...` when every deck file is byte-for-byte the one already
imported — and hands everything else (help, errors, other commands, changed files, a
store that needs creating or migrating, PostgreSQL) to the typer app unchanged. The
output is the same as the full command's (tests compare the two); only the imports differ.

A bare `quiz review` or `quiz stats` (global options only) calls the command's
function directly: the same code and error boundary, without click's parsing and
typer's parameter coercion (which loads pydantic) — ~50-60 ms off each.
"""

from __future__ import annotations

import os
import sys


class DueArgs:
    """Global options and `due` options (a plain class: `dataclasses` costs ~8 ms to import)."""

    def __init__(
        self,
        db: str | None = None,
        learner: str | None = None,
        as_json: bool = False,
        decks: list[str] | None = None,
    ) -> None:
        self.db = db
        self.learner = learner
        self.as_json = as_json
        self.decks: list[str] = decks if decks is not None else []

    def __repr__(self) -> str:
        return f"DueArgs(db={self.db!r}, learner={self.learner!r}, as_json={self.as_json!r}, decks={self.decks!r})"


_GLOBAL_VALUE = {"--db": "db", "--learner": "learner"}


def _globals(argv: list[str], args: DueArgs) -> list[str] | None:
    """Consume `--db X` / `--learner X` before the command; None for any other option."""
    rest = list(argv)
    while rest and rest[0].startswith("--"):  # global options before the command
        word = rest.pop(0)
        name, eq, value = word.partition("=")
        if name not in _GLOBAL_VALUE:
            return None  # --debug, --version, --help, typos: the full app decides
        if not eq:
            if not rest:
                return None
            value = rest.pop(0)
        setattr(args, _GLOBAL_VALUE[name], value)
    return rest


def parse_due(argv: list[str]) -> DueArgs | None:
    """The arguments of a plain `due` command line, or None for anything else."""
    args = DueArgs()
    rest = _globals(argv, args)
    if not rest or rest.pop(0) != "due":
        return None
    while rest:
        word = rest.pop(0)
        name, eq, value = word.partition("=")
        if word == "--json":
            args.as_json = True
        elif name in ("--deck", "-d") and (eq or rest):
            args.decks.append(value if eq else rest.pop(0))
        else:
            return None
    return args


def fast_due(args: DueArgs) -> str | None:
    """The output of `quiz due` for these arguments, or None to take the full path."""
    import json
    import os

    from quiz.clock import now_utc
    from quiz.store.fast import FastStore, sqlite_file

    if os.environ.get("QUIZ_DEBUG"):
        return None
    path = sqlite_file(args.db)
    if path is None:
        return None
    learner = args.learner or os.environ.get("QUIZ_LEARNER")
    if not learner:
        from quiz.store.fast import default_learner

        learner = default_learner()
    try:
        now = now_utc()
    except Exception:  # a bad QUIZ_NOW (a QuizError; not imported here: it costs dataclasses)
        return None  # the full path words the error
    if not _config_accepted():
        return None  # the full path words the error
    store = FastStore.open(path, learner)
    if store is None:
        return None
    try:
        decks = tuple(args.decks)
        if not args.as_json:
            return str(store.due_total(now, decks))
        counts = [c for c in store.due_counts(now) if not decks or c.deck in decks]
        return json.dumps(
            {
                "due": sum(c.due for c in counts),
                "new": sum(c.new for c in counts),
                "decks": {
                    c.deck: {"due": c.due, "new": c.new, "learning": c.learning} for c in counts
                },
            }
        )
    except Exception:  # a locked or damaged store: the full path reports it properly
        return None
    finally:
        store.close()


def _config_accepted() -> bool:
    """`quiz due` uses no setting, but a config.toml that every other command refuses is
    refused here too (issue #18). Only an existing file costs the import of quiz.config."""
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


def parse_import(argv: list[str]) -> tuple[DueArgs, list[str]] | None:
    """(globals, paths) of a plain `import PATH...` (deck files or folders only), else None."""
    args = DueArgs()
    rest = _globals(argv, args)
    if not rest or rest.pop(0) != "import" or not rest:
        return None
    if any(
        p.startswith("-") or (not p.lower().endswith((".yaml", ".yml")) and not os.path.isdir(p))
        for p in rest
    ):
        return None  # options, tables to convert, typos: the full command
    return args, rest


def fast_import(args: DueArgs, paths: list[str]) -> str | None:
    """The output of re-importing unchanged deck files, or None when anything may change."""
    import hashlib
    from pathlib import Path

    from quiz.errors import QuizError
    from quiz.store.fast import FastStore, sqlite_file

    if os.environ.get("QUIZ_DEBUG"):
        return None
    path = sqlite_file(args.db)
    if path is None:
        return None
    try:
        from quiz.deck.loader import find_deck_files

        files = find_deck_files(paths)
    except QuizError:
        return None  # a missing path: the full command reports it
    store = FastStore.open(path, args.learner or os.environ.get("QUIZ_LEARNER") or _learner())
    if store is None:
        return None
    try:
        stored = store.deck_files()
    except Exception:
        return None
    finally:
        store.close()
    decks = []
    for file in files:
        known = stored.get(str(Path(file).resolve()))
        try:
            if known is None or hashlib.sha256(Path(file).read_bytes()).hexdigest() != known[1]:
                return None
        except OSError:
            return None
        decks.append(known[0])
    lines = [f"{deck}: unchanged (file not modified)" for deck in sorted(decks)] + [
        "nothing changed"
    ]
    if len(set(decks)) != len(decks) or any(len(line) >= 80 for line in lines):
        return None  # duplicates to report, or lines the console would wrap: the full command
    return "\n".join(lines)


DIRECT = ("review", "stats")  # the daily habits, called without click's parsing when bare


def parse_bare(argv: list[str]) -> tuple[DueArgs, str] | None:
    """(global options, command) of a bare `quiz review` or `quiz stats`, else None."""
    args = DueArgs()
    rest = _globals(argv, args)
    return (args, rest[0]) if rest is not None and len(rest) == 1 and rest[0] in DIRECT else None


def direct(args: DueArgs, name: str) -> None:
    """A bare `quiz review` / `quiz stats` with their defaults, called without click's
    parsing (same function, same error boundary; only typer's parameter machinery,
    which loads pydantic, is skipped)."""
    from quiz.cli.app import run_direct

    if name == "review":
        from quiz.cli.review import review

        run_direct(
            review,
            db=args.db,
            learner=args.learner,
            deck=None,
            tag=None,
            limit=None,
            new=None,
            lang=None,
        )
    else:
        from quiz.cli.progress import stats

        run_direct(
            stats,
            db=args.db,
            learner=args.learner,
            deck=None,
            since=None,
            as_json=False,
            export=None,
            lang=None,
        )


def _learner() -> str:
    from quiz.store.fast import default_learner

    return default_learner()


def main() -> None:
    """Console-script entry point."""
    argv = sys.argv[1:]
    output: str | None = None
    args = parse_due(argv)
    if args is not None:
        output = fast_due(args)
    else:
        parsed = parse_import(argv)
        if parsed is not None:
            output = fast_import(*parsed)
    if output is not None:
        try:
            sys.stdout.write(output + "\n")
            sys.stdout.flush()
        except BrokenPipeError:
            pass
        return
    bare = parse_bare(argv)
    if bare is not None:
        direct(*bare)
        return
    from quiz.cli import run_full

    run_full()
