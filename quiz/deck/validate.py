"""A composed YAML tree -> a `model.Deck`, checking it against the table in `fields.py`.

Two passes: the first checks each card on its own (keys, values, type rules) and keeps a
draft of it; the second needs the whole deck (duplicate ids, `requires` that point at
cards of this deck, cloze notes expanded to their parts) and then builds the frozen
`Card` values. Every problem is collected; a deck is returned only when there are none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

from yaml.nodes import Node

from quiz.deck import cloze
from quiz.deck import fields as F
from quiz.deck.convert import INVALID, Report, convert, converter, did_you_mean
from quiz.deck.folding import folded_key
from quiz.deck.yaml_nodes import (
    MERGE_TAG,
    MappingNode,
    ScalarNode,
    SequenceNode,
    describe,
    line_of,
)
from quiz.errors import DeckProblem
from quiz.model import Card, CardKind, Deck, Text, frozen_maker
from quiz.safe_text import shown

UNRECORDED_MESSAGE = "output card has no expected `output` or `raises` (run `quiz check --record`)"

_Entries = dict[str, tuple[ScalarNode, Node]]


@dataclass(slots=True)  # one per card
class _Draft:
    """A card between the two passes: its checked values, and whether it is sound."""

    id: str | None
    line: int
    type: str | None
    values: dict[str, object]
    requires: list[tuple[str, int]] = field(default_factory=list)
    cloze_numbers: tuple[int, ...] = ()
    ok: bool = True


def build_deck(
    root: Node, path: str, *, allow_unrecorded: bool = False, aliases: bool = True
) -> tuple[Deck | None, list[DeckProblem]]:
    """Check the tree; return the Deck (None if there was any problem) and the problems.

    `aliases=False` says the tree has no node reached twice (`yaml_nodes.compose` found
    no alias): then no card's value needs a look for one.
    """
    report = Report(path)
    if root.__class__ is not MappingNode:
        report.add(
            line_of(root),
            "the top level must be a mapping with 'deck', 'title' and 'cards' "
            f"(found {describe(root)})",
        )
        return None, report.problems
    entries = _entries(root, report)
    _check_keys(entries, list(F.DECK_FIELD_MAP), report)

    values: dict[str, object] = {}
    lang_entry = entries.get("lang")
    if lang_entry is not None:  # first: plain strings everywhere take this language
        value = convert(F.DECK_FIELD_MAP["lang"], lang_entry[1], report)
        if value is not INVALID:
            values["lang"] = report.lang = value  # type: ignore[assignment]  # the lang converter returns a str
    invalid = False  # a value refused without a message here (a foreign tag, see yaml_nodes)
    for name, (key, node) in entries.items():
        spec = F.DECK_FIELD_MAP.get(name)
        if spec is None or name in ("lang", "cards"):
            continue
        if _is_alias(key, node):
            invalid = True
            continue
        value = convert(spec, node, report)
        if value is INVALID:
            invalid = True
        else:
            values[name] = value
    _check_missing(
        entries,
        [f.name for f in F.DECK_FIELDS if f.required],
        root,
        report,
        "the deck",
        list(F.DECK_FIELD_MAP),
    )

    deck_id = values.get("deck") if isinstance(values.get("deck"), str) else ""
    drafts: list[_Draft] = []
    cards_entry = entries.get("cards")
    if cards_entry is not None:
        drafts = _cards(cards_entry[1], report, allow_unrecorded, aliases)
    cards = _assemble(drafts, str(deck_id), values, report)

    problems = sorted(report.problems, key=lambda p: p.line or 0)
    if problems or invalid or any(not d.ok for d in drafts):
        return None, list(dict.fromkeys(problems))
    deck_line = line_of(entries["deck"][0])
    return Deck(
        id=str(deck_id),
        title=values["title"],  # type: ignore[arg-type]  # converted by the title field: a Text
        cards=tuple(cards),
        path=path,
        description=values.get("description"),  # type: ignore[arg-type]  # converted by the description field: a Text or absent
        lang=values.get("lang"),  # type: ignore[arg-type]  # converted by the lang field: a str or absent
        tags=tuple(dict.fromkeys(values.get("tags", ()))),  # type: ignore[call-overload]  # converted by the tags field: a tuple of str
        python=values.get("python"),  # type: ignore[arg-type]  # converted by the python field: a str or absent
        line=deck_line,
    ), []


# ---------------------------------------------------------------------------
# Mappings and their keys


def _entries(node: MappingNode, report: Report) -> _Entries:
    """Key name -> (key node, value node); the first of duplicate keys wins (both reported)."""
    out: _Entries = {}
    for key, value in node.value:
        if key.__class__ is not ScalarNode:
            report.add(
                line_of(key),
                f"keys must be plain words like 'front' (found {describe(key)} as a key)",
            )
            continue
        if key.value not in out:
            out[key.value] = (key, value)
    return out


def _is_alias(key: Node, value: Node) -> bool:
    """A value that starts before its key is an alias to an earlier node: it was reported
    at the alias by yaml_nodes, and its own messages would point at the anchor's line."""
    return value.start_mark.line < key.start_mark.line


