"""The learner's goals as stored: one statement both drivers run, so that `quiz review`
reads them before the full store has loaded (quiz.store.late) exactly as `quiz goal` does
through the session (quiz.store.goals)."""

from __future__ import annotations

from datetime import timezone

from quiz.review.goal import Goal
from quiz.store.values import instant_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quiz.store.due import Execute

GOALS = (
    "SELECT decks.slug, goals.due_by, goals.created_at FROM goals"
    " JOIN decks ON decks.id = goals.deck_id WHERE goals.learner_id = :learner"
    " ORDER BY goals.due_by, decks.slug"
)


def goals(execute: Execute, learner_id: int) -> list[Goal]:
    """The learner's goals, nearest date first (a date is kept as midnight UTC)."""
    out = []
    for slug, due_by, created in execute(GOALS, {"learner": learner_id}):
        due, made = instant_of(due_by), instant_of(created)
        assert due is not None and made is not None
        out.append(Goal(slug, due.astimezone(timezone.utc).date(), made))
    return out
