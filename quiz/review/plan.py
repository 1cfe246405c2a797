"""Today's plan against the store: the candidates the store holds, put in order by the
pure queue (`quiz.review.queue`), plus each active goal's share of the day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from quiz.clock import DayClock
from quiz.model import CardFilter, CardState, StoredCard
from quiz.review import goal as g
from quiz.review.queue import Admission, Limits, build_queue
from quiz.review.settings import Scheduling
from quiz.store.due import LEARNING_STATES, REVIEW_STATES

if TYPE_CHECKING:  # the store loads behind the first card (quiz.store.late)
    from quiz.store import Repo


@dataclass(frozen=True)
class DayPlan:
    """What today holds for this learner, within the limits."""

    queue: list[StoredCard]
    new_left: int
    reviews_left: int
    goal_lines: tuple[str, ...] = ()  # what each goal takes a day (said before the first card)


def plan_day(
    repo: Repo,
    scheduling: Scheduling,
    day: DayClock,
    now: datetime,
    flt: CardFilter = CardFilter(),
    new_override: int | None = None,
    limit: int | None = None,
) -> DayPlan:
    config = scheduling.config
    start = day.day_start(now)
    done = repo.answered_since(start)
    new_done = done.by_state.get(int(CardState.NEW), 0)
    reviews_done = done.by_state.get(int(CardState.REVIEW), 0)
    new_left = (
        max(0, config.new_per_day - new_done) if new_override is None else max(0, new_override)
    )
    reviews_left = max(0, config.reviews_per_day - reviews_done)
    scan = (limit or 0) + reviews_left + 50
    learning = repo.due_cards(now, now, flt, LEARNING_STATES, 10_000)
    reviews = repo.due_cards(now, now, flt, REVIEW_STATES, scan) if reviews_left else []
    interleave = config.new_order == "interleave"
    new = repo.new_cards(now, flt, new_left * 3 + 50, interleave=interleave) if new_left else []
    required = {r for c in new for r in c.card.requires}
    seen = repo.seen_keys(required)
    answered = done.notes - {c.card.note_key for c in learning}
    schedulers = scheduling.schedulers

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
    plan = DayPlan(queue=queue, new_left=new_left, reviews_left=reviews_left)
    if scheduling.goals:
        plan = _add_goal_work(plan, repo, scheduling.goals, day, now, flt, limit, done.notes)
    return plan


# ---- goals (quiz goal): a daily share of the deck aimed at a date ---------------------


def _add_goal_work(
    plan: DayPlan,
    repo: Repo,
    goals: tuple[g.Goal, ...],
    day: DayClock,
    now: datetime,
    flt: CardFilter,
    limit: int | None,
    answered_notes: frozenset[str],
) -> DayPlan:
    """Today's plan plus each active goal's share (new cards introduced, cards due after
    the date pulled forward), and one line per goal saying what it takes a day."""
    from quiz.store import goal_rows
    from quiz.store import goals as goal_queries

    today = day.day_of(now)
    start = day.day_start(now)
    queue = list(plan.queue)
    admission = Admission(queue, (), answered_notes)
    lines: list[str] = []
    for aim in goals:
        if flt.decks and aim.deck not in flt.decks:
            continue
        if not aim.active(today):
            lines.append(g.describe(aim, today, None))
            continue
        date_start = day.start_of(aim.due_by)
        load = goal_rows.goal_load(repo.selection, aim, date_start)
        lines.append(g.describe(aim, today, g.cards_per_day(load, aim, today)))
        days = g.days_counted(aim, today)
        new_done, early_done = goal_queries.answered_today(repo, aim.deck, start)
        queued_new = sum(
            1 for c in queue if c.card.deck == aim.deck and c.schedule.state == CardState.NEW
        )
        want_new = g.quota_today(load.new, new_done, days) - queued_new
        want_late = g.quota_today(load.late, early_done, days)
        deck_flt = CardFilter(decks=(aim.deck,), tags=flt.tags, kinds=flt.kinds)
        taken = len(admission.taken)
        pulled = goal_queries.late_cards(repo, aim.deck, date_start, now, flt, want_late + taken)
        fresh = repo.new_cards(now, deck_flt, max(0, want_new) * 3 + taken) if want_new > 0 else []
        admission.known |= repo.seen_keys({r for c in fresh for r in c.card.requires})
        for pool, want in ((pulled, want_late), (fresh, want_new)):
            for c in pool:
                if want <= 0:
                    break
                if admission.admits(c):
                    admission.take(c)
                    queue.append(c)
                    want -= 1
    if limit is not None:
        queue = queue[:limit]
    return DayPlan(queue, plan.new_left, plan.reviews_left, tuple(lines))


def describe_goals(repo: Repo, goals: list[g.Goal], day: DayClock, now: datetime) -> list[str]:
    """One line per goal: its date and the cards a day it takes (see `quiz.review.goal`)."""
    from quiz.store import goal_rows

    today = day.day_of(now)
    lines = []
    for aim in goals:
        per_day = None
        if aim.active(today):
            per_day = g.cards_per_day(
                goal_rows.goal_load(repo.selection, aim, day.start_of(aim.due_by)), aim, today
            )
        lines.append(g.describe(aim, today, per_day))
    return lines
