"""Emitting new YAML text that the strict loader reads back to exactly the same values.

Used wherever quiz writes a deck from data (skeletons, `quiz draft`, CSV conversion,
`quiz export --format yaml`). It is a small emitter of its own rather than a YAML
library's dumper because the loader reads YAML 1.1 (PyYAML): a string like `no`, `1e3`,
`0777` or `2024-01-02` must be quoted or it comes back as a boolean, number or date, and
ruamel (YAML 1.2) would leave several of those plain. The rules:

- a string is written plain when the loader reads the plain text back as the same string
  (YAML 1.1 and 1.2 agree) and nothing in it means something to YAML; otherwise double-quoted, with every
  control, line-separator and non-printable character escaped;
- a string of several lines (and any `code`) is a `|` block when that is exact: no
  carriage returns, tabs at a line start, or trailing spaces an editor would strip;
- lists of plain strings are flow lists `[a, b]`, other lists are block lists;
- a text in several languages is a map `{en: ..., zh: ...}` written as a block.

Keys come out in the canonical order below (the same order `quiz fmt` uses).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

DECK_KEY_ORDER = ("deck", "title", "description", "lang", "tags", "python", "cards")
CARD_KEY_ORDER = (
    "id",
    "type",
    "front",
    "back",
    "text",
    "code",
    "vary",
    "choices",
    "correct",
    "answer",
    "output",
    "raises",
    "accept",
    "match",
    "python",
    "timeout",
    "explain",
    "tags",
    "source",
    "requires",
)
# Keys whose values are numbers, never quoted.
NUMBER_KEYS = frozenset({"correct", "timeout"})
STR_TAG = "tag:yaml.org,2002:str"

_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
_FLOW_UNSAFE = set(",[]{}")
# What YAML 1.1 (PyYAML's reader) accepts unescaped in a document.
_PRINTABLE = re.compile("^[\x09\x0a\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*$")
_LINE_BREAKS = set("\x85\u2028\u2029")


def _any_of(chars: set[str]) -> re.Pattern[str]:
    """A pattern finding any of `chars` (one C search instead of a Python loop per character)."""
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")


_NOT_PLAIN = _any_of(_LINE_BREAKS | {"\t", "\ufeff"})  # never in a plain scalar
_NOT_BLOCK = _any_of(_LINE_BREAKS | {"\ufeff"})  # never in a block scalar
_NOT_IN_FLOW = _any_of(_FLOW_UNSAFE)


def reads_as_string(text: str) -> bool:
    """True when `text`, written plain, is read back as that same string by the loader:
    by YAML 1.1 (PyYAML) and by YAML 1.2 tools alike (`quiz.deck.yaml_nodes.is_string`)."""
    return _string_reader()(text)


@lru_cache(maxsize=1)
def _string_reader() -> Callable[[str], bool]:
    """`reads_as_string`, with its imports and resolver made once (an export asks it of
    every text of ten thousand cards)."""
    from yaml import ScalarNode
    from yaml.resolver import Resolver

    from quiz.deck.yaml_nodes import is_string

    resolve = Resolver().resolve  # no state: resolving a plain scalar reads class tables only

    def reads(text: str) -> bool:
        tag = resolve(ScalarNode, text, (True, False))
        return is_string(ScalarNode(tag, text, style=None))

    return reads


def plain_ok(text: str, in_flow: bool = False) -> bool:
    return plain_shape_ok(text, in_flow) and reads_as_string(text)


def plain_shape_ok(text: str, in_flow: bool = False) -> bool:
    """Whether `text` can be written plain as far as YAML's syntax goes (what it then
    resolves to is `reads_as_string`'s question)."""
    if not text or text != text.strip() or "\n" in text or not _PRINTABLE.match(text):
        return False
    if _NOT_PLAIN.search(text):
        return False
    if text[0] in _INDICATORS or ": " in text or " #" in text or text.endswith(":"):
        return False
    return not (in_flow and (_NOT_IN_FLOW.search(text) or ":" in text))


# What a double-quoted scalar escapes: backslash, quote, controls, line separators, BOM,
# surrogates and the non-characters U+FFFE/U+FFFF.
_ESCAPED = re.compile('[\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]')
_SHORT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    short = _SHORT_ESCAPES.get(ch)
    if short is not None:
        return short
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def double_quoted(text: str) -> str:
    return '"' + _ESCAPED.sub(_escape, text) + '"'


def block_ok(text: str) -> bool:
    """Whether a `|` block scalar can carry `text` exactly (and survive an editor)."""
    if "\n" not in text.rstrip("\n") and not text.endswith("\n"):
        return False
    if not _PRINTABLE.match(text) or "\r" in text or _NOT_BLOCK.search(text):
        return False
    lines = text.rstrip("\n").split("\n")
    if not lines[0].strip():  # a leading empty line or blank first line needs an indicator
        return False
    return not any(line != line.rstrip(" \t") for line in lines)


