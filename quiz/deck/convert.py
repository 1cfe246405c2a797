"""One YAML node + one field definition -> a Python value, or a reported problem.

Each converter knows one `fields.Kind`. They never raise: a bad value is reported with
the node's line and the converter returns `INVALID`, so the loader goes on and reports
every other problem of the file in the same run.

The message for a value that YAML turned into something else ("`answer: no` was read
as a boolean (false); quote it") quotes the *original* text from the node, which is the
fix the author needs to type.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from yaml.nodes import Node

from quiz.deck import fields as F
from quiz.deck.yaml_nodes import (
    ALLOWED_TAGS,
    FLOAT_TAG,
    INT_TAG,
    NULL_TAG,
    BadScalar,
    MappingNode,
    ScalarNode,
    SequenceNode,
    describe,
    is_string,
    line_of,
    quote,
    scalar_value,
)
from quiz.errors import DeckProblem
from quiz.model import Text, frozen_maker
from quiz.safe_text import shown as safe_shown

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quiz.deck.variants import Dimension


class _Invalid:
    """The value of a field that was reported as wrong (distinct from None = absent)."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID = _Invalid()


@dataclass
class Report:
    """The problems of one file, collected in the order they are found, plus the one piece
    of deck context the converters need: the language of plain-string text (`lang:`)."""

    path: str
    lang: str = ""
    problems: list[DeckProblem] = field(default_factory=list)

    def add(self, line: int | None, message: str) -> None:
        self.problems.append(DeckProblem(self.path, line, message))


def did_you_mean(word: str, candidates: Sequence[str]) -> str:
    """` (did you mean 'front'?)` for a near miss, else an empty string."""
    lowered = {c.lower(): c for c in candidates}
    if word.lower() in lowered:
        return f" (did you mean '{lowered[word.lower()]}'?)"
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def not_a_string(node: Node, label: str, report: Report, expected: str = "a string") -> _Invalid:
    """Report a node where a string was expected, in the most useful words we have."""
    if node.tag not in ALLOWED_TAGS:
        return INVALID  # the tag itself was reported by yaml_nodes.check_tree
    if isinstance(node, ScalarNode):
        if node.tag == NULL_TAG and node.value == "":
            report.add(line_of(node), f"{label} has no value")
        else:
            report.add(
                line_of(node),
                f"{label} was read as {describe(node)}; quote it: {quote(node.value)}",
            )
    else:
        report.add(line_of(node), f"{label} must be {expected} (found {describe(node)})")
    return INVALID


def string(node: Node, label: str, report: Report, nonempty: bool = True) -> str | _Invalid:
    if not is_string(node):
        return not_a_string(node, label, report)
    value: str = node.value
    if nonempty and not value.strip():
        report.add(line_of(node), f"{label} is empty")
        return INVALID
    return value


def text(node: Node, label: str, report: Report) -> Text | _Invalid:
    """A string (in the deck's language) or a map language -> string."""
    if node.__class__ is ScalarNode and is_string(node):  # the commonest: a plain string
        if not node.value.strip():
            report.add(line_of(node), f"{label} is empty")
            return INVALID
        return _make_text(((report.lang, node.value),))  # Text.plain, without its two calls
    if node.__class__ is MappingNode and node.tag in ALLOWED_TAGS:
        if not node.value:
            report.add(
                line_of(node),
                f"{label} is an empty map; give at least one language, like {{en: ...}}",
            )
            return INVALID
        variants: list[tuple[str, str]] = []
        ok = True
        seen: set[str] = set()
        for key, value in node.value:
            lang = key.value if isinstance(key, ScalarNode) else ""
            if not isinstance(key, ScalarNode) or not F.LANG_RE.fullmatch(lang):
                shown = f"'{safe_shown(lang)}'" if lang else "this key"
                report.add(
                    line_of(key), f"{label}: {shown} is not a language code (like en, zh, zh-Hans)"
                )
                ok = False
                continue
            item = string(value, f"{label} [{lang}]", report)
            if isinstance(item, _Invalid):
                ok = False
            elif lang not in seen:  # a duplicate language was reported by check_tree
                seen.add(lang)
                variants.append((lang, item))
        return _make_text(tuple(variants)) if ok else INVALID
    return not_a_string(node, label, report, "a string or a map of language -> string")


_make_text = frozen_maker(Text)  # Text(...) without its __init__; made once, where decks are read


