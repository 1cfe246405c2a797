"""Deck files -> Deck values: one file (`parse_deck`, `load_deck`) or many (`load_paths`).

`parse_deck` is the whole pipeline for one file's bytes: compose safely (yaml_nodes),
then validate against the format table (validate). It raises one DeckError carrying
*every* problem of the file, because an author fixing a deck wants the full list, not
one error per run. `load_paths` is what `quiz import` / `quiz check` call on a set of
files and folders: it never raises for deck problems, it returns them, so one broken
file does not hide the problems (or the good decks) of the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike
from pathlib import Path

from quiz.deck.files import (  # noqa: F401  # re-exported: the loader's API
    DECK_SUFFIXES,
    NOTHING_CHANGED,
    file_digest,
    find_deck_files,
    skipped_line,
)
from quiz.deck.validate import UNRECORDED_MESSAGE, build_deck
from quiz.deck.yaml_nodes import compose, gc_paused, shares_nodes
from quiz.errors import DeckError, DeckProblem
from quiz.model import Card, CardKind, Deck

TYPE_CHECKING = False
if TYPE_CHECKING:
    from yaml.nodes import Node


def parse_deck(data: bytes, path: str, *, allow_unrecorded: bool = False) -> Deck:
    """Parse one deck file's bytes. Raises DeckError with all problems of the file.

    `allow_unrecorded=True` accepts output cards that have neither `output` nor `raises`
    (they come back with both None; `quiz check --record` fills them in).
    """
    # The collector stays paused until the node tree is gone again: re-enabled with the
    # tree alive, its first collection would walk every node (see yaml_nodes.gc_paused).
    with gc_paused():
        root, problems = compose(data, path)
        if root is None:
            raise DeckError(problems)
        try:
            return deck_of_tree(root, problems, path, allow_unrecorded=allow_unrecorded)
        finally:
            del root


def deck_of_tree(
    root: Node, problems: list[DeckProblem], path: str, *, allow_unrecorded: bool = False
) -> Deck:
    """`parse_deck` from a tree `compose` gave (its root and problems), for a caller
    that reads the tree too (`quiz fmt`'s proof of its layout): one read for both."""
    deck, more = build_deck(
        root, path, allow_unrecorded=allow_unrecorded, aliases=shares_nodes(problems)
    )
    problems = sorted(dict.fromkeys(problems + more), key=lambda p: p.line or 0)
    if problems or deck is None:
        raise DeckError(problems or [DeckProblem(path, None, "deck could not be read")])
    return deck


def load_deck(path: str | PathLike[str], *, allow_unrecorded: bool = False) -> Deck:
    """Read and parse one file; a missing or unreadable file is a DeckError too."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DeckError([DeckProblem(str(path), None, "no such file")]) from None
    except IsADirectoryError:
        raise DeckError([DeckProblem(str(path), None, "is a folder, not a deck file")]) from None
    except OSError as exc:
        raise DeckError(
            [DeckProblem(str(path), None, f"cannot read: {exc.strerror or exc}")]
        ) from None
    return parse_deck(data, str(path), allow_unrecorded=allow_unrecorded)


def load_paths(
    paths: Iterable[str | PathLike[str]], *, allow_unrecorded: bool = False
) -> tuple[list[Deck], list[DeckProblem]]:
    """Load every deck under `paths`; return the good decks and the problems of all files.

    Two files that claim the same `deck:` id are a problem of the later one (it names the
    earlier file and line); the earlier deck is kept, the later is not returned.
    """
    paths = list(paths)
    problems: list[DeckProblem] = []
    try:
        files = find_deck_files(paths)
    except DeckError as exc:  # report the missing paths, load the others
        problems.extend(exc.problems)
        files = find_deck_files(p for p in paths if Path(p).exists())
    decks: list[Deck] = []
    first: dict[str, Deck] = {}
    for file in files:
        try:
            deck = load_deck(file, allow_unrecorded=allow_unrecorded)
        except DeckError as exc:
            problems.extend(exc.problems)
            continue
        earlier = first.get(deck.id)
        if earlier is not None:
            problems.append(
                DeckProblem(
                    deck.path,
                    deck.line,
                    f"deck id '{deck.id}' also defined in {earlier.path}:{earlier.line}",
                )
            )
            continue
        first[deck.id] = deck
        decks.append(deck)
    return decks, problems


def is_unrecorded(card: Card) -> bool:
    """An output card whose expected result has not been recorded yet."""
    return (
        card.kind is CardKind.OUTPUT
        and card.output is None
        and card.raises is None
        and card.vary is None  # a card that varies has no stored answer: its runs are checked
    )


def unrecorded_problems(deck: Deck) -> list[DeckProblem]:
    """One problem per unrecorded output card (for `quiz check` on a deck loaded with
    `allow_unrecorded=True`)."""
    return [
        DeckProblem(deck.path, card.line, UNRECORDED_MESSAGE)
        for card in deck.cards
        if is_unrecorded(card)
    ]
