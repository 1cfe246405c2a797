"""Queries for `quiz goal` and the goal share of `quiz review` (the only SQL they use).

Kept apart from quiz.store.stats_queries (the statistics) so that a review session, which
reads the learner's goals before its first card, does not load the statistics code.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import delete, select

from quiz.errors import NotFound
from quiz.model import CardState, StoredCard
from quiz.review.goal import Goal
from quiz.store.due import LIVE
from quiz.store.models import CardRow, DeckRow, GoalRow, ReviewRow, reviewed_since
from quiz.store.repo import DUE_STATES, CardFilter, Repo

R = ReviewRow

if TYPE_CHECKING:
    from sqlalchemy import CursorResult


def goals(repo: Repo) -> list[Goal]:
    return repo.goals()


def set_goal(repo: Repo, deck: str, due_by: date, now: datetime) -> Goal:
    """Aim `deck` at `due_by` (replacing an earlier date for it); commits."""
    deck_id = repo.session.scalar(select(DeckRow.id).where(DeckRow.slug == deck))
    if deck_id is None:
        raise NotFound(f"no deck {deck!r} in the store (see: quiz decks)")
    at = datetime.combine(due_by, time(0), tzinfo=timezone.utc)  # the date, kept as midnight UTC
    row = repo.session.scalar(
        select(GoalRow).where(GoalRow.learner_id == repo.learner_id, GoalRow.deck_id == deck_id)
    )
    if row is None:
        row = GoalRow(learner_id=repo.learner_id, deck_id=deck_id, due_by=at, created_at=now)
        repo.session.add(row)
    else:
        row.due_by = at
        row.created_at = now
    repo.session.commit()
    return Goal(deck, due_by, now)


def clear_goal(repo: Repo, deck: str) -> bool:
    deck_id = repo.session.scalar(select(DeckRow.id).where(DeckRow.slug == deck))
    if deck_id is None:
        raise NotFound(f"no deck {deck!r} in the store (see: quiz decks)")
    done = cast(
        "CursorResult[Any]",
        repo.session.execute(
            delete(GoalRow).where(GoalRow.learner_id == repo.learner_id, GoalRow.deck_id == deck_id)
        ),
    )
    repo.session.commit()
    return bool(done.rowcount)


def late_cards(
    repo: Repo, deck: str, after: datetime, now: datetime, flt: CardFilter, limit: int
) -> list[StoredCard]:
    """Cards of `deck` that fall due after `after` (a goal date): to be pulled forward."""
    if limit <= 0:
        return []
    sel = repo.selection
    p = sel.params(now)
    return repo.select_cards(
        CardFilter(decks=(deck,), tags=flt.tags, kinds=flt.kinds),
        [
            f"cs.state IN ({', '.join(map(str, DUE_STATES))})",
            f"cs.due > {p.add(sel.state_time(after))}",
            LIVE,
        ],
        p,
        order_by="cs.due, cards.id",
        limit=limit,
    )


def answered_today(repo: Repo, deck: str, since: datetime) -> tuple[int, int]:
    """(new cards introduced, cards reviewed before they were due) in `deck` since `since`."""
    q = (
        select(R)
        .join(CardRow, CardRow.id == R.card_id)
        .join(DeckRow, DeckRow.id == CardRow.deck_id)
        .where(
            R.learner_id == repo.learner_id,
            R.kind == "review",
            reviewed_since(repo.session.get_bind().dialect.name, since),
            DeckRow.slug == deck,
        )
    )
    entries = list(repo.session.scalars(q))
    new = sum(1 for e in entries if e.prev_state == int(CardState.NEW))
    reviewed = [e for e in entries if e.prev_state == int(CardState.REVIEW)]
    befores = repo.befores(reviewed)  # the log keeps no state before (migration 0012)
    early = sum(
        1 for e in reviewed if (due := befores[e.id].due) is not None and due > e.reviewed_at
    )
    return new, early
