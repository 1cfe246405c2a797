"""The day's work against the store: today's queue, and a recorder for the session.

This is where the store (candidates, counts, commits) meets the pure queue and
scheduler; the session itself only sees the `Recorder` protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from quiz.config import Config
from quiz.day import DayClock
from quiz.model import CardState, Rating, RunResult, Schedule, StoredCard, Verdict
from quiz.queue import Limits, build_queue
from quiz.scheduler import Scheduler
from quiz.session import LEARN_AHEAD
from quiz.store import CardFilter, Repo


@dataclass(frozen=True)
class DayPlan:
    """What today holds for this learner, within the limits."""

    queue: list[StoredCard]
    new_left: int
    reviews_left: int


class Schedulers:
    """One scheduler per deck, so `[decks.<id>]` settings apply card by card."""

    def __init__(
        self, config: Config, day: DayClock, overrides: dict[str, Config] | None = None
    ) -> None:
        self.config = config
        self.day = day
        self.overrides = overrides or {}

    @cache  # noqa: B019 (one instance per command)
    def for_deck(self, deck: str) -> Scheduler:
        cfg = self.overrides.get(deck) or self.config.for_deck(deck)
        return Scheduler(cfg.scheduler, self.day)

    def for_card(self, item: StoredCard) -> Scheduler:
        return self.for_deck(item.card.deck)


def plan_day(
    repo: Repo,
    config: Config,
    day: DayClock,
    schedulers: Schedulers,
    now: datetime,
    flt: CardFilter = CardFilter(),
    new_override: int | None = None,
    limit: int | None = None,
) -> DayPlan:
    start = day.day_start(now)
    done = repo.answered_since(start)
    new_done = done.get(int(CardState.NEW), 0)
    reviews_done = done.get(int(CardState.REVIEW), 0)
    new_left = (
        max(0, config.new_per_day - new_done) if new_override is None else max(0, new_override)
    )
    reviews_left = max(0, config.reviews_per_day - reviews_done)
    scan = (limit or 0) + reviews_left + 50
    learning = repo.due_cards(
        now, now, flt, (int(CardState.LEARNING), int(CardState.RELEARNING)), 10_000
    )
    reviews = repo.due_cards(now, now, flt, (int(CardState.REVIEW),), scan) if reviews_left else []
    new = repo.new_cards(now, flt, new_left * 3 + 50) if new_left else []
    required = {r for c in new for r in c.card.requires}
    seen = repo.seen_keys(required)
    answered = repo.notes_answered_since(start)
    answered -= {c.card.note_key for c in learning}

    def retrievability(c: StoredCard) -> float:
        return schedulers.for_card(c).retrievability(c.row_id, c.schedule, now)

    queue = build_queue(
        learning,
        reviews,
        new,
        limits=Limits(new=new_left, reviews=reviews_left, total=limit),
        seen=seen,
        answered_notes=answered,
        retrievability=retrievability,
    )
    return DayPlan(queue=queue, new_left=new_left, reviews_left=reviews_left)


class StoreRecorder:
    """The session's Recorder: every call commits at once.

    An answer carries the `reps` the session saw, so an answer already given on
    another machine (one learner, two terminals on a shared store) is refused with
    `Conflict` instead of being recorded twice.
    """

    def __init__(self, repo: Repo, day: DayClock, flt: CardFilter = CardFilter()) -> None:
        self.repo = repo
        self.day = day
        self.flt = flt

    def record(
        self,
        item: StoredCard,
        *,
        rating: Rating,
        at: datetime,
        duration_ms: int,
        answer: str | None,
        correct: bool | None,
        before: Schedule,
        after: Schedule,
        leech: bool,
    ) -> int:
        return self.repo.record_answer(
            item.row_id,
            kind="review",
            rating=rating,
            at=at,
            duration_ms=duration_ms,
            answer=answer,
            correct=correct,
            before=before,
            after=after,
            leech=leech,
            expect_reps=before.reps,
        )

    def undo(self, review_id: int) -> None:
        self.repo.undo(review_id)

    def bury(self, item: StoredCard, until: datetime) -> None:
        self.repo.bury(item.row_id, until)

    def suspend(self, item: StoredCard) -> None:
        self.repo.set_suspended(item.row_id, True)

    def refill(self, now: datetime) -> list[StoredCard]:
        return self.repo.due_cards(
            now,
            now + LEARN_AHEAD,
            self.flt,
            (int(CardState.LEARNING), int(CardState.RELEARNING)),
            1000,
        )

    def due_tomorrow(self, now: datetime) -> int:
        end = self.day.next_day_start(now) + timedelta(days=1) - timedelta(microseconds=1)
        return self.repo.due_count(now, end, self.flt, (1, 2, 3))


class CardGrader:
    """The session's Grader: the pure matching rules of `quiz.grading`."""

    def typed(self, item: StoredCard, answer: str) -> Verdict:
        from quiz import grading

        return grading.grade_typed(item.card, answer)

    def choice(self, item: StoredCard, answer: str) -> Verdict:
        from quiz import grading
        from quiz.model import Verdict

        try:
            picks = grading.parse_picks(answer)
        except ValueError as exc:
            return Verdict(correct=False, given=answer, message=str(exc), suggested=Rating.AGAIN)
        return grading.grade_choice(item.card, picks)

    def output(self, item: StoredCard, prediction: str, result: RunResult) -> Verdict:
        from quiz import grading

        return grading.grade_output(item.card, prediction, result)


