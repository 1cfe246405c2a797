"""One answer as one value.

The session builds it (`build_answer`: the scheduler's outcome for a rating at an
instant), and a recorder stores it in one write (`Repo.record_answer`). Everything an
answer carries travels together, so a new field (a suggested grade, a variant) is added
in one place rather than to every signature on the way to the store.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from quiz.model import Rating, Schedule, StoredCard
from quiz.scheduler import Scheduler


@dataclass(frozen=True)
class Answer:
    item: StoredCard
    rating: Rating
    at: datetime
    duration_ms: int
    given: str | None  # what the learner typed or picked (None: a revealed basic/cloze card)
    correct: bool | None
    before: Schedule
    after: Schedule | None  # None: a practice entry that leaves the schedule alone
    leech: bool = False
    kind: str = "review"  # "review" moves the schedule; "drill" is only logged
    # The `reps` the session saw: an answer given meanwhile on another machine makes the
    # store refuse this one (`quiz.errors.Conflict`) instead of recording it twice.
    expect_reps: int | None = None
    # "I was right": the learner overruled the grader; `correct` is then True.
    overruled: bool = False
    # How close a graded answer was (0..1: output lines or choices right) and the rating
    # quiz suggested from it and the answer time; None where nothing was graded.
    closeness: float | None = None
    suggested: Rating | None = None

    @property
    def card_id(self) -> int:
        return self.item.row_id

    @property
    def right(self) -> bool:
        return bool(self.correct) if self.correct is not None else self.rating != Rating.AGAIN

    def as_practice(self) -> Answer:
        """This answer as a drill entry: logged for weakness figures, schedule untouched."""
        return replace(self, kind="drill", after=None, leech=False, expect_reps=None)


def build_answer(
    item: StoredCard,
    rating: Rating,
    *,
    scheduler: Scheduler,
    at: datetime,
    duration_ms: int,
    given: str | None,
    correct: bool | None,
    leech_lapses: int,
    overruled: bool = False,
    closeness: float | None = None,
    suggested: Rating | None = None,
) -> Answer:
    """The answer the learner gave, with the schedule it leads to (see module docstring)."""
    outcome = scheduler.review(item.row_id, item.schedule, rating, at, fuzz_key=item.card.key)
    return Answer(
        item=item,
        rating=rating,
        at=at,
        duration_ms=duration_ms,
        given=given,
        correct=correct,
        before=item.schedule,
        after=outcome.after,
        leech=outcome.lapsed and outcome.after.lapses >= leech_lapses,
        expect_reps=item.schedule.reps,
        overruled=overruled,
        closeness=closeness,
        suggested=suggested,
    )


def interval_previews(item: StoredCard, scheduler: Scheduler, at: datetime) -> dict[Rating, str]:
    """What each rating would do to this card, as short spans ("10m", "4d"), computed
    by the very scheduler that will record the answer, so the preview cannot lie."""
    shown: dict[Rating, str] = {}
    for rating in Rating:
        outcome = scheduler.review(item.row_id, item.schedule, rating, at, fuzz_key=item.card.key)
        if outcome.interval_days is not None:
            shown[rating] = span(timedelta(days=outcome.interval_days))
        elif outcome.after.due is not None:
            shown[rating] = span(outcome.after.due - at)
    return shown


def span(delta: timedelta) -> str:
    """A time span the way Anki shows it on its buttons: 1m, 10m, 5h, 4d, 3mo, 1.5y."""
    minutes = max(1, round(delta.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 24 * 60:
        return f"{round(minutes / 60)}h"
    days = delta.days if delta.seconds < 12 * 3600 else delta.days + 1
    if days < 31:
        return f"{days}d"
    if days < 365:
        return f"{days / 30.4:.1f}".removesuffix(".0") + "mo"
    return f"{days / 365:.1f}".removesuffix(".0") + "y"
