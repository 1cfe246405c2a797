"""Catch a key that an over-indented line folded into the block scalar above it.

    front: |
      What does the GIL protect?
      back: the interpreter state      <- meant as a key, but it is part of `front`

Every YAML parser reads this the same way (the `back:` line is text), so the only trace
is a card without `back` whose `front` contains a line that looks like `back:`. We only
look for keys that the mapping is *missing* and that it may carry, which keeps false
alarms away from code like `answer: int = 5` in a card that already has its answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from quiz.deck.yaml_nodes import ScalarNode


def folded_key(
    value: ScalarNode, missing: Iterable[str], *, code: bool = False
) -> tuple[str, int] | None:
    """The first of `missing` that appears as a `key:` line inside a block scalar, and
    the line it is on (1-based), if any.

    For code we only accept an unindented line (a top-level `output: x` statement is
    rare; an indented one is an ordinary annotation or dict entry).
    """
    if value.style not in ("|", ">"):
        return None
    keys = tuple(missing)
    if not keys:
        return None
    found = _pattern(keys, code, value.style == ">").search(value.value)
    if found is None:
        return None
    line = value.start_mark.line + 1
    if value.style == "|":  # a literal block keeps its lines: one text line per source line
        line += 1 + value.value.count("\n", 0, found.start())
    return found.group(1), line


@lru_cache(maxsize=256)
def _pattern(keys: tuple[str, ...], code: bool, folded: bool) -> re.Pattern[str]:
    # A `>` block joins lines of equal indentation with a space: the key may follow one.
    start = "(?:^| )" if folded else "^" if code else r"^[ \t]*"
    alternatives = "|".join(re.escape(k) for k in keys)
    return re.compile(rf"{start}({alternatives})[ \t]*:([ \t]|$)", re.M)
