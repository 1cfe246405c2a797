"""Inputs for the four fuzz targets: mutation of real files and structured generation.

Every generator takes a `random.Random` and nothing else, so input number N of a run
with seed S can be made again from (S, N) alone: the long runner's watchdog only needs
the number of the input that hung to save that input. The pools below are the values
that broke quiz before (issue #14) and their neighbours: huge and non-ASCII numbers,
YAML 1.1 sexagesimals, explicit core tags with values their constructor refuses,
deeply nested regexes, terminal escapes.
"""

from __future__ import annotations

import random
import re
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
DECK_DIRS = (
    REPO / "quiz" / "bundled_decks",
    REPO / "tests" / "deck" / "broken",
    REPO / "tests" / "deck" / "good",
)

# ---------------------------------------------------------------------------
# Pools

BIG = "9" * 400
HUGE = "1" * 5000
DEEP = "(" * 1000 + "a" + ")" * 1000

# YAML scalars as an author could write them after `key: `
SCALARS: tuple[str, ...] = (
    BIG,
    "-" + HUGE,
    HUGE,
    "1:59:59:" + ":".join(["59"] * 300),
    "1:59:59",
    "190:20:30.15",
    "-1:30",
    "0x" + "f" * 600,
    "0o" + "7" * 600,
    "0b" + "1" * 3000,
    "1_000",
    "1e400",
    "-1e400",
    "1.0e+" + "9" * 400,
    "0." + "9" * 5000,
    ".inf",
    "-.inf",
    ".nan",
    "1.5",
    "0",
    "-1",
    "2",
    "31",
    "30.0001",
    "2024-02-30",
    "2024-01-02",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 +99:99",
    "9999-12-31",
    "0000-00-00",
    "yes",
    "no",
    "on",
    "~",
    "null",
    "",
    '""',
    "''",
    "!!bool maybe",
    "!!timestamp nope",
    "!!timestamp 2024-13-45",
    "!!int x",
    "!!int " + HUGE,
    "!!int 1:2:3:" + BIG,
    "!!float y",
    "!!float " + HUGE,
    "!!null x",
    "!!str 1",
    "!!str",
    "!!binary aGk=",
    "!!set {a}",
    "!!omap [a: 1]",
    "!!seq x",
    "!!map x",
    "!!python/name:os.system",
    "!!python/object/apply:os.system [echo]",
    "!custom x",
    "!!merge x",
    "!!value x",
    "=",
    "<<",
    "&a x",
    "*a",
    "*zz",
    "[" * 60,
    "{a: [b, {c: d}]}",
    "[1, 2]",
    "[0, " + BIG + "]",
    "[" + HUGE + "]",
    "[]",
    "{}",
    "{en: x, zh: y}",
    "{en: " + BIG + "}",
    '"\\e]52;c;aGk=\\a"',
    '"\\u202e evil"',
    '"\\0"',
    '"\\x9b2J"',
    '"' + DEEP + '"',
    '"' + "(?:" * 400 + "a" + ")" * 400 + '"',
    '"(a+)+"',
    '"[0-9]+\\n"',
    '"(?P<x"',
    '"\\\\"',
    "'{{c1::x}}'",
    "'{{c0::x}}'",
    "'{{c" + HUGE + "::x}}'",
    "'{{c" + BIG + "::x}} {{c1::y}}'",
    "'{{c١::x}}'",
    "'{{c²::x}}'",
    "'{{c1::}}'",
    "'{{c1::a::b::c}}'",
    "'{{c1:x}}'",
    '{"e\\nn": x}',
    '{"\\e]0;x": y}',
    "TypeError",
    "'TypeError: x'",
    "'" + BIG + "Error'",
    '">=3.10"',
    '">=3.' + BIG + '"',
    '"==' + HUGE + '"',
    '"~=1"',
    "regex",
    "literal",
    "unordered-lines",
    "exact",
    "basic",
    "typed",
    "choice",
    "cloze",
    "output",
    "|\n  block\n  text",
    ">-\n  folded",
    "|" + "9",
    "a" * 70000,
)

CARD_KEYS = (
    "id",
    "type",
    "front",
    "back",
    "explain",
    "text",
    "code",
    "output",
    "raises",
    "accept",
    "match",
    "python",
    "timeout",
    "choices",
    "correct",
    "answer",
    "tags",
    "source",
    "requires",
)
DECK_KEYS = ("deck", "title", "description", "lang", "tags", "python", "cards")

