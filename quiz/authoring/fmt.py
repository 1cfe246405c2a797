"""`quiz fmt`: one layout for every deck file, without changing what the deck means.

The file is read with ruamel.yaml's round-trip mode, which keeps comments, quoting
styles and block scalars. Every plain scalar is read as the exact text written (a
resolver that knows no booleans, numbers or dates), so nothing is re-spelled: `0777`
stays `0777`. Then:

- keys are put in the canonical order (`yaml_text.DECK_KEY_ORDER` / `CARD_KEY_ORDER`;
  unknown keys keep their place after the known ones);
- a plain value that YAML 1.1 (the loader) would read as a boolean, null, number or date
  where the format wants a string (`answer: no`, `id: 1e3`, `front: 2024-01-02`) is
  double-quoted: the loader refuses those, and quoting is the fix its message asks for;
- a string of several lines becomes a `|` block when a block can carry it exactly;
- indentation becomes 2 spaces, list items `  - ` under their key.

Comments stay with the key they follow (ruamel's model); a full-line comment that trailed
the last key of a card stays at the end of that card when its keys are reordered.
ruamel writes a full-line comment back at the column it was read from, which no longer
fits once the list is re-indented (`# section` at the dashes' column 0 would stay at 0
between items now at 2); so such comments are re-indented after the dump (`_reindent_comments`):
at or left of the dashes they go to the new dashes' column, up to the card keys' column
to the new keys' column, and deeper ones stay as they were.
`format_text` is pure; whether the result means the same deck is checked by the caller
(`check_same`), which refuses to write when it does not.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from quiz.authoring.yaml_text import (
    CARD_KEY_ORDER,
    DECK_KEY_ORDER,
    NUMBER_KEYS,
    block_ok,
    reads_as_string,
)
from quiz.errors import DeckError, DeckProblem, QuizError


class FormatError(QuizError):
    """A file fmt cannot format (not YAML, or formatting would change its meaning)."""


@dataclass(frozen=True)
class Formatted:
    path: str
    before: str
    after: str
    fixed: bool = False  # the file did not load before and does now (quoted YAML 1.1 traps)

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _yaml():
    from ruamel.yaml import YAML
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.resolver import VersionedResolver

    class TextResolver(VersionedResolver):
        """Every plain scalar is a string: its text as written."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is ScalarNode and implicit[0]:
                return self.DEFAULT_SCALAR_TAG
            return super().resolve(kind, value, implicit)

    y = YAML(typ="rt")
    y.Resolver = TextResolver
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def format_text(text: str, path: str = "<deck>") -> str:
    """The formatted text of one deck file (raises FormatError for non-YAML)."""
    import gc

    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    crlf = "\r\n" in body
    body = body.replace("\r\n", "\n")
    dumped = _round_trip(body, path)
    # ruamel's objects hold cycles (the YAML instance and its parts): collect them before
    # the comments' compose below allocates as much again (issue #19: fmt's peak memory)
    gc.collect()
    result = _reindent_comments(body, dumped)
    if crlf:
        result = result.replace("\n", "\r\n")
    return bom + result


def _round_trip(body: str, path: str) -> str:
    """`body` loaded by ruamel, put in fmt's order and quoting, and dumped again."""
    from ruamel.yaml import YAMLError
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    y = _yaml()
    y.explicit_start = body.lstrip().startswith("---") or "\n---" in body.split("\ndeck:")[0]
    try:
        data = y.load(body)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise FormatError(
            f"{path}{where}: not valid YAML ({getattr(exc, 'problem', None) or exc}); "
            "fmt leaves it alone"
        ) from None
    if not isinstance(data, CommentedMap):
        raise FormatError(
            f"{path}: not a deck (the top level must be a mapping); fmt leaves it alone"
        )
    _reorder(data, DECK_KEY_ORDER)
    for key in list(data):
        if key != "cards":
            data[key] = _normalise(data[key], key)
    cards = data.get("cards")
    if isinstance(cards, CommentedSeq):
        for index, card in enumerate(cards):
            if isinstance(card, CommentedMap):
                _reorder(card, CARD_KEY_ORDER)
                for key in list(card):
                    card[key] = _normalise(card[key], key)
            else:
                cards[index] = _normalise(card, "")
    out = io.StringIO()
    _dump(y, data, out, shared="&" in body)
    return out.getvalue()


