"""The command line. `main` is the console-script entry point; `app` the typer app with
every command registered (tests drive it through CliRunner).

Importing this package costs nothing: `main` first tries the fast path
(quiz/cli/fast.py: `quiz due` through sqlite3), and only then loads typer and the
command modules. `app` is loaded on first access. It is a property of this package's
module class rather than a plain attribute because the submodule `quiz.cli.app` has
the same name: importing that submodule would otherwise overwrite the attribute with
the module, and `from quiz.cli import app` would hand out the module.
"""

from __future__ import annotations

import sys
import types

TYPE_CHECKING = False  # the `typing` module is not imported at run time (the fast path skips it)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["app", "main", "run_full"]


def _full_app() -> Any:
    from quiz.cli import commands  # noqa: F401  (registers every command)
    from quiz.cli.app import app as typer_app

    return typer_app


def run_full() -> None:
    """Run the typer app on sys.argv (the full path: every command, help, errors)."""
    _full_app()
    from quiz.cli.app import main as app_main

    app_main()


def main() -> None:
    """Console-script entry point: the fast path when it applies, else the full app."""
    from quiz.cli.fast import main as fast_main

    fast_main()


class _Package(types.ModuleType):
    @property
    def app(self) -> Any:
        return _full_app()

    @app.setter
    def app(self, _module: Any) -> None:
        """The import system records the submodule `quiz.cli.app` here; it stays in sys.modules."""


sys.modules[__name__].__class__ = _Package
