"""Bytes -> a YAML node tree that is safe to look at, with every YAML trap reported.

Why nodes and not `yaml.safe_load`: a node keeps its line (`start_mark.line`), and a
loader that validates nodes gets `file:line` for every message for free. Composing also
never *constructs* anything, so a `!!python/object/apply:os.system` tag is just a string
on a node that we refuse, never a call.

What PyYAML lets through and this module catches:
- duplicate mapping keys (PyYAML keeps the last one silently);
- tags other than the YAML core ones (`!!python/...`, `!!binary`, `!custom`);
- anchors and aliases: decks have no use for them, and an alias bomb ("billion laughs")
  composes to a small graph of shared nodes that explodes only when walked. The walk
  here visits each node object once, so it is linear in the file, and any node reached
  twice is an alias, reported at the lines of the `*alias` uses.
- tab indentation, non-UTF-8 bytes and an empty file, each with a plain message.

Speed: libyaml's composer (`CSafeLoader`) is used when PyYAML has it, with the garbage
collector paused during the compose, which halves the time of a 10k-card deck (the
compose allocates hundreds of thousands of objects and none of them is garbage). Its
nodes are this module's `ScalarNode`, `SequenceNode` and `MappingNode`: PyYAML's with
their fields in slots, which the deck's validation reads faster; the code that tells a
node's kind by its class (`node.__class__ is ScalarNode`) takes these.
"""

from __future__ import annotations

import gc
import re
from _thread import allocate_lock
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import yaml
import yaml.composer
import yaml.nodes
from yaml.nodes import Node

from quiz.errors import DeckProblem
from quiz.safe_text import shown

try:  # pragma: no cover - depends on how PyYAML was built
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader


class ScalarNode(yaml.nodes.ScalarNode):
    """PyYAML's scalar node with its fields in slots: the node every scalar of a deck
    becomes (`_Loader` makes these). A subclass, so what tests `isinstance` with
    PyYAML's classes sees no change; slots, so that a node is a smaller object, read
    faster by the validation and freed faster with its tree (a deck has a scalar node
    per key and per value)."""

    __slots__ = ("end_mark", "start_mark", "style", "tag", "value")


class SequenceNode(yaml.nodes.SequenceNode):
    """PyYAML's sequence node with its fields in slots (see ScalarNode)."""

    __slots__ = ("end_mark", "flow_style", "start_mark", "tag", "value")


class MappingNode(yaml.nodes.MappingNode):
    """PyYAML's mapping node with its fields in slots (see ScalarNode)."""

    __slots__ = ("end_mark", "flow_style", "start_mark", "tag", "value")


# The modules whose composers make nodes (libyaml's and the pure-Python one): each names
# the classes it makes as globals of its own.
_COMPOSERS = [m for m in (getattr(yaml, "_yaml", None), yaml.composer) if m is not None]
_OURS = (ScalarNode, SequenceNode, MappingNode)
_PYYAMLS = (yaml.nodes.ScalarNode, yaml.nodes.SequenceNode, yaml.nodes.MappingNode)
_COMPOSING = allocate_lock()

_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = str(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG)
_MAP_TAG = str(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG)


# The composer calls two path-resolver hooks around every node. The safe loaders have
# no path resolvers, so the hooks do nothing: here they are C-level callables that take
# the same arguments (a parent node and an index; nothing) and ignore them, which costs
# less than a call of a Python method per node.
_NO_PATHS: dict[object, object] = {}


class _Lean(yaml.resolver.Resolver):
    """What `_Loader` changes in PyYAML's safe loader (libyaml's, or the pure-Python
    one where PyYAML was built without it): less Python work per node than PyYAML's
    resolver, and nodes of this module's classes.

    PyYAML's resolver (Python, even under libyaml's composer) runs for every scalar. Here
    a quoted or block scalar is a string without a look at its text, and so is a plain
    one whose first character no implicit resolver is filed under (most of a deck's
    text: the resolver picks its candidates by that character); any other plain
    scalar gets the tag it got the first time this file held it (a deck repeats its keys
    and many values). The same tags as `resolve` gives.
    """

    def __init__(self, stream: str | bytes) -> None:
        super().__init__(stream)
        self._plain: dict[str, str] = {}

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if not implicit[0] or value[:1] not in _RESOLVED_FIRSTS:
                return _STR_TAG
            tag = self._plain.get(value)
            if tag is None:  # (PyYAML's resolver knows its own class, not ours)
                pyyaml_scalar = yaml.nodes.ScalarNode
                tag = self._plain[value] = str(super().resolve(pyyaml_scalar, value, implicit))
            return tag
        # a collection without a tag of its own: the resolver's default for its kind
        return _SEQ_TAG if kind is SequenceNode else _MAP_TAG

    descend_resolver = _NO_PATHS.get  # (parent node, index) -> None
    ascend_resolver = _NO_PATHS.__len__  # () -> 0

    def get_single_node(self) -> Node | None:
        """The document's tree, made of this module's node classes: PyYAML's composers
        take their classes from their modules' globals, which name ours while this
        loader composes (one composer at a time; another loader's compose meanwhile
        gets ours too, which are PyYAML's to it) and PyYAML's again after."""
        with _COMPOSING:
            for module in _COMPOSERS:
                module.ScalarNode, module.SequenceNode, module.MappingNode = _OURS
            try:
                return super().get_single_node()  # the loader's composer, next in its order
            finally:
                for module in _COMPOSERS:
                    module.ScalarNode, module.SequenceNode, module.MappingNode = _PYYAMLS