CHUNK = 500  # cards represented at a time by `_dump`


def _dump(y: Any, data: Any, out: io.StringIO, *, shared: bool) -> None:
    """Dump `data`, a big cards list a chunk of cards at a time.

    ruamel represents a whole document as nodes before it writes any of it: for a 10k-card
    deck that is as much memory again as the loaded tree. A card's text does not depend on
    the cards around it (their comments ride on their own keys), so the document is
    dumped with its first chunk of cards, and each further chunk as a `cards:` list of
    its own, whose `cards:` line is dropped. Only a plain case is cut so: no anchors
    (`shared`: an alias must meet its anchor in the same dump), the cards list block
    style, last in the deck, holding no comments of its own and none after it.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    cards = data.get("cards")
    if (
        shared
        or not isinstance(cards, CommentedSeq)
        or len(cards) <= CHUNK
        or list(data)[-1] != "cards"
        or cards.fa.flow_style()
        or any(token is not None for entry in cards.ca.items.values() for token in entry)
        or cards.ca.end
        or data.ca.end
    ):
        y.dump(data, out)
        return
    rest = list(cards[CHUNK:])
    del cards[CHUNK:]
    y.dump(data, out)
    explicit_start, y.explicit_start = y.explicit_start, False
    head = "cards:\n"
    for start in range(0, len(rest), CHUNK):
        part = io.StringIO()
        y.dump(CommentedMap([("cards", CommentedSeq(rest[start : start + CHUNK]))]), part)
        text = part.getvalue()
        if not text.startswith(head):  # not the plain case after all: the whole dump
            cards.extend(rest)
            y.explicit_start = explicit_start
            out.seek(0)
            out.truncate()
            y.dump(data, out)
            return
        out.write(text[len(head) :])


def _comment_levels(text: str) -> tuple[list[int], list[str], list[str | None]] | None:
    """The full-line comments inside the `cards:` list of `text` (not lines of block
    scalars): their line numbers, texts and levels ("dash", "key" or None: deeper); and
    None when the list cannot be found."""
    import yaml
    from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the same nodes and marks
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.YAMLError:
        return None
    if not isinstance(root, MappingNode):
        return None
    found = [(k, v) for k, v in root.value if isinstance(k, ScalarNode) and k.value == "cards"]
    if not found:
        return None
    cards_key, cards = found[0]
    if not isinstance(cards, SequenceNode) or cards.flow_style or not cards.value:
        return None
    lines = text.split("\n")
    first = cards.value[0]
    start = first.start_mark
    row = lines[start.line]
    dash = row.rfind("-", 0, start.column)
    dash = dash if dash >= 0 else start.column
    key = start.column if isinstance(first, MappingNode) else dash + 2
    inside: set[int] = set()
    stack: list[Node] = [cards]
    while stack:
        node = stack.pop()
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):
            inside.update(range(node.start_mark.line + 1, node.end_mark.line + 1))
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            stack.extend(v for _, v in node.value)
    numbers: list[int] = []
    texts: list[str] = []
    levels: list[str | None] = []
    for number in range(cards_key.end_mark.line + 1, min(cards.end_mark.line + 1, len(lines))):
        line = lines[number]
        stripped = line.lstrip(" ")
        if number in inside or not stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        numbers.append(number)
        texts.append(stripped)
        if number > cards.value[-1].start_mark.line and indent <= dash:
            levels.append(None)  # after the last card: the list's end, or the next key's
        else:
            levels.append("dash" if indent <= dash else "key" if indent <= key else None)
    return numbers, texts, levels


def _reindent_comments(before: str, after: str) -> str:
    """`after` with the comments of its cards list at the columns their places in `before`
    call for (see the module docstring); unchanged when the comments cannot be matched."""
    old = _comment_levels(before)
    new = _comment_levels(after)
    if old is None or new is None or old[1] != new[1]:
        return after
    columns = {"dash": 2, "key": 4}  # fmt's own layout: `  - id:`, then keys at 4
    lines = after.split("\n")
    for number, text, level in zip(new[0], new[1], old[2], strict=True):
        if level is not None:
            lines[number] = " " * columns[level] + text
    return "\n".join(lines)


def _normalise(value: Any, key: str) -> Any:
    """Quote YAML 1.1 traps in string positions; multi-line strings as `|` blocks."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

    if isinstance(value, CommentedMap):
        for sub in list(value):
            value[sub] = _normalise(value[sub], key)
        return value
    if isinstance(value, CommentedSeq):
        for i, item in enumerate(value):
            value[i] = _normalise(item, key)
        return value
    if not isinstance(value, str):
        return value
    style = _style_of(value)
    new = fmt_style(value, key, style)
    if new == style:
        return value
    return LiteralScalarString(value) if new == "|" else DoubleQuotedScalarString(value)