def _check_keys(
    entries: _Entries,
    allowed: Sequence[str],
    report: Report,
    type_name: str | None = None,
    also: Sequence[str] = (),
    known: Collection[str] | None = None,
) -> None:
    """Unknown keys (with a did-you-mean from `allowed`, then `also`) and, for a card of a
    known type, keys of other card types that this type does not use. `known` is
    `allowed` as a set, where the caller has one."""
    if known is None:
        known = allowed
    for name, (key, _value) in entries.items():
        if name in known or key.tag == MERGE_TAG:  # `<<` was reported by check_tree
            continue
        if type_name is not None and name in F.CARD_FIELDS:
            report.add(
                line_of(key),
                f"key '{shown(name)}' is not used by {type_name} cards{_used_by(name)}",
            )
            continue
        hint = _synonym(name, known) or did_you_mean(name, allowed) or did_you_mean(name, also)
        report.add(line_of(key), f"unknown key '{shown(name)}'{hint}")


@cache
def _used_by(name: str) -> str:
    """Which card types take a key: a card whose `type:` was left out (so basic) while
    it holds `output:` was meant to be an output card."""
    types = [t.name for t in F.CARD_TYPE_DEFS.values() if name in t.keys]
    if len(types) == 1:
        return f" (it is for {types[0]} cards: `type: {types[0]}`)"
    return f" (it is for {', '.join(types[:-1])} and {types[-1]} cards)" if types else ""


def _synonym(name: str, known: Collection[str]) -> str:
    """The hint for a word from another tool (`kind`, `question`) that names a key
    this mapping takes."""
    meant = F.KEY_SYNONYMS.get(name.lower())
    return f" (did you mean '{meant}'?)" if meant is not None and meant in known else ""


def _check_missing(
    entries: _Entries,
    required: Sequence[str],
    node: MappingNode,
    report: Report,
    what: str,
    may_have: Sequence[str],
    named: str | None = None,
) -> set[str]:
    """Report required keys that are absent, unless one was folded into a text block (then
    say that instead): "{what} '{named}' has no ..." (or without a name). Returns the
    keys found folded."""
    folded = _folded(entries, may_have, report)
    for name in required:
        if name not in entries and name not in folded:
            whose = f"{what} '{named}'" if named else what
            report.add(line_of(node), f"{whose} has no '{name}'")
    return folded


_BLOCKS = ("|", ">")  # the only scalars a key can be folded into (folding.folded_key)


def _folded(entries: _Entries, may_have: Sequence[str], report: Report) -> set[str]:
    """The keys of `may_have` absent from `entries` that a block scalar holds as a line
    (each reported), looked for only when the mapping has a block scalar."""
    found: set[str] = set()
    absent: list[str] | None = None
    for name, (_key, value) in entries.items():
        # the block scalars of the value, or of its language map (folded_key looks at
        # nothing else: every card asks, and most of its scalars are plain or quoted)
        if value.__class__ is ScalarNode:
            if value.style not in _BLOCKS:
                continue
            scalars = [value]
        elif value.__class__ is MappingNode:
            scalars = []
            for _k, v in value.value:  # a loop: a comprehension would be a call per map
                if v.__class__ is ScalarNode and v.style in _BLOCKS:
                    scalars.append(v)
            if not scalars:
                continue
        else:
            continue
        if absent is None:
            absent = [k for k in may_have if k not in entries]
        if not absent:
            return found
        for scalar in scalars:
            folded = folded_key(scalar, absent, code=name == "code")
            if folded is not None and folded[0] not in found:
                key, line = folded
                found.add(key)
                report.add(
                    line,
                    f"looks like key '{key}' folded into the text of '{shown(name)}' "
                    "(check its indentation)",
                )
    return found


