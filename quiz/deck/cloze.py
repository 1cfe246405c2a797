"""Cloze deletions: `{{c1::answer}}` and `{{c1::answer::hint}}`, as in Anki.

One cloze note with deletions c1 and c2 becomes two cards; each card hides its own
deletions and shows the others as plain text. The loader uses `numbers` and `problems`;
the review screen uses `question`, `reveal` and `answers`, so the syntax lives in one
place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Non-greedy up to the first `}}`: an answer cannot contain `}}` (as in Anki). The
# number is ASCII digits, at most four of them: `\d` would take `c١` (int() reads
# Arabic-Indic digits), and a 5,000-digit number costs a quadratic int() and cannot be
# shown with str(). Anything else that opens like a deletion is reported as malformed.
MAX_DIGITS = 4
CLOZE_RE = re.compile(r"\{\{c([0-9]{1,4})::(.*?)(?:::(.*?))?\}\}", re.S)  # 4: MAX_DIGITS
_OPENING_RE = re.compile(r"\{\{c(\d*)(:{1,2})")

GAP = "[...]"


def numbers(text: str) -> list[int]:
    """The distinct deletion numbers in `text`, ascending."""
    return _numbers(CLOZE_RE.finditer(text))


def _numbers(matches: Iterable[re.Match[str]]) -> list[int]:
    return sorted({int(m.group(1)) for m in matches})


def problems(text: str) -> list[str]:
    """What is wrong with the deletions of one text (empty when it is well formed)."""
    return check(text)[0]


def check(text: str) -> tuple[list[str], list[int]]:
    """`problems` and `numbers` of one text, from one scan of it (the loader asks both
    of every cloze note)."""
    found: list[str] = []
    openings = list(_OPENING_RE.finditer(text))
    matches = list(CLOZE_RE.finditer(text))
    complete = {m.start() for m in matches}
    for opening in openings:
        if opening.start() in complete:
            continue
        if len(opening.group(1)) > MAX_DIGITS:
            found.append(f"cloze deletion number is too long (at most {MAX_DIGITS} digits)")
            continue
        snippet = text[opening.start() : opening.start() + 20]
        found.append(f"malformed cloze deletion {snippet!r} (write {{{{c1::answer}}}})")
    for m in matches:
        if int(m.group(1)) == 0:
            found.append("cloze deletions are numbered from c1 (found c0)")
        if not m.group(2).strip():
            found.append(f"cloze deletion c{m.group(1)} is empty")
    if not openings:
        found.append("cloze text has no deletions (mark them like {{c1::answer}})")
    return found, _numbers(matches)


def question(text: str, number: int) -> str:
    """The text with deletion `number` hidden (`[...]` or `[hint]`), the others shown."""

    def replace(m: re.Match[str]) -> str:
        if int(m.group(1)) == number:
            return f"[{m.group(3)}]" if m.group(3) else GAP
        return m.group(2)

    return CLOZE_RE.sub(replace, text)


def reveal(text: str) -> str:
    """The full text with every deletion shown (the card's back)."""
    return CLOZE_RE.sub(lambda m: m.group(2), text)


def answers(text: str, number: int) -> list[str]:
    """The hidden strings of deletion `number`, in order (what a typed answer is checked against)."""
    return [m.group(2) for m in CLOZE_RE.finditer(text) if int(m.group(1)) == number]