def block(text: str, indent: int) -> list[str]:
    """The header suffix and body lines of a `|` block for `text` (see `block_ok`)."""
    body = text.rstrip("\n")
    trailing = len(text) - len(body)
    chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
    indicator = str(2) if body[:1] == " " else ""
    pad = " " * indent
    lines = [(pad + line) if line else "" for line in body.split("\n")]
    lines += [""] * (trailing - 1) if trailing > 1 else []
    return [f"|{indicator}{chomp}"] + lines


def scalar(text: str, in_flow: bool = False) -> str:
    return text if plain_ok(text, in_flow) else double_quoted(text)


def number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def _value_lines(key: str, value: object, indent: int, prefer_block: bool = False) -> list[str]:
    """`key: value` as lines at `indent` columns (a nested block indents by 2)."""
    pad = " " * indent
    if isinstance(value, str):
        multi = "\n" in value.rstrip("\n")
        if (multi or prefer_block) and block_ok(value):
            head, *body = block(value, indent + 2)
            return [f"{pad}{key}: {head}", *body]
        return [f"{pad}{key}: {scalar(value)}"]
    if isinstance(value, bool):
        raise TypeError(f"{key}: booleans have no place in a deck")
    if isinstance(value, (int, float)):
        return [f"{pad}{key}: {number(value)}"]
    if isinstance(value, Mapping):
        lines = [f"{pad}{key}:"]
        for sub_key, sub_value in value.items():
            lines += _value_lines(scalar(str(sub_key)), sub_value, indent + 2)
        return lines
    if isinstance(value, Sequence):
        items = list(value)
        if all(isinstance(i, (int, float)) and not isinstance(i, bool) for i in items):
            return [f"{pad}{key}: [{', '.join(number(i) for i in items)}]"]
        if all(isinstance(i, str) and plain_ok(i, in_flow=True) for i in items) and items:
            flow = f"{pad}{key}: [{', '.join(items)}]"
            if len(flow) <= 100:
                return [flow]
        lines = [f"{pad}{key}:"]
        for item in items:
            lines += _item_lines(item, indent + 2)
        return lines
    raise TypeError(f"{key}: cannot write {type(value).__name__}")


def _item_lines(item: object, indent: int) -> list[str]:
    """One `- item` of a block list at `indent`."""
    pad = " " * indent
    if isinstance(item, str):
        if "\n" in item.rstrip("\n") and block_ok(item):
            head, *body = block(item, indent + 2)
            return [f"{pad}- {head}", *body]
        return [f"{pad}- {scalar(item)}"]
    if isinstance(item, Mapping):
        lines: list[str] = []
        for n, (k, v) in enumerate(item.items()):
            sub = _value_lines(str(k), v, indent + 2)
            lines += [pad + "- " + sub[0][indent + 2 :]] + sub[1:] if n == 0 else sub
        return lines
    if isinstance(item, (int, float)) and not isinstance(item, bool):
        return [f"{pad}- {number(item)}"]
    raise TypeError(f"cannot write a list item of type {type(item).__name__}")


def ordered(data: Mapping[str, object], order: Sequence[str]) -> dict[str, object]:
    """`data` with known keys in `order` first, the rest after in their own order."""
    known = {k: data[k] for k in order if k in data}
    return {**known, **{k: v for k, v in data.items() if k not in known}}


def card_lines(card: Mapping[str, object], dash_indent: int = 2) -> list[str]:
    """A card as a block-list item: `  - id: x` then its keys, `code` as a block."""
    card = ordered(card, CARD_KEY_ORDER)
    pad = " " * (dash_indent + 2)
    lines: list[str] = []
    for n, (key, value) in enumerate(card.items()):
        sub = _value_lines(key, value, dash_indent + 2, prefer_block=key == "code")
        if n == 0:
            sub = [" " * dash_indent + "- " + sub[0][len(pad) :]] + sub[1:]
        lines += sub
    return lines


def deck_text(deck: Mapping[str, object], header: Sequence[str] = ()) -> str:
    """A whole deck file: header comment lines, the deck keys, then `cards:` as a block list."""
    deck = ordered(deck, DECK_KEY_ORDER)
    lines = [f"# {line}" if line else "#" for line in header]
    for key, value in deck.items():
        if key == "cards":
            lines.append("cards:")
            for card in value:  # type: ignore[attr-defined]  # the value of cards is a list of card maps
                lines += card_lines(card)
        else:
            lines += _value_lines(key, value, 0)
    return "\n".join(lines) + "\n"


def flow(value: object) -> str:
    """A value as YAML flow text on one line (`{id: x, choices: [a, b]}`)."""
    if isinstance(value, str):
        return scalar(value, in_flow=True)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(value)
    if isinstance(value, Mapping):
        return (
            "{"
            + ", ".join(f"{scalar(str(k), in_flow=True)}: {flow(v)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, Sequence):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__}")
