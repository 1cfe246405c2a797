"""The typer application, its global options, and the error boundary.

Commands live in sibling modules (one per group) and register themselves on `app`.
Every command is thin: parse, open one unit of work, call one function, render,
map errors to exit codes. Errors reach the user as one line on stderr; a traceback
only with `--debug`.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import typer

from quiz.errors import QuizError

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="quiz",
    help=(
        "Flashcards and predict-the-output drills for Python learners.\n\n"
        "Example: quiz import decks/ && quiz review"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class Globals:
    db: str | None = None
    debug: bool = False
    learner: str | None = None


GLOBALS = Globals()


@app.callback()
def _global_options(
    db: str | None = typer.Option(
        None,
        "--db",
        envvar="QUIZ_DB",
        help="Store: a file path or a SQLAlchemy URL (default: the user data dir).",
    ),
    learner: str | None = typer.Option(
        None,
        "--learner",
        envvar="QUIZ_LEARNER",
        help="Whose progress to read and write (default: your OS user name).",
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        from quiz import __version__

        typer.echo(f"quiz {__version__}")
        raise typer.Exit(0)
    GLOBALS.db = db
    GLOBALS.debug = debug or bool(os.environ.get("QUIZ_DEBUG"))
    GLOBALS.learner = learner


def echo_line(line: str, err: bool = False) -> None:
    """One line of plain output, terminal-safe: a value a message echoes from a deck
    (an unknown key, a bad id, a path) can neither send escape sequences nor break the line."""
    from quiz.safe_text import one_line

    typer.echo(one_line(line), err=err)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one error line on stderr and return the Exit to raise."""
    echo_line(f"quiz: {message}", err=True)
    return typer.Exit(code)


def report(exc: QuizError) -> None:
    """Print a QuizError the way users see every error: deck problems as
    `path:line: message`, anything else as `quiz: message`."""
    from quiz.errors import DeckError

    for line in exc.lines():
        echo_line(line if isinstance(exc, DeckError) else f"quiz: {line}", err=True)


def os_problem(exc: OSError) -> str:
    """An OSError that no command turned into its own message (a file name too long for
    the file system, a permission, a full disk): what failed and on which file, one line."""
    from quiz.safe_text import shown

    where = exc.filename if isinstance(exc.filename, str) else None
    what = exc.strerror or type(exc).__name__
    return f"{shown(where, 80)}: {what}" if where else f"{what}"


def command(
    name: str | None = None, *, group: typer.Typer = app, **kwargs: Any
) -> Callable[[F], F]:
    """Register a command whose QuizErrors become one line on stderr and an exit code.

    Used instead of `@app.command()` so the same mapping holds under `CliRunner`
    as from the console script.
    """

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def guarded(*args: Any, **kw: Any) -> Any:
            try:
                return fn(*args, **kw)
            except QuizError as exc:
                if GLOBALS.debug:
                    raise
                report(exc)
                raise typer.Exit(exc.exit_code) from None
            except BrokenPipeError:
                raise
            except OSError as exc:
                if GLOBALS.debug:
                    raise
                echo_line(f"quiz: {os_problem(exc)}", err=True)
                raise typer.Exit(1) from None

        group.command(name, **kwargs)(guarded)
        return fn

    return decorate


def main() -> None:
    """Console-script entry point: run the app; whatever escapes a command is one line."""
    boundary(lambda: app(prog_name="quiz"))


def boundary(run: Callable[[], Any]) -> None:
    """The error boundary of every command line: a QuizError is one line and its exit
    code, Ctrl-C exits 130, a closed pipe 0, a bug one line and 70 (tracebacks only
    with --debug)."""
    try:
        run()
    except QuizError as exc:
        if GLOBALS.debug:
            raise
        report(exc)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:  # raised by a command called directly (run_direct), not through click
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("quiz: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as exc:  # raised before any command ran (the fast path, the app's import)
        if GLOBALS.debug:
            raise
        echo_line(f"quiz: {os_problem(exc)}", err=True)
        sys.exit(1)
    except Exception as exc:  # a bug: one line, never a traceback by default
        if GLOBALS.debug:
            raise
        echo_line(
            f"quiz: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
            err=True,
        )
        sys.exit(70)


def run_direct(
    fn: Callable[..., Any], *, db: str | None, learner: str | None, **options: Any
) -> None:
    """Run a command function with these options without click's parsing (the fast
    path's `quiz review`: typer's parameter coercion loads pydantic, ~55 ms), with the
    global options the callback would set and the same error boundary."""
    GLOBALS.db = db if db is not None else os.environ.get("QUIZ_DB") or None
    GLOBALS.learner = learner if learner is not None else os.environ.get("QUIZ_LEARNER") or None
    GLOBALS.debug = bool(os.environ.get("QUIZ_DEBUG"))
    boundary(lambda: fn(**options))
