"""The consoles everything is printed to; tests swap in fixed-width in-memory ones."""

from __future__ import annotations

from rich.console import Console

_out: Console | None = None
_err: Console | None = None


def out() -> Console:
    global _out
    if _out is None:
        _out = Console(highlight=False)
    return _out


def err() -> Console:
    global _err
    if _err is None:
        _err = Console(stderr=True, highlight=False)
    return _err


def use(out_console: Console | None = None, err_console: Console | None = None) -> None:
    """Point rendering at other consoles (tests: `Console(file=io.StringIO(), width=80)`)."""
    global _out, _err
    _out, _err = out_console, err_console