class _Loader(_Lean, _Base):
    """The safe loader of decks."""


# The first characters the implicit resolvers are filed under ('' for an empty scalar);
# with no resolver for any character (None), any other first character is a string.
_RESOLVED_FIRSTS = frozenset(_Loader.yaml_implicit_resolvers)
assert None not in _RESOLVED_FIRSTS, "a resolver for any first character"
assert not _Loader.yaml_path_resolvers, "a path resolver would need descend_resolver"


CORE = "tag:yaml.org,2002:"
STR_TAG = CORE + "str"
INT_TAG = CORE + "int"
FLOAT_TAG = CORE + "float"
BOOL_TAG = CORE + "bool"
NULL_TAG = CORE + "null"
TIMESTAMP_TAG = CORE + "timestamp"
MERGE_TAG = CORE + "merge"
_STRING_TAGS = (STR_TAG, CORE + "value")
# The tags PyYAML's resolver assigns implicitly, plus the two collection tags. Anything
# else was written explicitly by the author and is refused. (`value` is what PyYAML
# resolves a bare `=` to; it is a string to us.)
ALLOWED_TAGS = frozenset(
    CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "value")
)

# Plain scalars that YAML 1.2 parsers (editors, ruamel, other languages) read as numbers
# although PyYAML's YAML 1.1 resolver keeps them as strings: `1e3`, `0o17`, `+12`.
_YAML12_NUMBER = re.compile(
    r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+"
)
# The first characters such a number can have: a deck's plain text mostly starts with a
# letter, and this spares it the pattern.
_NUMBER_STARTS = frozenset("+-.0123456789")


def compose(data: bytes, path: str) -> tuple[Node | None, list[DeckProblem]]:
    """Decode and compose one deck file; return its root node and the problems found.

    A problem that stops composing (bad bytes, syntax error) comes back with a None node;
    problems in a tree that composed (duplicate keys, tags, aliases) come with the node,
    so the caller can go on and report everything else too.
    """
    data = data.removeprefix(_BOM)
    text, problem = _decode(data, path)
    if problem is not None:
        return None, [problem]
    if not text.strip():
        return None, [
            DeckProblem(path, 1, "file is empty (a deck needs 'deck', 'title' and 'cards')")
        ]
    try:
        with gc_paused():
            # the bytes just checked, not the text: libyaml would encode the text again
            root = yaml.compose(data, Loader=_Loader)
    except yaml.YAMLError as exc:
        return None, [_syntax_problem(exc, text, path)]
    except RecursionError:
        return None, [DeckProblem(path, None, "YAML nesting is too deep")]
    if root is None:
        return None, [
            DeckProblem(
                path, 1, "file is empty: only comments (a deck needs 'deck', 'title' and 'cards')"
            )
        ]
    problems = check_tree(root, path, anchors="&" in text, tags="!" in text or "<<" in text)
    if any(p.message.startswith(_ALIAS_MESSAGE) for p in problems):
        problems = [p for p in problems if not p.message.startswith(_ALIAS_MESSAGE)]
        problems += _alias_problems(text, path)
    return root, problems


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a burst of allocation that makes no garbage.

    Composing and validating a big deck allocates ~10^6 objects that all stay alive;
    each automatic collection would walk all of them again, for nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_BOM = b"\xef\xbb\xbf"


