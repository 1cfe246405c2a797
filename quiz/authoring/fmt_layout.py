"""Proving that a deck text is already in `quiz fmt`'s layout, without ruamel.yaml.

`format_text` round-trips the whole file through ruamel.yaml, which is pure Python and
far too slow for a big deck; yet the text fmt meets most (in CI, `quiz fmt --check`) is
one it wrote itself. `in_layout` reads the text with libyaml's C parser and rebuilds,
line by line, what fmt would write for it; when every line is the same, the text is a
fixed point of `format_text` and the round trip is skipped. It walks the node tree the
deck loader composes (`quiz.deck.yaml_nodes.compose`), so `layout_problems` hands that
same tree on to the loader: `quiz fmt --check` reads a formatted deck once.

It is a proof, never a second formatter: it answers False for anything it cannot vouch
for (anchors, tags, aliases, folded or kept blocks, flow collections over several lines,
comments outside the places fmt puts them or after a key that opens a block, tabs,
CRLF, a BOM, very long lines, `---`), and such a text takes the round trip as before.
fmt's own decisions come from the functions `format_text` uses (`canonical_order`,
`fmt_style`); what this module adds is how ruamel writes a value fmt leaves alone,
narrowed to what is plain to see: a plain scalar when `plain_shape_ok` allows it, a
double-quoted one as ruamel's own `write_double_quoted` writes it, a single-quoted one
only with characters ruamel keeps as they are, `|` blocks with their lines two spaces
deeper than their key. The tests hold it to `format_text` on the bundled decks, the fmt
corpus, generated decks and small edits of formatted ones.
"""

from __future__ import annotations

import io
import logging
import re
from functools import lru_cache
from typing import Any

from yaml.nodes import Node

from quiz.authoring.fmt import canonical_order, fmt_style
from quiz.authoring.yaml_text import CARD_KEY_ORDER, DECK_KEY_ORDER, block_ok, plain_shape_ok
from quiz.deck.loader import deck_of_tree
from quiz.deck.yaml_nodes import (
    MappingNode,
    ScalarNode,
    SequenceNode,
    compose,
    gc_paused,
    shares_nodes,
)
from quiz.errors import DeckError, DeckProblem

log = logging.getLogger("quiz.authoring.fmt")

# Characters ruamel writes as they are inside quotes (allow_unicode); anything else is
# escaped or forces another style, and this module leaves such a text to the round trip.
_NOT_AS_IS = re.compile(
    "[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]"
)
_COMMENT = re.compile(" +#.*")  # after a value: ruamel keeps it at its column
_LONGEST_LINE = 1000  # far below ruamel's width (4096), where it would fold a line
_LONGEST_KEY = 100  # ruamel writes longer keys as complex keys (`? key`)
_DASH = 2  # fmt's cards list: `  - id:`, its comments at the dashes' or the keys' column


def _double_quoted(value: str) -> str:
    """`value` double-quoted as ruamel writes it on a line shorter than its width."""
    if '"' not in value and "\\" not in value and not _NOT_AS_IS.search(value):
        return '"' + value + '"'
    emitter = _emitter()
    emitter.stream = out = io.StringIO()
    emitter.column, emitter.whitespace, emitter.root_context = 0, True, False
    emitter.write_double_quoted(value, split=False)
    return out.getvalue()


def _plain(value: str, in_flow: bool) -> bool:
    """Whether ruamel writes `value` plain: when `plain_shape_ok` says so, and for a
    leading `-` that does not start a list item (`-1`, `-x`) when the rest would be."""
    if value.startswith("..."):  # a document end marker to ruamel
        return False
    if plain_shape_ok(value, in_flow):
        return True
    return value[:1] == "-" and plain_shape_ok(value[1:], in_flow) and value[1] != " "


@lru_cache(maxsize=1)
def _emitter() -> Any:
    """ruamel's emitter as `format_text` sets it up (unicode written as is), imported only
    for the quoted texts that have escapes."""
    from ruamel.yaml.emitter import Emitter

    return Emitter(io.StringIO(), allow_unicode=True, width=4096)


class _NotProved(Exception):
    """The text is not shown to be in fmt's layout (why, for the debug log)."""


def in_layout(text: str) -> bool:
    """True when `format_text(text)` is `text` itself, shown without running it; False
    when that is not shown (the text may still be in fmt's layout)."""
    return layout_problems(text, "") is not None


