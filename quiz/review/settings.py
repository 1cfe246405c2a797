"""The effective scheduler settings, assembled in one place: the config file, then the
FSRS parameters fitted by `quiz optimize` (unless the config sets its own), then each
active goal's overrides, then one `Scheduler` per deck.

Review, drill, stats, rebuild and optimize all schedule or predict recall; each takes
its settings from `scheduling()` so that they never disagree about a card.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

from quiz.clock import DayClock
from quiz.config import Config
from quiz.model import StoredCard
from quiz.review.goal import Goal
from quiz.scheduler import Scheduler

if TYPE_CHECKING:
    from quiz.store import Repo

FITTED_PARAMETERS = "fsrs_parameters"  # settings-table key, per learner (`quiz optimize`)

log = logging.getLogger(__name__)


class Schedulers:
    """One scheduler per deck, so `[decks.<id>]` settings and goals apply card by card."""

    def __init__(
        self, config: Config, day: DayClock, overrides: dict[str, Config] | None = None
    ) -> None:
        self.config = config
        self.day = day
        self.overrides = overrides or {}

    @cache  # noqa: B019 (one instance per command; the cache dies with it)
    def for_deck(self, deck: str) -> Scheduler:
        cfg = self.overrides.get(deck) or self.config.for_deck(deck)
        return Scheduler(cfg.scheduler, self.day)

    def for_card(self, item: StoredCard) -> Scheduler:
        return self.for_deck(item.card.deck)


@dataclass(frozen=True)
class Scheduling:
    config: Config  # with the learner's fitted parameters
    goals: tuple[Goal, ...]
    schedulers: Schedulers


def stored_parameters(repo: Repo) -> tuple[float, ...] | None:
    value = repo.setting(FITTED_PARAMETERS)
    if not value or not value.get("parameters"):
        return None
    return tuple(float(w) for w in value["parameters"])


def with_fitted_parameters(config: Config, repo: Repo) -> Config:
    """`config` with this learner's fitted parameters, unless the config file sets its own."""
    if config.scheduler.parameters is not None:
        return config
    params = stored_parameters(repo)
    if params is None:
        return config
    log.debug("using the FSRS parameters fitted by quiz optimize")
    return replace(config, scheduler=replace(config.scheduler, parameters=params))


def scheduling(
    config: Config, repo: Repo, day: DayClock, now: datetime, *, goals: bool = True
) -> Scheduling:
    """The settings every answer and recall figure of this command uses (module docstring).

    `goals=False`: the learner's normal schedule (statistics, rebuild), without the
    raised retention and capped intervals that an active goal applies to new answers."""
    from quiz.review import goal

    config = with_fitted_parameters(config, repo)
    aims: tuple[Goal, ...] = ()
    overrides: dict[str, Config] = {}
    if goals:
        aims = tuple(repo.goals())
        overrides = goal.overrides(config, aims, day.day_of(now))
        if overrides:
            log.debug("goal settings for: %s", ", ".join(sorted(overrides)))
    return Scheduling(config, aims, Schedulers(config, day, overrides))
