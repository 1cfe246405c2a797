"""The command line. `main` is the console-script entry point; `app` the typer app
with every command registered (tests drive it through CliRunner)."""

from quiz.cli.app import app, main
from quiz.cli import commands  # noqa: F401,E402  (registers every command)

__all__ = ["app", "main"]
