"""Today's review, the use case behind `quiz review`: the effective settings, today's
plan, and the session run over it, every answer stored as it is given."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache, partial
from typing import TYPE_CHECKING

from quiz.clock import DayClock
from quiz.config import Config
from quiz.model import RunResult, StoredCard
from quiz.review.options import ReviewOptions
from quiz.review.plan import plan_day
from quiz.review.recorder import CardGrader, StoreRecorder, learner_pace
from quiz.review.session import Edited, Prompter, ReviewSession, Summary
from quiz.review.settings import scheduling

if TYPE_CHECKING:  # the store loads behind the first card (quiz.store.late)
    from quiz.store import Repo


def review_today(
    repo: Repo,
    options: ReviewOptions,
    *,
    config: Config,
    day: DayClock,
    now: datetime,
    clock: Callable[[], datetime],
    prompter: Prompter,
    runner: Callable[[StoredCard], RunResult],
    announce: Callable[[str], None],
    edit: Callable[[StoredCard], Edited | None] | None = None,
) -> Summary | None:
    """Run today's session; None when nothing is waiting. Each goal's daily load is
    announced before the first card."""
    repo.require_known(options.decks, options.tags)
    settings = scheduling(config, repo, day, now)
    flt = options.filter
    plan = plan_day(repo, settings, day, now, flt, options.new, options.limit)
    for line in plan.goal_lines:
        announce(line)
    if not plan.queue:
        return None
    session = ReviewSession(
        queue=plan.queue,
        recorder=StoreRecorder(repo, day, flt),
        prompter=prompter,
        grader=CardGrader(),
        scheduler_for=settings.schedulers.for_card,
        runner=runner,
        clock=clock,
        next_day=day.next_day_start,
        leech_lapses=settings.config.leech_lapses,
        limit=options.limit,
        edit=edit,
        pace=cache(partial(learner_pace, repo, now)),
    )
    return session.run()