def _decode(data: bytes, path: str) -> tuple[str, DeckProblem | None]:
    """The text of a file's bytes (without a byte-order mark), or why there is none."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start]
        return "", DeckProblem(
            path,
            line,
            f"file is not UTF-8 (byte 0x{byte:02x} at column {column}); save it as UTF-8",
        )


def _syntax_problem(exc: yaml.YAMLError, text: str, path: str) -> DeckProblem:
    if isinstance(exc, yaml.reader.ReaderError):
        at_line = text.count("\n", 0, max(exc.position, 0)) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return DeckProblem(
            path, at_line, f"character {char!r} (#x{ord(char):04x}) is not allowed in YAML"
        )
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    if line is not None:
        lines = text.splitlines()
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        indent = source[: len(source) - len(source.lstrip(" \t"))]
        if "\t" in indent or re.search(r"\btab\b", problem):
            return DeckProblem(
                path, line, "tabs are not allowed for indentation (indent with spaces)"
            )
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    message = f"YAML syntax error: {problem}"
    if context:
        where = (
            f" at line {context_mark.line + 1}"
            if context_mark is not None and context_mark.line + 1 != line
            else ""
        )
        message += f" ({context}{where})"
    return DeckProblem(path, line, message)


_ALIAS_MESSAGE = "anchors and aliases are not supported in decks"


def check_tree(
    root: Node, path: str, *, anchors: bool = True, tags: bool = True
) -> list[DeckProblem]:
    """Duplicate keys, foreign tags and shared (aliased) nodes anywhere in the tree.

    Iterative (a deeply nested file cannot blow the stack) and visits each node object
    once: an alias bomb stops at its first repeated node. `anchors=False` says the text
    has no `&`, so no node can be reached twice (an alias needs its anchor), and the
    nodes seen are not kept. `tags=False` says it has neither `!` nor `<<`, so every
    tag is one the resolver gave (an explicit tag needs its `!`) and no key merges: only
    the keys of each mapping are looked at then, and no scalar is visited.
    """
    problems: list[DeckProblem] = []
    add = problems.append
    seen: set[int] = set()
    stack: list[Node] = [root]
    pop, push, extend = stack.pop, stack.append, stack.extend
    mapping, sequence, scalar, allowed = MappingNode, SequenceNode, ScalarNode, ALLOWED_TAGS
    if not tags and not anchors:
        # (loops, not comprehensions: a comprehension is a call, once per collection)
        while stack:
            node = pop()
            cls = node.__class__
            if cls is mapping:
                pairs = node.value
                names: set[str] = set()
                name = names.add
                mark = len(stack)
                try:
                    for key, value in pairs:
                        name(key.value)
                        if value.__class__ is not scalar:
                            push(value)
                    distinct = len(names) == len(pairs)
                except TypeError:  # a key that is a list or a mapping: the walk below
                    distinct = False
                if not distinct:  # its values are the walk's, not this loop's
                    del stack[mark:]
                    problems += check_tree(node, path, anchors=False)
            elif cls is sequence:
                for item in node.value:
                    if item.__class__ is not scalar:
                        push(item)
        return problems
    while stack:
        node = pop()
        if anchors:
            ident = id(node)
            if ident in seen:
                add(DeckProblem(path, line_of(node), _ALIAS_MESSAGE))
                continue
            seen.add(ident)
        tag = node.tag
        if tag not in allowed and tag != MERGE_TAG:
            add(
                DeckProblem(
                    path,
                    line_of(node),
                    f"tag {show_tag(tag)} is not allowed in decks "
                    "(decks are plain data; remove the tag, quote the value if needed)",
                )
            )
            if not isinstance(node, (mapping, sequence)):
                continue
        cls = node.__class__
        if cls is mapping:
            firsts: dict[str, int] = {}
            for key, value in node.value:
                if key.__class__ is ScalarNode:
                    if key.tag == MERGE_TAG:
                        add(
                            DeckProblem(
                                path, line_of(key), "merge keys (<<) are not supported in decks"
                            )
                        )
                    name = key.value
                    first = firsts.get(name)
                    if first is None:
                        firsts[name] = key.start_mark.line + 1
                    else:
                        add(
                            DeckProblem(
                                path,
                                key.start_mark.line + 1,
                                f"duplicate key '{shown(name)}' (first defined at line {first})",
                            )
                        )
                else:
                    push(key)
                push(value)
        elif cls is sequence:
            extend(node.value)
    return problems


def shares_nodes(problems: list[DeckProblem]) -> bool:
    """Whether `compose` found a node reached twice (an alias) in the tree it returned
    with these problems: a walk that takes the tree for a tree may then take forever."""
    return any(p.message.startswith(_ALIAS_MESSAGE) for p in problems)


def _alias_problems(text: str, path: str) -> list[DeckProblem]:
    """The lines of every `*alias` (found again with the event parser: nodes don't say)."""
    lines: list[int] = []
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1
                if not lines or lines[-1] != line:
                    lines.append(line)
    except yaml.YAMLError:  # pragma: no cover - it composed a moment ago
        pass
    message = f"{_ALIAS_MESSAGE}; write the value out"
    return [DeckProblem(path, line, message) for line in dict.fromkeys(lines)] or [
        DeckProblem(path, None, message)
    ]


def line_of(node: Node) -> int:
    return node.start_mark.line + 1


def show_tag(tag: str) -> str:
    return "!!" + tag[len(CORE) :] if tag.startswith(CORE) else tag


# ---------------------------------------------------------------------------
# Scalars: what YAML made of them


_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALAR_BUILDERS: dict[str, Callable[..., object]] = {
    tag: yaml.constructor.SafeConstructor.yaml_constructors[tag]
    for tag in (INT_TAG, FLOAT_TAG, BOOL_TAG, NULL_TAG, TIMESTAMP_TAG)
}


class BadScalar(str):
    """The text of an explicitly tagged scalar that its tag's constructor refuses
    (`!!bool maybe`, `!!timestamp nope`, `!!int x`): a str, so code that only shows it
    keeps working, and a type of its own, so code that needs the value can tell."""


# Numbers beyond this many digits are refused before Python builds them: the int
# constructor is quadratic in the digits, and str() of an int over 4,300 digits raises.
MAX_NUMBER_DIGITS = 100


def scalar_value(node: ScalarNode) -> object:
    """The Python value of a core-tagged scalar (str, int, float, bool, None, date).

    Only the five core scalar constructors are ever called, directly, on a scalar node:
    there is no path from here to an arbitrary constructor. A value the constructor
    refuses (an explicit tag on the wrong text, a number of hundreds of digits, an
    impossible date) comes back as a `BadScalar` holding the text.
    """
    tag = node.tag
    builder = _SCALAR_BUILDERS.get(tag)
    if builder is None:
        return node.value
    if tag in (INT_TAG, FLOAT_TAG):
        text = node.value
        if len(text) > MAX_NUMBER_DIGITS:  # fewer characters: fewer digits
            if sum(c.isdigit() for c in text) > MAX_NUMBER_DIGITS:
                return BadScalar(text)
        # The commonest numbers, what the constructors would make of them without their
        # look for signs, '_', bases and sexagesimals: decimal digits (no leading 0, which
        # YAML 1.1 reads as octal), with a point for a float.
        elif text.isascii() and text.isdigit() and (text[0] != "0" or text == "0"):
            return int(text) if tag == INT_TAG else float(text)
        elif tag == FLOAT_TAG and text.isascii() and text.replace(".", "", 1).isdigit():
            return float(text)
    try:
        return builder(_CONSTRUCTOR, node)
    except Exception:  # PyYAML's constructors raise KeyError, AttributeError, ValueError...
        return BadScalar(node.value)


def cut(text: str, limit: int = 60) -> str:
    """`text` shortened for a one-line message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_string(node: Node) -> bool:
    """A scalar that every YAML reader agrees is a string (of any loader: an export asks
    it of the nodes it makes itself)."""
    if node.__class__ is not ScalarNode and not isinstance(node, yaml.nodes.ScalarNode):
        return False
    if node.tag not in _STRING_TAGS:
        return False
    # libyaml marks a plain scalar with style '' where pure-Python PyYAML uses None
    if node.style:
        return True
    value = node.value
    return value[:1] not in _NUMBER_STARTS or not _YAML12_NUMBER.fullmatch(value)


def describe(node: Node) -> str:
    """How YAML read a node that is not a string: 'a boolean (false)', 'a list', ..."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if is_string(node):
        return f"the string {quote(cut(node.value, 40))}"
    tag = node.tag
    if tag == STR_TAG:  # a plain scalar that YAML 1.2 reads as a number
        try:
            return (
                f"a number ({cut(str(_number_12(node.value)), 40)}) by YAML 1.2 editors and tools"
            )
        except (ValueError, OverflowError):  # 5,000 digits: no float, and no str() of the int
            return "a number by YAML 1.2 editors and tools"
    value = scalar_value(node)
    if isinstance(value, BadScalar):
        seen = shown(value, 40)
        if tag in (INT_TAG, FLOAT_TAG) and sum(c.isdigit() for c in value) > MAX_NUMBER_DIGITS:
            return f"a number ({seen})"
        return f"an invalid {show_tag(tag)} value ({seen})"
    if tag == BOOL_TAG:
        return f"a boolean ({str(value).lower()})"
    if tag == NULL_TAG:
        return "null (no value)"
    if tag in (INT_TAG, FLOAT_TAG):
        return f"a number ({cut(str(value), 40)})"
    if tag == TIMESTAMP_TAG:
        return f"a date ({value.isoformat() if isinstance(value, date) else value})"
    return f"a {show_tag(tag)} value"


def quote(text: str) -> str:
    """`text` as a double-quoted YAML string for a message: what the author can paste
    into the deck, escaped for the terminal and cut to a sane length (quiz.safe_text)."""
    from quiz.safe_text import quote as safe_quote

    return safe_quote(text)


def _number_12(text: str) -> object:
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    number = float(text)
    return int(number) if re.fullmatch(r"[-+]?[0-9]+", text) else number
