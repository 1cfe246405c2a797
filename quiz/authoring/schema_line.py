"""The `# yaml-language-server: $schema=...` line that gives editors completion.

The YAML language server (VS Code's YAML extension, Neovim, Helix, ...) reads it from the
top of a file and resolves the path relative to that file. The schema ships inside the
quiz package (`quiz/deck/deck-v1.schema.json`), so a new deck points at that file: by a
relative path when it is close (at most three folders up, below a shared folder that is
neither the filesystem root nor the home folder; a deck in the repository's `decks/` gets
`../quiz/deck/deck-v1.schema.json`, like the shipped decks), else by its absolute path.
`--schema` on the commands that write decks overrides it (a URL for a shared repository).

An installed quiz keeps the schema in site-packages, which moves (a new virtualenv, an
upgrade, `pip install -e`), and a deck pointing there loses its completion. So when the
package is installed (not a source checkout), decks point at a copy in the learner's data
folder (platformdirs: `~/.local/share/quiz/deck-v1.schema.json` on Linux), refreshed
whenever a deck is written; a copy that cannot be written falls back to the shipped file.
"""

from __future__ import annotations

import os
from pathlib import Path

PREFIX = "# yaml-language-server: $schema="
MAX_UPS = 3


def schema_file() -> Path:
    from quiz.deck.schema import SCHEMA_FILE

    return SCHEMA_FILE


def user_data_dir() -> Path:
    """The learner's own quiz folder (decks copied to edit, the stable schema copy)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("quiz", appauthor=False))


def stable_schema_file() -> Path:
    """The schema a written deck should point at: the shipped file in a source checkout,
    else a copy in the learner's data folder that outlives reinstalls (kept current)."""
    shipped = schema_file().resolve()
    if not {"site-packages", "dist-packages"} & set(shipped.parts):
        return shipped
    copy = user_data_dir() / shipped.name
    try:
        data = shipped.read_bytes()
        if not copy.is_file() or copy.read_bytes() != data:
            copy.parent.mkdir(parents=True, exist_ok=True)
            tmp = copy.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(copy)
    except OSError:
        return shipped
    return copy


def schema_ref(deck_file: Path) -> str:
    """How a deck written at `deck_file` should refer to the schema (see the module
    docstring)."""
    target = stable_schema_file()
    folder = deck_file.resolve().parent
    try:
        relative = Path(os.path.relpath(target, folder))
    except ValueError:  # another drive (Windows)
        return target.as_uri()
    common = Path(os.path.commonpath([target, folder]))
    if relative.parts.count("..") <= MAX_UPS and common not in (Path(common.anchor), Path.home()):
        return relative.as_posix()
    return str(target)


def schema_line(deck_file: Path, override: str | None = None) -> str:
    return PREFIX + (override or schema_ref(deck_file))


def has_schema_line(text: str) -> bool:
    """Whether a deck's leading comment block carries a schema line."""
    for line in text.lstrip("\ufeff").splitlines():
        if line.startswith(PREFIX):
            return True
        if line.strip() and not line.lstrip().startswith("#"):
            return False
    return False