def _pattern(regex, explain: str) -> Callable[[Node, str, Report], str | _Invalid]:
    def convert(node: Node, label: str, report: Report) -> str | _Invalid:
        value = string(node, label, report)
        if isinstance(value, _Invalid):
            return INVALID
        if not regex.fullmatch(value):
            report.add(line_of(node), f"{label} {quote(value)} {explain}")
            return INVALID
        return value

    return convert


deck_id = _pattern(
    F.DECK_ID_RE,
    "may only use lowercase letters, digits and '-' (and must start with a letter or digit)",
)
card_id = _pattern(
    F.CARD_ID_RE,
    "may only use lowercase letters, digits, '_' and '-' (and must start with a letter or digit)",
)
lang = _pattern(F.LANG_RE, "is not a language code (like en, zh, zh-Hans)")
tag = _pattern(F.TAG_RE, "is not a tag (no spaces or commas)")
reference = _pattern(F.REQUIRE_RE, "is not a card reference (write an id, or deck/id)")


def items(node: Node, label: str, report: Report, example: str) -> list[Node] | _Invalid:
    """The item nodes of a list (the node's own list: read them, do not change it)."""
    if node.__class__ is not SequenceNode or node.tag not in ALLOWED_TAGS:
        if isinstance(node, ScalarNode) and node.tag == NULL_TAG and node.value == "":
            report.add(line_of(node), f"{label} has no value")
        elif node.tag in ALLOWED_TAGS:  # a foreign tag was reported by check_tree
            report.add(
                line_of(node), f"{label} must be a list, like {example} (found {describe(node)})"
            )
        return INVALID
    return node.value


def list_of(convert: Callable[[Node, str, Report], object], example: str, *, min_items: int = 0):
    """A converter for a list whose items each go through `convert`."""

    def convert_list(node: Node, label: str, report: Report) -> tuple[object, ...] | _Invalid:
        nodes = items(node, label, report, example)
        if isinstance(nodes, _Invalid):
            return INVALID
        if len(nodes) < min_items:
            need = "at least one item" if min_items == 1 else f"at least {min_items} items"
            report.add(line_of(node), f"{label} needs {need}")
            return INVALID
        # every item converted, in a loop (a comprehension is a call of its own, and
        # lists are converted for most cards); first under the list's label, as most
        # lists are sound: a list with a problem is converted again with each item's
        # label (a string made per item), the first round's problems taken back
        before = len(report.problems)
        values = []
        for item in nodes:
            value = convert(item, label, report)
            if value is INVALID:
                break
            values.append(value)
        else:
            if len(report.problems) == before:
                return tuple(values)
        del report.problems[before:]
        values = []
        ok = True
        for i, item in enumerate(nodes, 1):
            value = convert(item, f"{label} item {i}", report)
            if value is INVALID:
                ok = False
            values.append(value)
        return tuple(values) if ok else INVALID

    return convert_list


def _string_any(node: Node, label: str, report: Report) -> str | _Invalid:
    return string(node, label, report, nonempty=False)


def _string_nonempty(node: Node, label: str, report: Report) -> str | _Invalid:
    return string(node, label, report, nonempty=True)


_nonempty_strings = list_of(_string_nonempty, '["a", "b"]', min_items=1)


def string_or_strings(node: Node, label: str, report: Report) -> tuple[str, ...] | _Invalid:
    if node.__class__ is SequenceNode:
        return _nonempty_strings(node, label, report)
    value = string(node, label, report)
    return INVALID if isinstance(value, _Invalid) else (value,)


def integer(node: Node, label: str, report: Report) -> int | _Invalid:
    if isinstance(node, ScalarNode) and node.tag == INT_TAG:
        value = scalar_value(node)
        if isinstance(value, int) and abs(value) <= F.MAX_INDEX:
            return value
        report.add(
            line_of(node),
            f"{label} must be a whole number below {F.MAX_INDEX + 1} (found {_shown(node)})",
        )
        return INVALID
    if isinstance(node, ScalarNode) and node.tag not in ALLOWED_TAGS:
        return INVALID
    report.add(line_of(node), f"{label} must be a whole number (found {_shown(node)})")
    return INVALID


_index_list = list_of(integer, "[0, 2]", min_items=1)


def indices(node: Node, label: str, report: Report) -> tuple[int, ...] | _Invalid:
    if node.__class__ is SequenceNode:
        return _index_list(node, label, report)
    value = integer(node, label, report)
    return INVALID if isinstance(value, _Invalid) else (value,)