def layout_problems(text: str, path: str) -> list[DeckProblem] | None:
    """When `text` is shown to be in fmt's layout: the loader's problems with it (empty
    when it loads, `allow_unrecorded` as fmt loads), from the same read of the text as
    the proof; None when the layout is not shown."""
    if (
        not text.endswith("\n")
        or text.startswith(("\ufeff", "\n"))  # ruamel drops a leading empty line
        or any(c in text for c in "\r\t\x85\u2028\u2029")
    ):
        return None
    lines = text.split("\n")[:-1]
    if max(map(len, lines)) > _LONGEST_LINE:
        return None
    # The collector stays paused while the tree is alive (quiz.deck.loader.parse_deck).
    with gc_paused():
        root, problems = compose(text.encode("utf-8"), path)
        # a tree with a node reached twice (an alias) is a graph: not walked as a tree
        if root is None or shares_nodes(problems):
            return None
        try:
            _Proof(lines).run(root)
        except _NotProved as exc:
            log.debug("fmt: the round trip decides (%s)", exc)
            return None
        try:
            deck_of_tree(root, problems, path, allow_unrecorded=True)
        except DeckError as exc:
            return exc.problems
        finally:
            del root
    return []


class _Proof:
    """Walks the composed tree in document order and puts down, for each line of the
    text, what fmt writes there. A node's anchor or explicit tag is text on its line
    (or on a line of its own) that no rebuilt line holds, so such a text is never
    shown; a document marker or a directive is a line fmt may move."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.expected: dict[int, str] = {}
        self.commentable: set[int] = set()  # lines that may end in a comment (kept in place)
        self.keys: set[tuple[str, bool]] = set()  # keys already shown plain
        self.shown: dict[tuple[str, str, str, bool], str] = {}  # scalars already written
        # Comments go at column 0 outside the cards list (from its last card on, too),
        # at 2 or 4 inside it (up to the next top-level key).
        self.cards_key_line = self.last_card_line = self.cards_end = len(lines)

    def put(self, line: int, content: str) -> None:
        if line in self.expected:
            raise _NotProved(f"line {line + 1}: two entries")
        self.expected[line] = content

    def run(self, root: Node) -> None:
        if root.__class__ is not MappingNode or root.flow_style:
            raise _NotProved("the top level is not a block mapping")
        self.block_mapping(root, 0, "", "deck")
        self.compare()

    def block_mapping(
        self, node: MappingNode, column: int, first_prefix: str, role: str, key: str = ""
    ) -> None:
        """Keys at `column`; the first one after `first_prefix` (`- ` of a list item) when
        that is given. `role`: "deck" (the top level), "card", or "" (a nested value)."""
        keys: list[str] = []
        pad, deck = " " * column, role == "deck"
        for key_node, value in node.value:
            name = self.key(key_node, in_flow=False)
            head = (first_prefix if first_prefix and not keys else pad) + name + ":"
            keys.append(name)
            line = key_node.start_mark.line
            if deck and self.cards_key_line < line < self.cards_end:
                self.cards_end = line
            if deck and name == "cards":
                self.cards(value, line, head)
            else:
                self.value(value, line, head, column, name if role else key)
        if len(set(keys)) != len(keys):
            raise _NotProved("a key twice")
        order = DECK_KEY_ORDER if role == "deck" else CARD_KEY_ORDER if role == "card" else None
        if order is not None and canonical_order(keys, order) != keys:
            raise _NotProved(f"keys out of order: {keys}")

    def key(self, node: Node, in_flow: bool) -> str:
        if node.__class__ is ScalarNode and (node.value, in_flow) in self.keys:
            return str(node.value)
        if (
            node.__class__ is not ScalarNode
            or node.style
            or len(node.value) >= _LONGEST_KEY
            or not plain_shape_ok(node.value, in_flow)
            or node.value.startswith("...")
        ):
            raise _NotProved(f"line {node.start_mark.line + 1}: a key fmt may write otherwise")
        self.keys.add((node.value, in_flow))
        return str(node.value)

    def value(self, node: Node, line: int, head: str, column: int, key: str) -> None:
        cls = node.__class__
        if cls is ScalarNode and node.style != "|":
            self.put_on(line, node, head + " " + self.scalar(node, key, in_flow=False))
        elif cls is ScalarNode:
            self.literal(node, line, head, column + 2, key)
        elif node.flow_style:
            self.put_on(line, node, head + " " + self.flow(node, key))
        elif cls is SequenceNode:
            self.put(line, head)
            self.block_sequence(node, column + 2, key, cards=False)
        else:
            self.put(line, head)
            self.block_mapping(node, column + 2, "", "", key)

    def put_on(self, line: int, node: Node, content: str) -> None:
        """A line that ends with a value: it may carry an end-of-line comment."""
        if node.start_mark.line != line:
            raise _NotProved(f"line {line + 1}: value on the next line")
        self.put(line, content)
        self.commentable.add(line)

    def cards(self, node: Node, line: int, head: str) -> None:
        if node.__class__ is not SequenceNode or node.flow_style:
            raise _NotProved("cards is not a block list")
        self.put(line, head)
        self.cards_key_line = line
        self.block_sequence(node, _DASH, "", cards=True)

    def block_sequence(self, node: SequenceNode, dash: int, key: str, cards: bool) -> None:
        prefix = " " * dash + "- "
        for item in node.value:
            if cards:
                self.last_card_line = item.start_mark.line
            cls = item.__class__
            if cls is MappingNode and not item.flow_style:
                self.block_mapping(item, dash + 2, prefix, "card" if cards else "", key)
            elif cls is ScalarNode and item.style != "|":
                self.put_on(item.start_mark.line, item, prefix + self.scalar(item, key, False))
            else:
                raise _NotProved(f"line {item.start_mark.line + 1}: a list item of another shape")

    def scalar(self, node: ScalarNode, key: str, in_flow: bool) -> str:
        """The scalar as fmt writes it, if that is the text it was read from."""
        value, style = node.value, node.style or ""
        where = f"line {node.start_mark.line + 1}"
        if node.start_mark.line != node.end_mark.line or style not in ("", "'", '"'):
            raise _NotProved(f"{where}: a scalar fmt may write otherwise")
        memo = (value, style, key, in_flow)
        shown = self.shown.get(memo)
        if shown is None:
            shown = self.shown[memo] = self.show(value, style, key, in_flow, where)
        return shown

    def show(self, value: str, style: str, key: str, in_flow: bool, where: str) -> str:
        if fmt_style(value, key, style) != style:
            raise _NotProved(f"{where}: fmt restyles it")
        if style == "":
            if not _plain(value, in_flow):
                raise _NotProved(f"{where}: a plain scalar ruamel may quote")
            return str(value)
        if style == '"':
            return _double_quoted(value)
        if _NOT_AS_IS.search(value):
            raise _NotProved(f"{where}: a single-quoted scalar ruamel would double-quote")
        return "'" + value.replace("'", "''") + "'"

    def literal(self, node: ScalarNode, line: int, head: str, indent: int, key: str) -> None:
        """A `|` block: its header on the key's line, its lines `indent` deep."""
        value = node.value
        # block_ok's rules for the lines (a one-line `|-` block too); no indent indicator
        if node.start_mark.line != line or not block_ok(value + "\n") or value[0] == " ":
            raise _NotProved(f"line {line + 1}: a block fmt may write otherwise")
        if fmt_style(value, key, "|") != "|":
            raise _NotProved(
                f"line {line + 1}: fmt restyles it"
            )  # pragma: no cover - it keeps blocks
        body = value.rstrip("\n")
        trailing = len(value) - len(body)
        if trailing > 1:
            raise _NotProved(f"line {line + 1}: a block keeping trailing lines")
        self.put(line, head + " |" + ("-" if trailing == 0 else ""))
        for number, text in enumerate(body.split("\n"), start=line + 1):
            self.put(number, " " * indent + text if text else "")

    def flow(self, start: Node, key: str) -> str:
        """A one-line flow list or mapping of scalars and flow collections, as ruamel
        writes it."""
        items: list[str] = []
        mapping = start.__class__ is MappingNode
        if mapping:
            for key_node, value in start.value:
                name = self.key(key_node, in_flow=True)
                items.append(name + ": " + self.flow_item(value, key))
        else:
            items = [self.flow_item(item, key) for item in start.value]
        if start.end_mark.line != start.start_mark.line:
            raise _NotProved(f"line {start.start_mark.line + 1}: a flow collection over lines")
        inner = ", ".join(items)
        return "{" + inner + "}" if mapping else "[" + inner + "]"

    def flow_item(self, node: Node, key: str) -> str:
        if node.__class__ is ScalarNode:
            return self.scalar(node, key, in_flow=True)
        if node.flow_style:
            return self.flow(node, key)
        raise _NotProved(  # pragma: no cover - libyaml has no block node inside a flow one
            f"line {node.start_mark.line + 1}: a block collection in a flow collection"
        )

    def compare(self) -> None:
        """Every line is the one fmt writes, or an empty line before the last entry, or a
        full-line comment at a column fmt keeps (column 0 outside the cards list, the
        dashes' or the keys' column inside it)."""
        last = max(self.expected, default=-1)
        for number, line in enumerate(self.lines):
            want = self.expected.get(number)
            if want is not None:
                if line != want and not (
                    number in self.commentable
                    and line.startswith(want)
                    and _COMMENT.fullmatch(line, len(want))
                ):
                    raise _NotProved(f"line {number + 1}: {line!r} is written {want!r}")
                continue
            if not line and number < last:
                continue
            stripped = line.lstrip(" ")
            column = len(line) - len(stripped)
            if stripped.startswith("#") and (
                (column == 0 and not self.cards_key_line <= number <= self.last_card_line)
                or (self.cards_key_line < number < self.cards_end and column in (2, 4))
            ):
                continue
            raise _NotProved(f"line {number + 1}: a line fmt may move")
