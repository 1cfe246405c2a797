"""What every command needs from its surroundings: the store, the learner, the clock,
the config. One place, so commands stay a few lines long."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from quiz.cli.base import GLOBALS

if TYPE_CHECKING:
    from quiz.clock import DayClock
    from quiz.config import Config
    from quiz.store import Repo, Store


EARLIEST_YEAR, LATEST_YEAR = 1900, 8999  # QUIZ_NOW's range: room for a year of stats
# behind and a century of intervals ahead within what `datetime` can hold


def now() -> datetime:
    """The clock of this command (QUIZ_NOW or the wall clock); a QUIZ_NOW so far out that
    date arithmetic would overflow is a usage error, not a crash midway through a session."""
    from quiz.clock import now_utc
    from quiz.errors import UsageError

    try:
        value = now_utc()
    except OverflowError:
        value = None
    if value is None or not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
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


def bundled_decks_dir():
    from importlib.resources import files

    return files("quiz").joinpath("bundled_decks")


def ensure_bundled(repo: Repo) -> list[str]:
    """On first use (a store without decks), load the decks shipped with quiz.

    `QUIZ_BUNDLED=0` turns this off (tests, and stores meant to hold only your decks).
    """
    import os

    if os.environ.get("QUIZ_BUNDLED", "1") == "0" or repo.deck_slugs():
        return []
    from pathlib import Path

    from quiz.collection import import_paths

    folder = Path(str(bundled_decks_dir()))
    if not folder.is_dir():
        return []
    report = import_paths(repo, [folder], now())
    import logging

    logging.getLogger(__name__).info("loaded the bundled decks from %s", folder)
    repo.commit()
    return [d.deck for d in report.decks]


def snippet_runner():
    """Runs an output card's snippet in the sandbox (never in this process).

    The sandbox is set up on the first output card, so sessions without one never pay for it.
    """
    made: dict[str, object] = {}

    def run(item):
        if "sandbox" not in made:
            from quiz.sandbox import Sandbox, SandboxConfig

            made["sandbox"] = Sandbox(SandboxConfig())
        return made["sandbox"].run(item.card.code or "", timeout=item.card.timeout)  # type: ignore[attr-defined]

    return run
