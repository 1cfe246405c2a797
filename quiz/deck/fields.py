"""The declarative definition of deck format v1: which keys exist, where, and of what kind.

This table is the one source of truth for the format. The loader (`validate.py`) checks
YAML nodes against it and the JSON Schema (`schema.py`) is generated from it, so an
editor's completion and `quiz check` can never disagree about which keys are allowed.
Adding a key means adding one `Field` here (and, if it has a new kind, teaching both the
validator and the schema generator that kind).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cached_property


class Kind(str, Enum):
    """What a field's value must look like."""

    DECK_ID = "deck-id"  # a string matching DECK_ID_RE
    CARD_ID = "card-id"  # a string matching CARD_ID_RE
    TEXT = "text"  # a string, or a map language -> string (i18n, Markdown)
    STRING = "string"  # a plain string, kept exactly as written
    LANG = "lang"  # a language code like `en`, `zh-Hans`
    TAGS = "tags"  # a list of tag strings
    REQUIRES = "requires"  # a list of card references (`id` or `deck/id`)
    SPECIFIER = "specifier"  # a PEP 440 specifier set, as a string
    ENUM = "enum"  # one of Field.choices
    STRINGS = "strings"  # a list of strings
    STRING_OR_STRINGS = "string-or-strings"  # a string or a non-empty list of strings
    TEXTS = "texts"  # a list of at least two TEXT values (choices)
    INDICES = "indices"  # an int index or a non-empty list of them
    TIMEOUT = "timeout"  # a number in (0, MAX_TIMEOUT]
    CARDS = "cards"  # the list of card mappings
    VARY = "vary"  # a map name -> list of values or {range: [lo, hi]} (quiz.deck.variants)


DECK_ID_PATTERN = r"[a-z0-9][a-z0-9-]*"
CARD_ID_PATTERN = r"[a-z0-9][a-z0-9_-]*"
LANG_PATTERN = r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*"
TAG_PATTERN = r"[^\s,]+"
# `id`, `id#c2`, `deck/id` or `deck/id#c2`
REQUIRE_PATTERN = (
    rf"({DECK_ID_PATTERN}/)?{CARD_ID_PATTERN}(#c[1-9][0-9]{{0,3}})?"  # as cloze.MAX_DIGITS
)
# An exception type, optionally dotted, optionally followed by `: message`.
RAISES_PATTERN = r"[A-Za-z_][A-Za-z0-9_.]*(:[\s\S]*)?\s*"

DECK_ID_RE = re.compile(DECK_ID_PATTERN)
CARD_ID_RE = re.compile(CARD_ID_PATTERN)
LANG_RE = re.compile(LANG_PATTERN)
TAG_RE = re.compile(TAG_PATTERN)
REQUIRE_RE = re.compile(REQUIRE_PATTERN)

MAX_TIMEOUT = 30.0
# Larger indices are refused before any arithmetic or formatting of a 5,000-digit int
MAX_INDEX = 9999
MIN_CHOICES = 2
MATCH_MODES = ("exact", "literal", "unordered-lines", "regex")
CARD_TYPES = ("basic", "typed", "choice", "cloze", "output")
DEFAULT_TYPE = "basic"


@dataclass(frozen=True)
class Field:
    """One key of a mapping: its name, value kind, whether it must be present, and help.

    `help` is what an editor shows when hovering the key (it becomes the JSON Schema
    `description`), so it is written for a deck author, not for a programmer.
    `nonempty` refuses an empty or whitespace-only string (a `front: ""` is a mistake,
    an `output: ""` is a snippet that prints nothing).
    """

    name: str
    kind: Kind
    title: str
    help: str
    required: bool = False
    nonempty: bool = True
    choices: tuple[str, ...] = ()
    pattern: str | None = None  # a STRING must match it (whole string)
    pattern_help: str = ""  # what the author should write instead, for the message

    @cached_property
    def label(self) -> str:
        """The key as messages quote it: `'front'`."""
        return f"'{self.name}'"