# Fragments inserted anywhere by the byte mutator (YAML syntax and the scalars above)
FRAGMENTS: tuple[str, ...] = SCALARS + (
    ": ",
    "- ",
    "\n",
    "\n  ",
    "\n    - ",
    "\t",
    "#",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "%TAG ! tag:x,2000:\n",
    "? ",
    "&",
    "*",
    "!",
    "!!",
    "|",
    ">",
    "'",
    '"',
    "{",
    "}",
    "[",
    "]",
    ",",
    "\\",
    "\x00",
    "\x1b",
    "\u202e",
    "\ufeff",
    "\r",
    "\r\n",
    "{{c",
    "}}",
    "::",
    "(",
    ")",
    "١",
)


def _token(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return "".join(rng.choice("abcxyz019-_ :#") for _ in range(rng.randint(1, 8)))
    return rng.choice(FRAGMENTS)


# ---------------------------------------------------------------------------
# Corpus


def _split_deck(text: str) -> list[str]:
    """A bundled deck as small decks: its header plus a few cards each (parsing a whole
    30 KB deck per input would spend the run's budget on the PyYAML scanner)."""
    # `requires` in a piece points at cards of other pieces: make them references to
    # another deck (checked only in the store), so an unmutated piece loads cleanly
    text = re.sub(r"(requires: \[)", r"\1elsewhere/", text)
    head, sep, body = text.partition("\ncards:\n")
    if not sep:
        return [text]
    cards = body.split("\n  - ")
    pieces = []
    for i in range(0, len(cards), 3):
        chunk = "\n  - ".join(cards[i : i + 3])
        if not chunk.startswith("  - "):
            chunk = "  - " + chunk.lstrip(" -")
        pieces.append(head + sep + chunk)
    return pieces


@cache
def deck_corpus() -> tuple[bytes, ...]:
    """The real decks (bundled, in pieces) and the broken and good deck corpora."""
    found: list[bytes] = []
    for folder in DECK_DIRS:
        for path in sorted(folder.glob("*.yaml")):
            data = path.read_bytes()
            if folder.name == "bundled_decks":
                found.extend(p.encode() for p in _split_deck(data.decode("utf-8")))
            else:
                found.append(data)
    return tuple(found)


# ---------------------------------------------------------------------------
# Mutation


def mutate(data: bytes, rng: random.Random, corpus: tuple[bytes, ...] = ()) -> bytes:
    """One to four random edits of `data` (bytes, lines, values, indentation, splices)."""
    for _ in range(rng.choice((1, 1, 1, 2, 3, 4))):
        data = _EDITS[rng.randrange(len(_EDITS))](data, rng, corpus)
    return data


def _flip(data: bytes, rng: random.Random, corpus: tuple[bytes, ...]) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    i = rng.randrange(len(data))
    return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1 :]


def _insert(data: bytes, rng: random.Random, corpus: tuple[bytes, ...]) -> bytes:
    i = rng.randrange(len(data) + 1)
    return data[:i] + _token(rng).encode() + data[i:]


def _delete(data: bytes, rng: random.Random, corpus: tuple[bytes, ...]) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    return data[:i] + data[i + rng.randint(1, 40) :]


def _lines_edit(data: bytes, rng: random.Random, corpus: tuple[bytes, ...]) -> bytes:
    lines = data.split(b"\n")
    i = rng.randrange(len(lines))
    choice = rng.randrange(4)
    if choice == 0:
        lines.insert(i, lines[rng.randrange(len(lines))])
    elif choice == 1:
        del lines[i]
    elif choice == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    else:
        spaces = rng.choice((1, 2, 4))
        if rng.random() < 0.5:
            lines[i] = b" " * spaces + lines[i]
        else:
            lines[i] = lines[i][spaces:] if lines[i].startswith(b" " * spaces) else lines[i]
    return b"\n".join(lines)


