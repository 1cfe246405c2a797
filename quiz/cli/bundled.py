"""The decks shipped with quiz: where they are, and which of them changed since a store
last read them. Imports neither typer nor SQLAlchemy, so that the lean path of `quiz decks`
(quiz.cli.lean) can tell that the full command would have nothing to load or refresh;
`quiz.cli.context` does the loading and refreshing."""

from __future__ import annotations

import os
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


BUNDLED_UPDATED = "bundled_updated"  # setting: bundled decks re-imported, not yet reported


def bundled_decks_dir() -> object:  # an importlib.resources Traversable
    from importlib.resources import files

    return files("quiz").joinpath("bundled_decks")


def bundled_folder(where: object | None = None) -> Path | None:
    """The folder of the bundled decks (`where`, else the one shipped), or None when
    `QUIZ_BUNDLED=0` turns them off (tests, stores meant to hold only your decks) or
    quiz was installed without them."""
    if os.environ.get("QUIZ_BUNDLED", "1") == "0":
        return None
    folder = Path(str(where if where is not None else bundled_decks_dir()))
    return folder if folder.is_dir() else None


def changed_bundled(stored: Mapping[str, tuple[str, bool]], folder: Path) -> list[Path]:
    """The bundled deck files whose bytes changed since the store last read them, for
    the decks the store still reads from the bundled path; `stored`: deck file path ->
    (sha256 when imported, removed). Not a deck copied to the learner's folder to edit,
    not a removed one; a file that cannot be read is left alone."""
    import hashlib

    changed = []
    for path in sorted(folder.glob("*.y*ml")):
        known = stored.get(str(path.resolve()))
        if known is None or known[1]:
            continue
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            continue
        if digest != known[0]:
            changed.append(path)
    return changed


def bundled_work(stored: Mapping[str, tuple[str, bool]], where: object | None = None) -> bool:
    """Whether a command would load the bundled decks (in `where`, else the ones shipped)
    into a store whose deck files are `stored` (path -> (sha256, removed); none: a store
    without decks) or refresh one of them (`quiz.cli.context.ensure_bundled`): a lean
    path, which only reads, declines then."""
    folder = bundled_folder(where)
    return folder is not None and (not stored or bool(changed_bundled(stored, folder)))
