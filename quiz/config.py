"""Learner settings: scheduler knobs, daily limits, the day boundary, language.

Read from `config.toml` in the platform's config dir (or `QUIZ_CONFIG`); any value
may be overridden per deck in a `[decks.<deck-id>]` table where that makes sense
(retention, steps, maximum interval, daily limits).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from quiz.errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class SchedulerSettings:
    desired_retention: float = 0.9
    learning_steps: tuple[float, ...] = (1.0, 10.0)  # minutes
    relearning_steps: tuple[float, ...] = (10.0,)  # minutes
    maximum_interval: int = 36500  # days
    fuzz: bool = True
    parameters: tuple[float, ...] | None = None  # None: FSRS defaults


@dataclass(frozen=True)
class Config:
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    new_per_day: int = 20
    reviews_per_day: int = 200
    day_starts_at: int = 4  # hour, learner's local time
    timezone: str | None = None  # IANA name; None: the machine's local zone
    lang: str | None = None
    leech_lapses: int = 8
    # New cards across decks: "interleave" takes one from each deck in turn (day 1 is not
    # all of the first deck alphabetically); "deck" finishes a deck before the next.
    new_order: str = "interleave"
    deck_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)

    def for_deck(self, deck: str) -> Config:
        """This config with the `[decks.<deck>]` overrides applied."""
        override = self.deck_overrides.get(deck)
        if not override:
            return self
        return _apply(self, override, f"decks.{deck}")


def default_config_path() -> Path:
    env = os.environ.get("QUIZ_CONFIG")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_config_dir("quiz", appauthor=False)) / "config.toml"


NEW_ORDERS = ("interleave", "deck")
_SCHED_KEYS = {f.name for f in fields(SchedulerSettings)}
_TOP_KEYS = {f.name for f in fields(Config)} - {"scheduler", "deck_overrides"}


def _apply(config: Config, table: dict[str, Any], where: str) -> Config:
    sched: dict[str, Any] = {}
    top: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name in _SCHED_KEYS:
            if isinstance(value, list):
                value = tuple(value)
            sched[name] = value
        elif name in _TOP_KEYS:
            top[name] = value
        elif name != "decks":
            raise UsageError(f"{where}: unknown setting {key!r}")
    result = replace(config, **top)
    if sched:
        result = replace(result, scheduler=replace(config.scheduler, **sched))
    _check(result, where)
    return result


def _check(config: Config, where: str) -> None:
    s = config.scheduler
    if not 0.5 <= s.desired_retention < 1:
        raise UsageError(f"{where}: desired_retention must be in [0.5, 1)")
    if not 0 <= config.day_starts_at <= 23:
        raise UsageError(f"{where}: day_starts_at must be an hour 0-23")
    if config.new_per_day < 0 or config.reviews_per_day < 0:
        raise UsageError(f"{where}: daily limits must not be negative")
    if config.new_order not in NEW_ORDERS:
        raise UsageError(f"{where}: new_order must be one of: {', '.join(NEW_ORDERS)}")


def load_config(path: Path | None = None) -> Config:
    path = path or default_config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read config: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: {exc}") from None
    config = _apply(Config(), {k: v for k, v in data.items() if k != "decks"}, str(path))
    decks = data.get("decks", {})
    if not isinstance(decks, dict):
        raise UsageError(f"{path}: [decks] must be a table of deck ids")
    for deck, table in decks.items():
        _apply(config, table, f"{path}: decks.{deck}")  # validate early
    return replace(config, deck_overrides=dict(decks))
