"""The typer application, built from the commands' declarations, and its global options.

Commands live in sibling modules (one per group) and declare themselves through
quiz.cli.declare, which needs no typer; `typer_app` turns those declarations into the
typer app on first use (help, error wording, every command line quiz.cli.lean does not
run directly). Every command is thin: parse, open one unit of work, call one function,
render, map errors to exit codes (quiz.cli.boundary).
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable
from typing import Any

import typer

from quiz.cli.boundary import GLOBALS, boundary, configure_logging, errors_as_exit
from quiz.cli.declare import ROOT, Group, Param


def _version(value: bool) -> None:
    if value:
        from quiz import __version__

        typer.echo(f"quiz {__version__}")
        raise typer.Exit(0)


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


@functools.cache
def typer_app() -> typer.Typer:
    """The typer app of every command declared so far (quiz.cli imports them all first)."""
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
    app.callback()(_global_options)
    _add_entries(app, ROOT)
    return app


def _add_entries(app: typer.Typer, group: Group) -> None:
    for entry in group.entries:
        if entry[0] == "group":
            sub: Group = entry[1]
            sub_app = typer.Typer(name=sub.name, **sub.settings)  # type: ignore[arg-type]  # typer.Typer's own keywords, as declared
            if sub.callback_fn is not None:
                sub_app.callback()(_as_typer(sub.callback_fn))
            _add_entries(sub_app, sub)
            app.add_typer(sub_app, name=sub.name)
        else:
            _kind, name, fn, settings = entry
            app.command(name, **settings)(_guarded(fn))


def _as_typer(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` with its declared parameters as typer's (the function itself is unchanged)."""

    @functools.wraps(fn)
    def call(*args: Any, **kw: Any) -> Any:
        return fn(*args, **kw)

    _present(call, _typer_signature(fn))
    return call


def _guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A command as typer runs it: the global options accepted after the command too
    (`quiz review --learner ann`, as users type them), and its QuizErrors one line on
    stderr and an exit code, the same mapping under CliRunner as from the console script."""

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

    sig = _typer_signature(fn)
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
    _present(guarded, sig.replace(parameters=[*sig.parameters.values(), *extra]))
    return guarded


def _typer_signature(fn: Callable[..., Any]) -> inspect.Signature:
    """`fn`'s signature with its annotations evaluated (a `typer.Context` among them) and
    each declared parameter as the typer.Option or typer.Argument it declares."""
    sig = inspect.signature(fn, eval_str=True, locals={"typer": typer})
    params = []
    for p in sig.parameters.values():
        d = p.default
        if isinstance(d, Param):
            made = (
                typer.Argument(d.default, **d.settings)  # type: ignore[arg-type]  # typer's own keywords, as declared
                if d.argument
                else typer.Option(d.default, *d.decls, **d.settings)  # type: ignore[arg-type]  # the same
            )
            p = p.replace(default=made)
        params.append(p)
    return sig.replace(parameters=params)


def _present(fn: Callable[..., Any], sig: inspect.Signature) -> None:
    """Show typer `sig`: it reads the parameters from the signature and their types
    through typing.get_type_hints, which would evaluate the declared annotations' text
    in a module that never imports typer."""
    fn.__signature__ = sig  # type: ignore[attr-defined]  # read by typer
    fn.__annotations__ = {
        p.name: p.annotation for p in sig.parameters.values() if p.annotation is not p.empty
    }


def main() -> None:
    """Console-script entry point: run the app; whatever escapes a command is one line."""
    app = typer_app()
    boundary(lambda: app(prog_name="quiz"))