def _value(data: bytes, rng: random.Random, corpus: tuple[bytes, ...]) -> bytes:
    """Replace what follows `key: ` on one line with a pool scalar (keeps the key)."""
    lines = data.split(b"\n")
    keyed = [i for i, line in enumerate(lines) if b": " in line]
    if not keyed:
        return _insert(data, rng, corpus)
    i = rng.choice(keyed)
    key = lines[i].split(b": ", 1)[0]
    indent = len(key) - len(key.lstrip()) + 2
    value = rng.choice(SCALARS).replace("\n", "\n" + " " * indent)
    lines[i] = key + b": " + value.encode()
    return b"\n".join(lines)


def _key(data: bytes, rng: random.Random, corpus: tuple[bytes, ...]) -> bytes:
    """Rename a key to another known key (a key of another card type, or a duplicate)."""
    lines = data.split(b"\n")
    keyed = [i for i, line in enumerate(lines) if b": " in line]
    if not keyed:
        return data
    i = rng.choice(keyed)
    key, rest = lines[i].split(b": ", 1)
    indent = key[: len(key) - len(key.lstrip(b" -"))]
    key = rng.choice(CARD_KEYS + DECK_KEYS + ('"fr\\nont"', '"\\e]0;x"', '"a\\u2028b"', "x" * 900))
    lines[i] = indent + key.encode() + b": " + rest
    return b"\n".join(lines)


def _splice(data: bytes, rng: random.Random, corpus: tuple[bytes, ...]) -> bytes:
    if not corpus:
        return data
    other = rng.choice(corpus).split(b"\n")
    start = rng.randrange(len(other))
    piece = other[start : start + rng.randint(1, 8)]
    lines = data.split(b"\n")
    at = rng.randrange(len(lines) + 1)
    return b"\n".join(lines[:at] + piece + lines[at:])


def _raw_bytes(data: bytes, rng: random.Random, corpus: tuple[bytes, ...]) -> bytes:
    i = rng.randrange(len(data) + 1)
    return data[:i] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 4))) + data[i:]


_EDITS = (_flip, _insert, _insert, _delete, _lines_edit, _value, _value, _value, _key, _splice)
_EDITS += (_raw_bytes,)


# ---------------------------------------------------------------------------
# Structured decks


