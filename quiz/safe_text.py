"""Make untrusted text inert for a terminal: what a deck or a snippet says is shown, never obeyed.

Decks are shared, and so is everything in them: a card's front, back, choices, code,
a deck's title, a tag, a key an error message echoes. Any of it may carry ANSI/OSC
escape sequences (write the clipboard with OSC 52, clear the screen, set the window
title, plant an OSC 8 hyperlink, overwrite a line with a carriage return) or bidi
overrides that make text read differently than it is (CVE-2021-42574, "Trojan
Source"). This module is the one place that makes such text terminal-safe: every
C0/C1 control character except newline and tab, DEL, the Unicode bidi embeddings,
overrides and isolates and the other invisible format characters are replaced by
their visible escape (`\\x1b`, `\\u202e`), so the learner sees exactly what the deck
holds. Ordinary Unicode (Chinese text, accents, emoji) passes untouched.

Pure: no terminal here. The ui edge (quiz/ui, quiz/cli) routes every deck string
through `escape` (screens) or `quote`/`one_line` (one-line messages).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_BIDI_AND_INVISIBLE = frozenset(
    [0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, 0x2060, 0xFEFF]
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
)
_KEEP = frozenset("\n\t")
QUOTE_LIMIT = 60  # characters of a value quoted in a one-line message

# Every character `_unsafe` refuses, as one character class, so that escaping a long text
# is one regex pass (tests check it against `_unsafe` over every code point): C0 and C1
# controls but tab and newline, DEL; the format (Cf) characters, bidi and invisible ones
# included; line and paragraph separators; surrogates and private use.
_UNSAFE_CLASS = (
    "\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f"
    "\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u0890\\u0891\\u08e2\\u180e"
    "\\u200b-\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u206f"
    "\\ud800-\\uf8ff\\ufeff\\ufff9-\\ufffb"
    "\\U000110bd\\U000110cd\\U00013430-\\U0001343f\\U0001bca0-\\U0001bca3"
    "\\U0001d173-\\U0001d17a\\U000e0001\\U000e0020-\\U000e007f"
    "\\U000f0000-\\U000ffffd\\U00100000-\\U0010fffd"
)


@cache
def _unsafe_pattern(in_line: bool = False) -> re.Pattern[str]:
    """The class as a pattern: tab and newline kept (on screens), or refused too
    (`in_line`: one-line messages). Compiled on first use, not on import: most commands
    show only ASCII text, which never needs it."""
    return re.compile(f"[\\t\\n{_UNSAFE_CLASS}]" if in_line else f"[{_UNSAFE_CLASS}]")


def _unsafe(ch: str, keep: frozenset[str] = _KEEP) -> bool:
    code = ord(ch)
    if ch in keep:
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
    return _unsafe_pattern().sub(_escaped, text)


def one_line(text: str) -> str:
    """`escape`, and newlines and tabs escaped too: the text cannot break a message's line."""
    if text.isascii() and text.isprintable():
        return text
    return _unsafe_pattern(True).sub(_escaped_in_line, text)


def _escaped(match: re.Match[str]) -> str:
    return _escape_char(match.group())


def _escaped_in_line(match: re.Match[str]) -> str:
    ch = match.group()
    return "\\n" if ch == "\n" else "\\t" if ch == "\t" else _escape_char(ch)


def clip(text: str, limit: int = QUOTE_LIMIT) -> str:
    """At most `limit` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "…"


def shown(value: str, limit: int = QUOTE_LIMIT) -> str:
    """A value echoed inside a one-line message: escaped, one line, cut to `limit`."""
    return clip(one_line(value), limit)


def quote(value: str, limit: int = QUOTE_LIMIT) -> str:
    """A value echoed in a one-line message: double-quoted, escaped YAML-style (so a
    short one can be pasted back into a deck) and cut to `limit` characters."""
    inner = one_line(value.replace("\\", "\\\\").replace('"', '\\"'))
    return '"' + clip(inner, limit) + '"'


def json_text(dumped: str) -> str:
    """JSON text (from json.dumps, ensure_ascii=False) with the characters JSON lets
    through raw but a terminal obeys (C1 controls, DEL, bidi) written as \\uXXXX: the
    same data for a JSON reader, inert on a screen."""
    # indented JSON has newlines, which are not printable but safe
    if dumped.isascii() and dumped.replace("\n", "").isprintable():
        return dumped
    return _unsafe_pattern().sub(_json_escaped, dumped)


def _json_escaped(match: re.Match[str]) -> str:
    return "".join(f"\\u{unit:04x}" for unit in _utf16(match.group()))


def _utf16(ch: str) -> tuple[int, ...]:
    code = ord(ch)
    if code <= 0xFFFF:
        return (code,)
    code -= 0x10000
    return (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))


def is_safe(text: str) -> bool:
    return (text.isascii() and text.isprintable()) or _unsafe_pattern().search(text) is None
