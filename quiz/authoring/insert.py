"""Appending a card to a deck file while every other byte of the file stays as it was.

A round-trip YAML library would re-emit the whole file (and move comments, re-wrap lines,
change quotes); the author's file is theirs, so this is careful text insertion instead:
the file is composed with PyYAML only to learn *where* the `cards:` list ends (after the
last card's own comment lines, those indented past the dashes) and how its items are
indented, and the new card's lines are put there, in the file's own newline
style, after a blank line when the file separates its cards so (see `_spaced`). The
file's other bytes are untouched, with three documented exceptions: a file
without a final newline gets one before the new card; `cards: []` (an empty flow list)
loses its `[]`, which becomes the block list holding the card; and `cards:` with no value
gets the card under it. A non-empty flow list gets the card as one more flow item.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from quiz.authoring.skeleton import card_text
from quiz.authoring.yaml_text import flow
from quiz.errors import UsageError

BOM = "\ufeff"


@dataclass(frozen=True)
class Layout:
    """What insertion needs to know about a file: its cards node and its conventions."""

    root: MappingNode
    cards_key: ScalarNode | None
    cards: Node | None
    newline: str


def _layout(text: str, path: str) -> Layout:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise UsageError(
            f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)}); "
            "fix it (quiz check shows why) before adding cards"
        ) from None
    if not isinstance(root, MappingNode):
        raise UsageError(
            f"{path}: not a deck (the top level must be a mapping with 'deck', 'title', 'cards')"
        )
    newline = "\r\n" if "\r\n" in text else "\n"
    for key, value in root.value:
        if isinstance(key, ScalarNode) and key.value == "cards":
            return Layout(root, key, value, newline)
    return Layout(root, None, None, newline)


def card_ids(text: str, path: str = "<deck>") -> list[str]:
    """The ids the file's cards already use (as written; malformed cards are skipped)."""
    layout = _layout(text.removeprefix(BOM), path)
    ids = []
    if isinstance(layout.cards, SequenceNode):
        for item in layout.cards.value:
            if isinstance(item, MappingNode):
                for key, value in item.value:
                    if (
                        isinstance(key, ScalarNode)
                        and key.value == "id"
                        and isinstance(value, ScalarNode)
                    ):
                        ids.append(value.value)
    return ids


def _last_leaf(node: Node) -> Node:
    while isinstance(node, (MappingNode, SequenceNode)) and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _after_line(text: str, pos: int) -> tuple[int, bool]:
    """The offset just after the line holding `pos`, and whether a newline must be added
    first (the line is the file's last and has none)."""
    end = text.find("\n", pos)
    if end == -1:
        return len(text), True
    return end + 1, False


def _end_of(text: str, node: Node) -> tuple[int, bool]:
    """Where the lines after `node` start (see `_after_line`)."""
    leaf = _last_leaf(node)
    pos = leaf.end_mark.index
    start = _line_start(text, pos)
    if not text[start:pos].strip(" \t"):  # a block scalar ended after its line breaks
        return start, False
    return _after_line(text, pos)


def _dash_column(text: str, item: Node) -> int:
    start = _line_start(text, item.start_mark.index)
    dash = text.rfind("-", start, item.start_mark.index)
    return dash - start if dash >= 0 else item.start_mark.column


def _insert(text: str, pos: int, lines: list[str], newline: str, need_break: bool) -> str:
    block = newline.join(lines) + newline
    return text[:pos] + (newline if need_break else "") + block + text[pos:]


def append_card(text: str, card: dict[str, object], path: str = "<deck>") -> str:
    """`text` with `card` appended to its `cards:` list (see the module docstring)."""
    bom = BOM if text.startswith(BOM) else ""
    body = text[len(bom) :]
    layout = _layout(body, path)
    nl = layout.newline
    cards = layout.cards
    key_column = layout.cards_key.start_mark.column if layout.cards_key is not None else 0

    if cards is None:  # no `cards:` at all
        pos, need_break = len(body), bool(body) and not body.endswith("\n")
        lines = [" " * key_column + "cards:"] + card_text(card, key_column + 2)
        return bom + _insert(body, pos, lines, nl, need_break)

    if (
        isinstance(cards, ScalarNode) and cards.value == "" and not cards.style
    ):  # `cards:` and nothing
        pos, need_break = _after_line(body, layout.cards_key.end_mark.index)  # type: ignore[union-attr]  # _layout sets cards_key together with cards
        return bom + _insert(body, pos, card_text(card, key_column + 2), nl, need_break)

    if not isinstance(cards, SequenceNode):
        raise UsageError(
            f"{path}:{cards.start_mark.line + 1}: 'cards' is not a list; fix it before adding cards"
        )

    if cards.flow_style and cards.value:  # `cards: [{...}, {...}]`: one more flow item
        pos = cards.value[-1].end_mark.index
        return bom + body[:pos] + ", " + flow(card) + body[pos:]

    if cards.flow_style:  # `cards: []` becomes a block list under the key
        start, end = cards.start_mark.index, cards.end_mark.index
        pos, need_break = _after_line(body, end)
        head = body[:start].rstrip(" \t")
        lines = card_text(card, key_column + 2)
        return (
            bom
            + head
            + body[end:pos]
            + (nl if need_break else "")
            + nl.join(lines)
            + nl
            + body[pos:]
        )

    items = cards.value
    last = items[-1]
    model = next((i for i in reversed(items) if isinstance(i, MappingNode)), last)
    dash = _dash_column(body, model)
    key_indent = model.start_mark.column if isinstance(model, MappingNode) else dash + 2
    if key_indent <= dash:
        key_indent = dash + 2
    pos, need_break = _end_of(body, last)
    if not need_break:
        pos = _past_own_comments(body, pos, dash)
    lines = card_text(card, dash, key_indent)
    if _spaced(body, items):
        lines = ["", *lines]
    return bom + _insert(body, pos, lines, nl, need_break)


def _spaced(text: str, items: list[Node]) -> bool:
    """Whether the new card gets a blank line before it: the file's own habit when its last
    two cards show one (the layout of `quiz new deck` and the bundled decks); none when there
    is only one card to go by."""
    if len(items) < 2:
        return False
    start = _line_start(text, items[-1].start_mark.index)
    before = text[: max(start - 1, 0)]
    previous = before[before.rfind("\n") + 1 :]
    while previous.lstrip(" \t").startswith("#"):  # comments that head the last card
        before = before[: max(len(before) - len(previous) - 1, 0)]
        previous = before[before.rfind("\n") + 1 :]
    return not previous.strip()


def _past_own_comments(text: str, pos: int, dash: int) -> int:
    """Skip the comment lines right after the last card that are indented past the list's
    dashes: they belong to that card, and stay with it."""
    while pos < len(text):
        end = text.find("\n", pos)
        line = text[pos:] if end == -1 else text[pos:end]
        stripped = line.lstrip(" ")
        if not stripped.startswith("#") or len(line) - len(stripped) <= dash:
            break
        if end == -1:
            break
        pos = end + 1
    return pos
