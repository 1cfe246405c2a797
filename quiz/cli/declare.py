"""Commands, their groups and their parameters, declared without importing typer.

Typer builds the whole app — click, its parsing, pydantic adapters — before it can run
one command, and every command module used to import it just to declare its options.
So the modules declare here instead: `Option` and `Argument` take typer's own arguments
and keep them as values, `command` and `group` record what goes where, in order. Two
readers use the same declarations: `quiz.cli.base.typer_app` builds the typer app from
them (help, errors, every unusual command line), and `quiz.cli.lean.bind` binds a plain
command line from them directly, so the common command lines never load typer.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    F = TypeVar("F", bound=Callable[..., Any])


# The bound of every count a command line takes (--limit, --count, --lapses, ...): more
# than any session or listing needs, less than SQL's integers, so that a huge number is a
# usage error rather than a driver's overflow.
MAX_COUNT = 1_000_000
# --jobs: more parallel runs than any machine this runs on has cores
MAX_JOBS = 256


class Param:
    """One parameter's typer declaration, kept: `Option(None, "--deck", "-d", help=...)`
    is `typer.Option(None, "--deck", "-d", help=...)` once the typer app is built.
    (A plain class with slots: `dataclasses` costs the lean path its import.)"""

    __slots__ = ("argument", "decls", "default", "settings")

    def __init__(
        self, argument: bool, default: object, decls: tuple[str, ...], settings: dict[str, object]
    ) -> None:
        self.argument = argument
        self.default = default
        self.decls = decls
        self.settings = settings

    def __repr__(self) -> str:
        what = "Argument" if self.argument else "Option"
        return f"{what}({self.default!r}, {', '.join(map(repr, self.decls))}, {self.settings!r})"


def Option(default: Any = ..., *decls: str, **settings: Any) -> Any:
    """An option, declared as `typer.Option` declares it."""
    return Param(False, default, decls, settings)


def Argument(default: Any = ..., **settings: Any) -> Any:
    """An argument, declared as `typer.Argument` declares it."""
    return Param(True, default, (), settings)


class Group:
    """`quiz` itself or a command group (`quiz cards ...`): what typer.Typer is given,
    its callback, and its commands and subgroups in the order `--help` lists them."""

    __slots__ = ("callback_fn", "entries", "name", "settings")

    def __init__(self, name: str, settings: dict[str, object]) -> None:
        self.name = name
        self.settings = settings
        self.callback_fn: Callable[..., Any] | None = None
        # ("command", name, function, typer's command settings) or ("group", Group)
        self.entries: list[tuple[Any, ...]] = []

    def callback(self) -> Callable[[F], F]:
        """The group's callback, as `@typer_app.callback()` declares it."""

        def record(fn: F) -> F:
            self.callback_fn = fn
            return fn

        return record


ROOT = Group("quiz", {})


def group(name: str, *, parent: Group = ROOT, **settings: Any) -> Group:
    """A command group under `parent` (`quiz NAME COMMAND`), as typer.Typer(...) and
    add_typer declare one."""
    made = Group(name, settings)
    parent.entries.append(("group", made))
    return made


def command(name: str | None = None, *, group: Group = ROOT, **settings: Any) -> Callable[[F], F]:
    """A command of `group`. Its QuizErrors become one line on stderr and an exit code
    (quiz.cli.base wraps it so when it builds the app), and `--db`/`--learner` are
    accepted after the command too. The function itself is returned as it is."""

    def record(fn: F) -> F:
        group.entries.append(("command", name, fn, settings))
        return fn

    return record
