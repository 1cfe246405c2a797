"""Deck files (YAML, format v1) -> validated `model.Deck` values with `file:line` errors.

Pure core: reads files and YAML, knows nothing of the store, the terminal or the
sandbox. Modules, one concept each:

- `yaml_nodes` - safe composing: bytes -> node tree; duplicate keys, tags, aliases
- `fields`     - the format itself, as a declarative table (the one source of truth)
- `convert`    - one node + one field -> a value, or a reported problem
- `folding`    - keys folded into a block scalar by over-indentation
- `cloze`      - `{{c1::answer::hint}}` syntax
- `validate`   - node tree -> Deck, checking the table and the cross-card rules
- `files`      - deck files on disk: which files paths name, a file's digest
- `loader`     - files and folders -> decks (the API below)
- `schema`     - the JSON Schema of the format, generated from `fields`
- `lint`       - content lint of loaded decks (`quiz check` warnings, errors under --strict)
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quiz.deck.files import find_deck_files
    from quiz.deck.loader import (
        is_unrecorded,
        load_deck,
        load_paths,
        parse_deck,
        unrecorded_problems,
    )
    from quiz.deck.validate import UNRECORDED_MESSAGE

__all__ = [
    "UNRECORDED_MESSAGE",
    "find_deck_files",
    "is_unrecorded",
    "load_deck",
    "load_paths",
    "parse_deck",
    "unrecorded_problems",
]


def __getattr__(name: str) -> object:
    """The API above, loaded on first use: `quiz.deck.cloze` (needed to show a card) must
    not cost the YAML loader and validator at the start of `quiz review`."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    home = {"UNRECORDED_MESSAGE": "quiz.deck.validate", "find_deck_files": "quiz.deck.files"}.get(
        name, "quiz.deck.loader"
    )
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
