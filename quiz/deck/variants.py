"""Output cards that are new every time: `vary:` names, their values, and the variant a
review shows.

A card with `vary: {n: {range: [2, 6]}, op: ["+=", "= x +"]}` writes `{{n}}` and
`{{op}}` in its `code`, `front` and `explain`. Substitution is textual: each value is
inserted exactly as the deck wrote it, and only declared names are replaced, so
Python's own `{{`/`}}` (in an f-string or `str.format`) stays as written unless it
spells a declared name. There is no expression language.

Which variant a review shows is a pure function of the card's key, the review number
and the spec (`choose`), so replaying the log (`quiz rebuild`) and undo see the same
variant that was shown. Within each round of as many reviews as there are variants,
every variant is shown once before any repeats.

Pure core: no files, no sandbox, no terminal.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quiz.model import Card

# At most this many combinations per card: a bigger space is a mistake (nobody reviews a
# card 1,000 times) and would make `quiz check`'s sample too thin to mean anything.
MAX_VARIANTS = 256
# `quiz check` runs every variant of a card with at most this many; above, a
# deterministic sample of this many that includes the all-first and the all-last variant
# (so the first and last value of every list and range).
CHECK_ALL_UP_TO = 6
NAME_PATTERN = r"[A-Za-z_][A-Za-z0-9_]*"
NAME_RE = re.compile(NAME_PATTERN)
# `{{n}}` or `{{ n }}`
PLACEHOLDER_RE = re.compile(r"\{\{\s*(" + NAME_PATTERN + r")\s*\}\}")


@dataclass(frozen=True)
class Dimension:
    """One `vary:` name and its values, as text. `span` is (lo, hi) when the deck wrote
    `{range: [lo, hi]}` (kept so the card round-trips as written)."""

    name: str
    values: tuple[str, ...]
    span: tuple[int, int] | None = None

    @classmethod
    def of_range(cls, name: str, lo: int, hi: int) -> Dimension:
        return cls(name, tuple(str(i) for i in range(lo, hi + 1)), (lo, hi))


@dataclass(frozen=True)
class Variant:
    """One choice of a value for every name, in the order the deck declared them."""

    values: tuple[tuple[str, str], ...]

    def label(self) -> str:
        """`n=3, op=+=`: how messages, `quiz run` and `--variant` spell a variant."""
        return ", ".join(f"{name}={value}" for name, value in self.values)

    def __str__(self) -> str:
        return "{" + self.label() + "}"


@dataclass(frozen=True)
class VarySpec:
    dims: tuple[Dimension, ...]

    @property
    def count(self) -> int:
        total = 1
        for dim in self.dims:
            total *= len(dim.values)
        return total

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dim.name for dim in self.dims)

    def variant(self, index: int) -> Variant:
        """Variant number `index` (0: the first value of every name; count-1: the last)."""
        picked: list[tuple[str, str]] = []
        for dim in reversed(self.dims):
            index, at = divmod(index, len(dim.values))
            picked.append((dim.name, dim.values[at]))
        return Variant(tuple(reversed(picked)))

    def first(self) -> Variant:
        return self.variant(0)

    def all(self) -> list[Variant]:
        return [self.variant(i) for i in range(self.count)]

    def to_data(self) -> dict[str, object]:
        """The JSON form (the store's content column, and how the deck wrote it)."""
        return {
            dim.name: {"range": list(dim.span)} if dim.span is not None else list(dim.values)
            for dim in self.dims
        }

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> VarySpec:
        dims: list[Dimension] = []
        for name, value in data.items():
            if isinstance(value, Mapping):
                lo, hi = value["range"]
                dims.append(Dimension.of_range(str(name), int(lo), int(hi)))
            else:
                dims.append(Dimension(str(name), tuple(str(v) for v in value)))  # type: ignore[attr-defined]  # written by to_data: a list
        return cls(tuple(dims))


def _seed(*parts: object) -> int:
    """A seed that is the same on every Python and platform (unlike `hash()`)."""
    text = "\0".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def choose(key: str, reps: int, spec: VarySpec) -> Variant:
    """The variant review number `reps` (0 for the first review) of card `key` shows.

    Reviews are dealt in rounds of `spec.count`: each round is a shuffle of all the
    variants seeded by the card and the round, so a learner sees every variant once
    before any comes back, and no two cards walk through their variants in step.
    """
    count = spec.count
    if count <= 1:
        return spec.first()
    round_, position = divmod(max(reps, 0), count)
    order = list(range(count))
    random.Random(_seed(key, round_)).shuffle(order)
    return spec.variant(order[position])


def check_sample(spec: VarySpec, key: str = "", limit: int = CHECK_ALL_UP_TO) -> list[Variant]:
    """The variants `quiz check` runs: all of them up to `limit`; above, `limit` of them,
    always the first (every name's first value) and the last (every name's last value),
    the rest drawn deterministically from the card's key."""
    count = spec.count
    if count <= limit:
        return spec.all()
    picked = [0, count - 1]
    others = list(range(1, count - 1))
    random.Random(_seed("check", key)).shuffle(others)
    picked += sorted(others[: max(limit - 2, 0)])
    return [spec.variant(i) for i in picked]


def substitute(text: str, variant: Variant) -> str:
    """`text` with every `{{name}}` of a declared name replaced by its value as written."""
    table = dict(variant.values)
    if not table:
        return text

    def one(match: re.Match[str]) -> str:
        value = table.get(match.group(1))
        return match.group(0) if value is None else value

    return PLACEHOLDER_RE.sub(one, text)


def placeholders(text: str) -> list[str]:
    """The names written as `{{name}}` in `text`, in order (repeats kept)."""
    return PLACEHOLDER_RE.findall(text)


def parse_pick(spec: VarySpec, text: str) -> Variant:
    """A variant from `n=3,op=+=` (names left out take their first value).

    Raises ValueError with a message for the learner. A value may hold commas: a comma
    only separates when a declared name and `=` follow it.
    """
    names = spec.names
    if not names:
        raise ValueError("this card has no variants (no `vary:`)")
    chosen: dict[str, str] = {}
    text = text.strip()
    if text:
        alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        parts = re.split(r",\s*(?=(?:" + alternation + r")\s*=)", text)
        for part in parts:
            name, eq, value = part.partition("=")
            name = name.strip()
            if not eq or name not in names:
                raise ValueError(
                    f"'{part}' does not pick a value: write name=value with a name of "
                    f"{', '.join(names)}"
                )
            if name in chosen:
                raise ValueError(f"'{name}' is picked twice")
            chosen[name] = value.strip()
    picked: list[tuple[str, str]] = []
    for dim in spec.dims:
        value = chosen.get(dim.name, dim.values[0])
        if value not in dim.values:
            shown = (
                f"{dim.span[0]} to {dim.span[1]}" if dim.span is not None else ", ".join(dim.values)
            )
            raise ValueError(f"{dim.name}={value} is not one of the card's values ({shown})")
        picked.append((dim.name, value))
    return Variant(tuple(picked))


def apply(card: Card, variant: Variant) -> Card:
    """The card as the learner sees it for `variant`: code, front and explain (every
    language) substituted; the variant is kept on the card and `vary` dropped, so a
    shown card is never substituted twice."""
    from quiz.model import Text

    def text(value: Text | None) -> Text | None:
        if value is None:
            return None
        return Text(tuple((lang, substitute(part, variant)) for lang, part in value.variants))

    return replace(
        card,
        code=substitute(card.code, variant) if card.code is not None else None,
        front=text(card.front),
        explain=text(card.explain),
        vary=None,
        variant=variant.values,
    )


def for_review(card: Card, reps: int) -> Card:
    """The card a review numbered `reps` shows (the card itself when it does not vary)."""
    if card.vary is None:
        return card
    return apply(card, choose(card.key, reps, card.vary))


def unused_names(spec: VarySpec, texts: Iterable[str]) -> list[str]:
    """Declared names that no text uses."""
    used = {name for text in texts for name in placeholders(text)}
    return [name for name in spec.names if name not in used]


def undeclared(text: str, declared: Sequence[str]) -> list[str]:
    """Placeholder-looking names in `text` that are not declared, in order, once each."""
    return list(dict.fromkeys(n for n in placeholders(text) if n not in declared))
