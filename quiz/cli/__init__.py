"""The command line. `main` is the console-script entry point; `app` the typer app with
every command registered (tests drive it through CliRunner).

Importing this package costs nothing: `main` lets `quiz.cli.lean` answer the command
lines it owns (`quiz due`, an unchanged re-import, a bare `quiz review`/`quiz stats`)
through the same functions the typer commands call, and loads typer only for the rest.
`app` is loaded on first access (PEP 562).
"""

from __future__ import annotations

TYPE_CHECKING = False  # `typing` is not imported at run time (the lean path skips it)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["app", "main", "run_full"]


def _full_app() -> Any:
    from quiz.cli import commands  # noqa: F401  (declares every command)
    from quiz.cli.base import typer_app

    return typer_app()


def run_full() -> None:
    """Run the typer app on sys.argv (the full path: every command, help, errors)."""
    _full_app()
    from quiz.cli.base import main as app_main

    app_main()


def main() -> None:
    """Console-script entry point: the lean path when it applies, else the full app."""
    from quiz.cli.lean import main as lean_main

    lean_main()


def __getattr__(name: str) -> Any:
    if name == "app":
        return _full_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
