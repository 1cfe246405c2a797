"""What every command needs from its surroundings: the store, the learner, the clock,
the config. One place, so commands stay a few lines long."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, TypeVar

from quiz.cli.boundary import GLOBALS
from quiz.cli.bundled import BUNDLED_UPDATED  # setting: bundled decks re-imported, not reported
from quiz.clock import EARLIEST_YEAR, LATEST_YEAR  # QUIZ_NOW's range

if TYPE_CHECKING:
    from pathlib import Path

    from quiz.clock import DayClock
    from quiz.config import Config
    from quiz.store import Repo, Store


T = TypeVar("T")

# Card types as `--type` takes them (quiz.model.CardKind's values; a test keeps them equal).
KINDS = ("basic", "typed", "choice", "cloze", "output")


def parse_date(value: str, option: str) -> date:
    """A YYYY-MM-DD option value (`--by`, `--since`, `--due-before`, `--on`)."""
    from quiz.clock import in_range
    from quiz.errors import UsageError

    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{option}: not a date (YYYY-MM-DD): {value!r}") from None
    if not in_range(day):
        raise UsageError(
            f"{option}: out of range (give a date between the years {EARLIEST_YEAR} and"
            f" {LATEST_YEAR}): {value!r}"
        )
    return day


def now() -> datetime:
    """The clock of this command (QUIZ_NOW or the wall clock); a QUIZ_NOW so far out that
    date arithmetic would overflow is a usage error, not a crash midway through a session."""
    from quiz.clock import command_now
    from quiz.errors import UsageError

    value = command_now()
    if value is None:
        raise UsageError(
            f"QUIZ_NOW: out of range (give a date between the years {EARLIEST_YEAR} and {LATEST_YEAR})"
        )
    return value


def config() -> Config:
    from quiz.config import load_config

    return load_config()


def day_clock(cfg: Config | None = None) -> DayClock:
    from quiz.clock import DayClock

    cfg = cfg or config()
    return DayClock.from_settings(cfg.timezone, cfg.day_starts_at)


def store(create: bool = True) -> Store:
    from quiz.store import open_store

    return open_store(GLOBALS.db, create=create)


@contextlib.contextmanager
def unit(create: bool = True) -> Iterator[Repo]:
    """One store, one transaction, the learner named on the command line."""
    with store(create) as s, s.unit(GLOBALS.learner) as repo:
        yield repo


@contextlib.contextmanager
def late_unit(
    load_bundled: bool = True,
) -> Iterator[tuple[Repo, list[str], Callable[[], None] | None]]:
    """`unit()` and `ensure_bundled()` for a command that reads before it may write (`quiz
    review`, `quiz drill`, the list of `quiz goal`, `quiz stats`): (the Repo, the bundled decks just
    loaded, what to call once the first card is on screen).

    A current SQLite store with nothing to load or refresh is read through sqlite3 until
    then, and the full store opens behind the first card (quiz.store.late); the third
    value starts that. Any other store opens here, as `unit()` does (third value None).
    `load_bundled=False`: a command that only lists leaves the bundled decks alone."""
    lean = _lean_store(load_bundled)
    if lean is None:
        with unit() as repo:
            yield repo, ensure_bundled(repo) if load_bundled else [], None
        return
    from typing import cast

    from quiz.store.late import LateRepo

    with contextlib.ExitStack() as stack:
        late = LateRepo(lean, lambda: stack.enter_context(unit(create=False)))
        try:
            yield cast("Repo", late), [], late.preload
        finally:
            late.settle()


def read_stats(work: Callable[[Repo], T]) -> T:
    """`work` over the store for `quiz stats`: through `late_unit`, so that a current
    SQLite store whose rollups hold the whole log is read through sqlite3 alone
    (quiz.stats.gather) and the full store opens only to refresh them. A store the
    read-only connection cannot read after all (locked, damaged) is read again through
    the full store, which words the error as for any command."""
    import sqlite3

    try:
        with late_unit(load_bundled=False) as (repo, _loaded, _start):
            return work(repo)
    except sqlite3.Error as exc:  # the lean connection's own errors only
        import logging

        logging.getLogger(__name__).debug("stats: the read-only connection failed (%s)", exc)
    with unit() as repo:
        return work(repo)


def read_only_store():  # -> LeanStore | None
    """The store read-only through sqlite3 for a command that only reads and loads no
    bundled decks (`quiz export`), or None when the full store must open (`_lean_store`)."""
    return _lean_store(load_bundled=False)


def _lean_store(load_bundled: bool):  # -> LeanStore | None (its import is the point)
    """The store read-only through sqlite3 for `late_unit`, or None when the full store
    must open first: QUIZ_DEBUG, not a current SQLite file, an unknown learner, bundled
    decks to load or refresh (quiz.cli.bundled.bundled_work), any error (worded there)."""
    import os

    if os.environ.get("QUIZ_DEBUG"):
        return None
    from quiz.cli.bundled import bundled_work
    from quiz.store.lean import LeanStore
    from quiz.store.location import learner_name, locate

    try:
        found = locate(GLOBALS.db, create=False)
        if found.path is None:
            return None
        lean = LeanStore.open(found.path, learner_name(GLOBALS.learner))
    except Exception:  # refused, a name too long, a bad path: the full store words it
        return None
    if lean is None:
        return None
    try:
        if not load_bundled or not bundled_work(lean.stored_files(), bundled_decks_dir()):
            return lean
    except Exception:  # a damaged store: the full store words it
        pass
    lean.close()
    return None


def bundled_decks_dir():
    from quiz.cli.bundled import bundled_decks_dir as shipped

    return shipped()


def ensure_bundled(repo: Repo) -> list[str]:
    """On first use (a store without decks), load the decks shipped with quiz; returns
    their ids. Later, re-import the bundled decks that changed since (an upgrade of quiz
    corrected them; see `refresh_bundled`).

    `QUIZ_BUNDLED=0` turns this off (tests, and stores meant to hold only your decks).
    """
    from quiz.cli.bundled import bundled_folder

    folder = bundled_folder(bundled_decks_dir())
    if folder is None:
        return []
    if repo.deck_slugs():
        refresh_bundled(repo, folder)
        return []
    from quiz.collection import import_paths

    report = import_paths(repo, [folder], now())
    import logging

    logging.getLogger(__name__).info("loaded the bundled decks from %s", folder)
    repo.commit()
    return [d.deck for d in report.decks]


def refresh_bundled(repo: Repo, folder: Path) -> list[str]:
    """Re-import the bundled deck files whose bytes changed since the store last read them,
    for the decks the store still reads from the bundled path (not a deck copied to the
    learner's folder to edit, not a removed one): corrected cards reach existing learners,
    with their history kept as for any edited deck. The ids go to the learner's
    `BUNDLED_UPDATED` setting, which `quiz decks` reports once. A bundled file that does
    not load is left alone (logged): a command must not fail for it.
    """
    import logging

    from quiz.cli.bundled import changed_bundled
    from quiz.collection import import_paths
    from quiz.errors import DeckError
    from quiz.store.settings import get_setting, set_setting

    log = logging.getLogger(__name__)
    stored = {p: (d.file_hash, d.removed) for p, d in repo.decks_by_path().items()}
    changed = changed_bundled(stored, folder)
    if not changed:
        return []
    try:
        report = import_paths(repo, changed, now())
    except DeckError as exc:
        log.warning("bundled decks not refreshed: %s", exc.problems[0])
        return []
    updated = sorted(d.deck for d in report.decks)
    pending = (get_setting(repo, BUNDLED_UPDATED) or {}).get("decks", [])
    set_setting(repo, BUNDLED_UPDATED, {"decks": sorted({*pending, *updated})})
    repo.commit()
    log.info("re-imported the changed bundled decks: %s", ", ".join(updated))
    return updated


def take_bundled_updates(repo: Repo) -> list[str]:
    """The bundled decks re-imported since `quiz decks` last said so; said once."""
    from quiz.store.settings import get_setting, set_setting

    pending = list((get_setting(repo, BUNDLED_UPDATED) or {}).get("decks", []))
    if pending:
        set_setting(repo, BUNDLED_UPDATED, {"decks": []})
        repo.commit()
    return pending


def card_editor(repo: Repo):
    """The review session's `e`: the learner's editor, then the deck read again."""
    from pathlib import Path

    import typer

    from quiz.authoring.schema_line import user_data_dir
    from quiz.ui.editor import card_editor as make

    return make(
        repo,
        now=now,
        bundled_dir=Path(str(bundled_decks_dir())),
        decks_dir=user_data_dir() / "decks",
        confirm=lambda question: typer.confirm(question, default=True),
    )


def snippet_runner():
    """Runs an output card's snippet in the sandbox (never in this process).

    The sandbox is set up on the first output card, so sessions without one never pay for it.
    """
    made: dict[str, object] = {}

    def run(item):
        if "sandbox" not in made:
            from quiz.sandbox import Sandbox, SandboxConfig

            made["sandbox"] = Sandbox(SandboxConfig())
        return made["sandbox"].run(item.card.code or "", timeout=item.card.timeout)  # type: ignore[attr-defined]  # made holds the Sandbox as object to keep its import lazy

    return run
