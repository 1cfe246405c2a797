"""The learner's goals as stored: one statement both drivers run, so that `quiz review`
reads them before the full store has loaded (quiz.store.late) exactly as `quiz goal` does
through the session (quiz.store.goals)."""

from __future__ import annotations

from datetime import timezone

from quiz.review.goal import Goal, GoalLoad
from quiz.store.due import NEW, STARTED_STATES
from quiz.store.values import instant_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime

    from quiz.store.due import Execute
    from quiz.store.selection import Selection

GOALS = (
    "SELECT decks.slug, goals.due_by, goals.created_at FROM goals"
    " JOIN decks ON decks.id = goals.deck_id WHERE goals.learner_id = :learner"
    " ORDER BY goals.due_by, decks.slug"
)


_SEEN = f"cs.state IN ({', '.join(map(str, STARTED_STATES))})"

# A goal deck's cards still to do before the goal's date (quiz.review.goal.GoalLoad):
# never answered; seen before the goal was set; seen since, due by the date; due after it.
GOAL_LOAD = f"""
SELECT SUM(CASE WHEN cs.state IS NULL OR cs.state = {NEW} THEN 1 ELSE 0 END),
       SUM(CASE WHEN {_SEEN} AND cs.last_review < :created THEN 1 ELSE 0 END),
       SUM(CASE WHEN {_SEEN} AND cs.last_review >= :created AND cs.due <= :start THEN 1 ELSE 0 END),
       SUM(CASE WHEN {_SEEN} AND cs.due > :start THEN 1 ELSE 0 END)
FROM cards JOIN decks ON decks.id = cards.deck_id
LEFT JOIN card_states AS cs ON cs.card_id = cards.id AND cs.learner_id = :learner
WHERE decks.slug = :deck AND cards.retired = FALSE
  AND (cs.suspended IS NULL OR cs.suspended = FALSE)
"""


def goal_load(sel: Selection, goal: Goal, date_start: datetime) -> GoalLoad:
    """How much of `goal`'s deck is still to do before the day that starts at
    `date_start`, through the card selection's driver."""
    p = sel.params()
    p.update(
        deck=goal.deck,
        created=sel.state_time(goal.created_at),
        start=sel.state_time(date_start),
    )
    new, pending, scheduled, late = (int(v or 0) for v in next(iter(sel.execute(GOAL_LOAD, p))))
    return GoalLoad(new=new, pending=pending, scheduled=scheduled, late=late)


def goals(execute: Execute, learner_id: int) -> list[Goal]:
    """The learner's goals, nearest date first (a date is kept as midnight UTC)."""
    out = []
    for slug, due_by, created in execute(GOALS, {"learner": learner_id}):
        due, made = instant_of(due_by), instant_of(created)
        assert due is not None and made is not None
        out.append(Goal(slug, due.astimezone(timezone.utc).date(), made))
    return out
