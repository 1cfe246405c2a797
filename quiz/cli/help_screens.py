"""Help screens, written once and kept: `quiz --help` and `quiz CMD --help` without typer.

A help screen is the typer app's text for one command line, and building it means
importing typer, click and every command module — several times the cost of starting
Python — to print text that changes only when quiz or those libraries change. So the
first time a plain help line (command words, then `--help` or `-h`) is asked for, the
full app prints it as always and the text it printed is kept in the user cache dir;
later the kept text is printed as it is.

A kept text is found by a key of everything the text depends on: the command line, the
code that writes it (every module of the quiz package, typer, click and rich, by size
and modification time: an upgrade or an edit changes them), the Python version, and
what click reads to lay text out (the terminal's size as `shutil.get_terminal_size`
reads it, the stream's encoding, whether it is a terminal, the terminal's environment
variables). Anything else — another option on the line, a failed command,
an unreadable or unwritable cache — is simply the full app, as before.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import TracebackType
    from typing import TextIO

HELP = ("--help", "-h")
# the libraries whose text or layout is in a help screen
LIBRARIES = ("typer", "click", "rich")
_ENVIRONMENT = ("COLUMNS", "LINES", "TERM", "NO_COLOR", "FORCE_COLOR", "LANG", "LC_ALL")
_SEP = "\x1f"


def wanted(argv: list[str]) -> bool:
    """Is this command line a plain help screen (command words, then the help option)?"""
    return (
        bool(argv)
        and argv[-1] in HELP
        and all(word and not word.startswith("-") for word in argv[:-1])
    )


def serve(argv: list[str]) -> bool:
    """Print the kept help screen of this command line, if there is one (True then)."""
    if not wanted(argv) or os.environ.get("QUIZ_DEBUG"):
        return False
    try:
        with open(_path(argv), encoding="utf-8", newline="") as kept:
            text = kept.read()
    except (OSError, ValueError):
        return False
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    return True


class Keeping:
    """Around the full app: for a help command line, what it prints to stdout is also
    written to the cache when it ends well (exit status 0)."""

    def __init__(self, argv: list[str]) -> None:
        self.argv = argv
        self.tee: _Tee | None = None
        self.path = ""

    def __enter__(self) -> Keeping:
        if wanted(self.argv) and not os.environ.get("QUIZ_DEBUG"):
            self.path = _path(self.argv)  # the key as it is now, before the app runs
            self.tee = _Tee(sys.stdout)
            sys.stdout = self.tee  # writes through to the stream
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.tee is None:
            return
        sys.stdout = self.tee.stream
        ended_well = kind is None or (
            issubclass(kind, SystemExit) and getattr(error, "code", None) in (0, None)
        )
        if ended_well and self.tee.kept and self.tee.parts:
            _keep(self.path, "".join(self.tee.parts))


class _Tee:
    """A text stream that writes through and remembers what it wrote."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.parts: list[str] = []
        self.kept = True  # False once something not text went through

    def write(self, text: str | bytes) -> int:
        if isinstance(text, str):
            self.parts.append(text)
        elif text:  # bytes: not kept (click probes a stream with an empty write)
            self.kept = False
        return self.stream.write(text)  # type: ignore[arg-type]  # click probes with bytes

    def __getattr__(self, name: str) -> object:
        return getattr(self.stream, name)


def _keep(path: str, text: str) -> None:
    import logging

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        partial = f"{path}.{os.getpid()}"
        with open(partial, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(partial, path)
    except OSError as exc:
        logging.getLogger(__name__).debug("help screen not kept: %s", exc)
        return
    logging.getLogger(__name__).debug("help screen kept at %s", path)


def _path(argv: list[str]) -> str:
    from hashlib import sha256

    from platformdirs import user_cache_dir

    digest = sha256(_key(argv).encode("utf-8", "surrogateescape")).hexdigest()
    return os.path.join(user_cache_dir("quiz", appauthor=False), "help", digest[:32] + ".txt")


def _key(argv: list[str]) -> str:
    parts = [*argv, sys.version, *_code(), *_layout()]
    return _SEP.join(parts)


def _code() -> list[str]:
    """Size and modification time of every module that writes a help screen."""
    import quiz

    seen = []
    for root in [os.path.dirname(quiz.__file__), *_library_dirs()]:
        for folder, _dirs, files in os.walk(root):
            for name in sorted(files):
                if name.endswith(".py"):
                    stat = os.stat(os.path.join(folder, name))
                    seen.append(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return seen


def _library_dirs() -> list[str]:
    """Where typer, click and rich would be imported from (found without importing them:
    the first folder on sys.path that has the package, as the import system looks)."""
    found = []
    for name in LIBRARIES:
        for entry in sys.path:
            folder = os.path.join(entry or os.getcwd(), name)
            if os.path.isfile(os.path.join(folder, "__init__.py")):
                found.append(folder)
                break
    return found


def _layout() -> list[str]:
    """What the help text's layout is read from."""
    try:
        size = os.get_terminal_size(sys.__stdout__.fileno())  # type: ignore[union-attr]
        terminal = f"{size.columns}x{size.lines}"
    except (AttributeError, ValueError, OSError):
        terminal = "-"
    try:
        tty = str(sys.stdout.isatty())
    except (AttributeError, ValueError):
        tty = "-"
    names = sorted(n for n in _ENVIRONMENT if n in os.environ)
    return [
        terminal,
        tty,
        str(getattr(sys.stdout, "encoding", None)),
        *(f"{n}={os.environ[n]}" for n in names),
    ]