# ---- goals (quiz goal): scheduler settings aimed at a date, and a daily share -----------


def goal_overrides(repo: Repo, config: Config, day: DayClock, now: datetime):
    """The learner's goals, and per-deck configs for `Schedulers(config, day, overrides)`."""
    from quiz import goal
    from quiz.store import goals as goals_q

    goals = goals_q.goals(repo)
    return goals, goal.overrides(config, goals, day.day_of(now))


def add_goal_work(
    plan: DayPlan,
    repo: Repo,
    goals,
    day: DayClock,
    now: datetime,
    flt: CardFilter = CardFilter(),
    limit: int | None = None,
) -> tuple[DayPlan, list[str]]:
    """Today's plan plus each active goal's share (new cards introduced, cards due after
    the date pulled forward), and one line per goal saying what it takes a day."""
    from quiz import goal as g
    from quiz.store import goals as goals_q

    today = day.day_of(now)
    start = day.day_start(now)
    queue = list(plan.queue)
    taken = {c.row_id for c in queue}
    notes = repo.notes_answered_since(start) | {c.card.note_key for c in queue}
    lines: list[str] = []
    for aim in goals:
        if flt.decks and aim.deck not in flt.decks:
            continue
        if not aim.active(today):
            lines.append(g.describe(aim, today, None))
            continue
        date_start = day.start_of(aim.due_by)
        load = goals_q.goal_load(repo, aim, date_start)
        lines.append(g.describe(aim, today, g.cards_per_day(load, aim, today)))
        days = g.days_counted(aim, today)
        new_done, early_done = goals_q.answered_today(repo, aim.deck, start)
        queued_new = sum(
            1 for c in queue if c.card.deck == aim.deck and c.schedule.state == CardState.NEW
        )
        want_new = g.quota_today(load.new, new_done, days) - queued_new
        want_late = g.quota_today(load.late, early_done, days)
        deck_flt = CardFilter(decks=(aim.deck,), tags=flt.tags, kinds=flt.kinds)
        pulled = goals_q.late_cards(repo, aim.deck, date_start, now, flt, want_late + len(taken))
        fresh = (
            repo.new_cards(now, deck_flt, max(0, want_new) * 3 + len(taken)) if want_new > 0 else []
        )
        seen = repo.seen_keys({r for c in fresh for r in c.card.requires})
        for pool, want in ((pulled, want_late), (fresh, want_new)):
            for c in pool:
                if want <= 0:
                    break
                if c.row_id in taken or c.card.note_key in notes:
                    continue
                if any(
                    r not in seen and r not in {q.card.key for q in queue} for r in c.card.requires
                ):
                    continue
                queue.append(c)
                taken.add(c.row_id)
                notes.add(c.card.note_key)
                want -= 1
    if limit is not None:
        queue = queue[:limit]
    return DayPlan(queue=queue, new_left=plan.new_left, reviews_left=plan.reviews_left), lines


def describe_goals(repo: Repo, goals, day: DayClock, now: datetime) -> list[str]:
    """One line per goal: its date and the cards a day it takes (see `quiz.goal`)."""
    from quiz import goal as g
    from quiz.store import goals as goals_q

    today = day.day_of(now)
    lines = []
    for aim in goals:
        per_day = None
        if aim.active(today):
            per_day = g.cards_per_day(
                goals_q.goal_load(repo, aim, day.start_of(aim.due_by)), aim, today
            )
        lines.append(g.describe(aim, today, per_day))
    return lines