def fmt_style(value: str, key: str, style: str) -> str:
    """The style fmt gives a string found at `key` in `style` ("" plain, "'", '"', "|",
    ">"): the one rule of quoting and blocks, shared with `fmt_layout`."""
    if (
        key in NUMBER_KEYS
        or key == "vary"  # values inserted as written: `[1, 2]` and `["1", "2"]` mean the same
        or style in ("|", ">")
    ):
        return style
    if "\n" in value.rstrip("\n") and block_ok(value):
        return "|"
    if style == "" and value and not reads_as_string(value):
        return '"'
    return style


def _style_of(value: str) -> str:
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        FoldedScalarString,
        LiteralScalarString,
        ScalarString,
    )

    if isinstance(value, LiteralScalarString):
        return "|"
    if isinstance(value, FoldedScalarString):
        return ">"
    if isinstance(value, DoubleQuotedScalarString):
        return '"'
    return "'" if isinstance(value, ScalarString) else ""


def canonical_order(keys: list[Any], order: tuple[str, ...]) -> list[Any]:
    """`keys` in fmt's order: those in `order` first, unknown ones after in their order."""
    present = set(keys)
    return [k for k in order if k in present] + [k for k in keys if k not in order]


def _reorder(mapping: Any, order: tuple[str, ...]) -> None:
    """Put keys in `order` (unknown keys after, in their order), keeping each key's
    comments, and keeping a comment that trailed the mapping at its end."""
    keys = list(mapping)
    wanted = canonical_order(keys, order)
    if keys == wanted:
        return
    old_last, new_last = keys[-1], wanted[-1]
    tail = _take_tail_comment(mapping, old_last) if old_last != new_last else None
    for key in wanted:
        mapping.move_to_end(key)
    if tail is not None:
        _give_tail_comment(mapping, new_last, tail)


def _holder(mapping: Any, key: Any) -> tuple[Any, Any, int]:
    """Where ruamel keeps the comment that follows `key`'s value: the innermost last
    entry of a block collection value (container, key or index, slot in its entry)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    container, k, slot = mapping, key, 2
    while True:
        value = container[k]
        if isinstance(value, CommentedMap) and len(value) and not value.fa.flow_style():
            container, k, slot = value, list(value)[-1], 2
        elif isinstance(value, CommentedSeq) and len(value) and not value.fa.flow_style():
            container, k, slot = value, len(value) - 1, 0
        else:
            return container, k, slot


def _take_tail_comment(mapping: Any, key: str) -> str | None:
    """Detach the blank lines and full-line comments after `key`'s value (not its
    end-of-line comment) and return them."""
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    container, k, slot = _holder(mapping, key)
    entry = container.ca.items.get(k)
    token = entry[slot] if entry and len(entry) > slot else None
    if token is None or not isinstance(token.value, str):
        return None
    if isinstance(
        container[k], (LiteralScalarString, FoldedScalarString)
    ):  # the block ends its own line
        entry[slot] = None
        return token.value
    line, sep, rest = token.value.partition("\n")
    if not rest:
        return None
    if line.strip():
        token.value = line + sep
    else:
        entry[slot] = None
    return rest


def _give_tail_comment(mapping: Any, key: str, tail: str) -> None:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString
    from ruamel.yaml.tokens import CommentToken

    container, k, slot = _holder(mapping, key)
    entry = container.ca.items.setdefault(k, [None, None, None, None])
    token = entry[slot]
    if token is not None:
        token.value = (
            token.value + tail if token.value.endswith("\n") else token.value + "\n" + tail
        )
    else:
        block = isinstance(container[k], (LiteralScalarString, FoldedScalarString))
        entry[slot] = CommentToken(tail if block else "\n" + tail, CommentMark(0), None)


def load_problems(text: str, path: str) -> list[DeckProblem] | None:
    """The loader's problems with `text` (None when it loads)."""
    from quiz.deck import parse_deck

    try:
        parse_deck(text.encode("utf-8"), path, allow_unrecorded=True)
    except DeckError as exc:
        return exc.problems
    return None


