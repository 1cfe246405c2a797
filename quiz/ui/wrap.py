"""Where a line of mixed Chinese and Latin text may break, for every text rich wraps.

Rich breaks lines only at spaces (`rich._wrap.divide_line` reads a run without spaces
as one word), so a Chinese sentence with a Latin word in it ("里 create_task 创建的任务…")
is one long "word": rich moves it whole to the next line, leaving the line before half
empty, and then chops it at the width wherever that falls. Chinese has no spaces: a line
may break between any two ideographs, and between an ideograph and a Latin word, but
not before closing punctuation ("，", "。", "）") nor after opening punctuation ("（", "“").

`divide_line` is rich's function with those break opportunities added (a Latin word is
still never broken unless it is longer than the line). `install()` puts it in place of
rich's for every Text (Markdown paragraphs, panels, tables): rich looks the function up
in `rich.text` when it wraps, and offers no other hook. Text with no wide character is
handed to rich's own function unchanged, so English wraps exactly as before.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache

from rich import _wrap
from rich.cells import cell_len, chop_cells

log = logging.getLogger("quiz.ui.wrap")

# No line starts with these (closing punctuation, small kana, the iteration mark)...
NO_BREAK_BEFORE = frozenset(
    "，。、；：？！）］｝】」』》〉〕〗〙〛”’…‥—～·・ー々〻ゝゞヽヾ"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
    "％，．：；？！)]}>,.;:?!%"
)
# ...and none ends with these (opening punctuation).
NO_BREAK_AFTER = frozenset("（［｛【「『《〈〔〖〘〚“‘([{<")
# Anything below this code point is never wide: the fast path's test.
_WIDE_START = "\u1100"
_ANY_WIDE = re.compile(f"[{_WIDE_START}-\U0010ffff]")

_rich_divide_line: Callable[[str, int, bool], list[int]] = _wrap.divide_line


@lru_cache(maxsize=4096)
def _wide(char: str) -> bool:
    """A character that is two cells wide (CJK ideographs, kana, hangul, fullwidth
    forms): lines may break on either side of it."""
    return char >= _WIDE_START and unicodedata.east_asian_width(char) in ("W", "F")


def may_break_before(text: str, index: int) -> bool:
    """Whether a line may start at `text[index]` (0 < index < len(text))."""
    before, char = text[index - 1], text[index]
    if char.isspace():
        return False  # spaces stay at the end of the line they follow
    if before.isspace():
        return True
    if char in NO_BREAK_BEFORE or before in NO_BREAK_AFTER:
        return False
    return _wide(before) or _wide(char)


def units(text: str) -> Iterator[tuple[int, str]]:
    """The pieces of `text` that stay on one line, each with its start: a Latin word,
    one ideograph (with the punctuation that must not be parted from it), and the spaces
    after either."""
    start = 0
    for index in range(1, len(text)):
        if may_break_before(text, index):
            yield start, text[start:index]
            start = index
    if text:
        yield start, text[start:]


def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    """The offsets to break `text` at to fit `width` cells (rich's contract)."""
    if not _ANY_WIDE.search(text):
        return _rich_divide_line(text, width, fold)
    breaks: list[int] = []
    offset = 0  # cells used on the current line
    for start, unit in units(text):
        length = cell_len(unit.rstrip())
        if width - offset >= length:
            offset += cell_len(unit)
            continue
        if length > width:  # longer than a whole line: folded (or cropped) as rich does
            if fold:
                pieces = [piece for piece in chop_cells(unit, width) if piece]
                for number, piece in enumerate(pieces):
                    if start and (offset or number) and start not in breaks[-1:]:
                        breaks.append(start)
                    start += len(piece)
                offset = cell_len(pieces[-1]) if pieces else 0
            else:
                if start and offset:
                    breaks.append(start)
                offset = cell_len(unit)
        elif offset and start:
            breaks.append(start)
            offset = cell_len(unit)
    return breaks


def install() -> None:
    """Make every rich Text wrap through `divide_line` (idempotent)."""
    import rich.text

    if rich.text.divide_line is not divide_line:
        rich.text.divide_line = divide_line  # rich offers no wrap hook; same signature
        log.debug("rich's line breaking replaced by quiz.ui.wrap.divide_line (CJK)")