# ---------------------------------------------------------------------------
# Pass 1: each card on its own


def _cards(node: Node, report: Report, allow_unrecorded: bool, aliases: bool) -> list[_Draft]:
    if node.__class__ is not SequenceNode:
        if isinstance(node, ScalarNode) and node.value == "":
            report.add(line_of(node), "'cards' has no value (a list of cards is needed)")
        else:
            report.add(line_of(node), f"'cards' must be a list of cards (found {describe(node)})")
        return []
    # `cards: []` is an empty deck: the file's way to say "no cards (yet)"; importing it
    # retires the cards the deck had (history kept), as for any card taken out of a file.
    drafts = []
    seen: set[int] = set()
    converters = _card_converters()
    for index, item in enumerate(node.value):
        if aliases:
            if id(item) in seen:  # `- *card`: an alias, reported by yaml_nodes; not a second card
                continue
            seen.add(id(item))
        draft = _card(item, index, report, allow_unrecorded, converters, aliases)
        if draft is not None:
            drafts.append(draft)
    return drafts


def _card(
    node: Node,
    index: int,
    report: Report,
    allow_unrecorded: bool,
    converters: dict[str, tuple[str, Callable[[Node, Report], object]]],
    aliases: bool,
) -> _Draft | None:
    if node.__class__ is not MappingNode:
        report.add(
            line_of(node),
            f"card {index + 1} must be a mapping with an 'id' and its fields "
            f"(found {describe(node)})",
        )
        return None
    before = len(report.problems)
    line = node.start_mark.line + 1
    entries = _entries(node, report)

    card_id = None
    if "id" in entries:
        value = converters["id"][1](entries["id"][1], report)
        card_id = value if isinstance(value, str) else None
    type_name: str | None = F.DEFAULT_TYPE
    if "type" in entries:
        value = converters["type"][1](entries["type"][1], report)
        type_name = value if isinstance(value, str) else None
    kind = F.CARD_TYPE_DEFS.get(type_name) if type_name else None

    allowed = kind.keys if kind else F.ALL_CARD_KEYS
    allowed_set = kind.key_set if kind else F.ALL_CARD_KEY_SET
    if not allowed_set.issuperset(entries):  # most cards: no key to look at
        _check_keys(
            entries,
            allowed,
            report,
            type_name if kind else None,
            also=F.ALL_CARD_KEYS,
            known=allowed_set,
        )
    values: dict[str, object] = {}
    requires: list[tuple[str, int]] = []
    invalid = card_id is None or type_name is None
    for name, (key, value_node) in entries.items():
        if name == "id" or name == "type" or name not in allowed_set:
            continue
        if aliases and value_node.start_mark.line < key.start_mark.line:  # _is_alias, inline
            invalid = True
            continue
        field_name, convert_value = converters[name]
        value = convert_value(value_node, report)
        if value is INVALID:  # reported (by convert, or as a foreign tag by yaml_nodes)
            invalid = True
            continue
        values[field_name] = value
        if name == "requires":
            refs = cast("tuple[str, ...]", value)  # the `requires` converter returns refs
            requires = [
                (ref, line_of(item)) for ref, item in zip(refs, value_node.value, strict=False)
            ]

    if "id" not in entries:
        report.add(line, f"card {index + 1} has no 'id'")
    numbers: tuple[int, ...] = ()
    if kind is not None:
        folded = _check_missing(entries, kind.required, node, report, kind.noun, kind.keys, card_id)
        if kind.name == "output":
            _check_output(entries, values, folded, node, report, allow_unrecorded)
        elif kind.name == "choice":
            _check_choice(entries, values, report)
        elif kind.name == "cloze" and isinstance(values.get("text"), Text):
            numbers = _check_cloze(values["text"], entries["text"][1], report)  # type: ignore[arg-type]  # isinstance above narrows values.get, not values[...]
    ok = not invalid and len(report.problems) == before
    return _Draft(card_id, line, type_name, values, requires, numbers, ok=ok)