# ---------------------------------------------------------------------------
# Top level

DECK_FIELDS: tuple[Field, ...] = (
    Field(
        "deck",
        Kind.DECK_ID,
        "Deck id",
        "Required. The deck's id: lowercase letters, digits and '-'; unique in a store. "
        "Cards are keyed as deck/id.",
        required=True,
    ),
    Field(
        "title",
        Kind.TEXT,
        "Title",
        "Required. The deck's title: a string, or a map of language -> string.",
        required=True,
    ),
    Field("description", Kind.TEXT, "Description", "What the deck teaches (Markdown)."),
    Field(
        "lang",
        Kind.LANG,
        "Default language",
        "The language of plain-string text fields, e.g. 'en' or 'zh-Hans'.",
    ),
    Field("tags", Kind.TAGS, "Deck tags", "Tags every card of the deck inherits."),
    Field(
        "python",
        Kind.SPECIFIER,
        "Python versions",
        "A PEP 440 specifier such as '>=3.10': the default for output cards.",
    ),
    Field("cards", Kind.CARDS, "Cards", "Required. The deck's cards.", required=True),
)

# ---------------------------------------------------------------------------
# Cards: every key any card may carry, then which keys each type uses.

CARD_FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field(
            "id",
            Kind.CARD_ID,
            "Card id",
            "Required. Lowercase letters, digits, '_' and '-'; unique in the deck. Changing it "
            "makes a new card (and loses the old one's history).",
            required=True,
        ),
        Field(
            "type",
            Kind.ENUM,
            "Card type",
            "basic (default) | typed | choice | cloze | output.",
            choices=CARD_TYPES,
        ),
        Field(
            "front", Kind.TEXT, "Question", "The question (Markdown; fenced code is highlighted)."
        ),
        Field("back", Kind.TEXT, "Answer", "The answer (Markdown)."),
        Field("explain", Kind.TEXT, "Explanation", "Shown after every answer, and on a miss."),
        Field("tags", Kind.TAGS, "Card tags", "Tags of this card, added to the deck's tags."),
        Field("source", Kind.STRING, "Source", "A pointer into the notes the card comes from."),
        Field(
            "requires",
            Kind.REQUIRES,
            "Prerequisites",
            "Cards to learn first: ids in this deck, or deck/id in another.",
        ),
        Field(
            "code",
            Kind.STRING,
            "Code",
            "Python code. For output cards: the snippet that is run; otherwise shown under "
            "the question.",
        ),
        Field(
            "answer",
            Kind.STRING_OR_STRINGS,
            "Accepted answers",
            "The typed answer: a string, or a list of accepted answers.",
        ),
        Field("choices", Kind.TEXTS, "Choices", "The options (at least two)."),
        Field(
            "correct",
            Kind.INDICES,
            "Correct choices",
            "Index (from 0) of the right choice, or a list of indices when several are right.",
        ),
        Field(
            "text",
            Kind.TEXT,
            "Cloze text",
            "Text with deletions {{c1::answer}} or {{c1::answer::hint}}; each cN is its own card.",
        ),
        Field(
            "output",
            Kind.STRING,
            "Expected output",
            "The snippet's expected stdout, kept exactly (quote it, or use a '|' block).",
            nonempty=False,
        ),
        Field(
            "raises",
            Kind.STRING,
            "Expected exception",
            "The exception the snippet raises: 'TypeError' or 'TypeError: message'.",
            pattern=RAISES_PATTERN,
            pattern_help='should name the exception, like "TypeError" or "TypeError: message"',
        ),
        Field(
            "accept",
            Kind.STRINGS,
            "Also accepted",
            "Further outputs that count as right (for nondeterministic snippets).",
            nonempty=False,
        ),
        Field(
            "match",
            Kind.ENUM,
            "Output matching",
            "How output is compared: exact (default; newlines and trailing whitespace "
            "normalised) | literal | unordered-lines | regex.",
            choices=MATCH_MODES,
        ),
        Field(
            "python",
            Kind.SPECIFIER,
            "Python versions",
            "A PEP 440 specifier for this card, overriding the deck's.",
        ),
        Field(
            "vary",
            Kind.VARY,
            "Variants",
            "Output cards only: names and their values, e.g. {n: {range: [2, 6]}, op: ['+=', "
            "'= x +']}. Each {{name}} in code, front and explain is replaced by a value as "
            "written; each review shows one variant, graded against its live run. No "
            "`output`/`raises` then; `quiz check` runs the variants.",
        ),
        Field(
            "timeout",
            Kind.TIMEOUT,
            "Timeout",
            "Seconds the snippet may run, more than 0 and at most 30.",
        ),
    )
}