def timeout(node: Node, label: str, report: Report) -> float | _Invalid:
    if not (isinstance(node, ScalarNode) and node.tag in (INT_TAG, FLOAT_TAG)):
        if not isinstance(node, ScalarNode) or node.tag in ALLOWED_TAGS:
            report.add(line_of(node), f"{label} must be a number of seconds (found {_shown(node)})")
        return INVALID
    number = scalar_value(node)
    try:
        value = float(number)  # type: ignore[arg-type]  # a core int/float scalar; float() of anything else is caught below
    except (TypeError, ValueError, OverflowError):  # `!!float y`; an int of 400 digits
        value = math.nan
    if isinstance(number, BadScalar) or not 0 < value <= F.MAX_TIMEOUT:
        report.add(
            line_of(node),
            f"{label} must be more than 0 and at most {F.MAX_TIMEOUT:g} seconds "
            f"(found {safe_shown(node.value, 40)})",
        )
        return INVALID
    return value


def specifier(node: Node, label: str, report: Report) -> str | _Invalid:
    # packaging, loaded by the few decks that name Python versions
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    value = string(node, label, report)
    if isinstance(value, _Invalid):
        return INVALID
    try:
        SpecifierSet(value)
    except InvalidSpecifier:
        report.add(
            line_of(node),
            f'{label} {quote(value)} is not a valid PEP 440 version specifier (like ">=3.10")',
        )
        return INVALID
    return value


def enum(choices: Sequence[str], what: str) -> Callable[[Node, str, Report], str | _Invalid]:
    def convert(node: Node, label: str, report: Report) -> str | _Invalid:
        value = string(node, label, report)
        if isinstance(value, _Invalid):
            return INVALID
        if value not in choices:
            report.add(
                line_of(node),
                f"unknown {what} {quote(value)}{did_you_mean(value, choices)}; "
                f"use one of: {', '.join(choices)}",
            )
            return INVALID
        return value

    return convert


def _shown(node: Node) -> str:
    """A value as the author wrote it, for 'found ...' (quoted strings stay strings)."""
    if isinstance(node, ScalarNode) and node.style:
        return f"the string {quote(node.value)}"
    return describe(node)


def vary(node: Node, label: str, report: Report) -> object:
    """`vary:` -> a `variants.VarySpec`: names to a list of values (kept as written) or
    `{range: [lo, hi]}` (whole numbers, both included)."""
    from quiz.deck.variants import MAX_VARIANTS, NAME_RE, VarySpec

    if node.__class__ is not MappingNode or node.tag not in ALLOWED_TAGS:
        if node.tag in ALLOWED_TAGS:
            report.add(
                line_of(node),
                f"{label} must be a map of names to values, like "
                f"{{n: {{range: [2, 6]}}, op: ['+=', '-=']}} (found {describe(node)})",
            )
        return INVALID
    if not node.value:
        report.add(line_of(node), f"{label} is empty; leave it out or name at least one value")
        return INVALID
    dims: list[Dimension] = []
    ok = True
    for key, value in node.value:
        name = key.value if isinstance(key, ScalarNode) else ""
        if not isinstance(key, ScalarNode) or not NAME_RE.fullmatch(name):
            report.add(
                line_of(key),
                f"{label}: {quote(name) if name else 'this key'} is not a name "
                "(letters, digits and '_', not starting with a digit)",
            )
            ok = False
            continue
        dim = _dimension(name, value, f"{label[:-1]}: {name}'", report)
        if dim is None:
            ok = False
        elif name not in {d.name for d in dims}:  # a duplicate key was reported by check_tree
            dims.append(dim)
    if not ok:
        return INVALID
    spec = VarySpec(tuple(dims))
    if spec.count > MAX_VARIANTS:
        sizes = " x ".join(str(len(d.values)) for d in dims)
        report.add(
            line_of(node),
            f"{label} makes {spec.count} variants ({sizes}); at most {MAX_VARIANTS} are allowed",
        )
        return INVALID
    return spec