@cache
def _card_converters() -> dict[str, tuple[str, Callable[[Node, Report], object]]]:
    """Each card key's name as the table spells it and its converter (convert.converter),
    looked up by the key read per value. A value is kept under the table's name, a string
    Python interned: `make_card`'s keyword arguments are matched to `Card`'s fields by
    identity first, and a key read from the file is a string of its own."""
    return {name: (spec.name, converter(spec)) for name, spec in F.CARD_FIELDS.items()}


def _check_output(
    entries: _Entries,
    values: dict[str, object],
    folded: set[str],
    node: MappingNode,
    report: Report,
    allow_unrecorded: bool,
) -> None:
    if "vary" in entries:
        _check_vary(entries, values, report)
    elif "output" in entries and "raises" in entries:
        report.add(
            line_of(entries["raises"][0]), "output card has both 'output' and 'raises'; keep one"
        )
    elif (
        "output" not in entries
        and "raises" not in entries
        and not allow_unrecorded
        and not folded & {"output", "raises"}
    ):
        report.add(line_of(node), UNRECORDED_MESSAGE)
    if values.get("match") == "regex":
        for name in ("output", "accept"):
            # converted as a string (output) or a tuple of strings (accept), or absent
            patterns = cast("str | tuple[str, ...] | None", values.get(name))
            for i, pattern in enumerate(
                [patterns] if isinstance(patterns, str) else patterns or ()
            ):
                problem = regex_problem(pattern)
                if problem is not None:
                    where = f"'{name}'" + (f" item {i + 1}" if name == "accept" else "")
                    report.add(
                        line_of(entries[name][1]),
                        f"{where} is not a valid regular expression (match: regex): {problem}",
                    )


def _check_vary(entries: _Entries, values: dict[str, object], report: Report) -> None:
    """A card that varies has no stored answer (each variant's is its live run, which
    `quiz check` verifies), and every declared name must be used somewhere."""
    from quiz.deck.variants import VarySpec, unused_names

    for name in ("output", "raises", "accept"):
        if name in entries:
            report.add(
                line_of(entries[name][0]),
                f"a card with 'vary' has no '{name}': each variant's answer is its live run "
                "(quiz check runs the variants); remove it",
            )
    if values.get("match") == "regex":
        report.add(
            line_of(entries["match"][1]),
            "'match: regex' needs a stored pattern; a card with 'vary' has none "
            "(use exact, literal or unordered-lines)",
        )
    spec = values.get("vary")
    if not isinstance(spec, VarySpec):
        return
    texts: list[str] = []
    code = values.get("code")
    if isinstance(code, str):
        texts.append(code)
    for name in ("front", "explain"):
        text = values.get(name)
        if isinstance(text, Text):
            texts.extend(part for _, part in text.variants)
    for name in unused_names(spec, texts):
        report.add(
            line_of(entries["vary"][0]),
            f"'vary' declares '{name}', but code, front and explain never write "
            f"{{{{{name}}}}}; use it or remove it",
        )


