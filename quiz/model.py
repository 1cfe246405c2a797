"""The values the whole program talks in: decks, cards, ratings, reviews, run results.

Everything here is a frozen dataclass or an enum so that the pure core (deck parsing,
scheduling, grading, stats, the session) can pass values around without anyone
mutating them behind its back. Nothing here knows about files, SQL or terminals.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import Enum, IntEnum
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from quiz.deck.variants import VarySpec


_V = TypeVar("_V")


class kept(Generic[_V]):
    """A property of a frozen value computed on first use and kept in the instance's
    `__dict__`, where later reads find it before this descriptor (it defines no
    `__set__`). `functools.cached_property` does the same but, before Python 3.12,
    takes a lock on every first read: a cost per card where every card's key is read."""

    def __init__(self, func: Callable[[Any], _V]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> kept[_V]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> _V: ...
    def __get__(self, obj: object, owner: type | None = None) -> kept[_V] | _V:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


_T = TypeVar("_T")


def frozen_maker(cls: type[_T]) -> Callable[..., _T]:
    """A function that makes the value `cls(...)` makes, for a frozen dataclass made once
    per card or row: its `__init__` sets each field through `object.__setattr__`, which
    costs more than the rest of building the value. The function takes the same
    arguments (the same defaults, the same `TypeError` for an unknown or missing one)
    and sets each field in field order: through its slot's own descriptor for a class
    with slots, else into the new instance's `__dict__` (whose keys it then shares with
    every other instance's, as `__init__`'s would). Like `dataclasses`, it is generated
    as source once per class (and kept); it refuses a class it could not make the same way
    (default factories, `__post_init__`, fields outside `__init__`)."""
    return _generated_maker(cls)  # type: ignore[arg-type]  # a class is hashable


@cache
def _generated_maker(cls: type) -> Callable[..., Any]:
    import dataclasses

    params = dataclasses.fields(cls)
    if hasattr(cls, "__post_init__") or any(
        f.default_factory is not dataclasses.MISSING or not f.init for f in params
    ):
        raise TypeError(f"frozen_maker: cannot make {cls.__name__} without its __init__")
    slots = "__slots__" in cls.__dict__
    env: dict[str, object] = {"_q_new": object.__new__, "_q_cls": cls}
    args = []
    lines = ["    _q_self = _q_new(_q_cls)"]
    if not slots:
        lines.append("    _q_attrs = _q_self.__dict__")
    for f in params:
        if f.default is dataclasses.MISSING:
            args.append(f.name)
        else:
            env[f"_q_{f.name}"] = f.default
            args.append(f"{f.name}=_q_{f.name}")
        if slots:
            env[f"_q_set_{f.name}"] = cls.__dict__[f.name].__set__
            lines.append(f"    _q_set_{f.name}(_q_self, {f.name})")
        else:
            lines.append(f"    _q_attrs[{f.name!r}] = {f.name}")
    lines.append("    return _q_self")
    source = "\n".join([f"def {cls.__name__}({', '.join(args)}):", *lines])
    exec(source, env)  # source built from the class's own field names
    return env[cls.__name__]  # type: ignore[return-value]  # the function just defined


class CardKind(str, Enum):
    BASIC = "basic"
    TYPED = "typed"
    CHOICE = "choice"
    CLOZE = "cloze"
    OUTPUT = "output"


class Rating(IntEnum):
    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class CardState(IntEnum):
    """Where a card stands in its learning life (FSRS's states plus NEW)."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


# slots: one or more per card of every card read (and no dict to keep for each)
@dataclass(frozen=True, slots=True)
class Text:
    """A text field that may come in several languages.

    Decks may write a plain string (one variant under the deck's language) or a map
    `{en: ..., zh: ...}`; the review language picks one, falling back to the deck's
    language, then the first variant written.
    """

    variants: tuple[tuple[str, str], ...]

    @classmethod
    def plain(cls, value: str, lang: str = "") -> Text:
        return frozen_maker(Text)(((lang, value),))

    def get(self, lang: str | None = None, fallback: str | None = None) -> str:
        table = dict(self.variants)
        for wanted in (lang, fallback):
            if wanted and wanted in table:
                return table[wanted]
        return self.variants[0][1] if self.variants else ""

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang, _ in self.variants if lang)

    def __str__(self) -> str:
        return self.get()


@dataclass(frozen=True)
class Card:
    """One reviewable card. A cloze note with parts c1, c2 yields one Card per part.

    `id` is the card's id inside its deck (`late-binding`, or `gil-cloze#c1` for a cloze
    part); `note` is the id the author wrote, shared by cloze siblings.
    """

    deck: str
    id: str
    kind: CardKind
    line: int = 0
    front: Text | None = None
    back: Text | None = None
    explain: Text | None = None
    code: str | None = None
    tags: tuple[str, ...] = ()
    source: str | None = None
    requires: tuple[str, ...] = ()  # full keys: "deck/id"
    # typed
    answers: tuple[str, ...] = ()
    # choice
    choices: tuple[Text, ...] = ()
    correct: tuple[int, ...] = ()
    # cloze
    text: Text | None = None
    cloze: int | None = None
    # output
    output: str | None = None
    raises: str | None = None
    accept: tuple[str, ...] = ()
    match: str = "exact"
    python: str | None = None
    timeout: float | None = None
    note: str = ""
    # output cards that vary: the `vary:` spec; a card as shown carries its variant instead
    # (name, value) pairs, and no spec (quiz.deck.variants.apply)
    vary: VarySpec | None = None
    variant: tuple[tuple[str, str], ...] = ()

    # kept once computed (a frozen card's key cannot change): a session compares the
    # answered card's note with every queued card's after each answer
    @kept
    def key(self) -> str:
        return f"{self.deck}/{self.id}"

    @kept
    def note_key(self) -> str:
        return f"{self.deck}/{self.note or self.id}"

    def content_hash(self) -> str:
        """A digest of what the learner sees and is graded against (not the line)."""
        return content_digest(card_to_dict(self, with_line=False, defaults=False))


@dataclass(frozen=True)
class Deck:
    id: str
    title: Text
    cards: tuple[Card, ...]
    path: str = ""
    description: Text | None = None
    lang: str | None = None
    tags: tuple[str, ...] = ()
    python: str | None = None
    line: int = 1

    @property
    def card_keys(self) -> tuple[str, ...]:
        return tuple(card.key for card in self.cards)


# slots: replays and rebuilds hold one per card (several per card in `quiz evaluate`)
@dataclass(frozen=True, slots=True)
class Schedule:
    """A card's scheduling state for one learner (a cache; the review log is the truth)."""

    state: CardState = CardState.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0


@dataclass(frozen=True, slots=True)
class StoredCard:
    """A card as a session sees it: content, the file it came from, and its schedule."""

    row_id: int
    card: Card
    schedule: Schedule
    path: str = ""
    suspended: bool = False
    leech: bool = False
    lang: str | None = None  # the deck's default language
    buried_until: datetime | None = None

    def text(self, field_value: Text | None, lang: str | None) -> str:
        """A text field of this card in `lang`, else the deck's language, else the first."""
        return field_value.get(lang, self.lang) if field_value is not None else ""


@dataclass(frozen=True)
class RunResult:
    """What happened when a snippet ran in the sandbox.

    `exception` is `Type: message` as reported from inside the child (not parsed from
    stderr); `signal` is set when the child was killed by one.
    """

    stdout: str = ""
    stderr: str = ""
    exception: str | None = None
    exit_code: int | None = 0
    signal: int | None = None
    timed_out: bool = False
    truncated: bool = False
    duration_ms: float = 0.0
    notes: tuple[str, ...] = ()
    trace: tuple[str, ...] = ()  # a traced run's events (JSON objects; quiz.trace reads them)

    @property
    def exception_type(self) -> str | None:
        if self.exception is None:
            return None
        return self.exception.split(":", 1)[0].strip()


@dataclass(frozen=True)
class Verdict:
    """The outcome of grading one answer: right or wrong, and what to show about it."""

    correct: bool
    expected: str = ""
    given: str = ""
    diff: tuple[str, ...] = ()
    message: str = ""
    suggested: Rating = field(default=Rating.GOOD)
    # how close the answer came, 0..1 (quiz.grading: lines of output, choices right);
    # None where nothing was compared (a stored answer checked by `quiz check`)
    closeness: float | None = None


def text_to_data(text: Text | None) -> object:
    if text is None:
        return None
    if len(text.variants) == 1 and not text.variants[0][0]:
        return text.variants[0][1]
    return {lang: value for lang, value in text.variants}


def text_from_data(data: object) -> Text | None:
    if data is None:
        return None
    if isinstance(data, str):
        return frozen_maker(Text)((("", data),))  # Text.plain(data), one call less per field
    if isinstance(data, dict):
        return Text(tuple((str(k), str(v)) for k, v in data.items()))
    raise TypeError(f"not a text: {data!r}")


_TEXT_FIELDS = {"front", "back", "explain", "text"}


# How card_to_dict writes each field: as it is (a tuple as a list), a text, a list of
# texts, the kind's name, the vary spec's data, the variant's pairs as lists.
_AS_IS, _TEXT, _CHOICES, _KIND, _VARY, _VARIANT = range(6)


@cache
def _dict_plan() -> tuple[tuple[str, int, object, object], ...]:
    """Card's fields in order with how each is written, its default and its default as
    written (tuples as lists; `_REQUIRED` where it has none), worked out once (`fields()`
    and the name tests per card showed in imports of 10k cards)."""
    special = {"choices": _CHOICES, "kind": _KIND, "vary": _VARY, "variant": _VARIANT}
    plan = []
    for name, default in _card_slots().items():
        how = _TEXT if name in _TEXT_FIELDS else special.get(name, _AS_IS)
        written = list(default) if isinstance(default, tuple) else default
        plan.append((name, how, default, written))
    return tuple(plan)


def card_defaults() -> dict[str, object]:
    """Each Card field that has a default, with it as `card_to_dict` writes it."""
    return {name: written for name, _how, _d, written in _dict_plan() if written is not _REQUIRED}


def card_to_dict(card: Card, with_line: bool = True, defaults: bool = True) -> dict[str, object]:
    """A JSON-safe form of a card, used for the store's content column and hashing.

    `defaults=False` leaves out the fields at their defaults (of the default's type, as
    `quiz.store.content.compact_content` does): what the store keeps and hashes, built
    without writing and dropping a dozen empty fields per card.
    """
    return _dict_writer(with_line, defaults)(card.__dict__)  # every field is in it


@cache
def _dict_writer(with_line: bool, defaults: bool) -> Callable[[dict[str, Any]], dict[str, object]]:
    """`card_to_dict` for one choice of its options, from a card's `__dict__`: each field of
    `_dict_plan` written as its own lines of source, generated once (as `frozen_maker`'s
    makers are), where a loop over the plan decided every field's way again for every card
    of an import. Per field: left out when it is its default (without `defaults`),
    converted, left out when the converted value equals the default as written."""
    convert = {
        _AS_IS: "list(v) if isinstance(v, tuple) else v",
        _TEXT: "_text(v)",
        _CHOICES: "[_text(c) for c in v]",
        _KIND: "v._value_",  # Enum's `value` property costs a descriptor call
        _VARY: "v.to_data()",
        _VARIANT: "[list(pair) for pair in v]",
    }
    env: dict[str, object] = {"_text": text_to_data}
    lines = ["def card_to_dict(a):", "    out = {}"]
    for i, (name, how, default, written) in enumerate(_dict_plan()):
        if name == "line" and not with_line:
            continue
        env[f"_d{i}"], env[f"_w{i}"] = default, written
        lines.append(f"    v = a[{name!r}]")
        pad = "    "
        if not defaults and default is not _REQUIRED:
            lines.append(f"{pad}if v is not _d{i}:")
            pad += "    "
        if how in (_VARY, _VARIANT):  # absent on cards that do not vary
            lines.append(f"{pad}if v:")
            pad += "    "
        lines.append(f"{pad}v = {convert[how]}")
        if not defaults and default is not _REQUIRED:
            lines.append(f"{pad}if not (v.__class__ is _w{i}.__class__ and v == _w{i}):")
            pad += "    "
        lines.append(f"{pad}out[{name!r}] = v")
    lines.append("    return out")
    exec("\n".join(lines), env)  # source built from Card's own field names
    return env["card_to_dict"]  # type: ignore[return-value]  # the function just defined


def content_digest(data: dict[str, object]) -> str:
    """`Card.content_hash` from the card's `card_to_dict(card, defaults=False)` (with or
    without its line, which is not part of the digest): the store hashes the dict it
    also writes. Without the defaults: a field added to Card with a default leaves
    every stored digest as it was.

    The digest is of the dict's JSON with its keys sorted (a text map's languages in
    another order are the same content), as orjson writes it: an import hashes every
    card of a deck, and the standard library's encoder with sorted keys was the largest
    part of an import's cost after parsing (issue #19). Changing how this encodes
    changes every stored hash: it takes a migration that recomputes them (0016).
    """
    if "line" in data:
        data = {k: v for k, v in data.items() if k != "line"}
    return hashlib.sha256(_sorted_json()(data)).hexdigest()[:16]


@cache
def _sorted_json() -> Callable[[object], bytes]:
    """orjson's encoder with sorted keys, loaded on the first digest (only an import and
    migration 0016 hash cards: not at the start of every command that reads a card)."""
    from functools import partial

    import orjson

    return partial(orjson.dumps, option=orjson.OPT_SORT_KEYS)


def _texts(values: list[object]) -> tuple[Text | None, ...]:
    return tuple(map(text_from_data, values))


def _vary(value: object) -> VarySpec | None:
    from quiz.deck.variants import VarySpec

    return VarySpec.from_data(value) if value else None  # type: ignore[arg-type]  # a map in stored JSON


def _kind(value: str) -> CardKind:
    return _KINDS.get(value) or CardKind(value)  # an unknown kind: CardKind's own error


_KINDS = {kind.value: kind for kind in CardKind}  # the members by value, without Enum's call


def _pairs(value: list[list[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(map(tuple, value))


_AS_READ = None  # a field card_from_dict takes as it is (a list as a tuple)


@cache
def _readers() -> dict[str, Callable[[Any], object] | None]:
    """How `card_from_dict` reads each Card field from its JSON form, worked out once
    (`fields()` and the name tests per stored card showed in exports of 10k cards)."""
    special: dict[str, Callable[[Any], object]] = {
        "choices": _texts,
        "kind": _kind,
        "vary": _vary,
        "variant": _pairs,
    }
    special.update(dict.fromkeys(_TEXT_FIELDS, text_from_data))
    return {f.name: special.get(f.name, _AS_READ) for f in fields(Card)}


_UNKNOWN = object()


def card_from_dict(data: dict[str, object]) -> Card:
    kwargs: dict[str, object] = {}
    readers = _readers()
    for name, value in data.items():
        read = readers.get(name, _UNKNOWN)
        if read is _AS_READ:
            if isinstance(value, list):
                value = tuple(value)
        elif read is _UNKNOWN:
            continue
        else:
            value = read(value)  # type: ignore[operator]  # a reader: _UNKNOWN is gone
        kwargs[name] = value
    return make_card(kwargs)


_REQUIRED = object()  # a Card field without a default, in `_card_slots` (card_to_dict's plan)


@cache
def _card_slots() -> dict[str, object]:
    """Every Card field in order with its default (`_REQUIRED` where it has none), for
    `card_to_dict`'s plan (which leaves out a field holding its default)."""
    import dataclasses

    out: dict[str, object] = {}
    for f in fields(Card):
        if f.default_factory is not dataclasses.MISSING:  # pragma: no cover - none today
            raise TypeError(f"Card.{f.name}: card_to_dict compares with defaults, not factories")
        out[f.name] = _REQUIRED if f.default is dataclasses.MISSING else f.default
    return out


def make_card(values: Mapping[str, object]) -> Card:
    """`Card(**values)` for the code that makes a card per card of a deck or a store (the
    deck builder, `card_from_dict`), through `frozen_maker`."""
    return frozen_maker(Card)(**values)


@dataclass(frozen=True)
class CardFilter:
    """Which cards a command is about: any of these decks, any of these tags, any of
    these kinds (an empty tuple: no restriction)."""

    decks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