def _dimension(name: str, node: Node, label: str, report: Report) -> Dimension | None:
    from quiz.deck.variants import MAX_VARIANTS, Dimension

    if node.tag not in ALLOWED_TAGS:
        return None  # reported by yaml_nodes.check_tree
    if node.__class__ is MappingNode:
        keys = [k.value if isinstance(k, ScalarNode) else "" for k, _ in node.value]
        if keys != ["range"]:
            report.add(
                line_of(node),
                f"{label} must be a list of values or {{range: [lo, hi]}} "
                + (
                    f"(found the keys {', '.join(safe_shown(k, 40) for k in keys)})"
                    if keys
                    else "(found an empty map)"
                ),
            )
            return None
        bounds = node.value[0][1]
        if bounds.__class__ is not SequenceNode or len(bounds.value) != 2:
            report.add(
                line_of(bounds),
                f"{label}: range must be two whole numbers [lo, hi] (found {describe(bounds)})",
            )
            return None
        lo, hi = (integer(item, f"{label} range", report) for item in bounds.value)
        if isinstance(lo, _Invalid) or isinstance(hi, _Invalid):
            return None
        if lo > hi:
            report.add(line_of(bounds), f"{label}: range [{lo}, {hi}] is empty (lo > hi)")
            return None
        if hi - lo + 1 > MAX_VARIANTS:
            report.add(
                line_of(bounds),
                f"{label}: range [{lo}, {hi}] has {hi - lo + 1} values; at most "
                f"{MAX_VARIANTS} are allowed",
            )
            return None
        return Dimension.of_range(name, lo, hi)
    if node.__class__ is not SequenceNode:
        report.add(
            line_of(node),
            f"{label} must be a list of values, like [list, tuple], or {{range: [lo, hi]}} "
            f"(found {describe(node)})",
        )
        return None
    if not node.value:
        report.add(line_of(node), f"{label} is an empty list; give at least one value")
        return None
    values: list[str] = []
    ok = True
    for i, item in enumerate(node.value):
        if not isinstance(item, ScalarNode) or item.tag == NULL_TAG:
            if item.tag in ALLOWED_TAGS:
                report.add(
                    line_of(item),
                    f"{label} item {i + 1} must be a single value (found {describe(item)}); "
                    "quote it",
                )
            ok = False
        elif item.value in values:
            report.add(line_of(item), f"{label} lists {quote(item.value)} twice")
            ok = False
        else:
            values.append(item.value)  # as written: `2.50` stays 2.50, `yes` stays yes
    if len(values) > MAX_VARIANTS:
        report.add(line_of(node), f"{label} has more than {MAX_VARIANTS} values")
        ok = False
    return Dimension(name, tuple(values)) if ok else None


CONVERTERS: dict[F.Kind, Callable[[Node, str, Report], object]] = {
    F.Kind.DECK_ID: deck_id,
    F.Kind.CARD_ID: card_id,
    F.Kind.TEXT: text,
    F.Kind.LANG: lang,
    F.Kind.TAGS: list_of(tag, "[python, gil]"),
    F.Kind.REQUIRES: list_of(reference, "[other-card, other-deck/card]"),
    F.Kind.SPECIFIER: specifier,
    F.Kind.STRINGS: list_of(_string_any, '["a", "b"]'),
    F.Kind.STRING_OR_STRINGS: string_or_strings,
    F.Kind.TEXTS: list_of(text, "[first, second]", min_items=F.MIN_CHOICES),
    F.Kind.INDICES: indices,
    F.Kind.TIMEOUT: timeout,
    F.Kind.VARY: vary,
}


_BY_FIELD: dict[int, tuple[F.Field, Callable[[Node, Report], object]]] = {}


def converter(spec: F.Field) -> Callable[[Node, Report], object]:
    """The converter of one field, its label bound, made once per field: the validator
    asks for one for every value of every card (by identity, the field kept with it:
    hashing a Field, all its members, showed in imports of 10k cards)."""
    found = _BY_FIELD.get(id(spec))
    if found is None or found[0] is not spec:
        found = _BY_FIELD[id(spec)] = (spec, _make_converter(spec))
    return found[1]


def _make_converter(spec: F.Field) -> Callable[[Node, Report], object]:
    label = spec.label
    if spec.kind is F.Kind.STRING:
        nonempty, pattern = spec.nonempty, spec.pattern

        def convert_string(node: Node, report: Report) -> object:
            value = string(node, label, report, nonempty=nonempty)
            if pattern and isinstance(value, str) and not re.fullmatch(pattern, value):
                report.add(line_of(node), f"{label} {quote(value)} {spec.pattern_help}")
                return INVALID
            return value

        return convert_string
    if spec.kind is F.Kind.ENUM:
        what = "card type" if spec.name == "type" else f"'{spec.name}' value"
        convert_enum = enum(spec.choices, what)
        return lambda node, report: convert_enum(node, label, report)
    convert_kind = CONVERTERS[spec.kind]
    return lambda node, report: convert_kind(node, label, report)


def convert(spec: F.Field, node: Node, report: Report) -> object:
    """The value of `node` for field `spec`, or INVALID (already reported)."""
    return converter(spec)(node, report)
