"""A count with its noun in the right number: "1 answer", "2 answers", "0 drills".

English only: the screens that use it are not in the message table (quiz.ui.i18n), whose
Chinese has no plural forms.
"""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None, *, grouped: bool = False) -> str:
    """`n` and the noun, plural unless `n` is 1 (`plural` where adding "s" is wrong;
    `grouped`: thousands separated by commas)."""
    number = f"{n:,}" if grouped else str(n)
    return f"{number} {noun if n == 1 else plural or noun + 's'}"
