"""Learner settings: scheduler knobs, daily limits, the day boundary, language.

Read from `config.toml` in the platform's config dir (or `QUIZ_CONFIG`); any value
may be overridden per deck in a `[decks.<deck-id>]` table where that makes sense
(retention, steps, maximum interval, daily limits).
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Callable
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
    # A choice card's choices in a new order each time it is shown (in a terminal; a
    # piped session keeps the deck's order, so scripts can name choices by number).
    shuffle_choices: bool = True
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
_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")  # as quiz.deck.fields.LANG_PATTERN
MAX_STEP_MINUTES = 525_600  # a year: beyond it a step is not a learning step
MAX_INTERVAL_DAYS = 36_500
MAX_DAILY = 1_000_000


class ConfigError(UsageError):
    """A config.toml that cannot be used, as `path:line: message` (one validation for
    every command, so `quiz due` never accepts a file that `quiz review` refuses)."""

    exit_code = 1


def _shown(value: object) -> str:
    """A TOML value as one short line, for 'found ...'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        import json

        return "the string " + json.dumps(text)
    if isinstance(value, int) and abs(value) >= 10**15:
        return f"a number of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    if isinstance(value, (int, float)):
        return f"{value!r}"
    if isinstance(value, (list, tuple)):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _steps(value: object) -> str | None:
    if not isinstance(value, list) or not all(
        _number(v) and 0 < v <= MAX_STEP_MINUTES for v in value
    ):
        return f"must be a list of minutes, each more than 0 and at most {MAX_STEP_MINUTES}, like [1, 10]"
    return None


def _parameters(value: object) -> str | None:
    if not isinstance(value, list) or not all(_number(v) for v in value):
        return "must be a list of numbers (the FSRS parameters `quiz optimize` prints)"
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS as low
    from fsrs.scheduler import UPPER_BOUNDS_PARAMETERS as high

    if len(value) != len(low):
        return f"must have {len(low)} numbers (found {len(value)})"
    for i, (v, lo, hi) in enumerate(zip(value, low, high, strict=True)):
        if not lo <= v <= hi:
            return f"item {i + 1} ({v!r}) is out of FSRS's range [{lo}, {hi}]"
    return None


def _timezone(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return 'must be a time zone name like "Europe/Berlin"'
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return 'is not a known time zone (use a name like "Europe/Berlin" or "UTC")'
    return None


def _range(
    check: Callable[[object], bool], low: float, high: float, what: str
) -> Callable[[object], str | None]:
    def validate(value: object) -> str | None:
        if check(value) and low <= value <= high:  # type: ignore[operator]  # check(value) has just said it is a number
            return None
        return f"must be {what}"

    return validate


# One rule per setting: the value's type and range, checked before any command uses it.
_RULES: dict[str, Callable[[object], str | None]] = {
    "desired_retention": lambda v: (
        None
        if _number(v) and 0.5 <= v < 1  # type: ignore[operator]  # _number(v) has just said it is a number
        else "must be a number from 0.5 up to (not including) 1, like 0.9"
    ),
    "learning_steps": _steps,
    "relearning_steps": _steps,
    "maximum_interval": _range(
        _whole, 1, MAX_INTERVAL_DAYS, f"a whole number of days from 1 to {MAX_INTERVAL_DAYS}"
    ),
    "fuzz": lambda v: None if isinstance(v, bool) else "must be true or false",
    "parameters": _parameters,
    "new_per_day": _range(_whole, 0, MAX_DAILY, f"a whole number from 0 to {MAX_DAILY}"),
    "reviews_per_day": _range(_whole, 0, MAX_DAILY, f"a whole number from 0 to {MAX_DAILY}"),
    "day_starts_at": _range(_whole, 0, 23, "an hour from 0 to 23"),
    "timezone": _timezone,
    "lang": lambda v: (
        None
        if isinstance(v, str) and _LANG.fullmatch(v)
        else 'must be a language code like "en" or "zh"'
    ),
    "leech_lapses": _range(_whole, 1, 1000, "a whole number from 1 to 1000"),
    "shuffle_choices": lambda v: None if isinstance(v, bool) else "must be true or false",
    "new_order": lambda v: None if v in NEW_ORDERS else f"must be one of: {', '.join(NEW_ORDERS)}",
}


class _Where:
    """Where a problem is: the file, and the line of a key in a table (found by reading
    the text again; tomllib keeps no positions)."""

    def __init__(self, path: str, text: str = "") -> None:
        self.path = path
        self.lines = text.splitlines()

    def line_of(self, table: str, key: str) -> int | None:
        current = ""
        pattern = re.compile(r"\s*(?:%s|\"%s\"|'%s')\s*=" % ((re.escape(key),) * 3))
        for number, line in enumerate(self.lines, 1):
            header = re.match(r"\s*\[+\s*([^\]]*?)\s*\]+", line)
            if header:
                current = header.group(1).replace('"', "").replace("'", "")
                if not key and current == table:
                    return number
            elif current == table and key and pattern.match(line):
                return number
        return None

    def error(self, table: str, key: str, message: str) -> ConfigError:
        line = self.line_of(table, key)
        where = f"{self.path}:{line}" if line else self.path
        setting = f"[{table}] {key}" if table and key else key or f"[{table}]"
        return ConfigError(f"{where}: {setting} {message}")


def _apply(config: Config, table: dict[str, Any], where: str | _Where, section: str = "") -> Config:
    place = where if isinstance(where, _Where) else _Where(where)
    sched: dict[str, Any] = {}
    top: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name == "decks" and not section:
            continue
        rule = _RULES.get(name)
        if rule is None:
            import difflib  # only for a mistake: `quiz due` reads this file too

            hint = difflib.get_close_matches(name, list(_RULES), n=1)
            said = f" (did you mean {hint[0]}?)" if hint else ""
            raise place.error(section, key, f"is not a setting{said}")
        problem = rule(value)
        if problem is not None:
            raise place.error(section, key, f"{problem} (found {_shown(value)})")
        if name in _SCHED_KEYS:
            sched[name] = tuple(value) if isinstance(value, list) else value
        else:
            top[name] = value
    result = replace(config, **top)
    if sched:
        result = replace(result, scheduler=replace(config.scheduler, **sched))
    return result


def parse_config(raw: bytes, path: str) -> Config:
    """The settings in one config file's bytes; ConfigError on any problem."""
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {' '.join(str(exc).split())}") from None
    except ValueError:  # tomllib's int() of a number over 4,300 digits
        raise ConfigError(f"{path}: not valid TOML: a number is too long") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: arrays or tables nested too deeply") from None
    where = _Where(path, text)
    config = _apply(Config(), data, where)
    decks = data.get("decks", {})
    if not isinstance(decks, dict):
        raise where.error("", "decks", "must be a table of deck ids, like [decks.python-gil]")
    for deck, table in decks.items():
        if not isinstance(table, dict):
            raise where.error("decks", deck, "must be a table of settings, like [decks.python-gil]")
        _apply(config, table, where, f"decks.{deck}")  # validate early
    return replace(config, deck_overrides=dict(decks))


def load_config(path: Path | None = None) -> Config:
    """The learner's settings (defaults when there is no file); every command reads them
    through here, so a bad file is refused the same way everywhere."""
    path = path or default_config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    return parse_config(raw, str(path))
