"""`e` during review: open the card in the learner's editor, then read the deck again.

The editor is `$VISUAL`, else `$EDITOR` (a command line: `code -w` works). Editors that
take `+LINE path` (vi and its kin, nano, emacs, micro, ...) open at the card's line;
`code`/`subl`/`hx`-like editors get `path:line`; any other gets the path alone. With
neither variable set, nothing is started: the session shows `path:line`, as before.

A bundled deck lives inside the installed package (site-packages, or the checkout under
`pip install -e`), where an edit is lost at the next upgrade. So `e` on a bundled card
first offers to copy the deck into the learner's own decks folder (platformdirs' data
folder, `decks/`), with its `$schema` line re-pointed; importing the copy re-points the
store's deck path there (the deck keeps its id, cards and history), and later upgrades no
longer touch it (quiz.cli.context.refresh_bundled reads only decks at the bundled path).

When the editor exits, the deck file is imported again (history kept, as for any edited
deck); the session goes on with the card as re-read. A file that no longer loads leaves
the store as it was: its first problem is shown, and the old card stays on screen.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from quiz.model import StoredCard
from quiz.review.session import Edited
from quiz.store import Repo

log = logging.getLogger(__name__)

PLUS_LINE = {
    "vi", "vim", "nvim", "gvim", "view", "nano", "pico", "emacs", "emacsclient",
    "micro", "joe", "jed", "mg", "ne", "kak", "ed", "ex",
}  # fmt: skip
COLON_LINE = {"code", "codium", "subl", "hx", "helix", "zed"}


def editor_command(editor: str, path: Path, line: int) -> list[str]:
    """The command line that opens `path` at `line` in `editor` (see the module docstring)."""
    words = shlex.split(editor)
    name = Path(words[0]).name if words else ""
    if name in PLUS_LINE:
        return [*words, f"+{max(line, 1)}", str(path)]
    if name in COLON_LINE:
        goto = ["-g"] if name in ("code", "codium") and "-g" not in words else []
        return [*words, *goto, f"{path}:{max(line, 1)}"]
    return [*words, str(path)]


def is_bundled(path: Path, bundled_dir: Path) -> bool:
    try:
        return path.resolve().is_relative_to(bundled_dir.resolve())
    except OSError:
        return False


def copy_to_user_decks(source: Path, decks_dir: Path) -> Path:
    """Copy a bundled deck into the learner's decks folder (kept if already there), with
    its `$schema` line pointing at a schema that outlives reinstalls."""
    from quiz.authoring.schema_line import PREFIX, schema_line

    target = decks_dir / source.name
    if target.exists():
        return target
    decks_dir.mkdir(parents=True, exist_ok=True)
    text = source.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith(PREFIX):
            ending = line[len(line.rstrip("\r\n")) :]
            lines[index] = schema_line(target) + ending
            break
    target.write_text("".join(lines), encoding="utf-8")
    return target


def card_editor(
    repo: Repo,
    *,
    now: Callable[[], datetime],
    bundled_dir: Path,
    decks_dir: Path,
    confirm: Callable[[str], bool],
    environ: Mapping[str, str] = os.environ,
    run: Callable[[list[str]], int] = subprocess.call,
) -> Callable[[StoredCard], Edited | None]:
    """The session's `edit` hook (None from it: no editor set; the session shows
    `path:line`)."""

    def edit(item: StoredCard) -> Edited | None:
        editor = environ.get("VISUAL") or environ.get("EDITOR")
        if not editor:
            return None
        path = Path(item.path)
        line = item.card.line
        if is_bundled(path, bundled_dir):
            question = (
                f"{path.name} is a bundled deck (an upgrade would lose your edit). "
                f"Copy it to {decks_dir} and edit the copy?"
            )
            if not confirm(question):
                return Edited(item, f"{item.path}:{line}: {item.card.key} (bundled, not copied)")
            path = copy_to_user_decks(path, decks_dir)
            log.info("copied bundled deck %s to %s", item.path, path)
        command = editor_command(editor, path, line)
        log.info("editing %s", shlex.join(command))
        try:
            status = run(command)
        except OSError as exc:
            return Edited(item, f"cannot start the editor {editor!r}: {exc.strerror or exc}")
        if status != 0:
            log.info("editor exited with status %s; reading the deck anyway", status)
        return reread(repo, item, path, now())

    return edit


def reread(repo: Repo, item: StoredCard, path: Path, now: datetime) -> Edited:
    """Import the deck file again and find the card in it."""
    from quiz.collection import import_paths
    from quiz.errors import DeckError

    try:
        import_paths(repo, [path], now)
    except DeckError as exc:
        repo.session.rollback()
        first = exc.problems[0]
        more = f" (and {len(exc.problems) - 1} more; quiz check {path})" if exc.problems[1:] else ""
        return Edited(item, f"not re-read: {first}{more}")
    repo.commit()
    from quiz.model import CardFilter
    from quiz.store.selection import Params

    p = Params()
    found = repo.select_cards(CardFilter(), [f"cards.key = {p.add(item.card.key)}"], p)
    if not found:
        return Edited(None, f"{item.card.key} is no longer in {path} (re-read; skipped)")
    return Edited(found[0], f"re-read {path}: {item.card.key}")
