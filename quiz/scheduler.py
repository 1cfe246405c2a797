"""FSRS scheduling through py-fsrs, counting elapsed time in the learner's days.

py-fsrs 6.3 measures elapsed time as whole 24-hour periods (`(now - last).days`), so
a card reviewed at 20:30 and again at 08:00 the next morning looks 0 days old to it
(retrievability 1.0, a same-day update). On the real log in shared/data that scores
log loss 1.17 instead of 0.477. This wrapper shows py-fsrs a `last_review` exactly as
many 24-hour periods back as there are day boundaries between the two reviews, so
every formula sees calendar days; review-state due dates are then placed at the start
of the learner's day.

Fuzz is applied here, not by py-fsrs (whose fuzz reads the global `random`): it is
seeded from the card and its review count, so replaying the log (`quiz rebuild`)
reproduces every interval exactly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from fsrs import Card as FsrsCard
from fsrs import Rating as FsrsRating
from fsrs import Scheduler as FsrsScheduler
from fsrs import State as FsrsState
from fsrs.scheduler import FUZZ_RANGES

from quiz.clock import DayClock
from quiz.config import SchedulerSettings
from quiz.model import CardState, Rating, Schedule


@dataclass(frozen=True)
class Outcome:
    before: Schedule
    after: Schedule
    lapsed: bool  # a review-state card was forgotten
    interval_days: int | None  # for review-state results


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("scheduler needs UTC-aware datetimes")
    return value.astimezone(timezone.utc)


class Scheduler:
    def __init__(self, settings: SchedulerSettings, day: DayClock, seed: int | str = 0) -> None:
        self.settings = settings
        self.day = day
        self.seed = seed
        kwargs = {}
        if settings.parameters is not None:
            kwargs["parameters"] = tuple(settings.parameters)
        self._fsrs = FsrsScheduler(
            desired_retention=settings.desired_retention,
            learning_steps=tuple(timedelta(minutes=m) for m in settings.learning_steps),
            relearning_steps=tuple(timedelta(minutes=m) for m in settings.relearning_steps),
            maximum_interval=settings.maximum_interval,
            enable_fuzzing=False,
            **kwargs,
        )

    @property
    def parameters(self) -> tuple[float, ...]:
        return tuple(self._fsrs.parameters)

    def _to_fsrs(self, card_id: int, s: Schedule, now: datetime) -> FsrsCard:
        if s.state == CardState.NEW or s.last_review is None:
            return FsrsCard(card_id=card_id, state=FsrsState.Learning, step=0, due=now)
        last = _aware(s.last_review)
        days = self.day.days_between(last, now)
        seen_last = now - timedelta(days=days) if days >= 1 else last
        return FsrsCard(
            card_id=card_id,
            state=FsrsState(int(s.state)),
            step=s.step,
            stability=s.stability,
            difficulty=s.difficulty,
            due=_aware(s.due) if s.due else now,
            last_review=seen_last,
        )

    def retrievability(self, card_id: int, s: Schedule, now: datetime) -> float:
        """Predicted probability of recall now (0 for a card never reviewed)."""
        if s.state == CardState.NEW or s.last_review is None or s.stability is None:
            return 0.0
        # py-fsrs's get_card_retrievability on the card _to_fsrs would build, without building
        # it (`quiz stats` asks for ~85k cards): elapsed = the learner days since the last
        # review, or whole 24-hour periods on the same day; same formula, same float order.
        last = _aware(s.last_review)
        days = self.day.days_between(last, now)
        elapsed = days if days >= 1 else max(0, (now - last).days)
        return float((1 + self._fsrs._FACTOR * elapsed / s.stability) ** self._fsrs._DECAY)

    def elapsed_ratio(self, recall: float) -> float:
        """Elapsed days / stability at which retrievability falls to `recall` (it falls
        with the ratio): lets a query pick out the cards below a recall level without
        asking for each card's retrievability."""
        return float((recall ** (1 / self._fsrs._DECAY) - 1) / self._fsrs._FACTOR)

    def review(
        self, card_id: int, s: Schedule, rating: Rating, now: datetime, fuzz_key: str = ""
    ) -> Outcome:
        now = _aware(now)
        fcard, _log = self._fsrs.review_card(
            self._to_fsrs(card_id, s, now), FsrsRating(int(rating)), now
        )
        state = CardState(int(fcard.state))
        lapsed = s.state == CardState.REVIEW and rating == Rating.AGAIN
        interval: int | None = None
        due = fcard.due
        if state == CardState.REVIEW:
            interval = max(1, (fcard.due - now).days)
            if self.settings.fuzz:
                interval = self._fuzzed(interval, f"{self.seed}:{fuzz_key or card_id}:{s.reps}")
            due = self.day.start_of(self.day.day_of(now) + timedelta(days=interval))
        after = Schedule(
            state=state,
            step=fcard.step,
            stability=fcard.stability,
            difficulty=fcard.difficulty,
            due=due,
            last_review=now,
            reps=s.reps + 1,
            lapses=s.lapses + (1 if lapsed else 0),
        )
        return Outcome(before=s, after=after, lapsed=lapsed, interval_days=interval)

    def _fuzzed(self, interval: int, key: str) -> int:
        """py-fsrs's fuzz ranges, drawn from a generator seeded by `key`."""
        if interval < 2.5:
            return interval
        delta = 1.0
        for r in FUZZ_RANGES:
            delta += r["factor"] * max(min(float(interval), r["end"]) - r["start"], 0.0)
        hi = min(round(interval + delta), self.settings.maximum_interval)
        lo = min(max(2, round(interval - delta)), hi)
        drawn = random.Random(key).random() * (hi - lo + 1) + lo
        return min(round(drawn), self.settings.maximum_interval)

    def with_settings(self, settings: SchedulerSettings) -> Scheduler:
        return Scheduler(settings, self.day, self.seed)


def replay(
    scheduler: Scheduler, card_id: int, ratings: list[tuple[Rating, datetime]], fuzz_key: str = ""
) -> Schedule:
    """The state a card reaches from NEW through these (rating, time) reviews."""
    state = Schedule()
    for rating, at in ratings:
        state = scheduler.review(card_id, state, rating, at, fuzz_key).after
    return state


def schedule_to_dict(s: Schedule) -> dict[str, object]:
    return {
        "state": int(s.state),
        "step": s.step,
        "stability": s.stability,
        "difficulty": s.difficulty,
        "due": s.due.isoformat() if s.due else None,
        "last_review": s.last_review.isoformat() if s.last_review else None,
        "reps": s.reps,
        "lapses": s.lapses,
    }


def schedule_from_dict(d: dict[str, object] | None) -> Schedule:
    if not d:
        return Schedule()
    due = d.get("due")
    last = d.get("last_review")
    return replace(
        Schedule(),
        state=CardState(int(d["state"])),  # type: ignore[call-overload]  # stored JSON: an int
        step=d.get("step"),  # type: ignore[arg-type]  # stored JSON: an int or null
        stability=d.get("stability"),  # type: ignore[arg-type]  # stored JSON: a float or null
        difficulty=d.get("difficulty"),  # type: ignore[arg-type]  # stored JSON: a float or null
        due=datetime.fromisoformat(due) if isinstance(due, str) else None,
        last_review=datetime.fromisoformat(last) if isinstance(last, str) else None,
        reps=int(d.get("reps", 0)),  # type: ignore[call-overload]  # stored JSON: an int
        lapses=int(d.get("lapses", 0)),  # type: ignore[call-overload]  # stored JSON: an int
    )