def regex_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be compiled, or None. `re` raises more than `re.error` on a
    hostile pattern: RecursionError on 1,000 nested groups, OverflowError on `a{99999999999}`."""
    import warnings

    try:
        with warnings.catch_warnings():  # "possible nested set": a hint for code, not decks
            warnings.simplefilter("ignore", FutureWarning)
            re.compile(pattern)
    except re.error as exc:
        return str(exc)
    except RecursionError:
        return "it is nested too deeply"
    except (OverflowError, MemoryError, ValueError) as exc:
        return str(exc) or type(exc).__name__
    if _nested_repeat(pattern):
        return (
            "a repetition inside a repetition, like (a+)+, can take forever to match; "
            "rewrite it without the nesting"
        )
    return None


def _nested_repeat(pattern: str) -> bool:
    """Does an unbounded repetition sit inside another one (`(a*)*`, `(\\w+\\s?)+`)?

    Python's `re` backtracks without a time limit, so such a pattern can hang `quiz
    check` and a review on an output of a few dozen characters. This catches the classic
    exponential shape; overlapping alternatives under one repetition (`(a|a)*`) are not
    caught.
    """
    try:
        from re import _constants as c  # type: ignore[attr-defined]  # private module of Python 3.11+, not in typeshed
        from re import _parser as parser  # type: ignore[attr-defined]  # private module of Python 3.11+, not in typeshed
    except ImportError:  # Python 3.10
        import sre_constants as c
        import sre_parse as parser
    repeats = (c.MAX_REPEAT, c.MIN_REPEAT)

    def walk(items: object, inside: bool) -> bool:
        for op, av in items:  # type: ignore[attr-defined]  # a sre_parse.SubPattern (or its list of items): iterable
            if op in repeats:
                _low, high, sub = av
                unbounded = high == c.MAXREPEAT or high > 1000
                if (unbounded and inside) or walk(sub, inside or unbounded):
                    return True
            elif (
                (op is c.SUBPATTERN and walk(av[-1], inside))
                or (op is c.BRANCH and any(walk(branch, inside) for branch in av[1]))
                or (op in (c.ASSERT, c.ASSERT_NOT) and walk(av[1], inside))
            ):
                return True
        return False

    try:
        return walk(parser.parse(pattern), False)
    except Exception:  # it compiled a moment ago; never let this check be the crash
        return False


def _check_choice(entries: _Entries, values: dict[str, object], report: Report) -> None:
    choices, correct = values.get("choices"), values.get("correct")
    if not isinstance(correct, tuple):
        return
    node = entries["correct"][1]
    if len(set(correct)) != len(correct):
        report.add(line_of(node), "'correct' lists the same index twice")
    if isinstance(choices, tuple):
        bad = [i for i in correct if not 0 <= i < len(choices)]
        for i in bad:
            report.add(
                line_of(node),
                f"'correct' index {i} is out of range: there are {len(choices)} "
                f"choices, numbered 0 to {len(choices) - 1}",
            )


def _check_cloze(text: Text, node: Node, report: Report) -> tuple[int, ...]:
    by_lang: dict[str, list[int]] = {}
    for lang, variant in text.variants:
        messages, by_lang[lang] = cloze.check(variant)
        for message in messages:
            report.add(line_of(node), message + (f" [{lang}]" if len(text.variants) > 1 else ""))
    distinct = {tuple(n) for n in by_lang.values()}
    if len(distinct) > 1:
        shown = "; ".join(
            f"{lang}: {', '.join(f'c{n}' for n in nums) or 'none'}"
            for lang, nums in by_lang.items()
        )
        report.add(line_of(node), f"cloze deletions differ between languages ({shown})")
    return tuple(sorted({n for nums in by_lang.values() for n in nums if n > 0}))


# ---------------------------------------------------------------------------
# Pass 2: the deck as a whole


def _assemble(
    drafts: list[_Draft], deck_id: str, deck_values: dict[str, object], report: Report
) -> list[Card]:
    notes: dict[str, _Draft] = {}
    for draft in drafts:
        if draft.id is None:
            continue
        first = notes.get(draft.id)
        if first is None:
            notes[draft.id] = draft
        else:
            report.add(
                draft.line, f"duplicate card id '{draft.id}' (first defined at line {first.line})"
            )
            draft.ok = False

    deck_tags: tuple[str, ...] = tuple(dict.fromkeys(deck_values.get("tags", ())))  # type: ignore[call-overload]  # converted by the tags field: a tuple of str
    deck_python = deck_values.get("python")
    cards: list[Card] = []
    resolved: dict[str, tuple[str, ...]] = {}
    make = frozen_maker(Card)  # make_card's maker, looked up once
    for draft in drafts:
        # (a call only for the cards that require some: most cards do not)
        requires = _resolve_requires(draft, notes, deck_id, report) if draft.requires else ()
        if requires is not None and draft.id is not None:
            resolved.setdefault(draft.id, requires)
        if not draft.ok or requires is None:
            continue
        cards.extend(_build(draft, deck_id, deck_tags, deck_python, requires, make))  # type: ignore[arg-type]  # deck_python converted by the python field: a str or absent
    _check_cycles(resolved, notes, deck_id, report)
    return cards


def _resolve_requires(
    draft: _Draft, notes: dict[str, _Draft], deck_id: str, report: Report
) -> tuple[str, ...] | None:
    """Full keys for `requires`; a cloze note stands for all its parts. None if any is bad."""
    keys: list[str] = []
    ok = True
    for ref, line in draft.requires:
        other_deck, _, rest = ref.rpartition("/")
        if other_deck and other_deck != deck_id:
            keys.append(ref)  # another deck: checked when the decks meet in the store
            continue
        card_id, _, part = rest.partition("#")
        target = notes.get(card_id)
        if target is None:
            report.add(
                line, f"requires unknown card '{card_id}'{did_you_mean(card_id, list(notes))}"
            )
            ok = False
        elif target is draft:
            report.add(line, f"card '{card_id}' requires itself")
            ok = False
        elif part and (target.type != "cloze" or int(part[1:]) not in target.cloze_numbers):
            report.add(line, f"requires '{ref}', but card '{card_id}' has no cloze deletion {part}")
            ok = False
        elif part:
            keys.append(f"{deck_id}/{card_id}#{part}")
        elif target.type == "cloze" and target.cloze_numbers:
            keys.extend(f"{deck_id}/{card_id}#c{n}" for n in target.cloze_numbers)
        else:
            keys.append(f"{deck_id}/{card_id}")
    return tuple(dict.fromkeys(keys)) if ok else None


def _check_cycles(
    requires: dict[str, tuple[str, ...]], notes: dict[str, _Draft], deck_id: str, report: Report
) -> None:
    """Cards of this deck that require each other in a circle could never be introduced."""
    prefix = f"{deck_id}/"
    # only the cards that require one of this deck: a card without is on no cycle
    graph = {
        note: sorted(
            {key[len(prefix) :].partition("#")[0] for key in keys if key.startswith(prefix)}
        )
        for note, keys in requires.items()
        if keys
    }
    finished: set[str] = set()
    for root in graph:
        if root in finished:
            continue
        path = [root]
        todo = [iter(graph[root])]
        while todo:
            step = next(todo[-1], None)
            if step is None:  # all of path[-1]'s prerequisites explored
                todo.pop()
                finished.add(path.pop())
            elif step in path:
                cycle = path[path.index(step) :] + [step]
                report.add(notes[step].line, f"requires form a cycle: {' -> '.join(cycle)}")
                finished.update(cycle)
            elif step not in finished and step in graph:
                path.append(step)
                todo.append(iter(graph[step]))


_KINDS = {kind.value: kind for kind in CardKind}  # CardKind(name), without the enum's call


def _build(
    draft: _Draft,
    deck_id: str,
    deck_tags: tuple[str, ...],
    deck_python: str | None,
    requires: tuple[str, ...],
    make: Callable[..., Card],
) -> list[Card]:
    """The card (or a cloze note's cards) of a sound draft; `deck_tags` without repeats.

    A card's keys are `Card`'s fields of the same names (but `answer`, which is its
    `answers`), and each value was converted by its field's converter, so it has the type
    `Card` wants: the draft's values are the card's, with what the deck adds (a key the
    card leaves out takes `Card`'s default), made by `make` (`model.make_card`'s maker).
    The draft is not used again.
    """
    values: dict[str, Any] = draft.values
    type_name = draft.type  # known: a draft with an unknown type is not built
    card_tags = values.get("tags")
    values["deck"] = deck_id
    values["id"] = draft.id
    values["kind"] = _KINDS[type_name]  # type: ignore[index]  # known, see above
    values["line"] = draft.line
    values["tags"] = tuple(dict.fromkeys(deck_tags + card_tags)) if card_tags else deck_tags
    values["requires"] = requires
    # the type's name, not its CardKind: an enum member costs a lookup on its class
    if type_name == "cloze":
        note = cast(str, draft.id)  # a card without an id is reported, so it is never built
        return [
            make(**{**values, "id": f"{note}#c{n}", "cloze": n, "note": note})
            for n in draft.cloze_numbers
        ]
    if type_name == "output":
        if "python" not in values:
            values["python"] = deck_python
    elif type_name == "typed":
        values["answers"] = values.pop("answer")
    return [make(**values)]
