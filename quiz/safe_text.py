"""Make untrusted text inert for a terminal: what a snippet prints is shown, never obeyed.

A shared deck's snippet may print ANSI/OSC escape sequences (clear the screen, set
the window title, write a fake prompt, hyperlink to anywhere) or bidi overrides
that make code read differently than it runs (CVE-2021-42574, "Trojan Source").
Every C0/C1 control character except newline and tab, DEL, and the Unicode bidi
and invisible format characters are replaced by their visible escape (`\\x1b`,
`\\u202e`), so the learner sees exactly what was printed. Pure: no terminal here.
"""

from __future__ import annotations

import unicodedata

_BIDI_AND_INVISIBLE = frozenset(
    [0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, 0x2060, 0xFEFF]
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
)
_KEEP = frozenset("\n\t")


def _unsafe(ch: str) -> bool:
    code = ord(ch)
    if ch in _KEEP:
        return False
    if code < 0x20 or code == 0x7F or 0x80 <= code <= 0x9F:
        return True
    if code in _BIDI_AND_INVISIBLE:
        return True
    return unicodedata.category(ch) in ("Cc", "Cs", "Co") or (
        unicodedata.category(ch) == "Cf" and code > 0xFF
    )


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def escape(text: str) -> str:
    """`text` with every control/bidi/invisible character shown as an escape.

    A carriage return is escaped too (it could overwrite a line on screen); callers
    that want CRLF output shown as lines normalise it first (grading does).
    """
    if text.isascii() and text.isprintable():
        return text
    return "".join(_escape_char(ch) if _unsafe(ch) else ch for ch in text)


def is_safe(text: str) -> bool:
    return not any(_unsafe(ch) for ch in text)