def _scalar(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return rng.choice(SCALARS)
    words = ["x", "What?", "print(1)", "a b", "0.005", "TypeError", "{{c1::a}}", "n"]
    return rng.choice(words)


def _value_text(rng: random.Random, indent: int) -> str:
    pad = " " * indent
    roll = rng.random()
    if roll < 0.1:
        return "\n" + "".join(f"{pad}- {_scalar(rng)}\n" for _ in range(rng.randint(0, 3))).rstrip(
            "\n"
        )
    if roll < 0.15:
        return "\n" + f"{pad}en: {_scalar(rng)}\n{pad}zh: {_scalar(rng)}"
    return _scalar(rng).replace("\n", "\n" + pad)


def structured_deck(rng: random.Random) -> bytes:
    """A deck whose shape is right but whose values come from the pools."""
    out = ["deck: fuzz" if rng.random() < 0.9 else f"deck: {_scalar(rng)}"]
    out.append("title: Fuzz" if rng.random() < 0.8 else f"title: {_value_text(rng, 2)}")
    for key in ("lang", "tags", "python", "description"):
        if rng.random() < 0.15:
            out.append(f"{key}: {_value_text(rng, 2)}")
    out.append("cards:")
    types = ("basic", "typed", "choice", "cloze", "output")
    for n in range(rng.randint(1, 4)):
        kind = rng.choice(types)
        out.append(f"  - id: c{n}" if rng.random() < 0.9 else f"  - id: {_scalar(rng)}")
        out.append(f"    type: {kind}")
        keys = {
            "basic": ["front", "back"],
            "typed": ["front", "answer"],
            "choice": ["front", "choices", "correct"],
            "cloze": ["text"],
            "output": ["code", "output", "match", "timeout", "accept", "raises", "vary"],
        }[kind]
        for key in keys:
            if rng.random() < 0.3:
                continue
            out.append(f"    {key}: {_value_text(rng, 6)}")
        for _ in range(rng.randint(0, 2)):
            out.append(f"    {rng.choice(CARD_KEYS)}: {_value_text(rng, 6)}")
    return ("\n".join(out) + "\n").encode("utf-8", "surrogatepass")


def deck_input(rng: random.Random) -> bytes:
    """One deck input: mostly mutations of the corpus, some structured decks."""
    if rng.random() < 0.3:
        data = structured_deck(rng)
        return mutate(data, rng, deck_corpus()) if rng.random() < 0.3 else data
    corpus = deck_corpus()
    return mutate(rng.choice(corpus), rng, corpus)


# ---------------------------------------------------------------------------
# Tables (CSV, TSV, Anki text)

SEPARATOR_NAMES = (
    "tab",
    "comma",
    "semicolon",
    "pipe",
    "space",
    "colon",
    "Tab",
    "TAB",
    ",",
    ";",
    "|",
    "\t",
    "",
    "ab",
    "tabs",
    '"',
    "\\t",
    "\\",
    "١",
    "\x00",
    "\n",
    "\r",
    "newline",
    "#",
    "é",
    "semicolon;",
)
COLUMN_NUMBERS = ("1", "2", "3", "0", "١", "٢", "²", "①", "9" * 400, "-1", "99", "", "x", " 2")
CELLS = (
    "",
    " ",
    "Front",
    "Back",
    "front",
    "back",
    "tags",
    "question",
    "answer",
    "Q1",
    "A1",
    "a b::c",
    "<b>bold</b><br>line",
    "&amp;&lt;&#x1b;&#0;",
    "&#" + BIG + ";",
    '"quoted, cell"',
    '"open',
    '""',
    '"a""b"',
    "x\ty",
    "\x1b]52;c;aGk=\x07",
    "\u202e",
    "\x00",
    "- item",
    "key: value",
    "!!bool maybe",
    "{{c1::x}}",
    "#not a header",
    "正面",
    "答案",
)


def table_input(rng: random.Random) -> tuple[bytes, str]:
    """One CSV/TSV/Anki text file and its suffix."""
    suffix = rng.choice((".csv", ".tsv", ".txt"))
    lines: list[str] = []
    separator = rng.choice(("\t", ",", ";", "|", " ", ":"))
    for _ in range(rng.randint(0, 4)):
        roll = rng.randrange(8)
        if roll == 0:
            sep_name = rng.choice(SEPARATOR_NAMES)
            lines.append(f"#separator:{sep_name}")
        elif roll == 1:
            lines.append(f"#html:{rng.choice(('true', 'false', 'TRUE', 'x'))}")
        elif roll == 2:
            names = [rng.choice(CELLS) for _ in range(rng.randint(0, 4))]
            lines.append("#columns:" + rng.choice(("\t", ",", separator)).join(names))
        elif roll in (3, 4):
            key = rng.choice(("tags column", "guid column", "notetype column", "deck column"))
            lines.append(f"#{key}:{rng.choice(COLUMN_NUMBERS)}")
        else:
            lines.append(f"#{rng.choice(('notetype', 'deck', 'x y'))}:{rng.choice(CELLS)}")
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3, 5, 12))):
        cells = [rng.choice(CELLS) for _ in range(rng.randint(1, 5))]
        if rng.random() < 0.01:
            cells[0] = "x" * rng.choice((131072, 131073, 200000))
        lines.append(separator.join(cells))
    text = rng.choice(("\n", "\r\n", "\r")).join(lines)
    if rng.random() < 0.1:
        text = "\ufeff" + text
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.25:
        data = mutate(data, rng)
    return data, suffix


# ---------------------------------------------------------------------------
# config.toml

CONFIG_KEYS = (
    "desired_retention",
    "learning_steps",
    "relearning_steps",
    "maximum_interval",
    "fuzz",
    "parameters",
    "new_per_day",
    "reviews_per_day",
    "day_starts_at",
    "timezone",
    "lang",
    "leech_lapses",
    "desired-retention",
    "new-per-day",
    "unknown",
    "decks",
    "scheduler",
    "deck_overrides",
)
TOML_VALUES = (
    '"high"',
    '"x"',
    '"0.9"',
    "9" * 30,
    "-" + "9" * 30,
    "0",
    "1",
    "-1",
    "4",
    "23",
    "24",
    "20",
    "0.5",
    "0.9",
    "0.99",
    "1.0",
    "1",
    "0.49",
    "1e308",
    "-1e308",
    "inf",
    "-inf",
    "nan",
    "true",
    "false",
    "[1, 10]",
    "[10]",
    "[]",
    "[0]",
    "[-1]",
    "[1e308]",
    "[inf]",
    "[nan]",
    '["a"]',
    "[[1]]",
    "[true]",
    "[" + ", ".join(["0.2"] * 21) + "]",
    "[" + ", ".join(["0.2"] * 19) + "]",
    "[" + ", ".join(["1e308"] * 21) + "]",
    "1979-05-27",
    "1979-05-27T07:32:00Z",
    "07:32:00",
    "{a = 1}",
    '"Europe/Berlin"',
    '"UTC"',
    '"Nowhere/Zone"',
    '"../../etc/passwd"',
    '"/etc/localtime"',
    '""',
    '"\\u0000"',
    '"\\u001b]0;title\\u0007"',
    '"en"',
    '"zh-Hans"',
    '"' + "a" * 300 + '"',
)


