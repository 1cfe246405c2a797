"""Looking after a collection (`quiz cards`): find cards, read one card's history, and
act on cards — suspend, unsuspend, bury, unbury, forget, set due.

Every action is undoable the way an answer is: suspending and burying are flags on the
card's state; forgetting and setting a due date are logged as 'manual' entries (see
`Repo.reschedule`), so `quiz rebuild` reproduces them and no answer is ever removed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from quiz.browse import CardQuery, Listing, question, select, states_of
from quiz.clock import DayClock
from quiz.config import Config
from quiz.errors import NotFound, UsageError
from quiz.model import CardFilter, CardState, Schedule, StoredCard
from quiz.review.settings import Schedulers, scheduling
from quiz.store import Repo

ACTIONS = ("suspend", "unsuspend", "bury", "unbury", "forget", "set-due")


def _listing(
    item: StoredCard, schedulers: Schedulers, day: DayClock, now: datetime, lang: str | None
) -> Listing:
    s = item.schedule
    interval = None
    if s.due is not None and s.last_review is not None:
        interval = max(0.0, (s.due - s.last_review).total_seconds() / 86400)
    recall = (
        schedulers.for_card(item).retrievability(item.row_id, s, now)
        if s.state != CardState.NEW and s.last_review is not None
        else None
    )
    return Listing(
        item, question(item, lang), states_of(item, item.buried_until, now), interval, recall
    )


def find_cards(
    repo: Repo,
    query: CardQuery,
    *,
    config: Config,
    day: DayClock,
    now: datetime,
    lang: str | None,
) -> tuple[list[Listing], int]:
    """(the listings to show, how many matched before --limit)."""
    repo.require_known(query.decks, query.tags)
    schedulers = scheduling(config, repo, day, now, goals=False).schedulers
    cards = repo.cards(CardFilter(decks=query.decks, tags=query.tags, kinds=query.kinds))
    listings = [_listing(c, schedulers, day, now, lang) for c in cards]
    matched = select(listings, replace(query, limit=None))
    shown = matched[: query.limit] if query.limit is not None else matched
    return shown, len(matched)


def card_by_key(repo: Repo, key: str) -> StoredCard:
    if "/" not in key:
        raise UsageError(f"name a card as DECK/CARD, not {key!r} (see: quiz cards)")
    item = repo.get_card(key)
    if item is None:
        raise NotFound(f"no card {key!r} in the store (see: quiz cards)")
    return item


@dataclass(frozen=True)
class HistoryRow:
    when: datetime
    kind: str
    rating: int
    correct: bool | None
    recall: float | None  # what the scheduler predicted just before this answer
    interval_days: float | None  # the interval this answer gave
    duration_ms: int


def history(
    repo: Repo, key: str, *, config: Config, day: DayClock, now: datetime, lang: str | None
) -> tuple[Listing, list[HistoryRow]]:
    item = card_by_key(repo, key)
    schedulers = scheduling(config, repo, day, now, goals=False).schedulers
    scheduler = schedulers.for_card(item)
    rows = []
    entries = repo.card_history(item.row_id)
    befores = repo.befores(entries)
    for entry in entries:
        before = befores[entry.id]
        after = entry.after
        recall = (
            scheduler.retrievability(item.row_id, before, entry.reviewed_at)
            if before.state != CardState.NEW and before.last_review is not None
            else None
        )
        interval = (
            max(0.0, (after.due - entry.reviewed_at).total_seconds() / 86400)
            if after is not None and after.due is not None
            else None
        )
        rows.append(
            HistoryRow(
                entry.reviewed_at,
                entry.kind,
                entry.rating,
                entry.correct,
                recall,
                interval,
                entry.duration_ms,
            )
        )
    return _listing(item, schedulers, day, now, lang), rows


def act(
    repo: Repo,
    action: str,
    keys: list[str],
    *,
    day: DayClock,
    now: datetime,
    due: datetime | None = None,
) -> list[str]:
    """Apply `action` to each card; one line per card saying what changed."""
    if action not in ACTIONS:
        raise UsageError(f"unknown action {action!r} (one of: {', '.join(ACTIONS)})")
    items = [card_by_key(repo, key) for key in keys]  # every key checked before any change
    lines = []
    for item in items:
        key = item.card.key
        if action in ("suspend", "unsuspend"):
            repo.set_suspended(item.row_id, action == "suspend")
            lines.append(f"{action}ed: {key}" if action == "suspend" else f"unsuspended: {key}")
        elif action == "bury":
            repo.bury(item.row_id, day.next_day_start(now))
            lines.append(f"buried until tomorrow: {key}")
        elif action == "unbury":
            repo.unbury(item.row_id)
            lines.append(f"unburied: {key}")
        elif action == "forget":
            if item.schedule.state == CardState.NEW:
                lines.append(f"already new: {key}")
                continue
            repo.reschedule(item, Schedule(), now)
            lines.append(f"forgotten (new again; its answers stay in the log): {key}")
        else:
            assert due is not None
            if item.schedule.state == CardState.NEW:
                lines.append(f"never answered, nothing to reschedule: {key}")
                continue
            repo.reschedule(item, replace(item.schedule, due=due), now)
            lines.append(f"due {due.date().isoformat()}: {key}")
    return lines
