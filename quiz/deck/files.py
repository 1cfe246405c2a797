"""Deck files on disk, before any YAML: which files a set of paths names, a file's
identity for "unchanged since its last import", and what `quiz import` says of such a
file.

Its own module, free of the YAML loader and the validator, because re-importing
unchanged files (quiz.cli.lean) needs only these and must not pay for the loader's
imports (issue #19: the whole command is meant to cost little more than starting Python).
"""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike
from pathlib import Path

from quiz.errors import DeckError, DeckProblem

DECK_SUFFIXES = (".yaml", ".yml")


def find_deck_files(paths: Iterable[str | PathLike[str]]) -> list[Path]:
    """Files as given; folders -> their *.yaml / *.yml files, recursively, sorted.

    Hidden files and folders (`.git`, `.venv`) inside a folder are skipped; a path named
    explicitly is always taken. A file reached twice is listed once. Every missing path
    is reported, in one DeckError.
    """
    found: dict[Path, None] = {}
    missing: list[DeckProblem] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            inside = (
                p
                for p in path.rglob("*")
                if p.suffix.lower() in DECK_SUFFIXES
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            for p in sorted(inside, key=lambda p: p.relative_to(path).parts):
                found.setdefault(p, None)
        elif path.exists():
            found.setdefault(path, None)
        else:
            missing.append(DeckProblem(str(path), None, "no such file or folder"))
    if missing:
        raise DeckError(missing)
    return list(found)


def file_digest(data: bytes) -> str:
    """A deck file's identity for "unchanged since its last import": the store keeps it,
    and both `quiz import` paths (quiz.collection, and quiz.cli.lean for an unchanged
    re-import) compare it, so they can never disagree."""
    import hashlib

    return hashlib.sha256(data).hexdigest()


def skipped_line(deck: str) -> str:
    """What `quiz import` says of a file that has not changed since its last import."""
    return f"{deck}: unchanged (file not modified)"


NOTHING_CHANGED = "nothing changed"