_COMMON = ("id", "type", "explain", "tags", "source", "requires")


@dataclass(frozen=True)
class CardType:
    """The keys a card of one type uses, and which of them it must have."""

    name: str
    help: str
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @cached_property  # asked twice for every card of a deck
    def keys(self) -> tuple[str, ...]:
        return _COMMON + self.required + self.optional

    @cached_property
    def noun(self) -> str:
        """A card of this type in a message: `basic card`."""
        return f"{self.name} card"

    @cached_property
    def key_set(self) -> frozenset[str]:
        """`keys` for the question "may this card carry that key", asked of each key of
        every card (a key read from YAML is a new string: a tuple compares it with each)."""
        return frozenset(self.keys)


CARD_TYPE_DEFS: dict[str, CardType] = {
    t.name: t
    for t in (
        CardType(
            "basic",
            "A question and an answer; the learner rates their own recall.",
            required=("front", "back"),
            optional=("code",),
        ),
        CardType(
            "typed",
            "The learner types the answer; it is checked against `answer`.",
            required=("front", "answer"),
            optional=("code",),
        ),
        CardType(
            "choice",
            "Multiple choice: `choices`, and the index (or indices) `correct`.",
            required=("front", "choices", "correct"),
            optional=("code",),
        ),
        CardType(
            "cloze",
            "Fill in the gaps: each {{cN::...}} in `text` is its own card.",
            required=("text",),
            optional=(),
        ),
        # `output`/`raises` are "one of", checked separately (an unrecorded card has neither).
        CardType(
            "output",
            "Predict the output: `code` is run live and checked against `output` or `raises`.",
            required=("code",),
            optional=(
                "front",
                "vary",
                "output",
                "raises",
                "accept",
                "match",
                "python",
                "timeout",
            ),
        ),
    )
}

assert tuple(CARD_TYPE_DEFS) == CARD_TYPES
assert all(k in CARD_FIELDS for t in CARD_TYPE_DEFS.values() for k in t.keys)

# Words authors bring from other tools (Anki's note fields, other quiz formats) for a key
# of this format: a did-you-mean no spelling distance finds (`kind` is nowhere near `type`).
KEY_SYNONYMS: dict[str, str] = {
    "kind": "type",
    "card_type": "type",
    "question": "front",
    "q": "front",
    "prompt": "front",
    "a": "back",
    "solution": "back",
    "explanation": "explain",
    "why": "explain",
    "note": "explain",
    "notes": "explain",
    "snippet": "code",
    "expected": "output",
    "expected_output": "output",
    "stdout": "output",
    "prints": "output",
    "exception": "raises",
    "error": "raises",
    "raise": "raises",
    "options": "choices",
    "answers": "answer",
    "tag": "tags",
    "depends": "requires",
    "prerequisites": "requires",
    "name": "id",
    "slug": "deck",
    "language": "lang",
}

DECK_FIELD_MAP: dict[str, Field] = {f.name: f for f in DECK_FIELDS}
ALL_CARD_KEYS: tuple[str, ...] = tuple(CARD_FIELDS)
ALL_CARD_KEY_SET: frozenset[str] = frozenset(CARD_FIELDS)