def deck_value(text: str, path: str) -> object:
    """What a deck file means: its Deck with every line number and the path left out."""
    from dataclasses import replace

    from quiz.deck import parse_deck
    from quiz.model import card_to_dict

    deck = parse_deck(text.encode("utf-8"), path, allow_unrecorded=True)
    return (
        replace(deck, cards=(), path="", line=0),
        [card_to_dict(c, with_line=False) for c in deck.cards],
    )


def format_checked(text: str, path: str) -> Formatted:
    """Format `text` and prove the result means the same deck; see the module docstring.

    A deck that loads must load to an equal Deck after formatting (else FormatError, and
    nothing is written). A deck that does not load is formatted only if the result loads
    (the quoting fixed it); otherwise its problems are raised as a DeckError.
    A text `fmt_layout` proves already formatted skips the round trip: it is the result,
    and the proof's read of it gives the loader's problems.
    """
    from quiz.authoring.fmt_layout import layout_problems

    proved = layout_problems(text, path)
    if proved is not None:
        if proved:
            raise DeckError(proved)
        return Formatted(path, text, text)
    after = format_text(text, path)
    if after == text:
        problems = load_problems(text, path)
        if problems is None:
            return Formatted(path, text, after)
        raise DeckError(problems)
    try:
        before = deck_value(text, path)  # one load gives the problems or the meaning
    except DeckError as exc:
        if load_problems(after, path) is None:
            return Formatted(path, text, after, fixed=True)
        raise DeckError(exc.problems) from None
    if deck_value(after, path) != before:
        raise FormatError(
            f"{path}: formatting would change what the deck means; left unchanged "
            "(please report this file)"
        )
    return Formatted(path, text, after)


# ---- files known to be in fmt's layout -------------------------------------------------
# Like black's cache: the digests of texts that fmt left unchanged, kept per formatter
# version, so `quiz fmt --check` of an unchanged deck neither formats nor loads it again.
# Kept beside `fmt_layout`: the proof covers the usual layout only, and a formatted text
# it cannot vouch for (a folded block, an anchor) still costs one round trip, once. A text
# is recorded only after `format_checked` found it unchanged; a new quiz, ruamel.yaml or
# PyYAML starts a new record.


def _signature() -> str:
    """This formatter's version: its sources and the YAML libraries' (their package
    files carry their version numbers; found without importing them)."""
    import hashlib
    from importlib.util import find_spec
    from pathlib import Path

    from quiz.authoring import yaml_text

    digest = hashlib.sha256()
    sources = [__file__, str(Path(__file__).with_name("fmt_layout.py")), yaml_text.__file__]
    for package in ("ruamel.yaml", "yaml"):
        spec = find_spec(package)
        sources.append(spec.origin if spec is not None and spec.origin else package)
    for source in sources:
        try:
            digest.update(Path(source).read_bytes())
        except OSError:
            digest.update(source.encode())
    return digest.hexdigest()[:32]


def _record_path() -> Any:
    from pathlib import Path

    import platformdirs

    folder = Path(platformdirs.user_cache_dir("quiz", appauthor=False))
    return folder / f"fmt-unchanged-{_signature()}.txt"


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def known_unchanged(text: str) -> bool:
    """Did fmt (this version) already find this exact text unchanged?"""
    try:
        known = _record_path().read_text(encoding="ascii").split()
    except (OSError, ValueError):
        return False
    return _digest(text) in known


def remember_unchanged(texts: list[str]) -> None:
    """Record texts fmt found unchanged (best effort: an unwritable cache is no error)."""
    import logging
    import os

    if not texts:
        return
    path = _record_path()
    try:
        known = path.read_text(encoding="ascii").split() if path.exists() else []
        fresh = [d for d in (_digest(t) for t in texts) if d not in known]
        if not fresh:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        kept = (known + fresh)[-RECORD_LIMIT:]
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text("\n".join(kept) + "\n", encoding="ascii")
        tmp.replace(path)
    except OSError as exc:
        logging.getLogger("quiz.authoring.fmt").debug("fmt: not recorded (%s)", exc)


RECORD_LIMIT = 5000
