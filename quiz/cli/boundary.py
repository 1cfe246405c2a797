"""The error boundary of every command line, and how commands write their lines.

Kept apart from typer (quiz.cli.base builds the typer app): the command lines that
quiz.cli.lean runs directly go through this boundary without loading typer. Errors
reach the user as one line on stderr; a traceback only with `--debug`.
"""

from __future__ import annotations

import contextlib
import os
import sys

from quiz.errors import QuizError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any


class Globals:
    """The global options (`--db`, `--learner`, `--debug`) as the command line gave them."""

    def __init__(self) -> None:
        self.db: str | None = None
        self.debug = False
        self.learner: str | None = None


GLOBALS = Globals()


class Exit(SystemExit):
    """Leave the command with this exit code (its message already written). A
    SystemExit: the process exits with the code whether the command was called through
    typer (click lets it through), directly, or under click's CliRunner."""

    def __init__(self, code: int = 0) -> None:
        super().__init__(code)
        self.exit_code = code


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


def echo(message: object = "", err: bool = False) -> None:
    """A line on stdout (stderr with `err`), as typer.echo writes it. Plain text is
    written as it is; a line with an escape sequence, or one the stream's encoding
    cannot hold, is left to typer.echo (click strips escape sequences outside a
    terminal and re-encodes for a misconfigured stream), whose rules these are."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    text = f"{message}\n"
    if "\x1b" not in text:
        try:
            stream.write(text)
        except UnicodeEncodeError:
            pass
        else:
            stream.flush()
            return
    import typer

    typer.echo(message, err=err)


def echo_line(line: str, err: bool = False) -> None:
    """One line of plain output, terminal-safe: a value a message echoes from a deck
    (an unknown key, a bad id, a path) can neither send escape sequences nor break the line."""
    echo_lines([line], err=err)


def echo_lines(lines: list[str], err: bool = False) -> None:
    """Lines as `echo_line` prints each, in one write (a big deck's thousands of
    warnings cost as much as one line each did)."""
    from quiz.safe_text import one_line

    if lines:
        echo("\n".join(one_line(line) for line in lines), err=err)


def fail(message: str, code: int = 1) -> Exit:
    """Print one error line on stderr and return the Exit to raise."""
    echo_line(f"quiz: {message}", err=True)
    return Exit(code)


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
        raise Exit(exc.exit_code) from None
    except BrokenPipeError:
        raise
    except OSError as exc:
        if GLOBALS.debug:
            raise
        echo_line(f"quiz: {os_problem(exc)}", err=True)
        raise Exit(1) from None


def boundary(run: Callable[[], Any]) -> None:
    """The error boundary of every command line: a QuizError is one line and its exit
    code, Ctrl-C exits 130, a closed pipe 0, a bug one line and 70 (tracebacks only
    with --debug). An Exit (or typer's, from the app) leaves with its code."""
    try:
        run()
    except QuizError as exc:
        if GLOBALS.debug:
            raise
        report(exc)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        echo("quiz: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as exc:  # raised before any command ran (the fast path, the app's import)
        if GLOBALS.debug:
            raise
        echo_line(f"quiz: {os_problem(exc)}", err=True)
        sys.exit(1)
    except Exception as exc:  # a bug: one line, never a traceback by default
        if _is_typer_exit(exc):  # typer.Exit (a RuntimeError) from the app's own options
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]  # click's Exit has one
        if GLOBALS.debug:
            raise
        echo_line(
            f"quiz: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
            err=True,
        )
        sys.exit(70)


def _is_typer_exit(exc: BaseException) -> bool:
    typer = sys.modules.get("typer")
    return typer is not None and isinstance(exc, typer.Exit)


def run_direct(
    fn: Callable[..., Any], *, db: str | None, learner: str | None, **options: Any
) -> None:
    """Run a command function with these options without typer (quiz.cli.lean's plain
    command lines), with the global options the callback would set and the same error
    boundary."""
    GLOBALS.db = db if db is not None else os.environ.get("QUIZ_DB") or None
    GLOBALS.learner = learner if learner is not None else os.environ.get("QUIZ_LEARNER") or None
    GLOBALS.debug = bool(os.environ.get("QUIZ_DEBUG"))
    configure_logging(GLOBALS.debug)
    boundary(lambda: fn(**options))
