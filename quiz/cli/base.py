"""The typer application, its global options, and the error boundary.

Commands live in sibling modules (one per group) and register themselves on `app`.
Every command is thin: parse, open one unit of work, call one function, render,
map errors to exit codes. Errors reach the user as one line on stderr; a traceback
only with `--debug`.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import sys
from collections.abc import Callable, Iterator
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
    add_completion=True,
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


def _version(value: bool) -> None:
    if value:
        from quiz import __version__

        typer.echo(f"quiz {__version__}")
        raise typer.Exit(0)


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
    debug: bool = typer.Option(
        False, "--debug", help="Show tracebacks for errors, and what quiz decides on its own."
    ),
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", is_eager=True, callback=_version
    ),
) -> None:
    GLOBALS.db = db
    GLOBALS.debug = debug or bool(os.environ.get("QUIZ_DEBUG"))
    GLOBALS.learner = learner
    configure_logging(GLOBALS.debug)


class _CurrentStderr:
    """Whatever `sys.stderr` is when a line is logged (CliRunner swaps it per command)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        try:
            sys.stderr.flush()
        except ValueError:  # a closed capture of an earlier command
            pass


def configure_logging(debug: bool) -> None:
    """The `quiz` logger: with --debug (or QUIZ_DEBUG=1), every decision quiz takes on
    its own (a lean path declined, a write retried, a migration run, a fork server
    retired...) as one line on stderr; otherwise warnings only, and nothing from the
    libraries underneath (a driver's own warnings would duplicate quiz's one line)."""
    import logging

    root = logging.getLogger("quiz")
    if not root.handlers:
        handler = logging.StreamHandler(_CurrentStderr())
        handler.setFormatter(logging.Formatter("quiz: %(name)s: %(message)s"))
        root.addHandler(handler)
        root.propagate = False
    root.setLevel(logging.DEBUG if debug else logging.WARNING)


def echo_line(line: str, err: bool = False) -> None:
    """One line of plain output, terminal-safe: a value a message echoes from a deck
    (an unknown key, a bad id, a path) can neither send escape sequences nor break the line."""
    echo_lines([line], err=err)


def echo_lines(lines: list[str], err: bool = False) -> None:
    """Lines as `echo_line` prints each, in one write (a big deck's thousands of
    warnings cost as much as one line each did)."""
    from quiz.safe_text import one_line

    if lines:
        typer.echo("\n".join(one_line(line) for line in lines), err=err)


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


@contextlib.contextmanager
def errors_as_exit() -> Iterator[None]:
    """A QuizError inside becomes one line on stderr and its exit code (for commands, and
    for a group's callback that does work of its own, such as `quiz cards`)."""
    try:
        yield
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


def command(
    name: str | None = None, *, group: typer.Typer = app, **kwargs: Any
) -> Callable[[F], F]:
    """Register a command whose QuizErrors become one line on stderr and an exit code.

    Used instead of `@app.command()` so the same mapping holds under `CliRunner`
    as from the console script.
    """

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def guarded(
            *args: Any, global_db: str | None = None, global_learner: str | None = None, **kw: Any
        ) -> Any:
            if global_db is not None:
                GLOBALS.db = global_db
            if global_learner is not None:
                GLOBALS.learner = global_learner
            with errors_as_exit():
                return fn(*args, **kw)

        guarded.__signature__ = _with_global_options(fn)  # type: ignore[attr-defined]  # read by typer
        group.command(name, **kwargs)(guarded)
        return fn

    return decorate


def _with_global_options(fn: Callable[..., Any]) -> inspect.Signature:
    """`fn`'s signature plus `--db` and `--learner`, so that the global options are
    accepted after the command too (`quiz review --learner ann`), as users type them."""
    sig = inspect.signature(fn, eval_str=True)
    extra = [
        inspect.Parameter(
            "global_db",
            inspect.Parameter.KEYWORD_ONLY,
            default=typer.Option(None, "--db", help="Store (as before the command).", hidden=True),
            annotation=str | None,
        ),
        inspect.Parameter(
            "global_learner",
            inspect.Parameter.KEYWORD_ONLY,
            default=typer.Option(
                None, "--learner", help="Learner (as before the command).", hidden=True
            ),
            annotation=str | None,
        ),
    ]
    return sig.replace(parameters=[*sig.parameters.values(), *extra])


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
    path's `quiz review`: typer's parameter coercion loads pydantic), with the
    global options the callback would set and the same error boundary."""
    GLOBALS.db = db if db is not None else os.environ.get("QUIZ_DB") or None
    GLOBALS.learner = learner if learner is not None else os.environ.get("QUIZ_LEARNER") or None
    GLOBALS.debug = bool(os.environ.get("QUIZ_DEBUG"))
    configure_logging(GLOBALS.debug)
    boundary(lambda: fn(**options))