def config_input(rng: random.Random) -> bytes:
    """One config.toml: known and unknown keys with values of every TOML type."""
    lines = []
    for _ in range(rng.randint(0, 5)):
        lines.append(f"{rng.choice(CONFIG_KEYS)} = {rng.choice(TOML_VALUES)}")
    for _ in range(rng.choice((0, 0, 1, 2))):
        deck = rng.choice(("python-gil", "x", '"a b"', "decks", "1"))
        lines.append(rng.choice((f"[decks.{deck}]", "[decks]", f"[{deck}]", "[[decks]]")))
        for _ in range(rng.randint(0, 3)):
            lines.append(f"{rng.choice(CONFIG_KEYS)} = {rng.choice(TOML_VALUES)}")
    data = "\n".join(lines).encode()
    if rng.random() < 0.2:
        data = mutate(data, rng)
    return data


# ---------------------------------------------------------------------------
# Answer matching

OUTPUTS = (
    "",
    "1\n",
    "[2, 2, 2]\n",
    "{1, 2}\n",
    "{2, 1}\n",
    "a\nb\n",
    "b\na\n",
    "<object at 0x7f3a12345678>\n",
    "x\r\ny\r",
    "\u00e9",
    "e\u0301",
    BIG,
    "[" * 200 + "]" * 200,
    "(" * 1000,
    "{" * 1000,
    "1" * 5000,
    "\x1b[2J",
    "\x00",
    "   \n\n",
)
PATTERNS = OUTPUTS + (
    DEEP,
    "(?:" * 400 + "a" + ")" * 400,
    "[0-9]+\\n?",
    "(",
    "a{1,99999999999}",
    "a{" + BIG + "}",
    "(?P<",
    "\\",
    "[z-a]",
    "(?i)A",
    ".*",
)
EXCEPTIONS = (
    None,
    None,
    "TypeError: unhashable type: 'list'",
    "KeyError: 'x'",
    "ValueError",
    ":",
    "",
    " : x",
    "a.b.C: " + BIG,
    BIG + "Error",
)
PREDICTIONS = OUTPUTS + (
    "TypeError",
    "builtins.TypeError: unhashable",
    "Traceback (most recent call last):\n  File x\nKeyError: 'x'",
    "Traceback (most recent call last)",
    "1\nValueError",
    "3",
    "1 3",
    "a c",
    "١",
    "9" * 5000,
    "0",
    ":u",
    ",,;",
    "a" * 1000,
)


def matcher_input(rng: random.Random) -> dict[str, object]:
    """Keyword arguments for one matcher case (see contract.check_matcher)."""

    def pick(pool: tuple[str, ...]) -> str:
        value = rng.choice(pool)
        if rng.random() < 0.2:
            value = mutate(value.encode("utf-8", "surrogatepass"), rng).decode("utf-8", "replace")
        return value

    has_output = rng.random() < 0.8
    return {
        "output": pick(PATTERNS) if has_output else None,
        "raises": rng.choice(EXCEPTIONS[2:]) if not has_output or rng.random() < 0.2 else None,
        "accept": tuple(pick(PATTERNS) for _ in range(rng.randint(0, 2))),
        "match": rng.choice(("exact", "literal", "unordered-lines", "regex", "regex", "bogus")),
        "answers": tuple(pick(PREDICTIONS) for _ in range(rng.randint(0, 3))),
        "correct": tuple(rng.randint(-2, 5) for _ in range(rng.randint(0, 3))),
        "stdout": pick(OUTPUTS),
        "exception": rng.choice(EXCEPTIONS),
        "timed_out": rng.random() < 0.05,
        "prediction": pick(PREDICTIONS),
    }
