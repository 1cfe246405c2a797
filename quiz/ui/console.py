"""The consoles everything is printed to; tests swap in fixed-width in-memory ones.

Every console handed out here renders deck text inert (quiz.ui.safe): a shared deck
cannot send escape sequences to the terminal through any screen.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from rich.console import Console

from quiz.ui.safe import guard

_out: Console | None = None
_err: Console | None = None


def out() -> Console:
    global _out
    if _out is None:
        _out = guard(Console(highlight=False))
    return _out


def err() -> Console:
    global _err
    if _err is None:
        _err = guard(Console(stderr=True, highlight=False))
    return _err


def use(out_console: Console | None = None, err_console: Console | None = None) -> None:
    """Point rendering at other consoles (tests: `Console(file=io.StringIO(), width=80)`)."""
    global _out, _err
    _out = guard(out_console) if out_console is not None else None
    _err = guard(err_console) if err_console is not None else None


def print_json(data: object) -> None:
    """Data as JSON on stdout: exact for a JSON reader, inert on a screen (C1 controls and
    bidi characters inside strings written as \\uXXXX; quiz.safe_text.json_text)."""
    import json

    from rich.text import Text

    from quiz.safe_text import json_text

    console = out()
    if not console.is_terminal:  # a pipe or a file: written as it is (rich's layout of a
        _write_json(data)  # large report costs more than computing it)
        return
    shown = json_text(json.dumps(data, ensure_ascii=False, indent=2))
    console.print(Text(shown), soft_wrap=True, markup=False, highlight=False)


def print_json_list(chunks: Iterable[Iterable[object]]) -> None:
    """The JSON list of these items, as `print_json` writes the list (its values: orjson
    writes a float's exponent its own way), a chunk at a time: a listing of every card of
    a large store is never held whole, and orjson encodes it where the standard library's
    encoder took most of the command's time."""
    import orjson
    from rich.text import Text

    from quiz.safe_text import json_text

    console = out()

    def write(piece: str) -> None:
        if console.is_terminal:
            console.print(
                Text(json_text(piece)), soft_wrap=True, markup=False, highlight=False, end=""
            )
        else:
            sys.stdout.write(json_text(piece))

    first = True
    write("[")
    for chunk in chunks:
        items = list(chunk)
        if not items:
            continue
        # the chunk as a list "[\n  {...},\n  {...}\n]", written without its brackets
        body = orjson.dumps(items, option=orjson.OPT_INDENT_2).decode()
        write(("" if first else ",") + body[1:-2])
        first = False
    write("]\n" if first else "\n]\n")
    if not console.is_terminal:
        sys.stdout.flush()


def _write_json(data: object, block_chars: int = 1 << 16) -> None:
    """`json.dumps(data, ensure_ascii=False, indent=2)` written in blocks as it is encoded:
    the indented encoder is Python's own, and joining its many small pieces into one
    text held every piece of a class's report at once."""
    import json

    from quiz.safe_text import json_text

    block: list[str] = []
    size = 0
    for piece in json.JSONEncoder(ensure_ascii=False, indent=2).iterencode(data):
        block.append(piece)
        size += len(piece)
        if size >= block_chars:
            sys.stdout.write(json_text("".join(block)))
            block, size = [], 0
    sys.stdout.write(json_text("".join(block)) + "\n")
    sys.stdout.flush()
