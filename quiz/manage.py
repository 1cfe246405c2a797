"""Looking after a collection (`quiz cards`): find cards, read one card's history, and
act on cards — suspend, unsuspend, bury, unbury, forget, set due.

Every action is undoable the way an answer is: suspending and burying are flags on the
card's state; forgetting and setting a due date are logged as 'manual' entries (see
`Repo.reschedule`), so `quiz rebuild` reproduces them and no answer is ever removed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice

from quiz.browse import (
    PYTHON_SORTS,
    CardQuery,
    Listed,
    Listing,
    interval_days,
    might_contain,
    python_sort_key,
    searchable_text,
    states_of,
)
from quiz.clock import DayClock
from quiz.config import Config
from quiz.errors import NotFound, UsageError
from quiz.model import CardFilter, CardState, Schedule, StoredCard, frozen_maker
from quiz.review.settings import Schedulers, scheduling
from quiz.store.browse_reads import INTERVAL_SLACK_DAYS, BrowseReads
from quiz.store.selection import Params

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    from quiz.store import Repo
    from quiz.store.selection import Selection

    class CardStore(Protocol):
        """What `act` asks of a store: the Repo, or quiz.store.card_actions.LeanCards."""

        def get_card(self, key: str) -> StoredCard | None: ...

        def set_suspended(self, card_id: int, suspended: bool) -> None: ...

        def bury(self, card_id: int, until: datetime) -> None: ...

        def unbury(self, card_id: int) -> None: ...

        def reschedule(self, item: StoredCard, after: Schedule, at: datetime) -> int: ...


log = logging.getLogger(__name__)

ACTIONS = ("suspend", "unsuspend", "bury", "unbury", "forget", "set-due")


def _recall(
    schedule: Schedule, card_id: int, deck: str, schedulers: Schedulers, now: datetime
) -> float | None:
    """The predicted recall now (None: never reviewed)."""
    if schedule.state == CardState.NEW or schedule.last_review is None:
        return None
    return schedulers.for_deck(deck).retrievability(card_id, schedule, now)


def _listing(
    item: Listed, schedulers: Schedulers, day: DayClock, now: datetime, lang: str | None
) -> Listing:
    s = item.schedule
    return frozen_maker(Listing)(
        item,
        item.question(lang),
        states_of(item, now),
        interval_days(s),
        _recall(s, item.row_id, item.deck, schedulers, now),
    )


_SHOWN_CHUNK = 500  # cards read and listed at a time


@dataclass(frozen=True)
class Found:
    """A query's matches: how many, and the listings to show, built a chunk at a time
    (a listing reads the card's content: only the cards shown are read)."""

    total: int
    chunks: Iterator[list[Listing]]


def find_cards(
    repo: Repo,
    query: CardQuery,
    *,
    config: Config,
    day: DayClock,
    now: datetime,
    lang: str | None,
) -> Found:
    """The cards `quiz cards` lists for `query` (at most `query.limit`)."""
    repo.require_known(query.decks, query.tags)
    schedulers = scheduling(config, repo, day, now, goals=False).schedulers
    sel = repo.selection
    reads = BrowseReads(sel)
    flt = CardFilter(decks=query.decks, tags=query.tags, kinds=query.kinds)
    p = sel.params()
    where = reads.conditions(query.states, query.due_before, query.min_lapses, now, p)
    screen = None
    if query.limit is not None and not query.text:
        if query.sort == "recall":
            screen = _weakest(reads, flt, where, p, query.limit, schedulers, now)
        elif query.sort == "interval":
            screen = _longest_intervals(reads, flt, where, p, query.limit)
    if screen is not None:
        shown, total = screen, reads.count(flt, where, p)
    elif query.text or query.sort in PYTHON_SORTS:
        order = reads.order_by(query.sort)
        ids = _sorted_in_python(reads, sel, flt, where, p, order, query, schedulers, now)
        total, shown = len(ids), ids[: query.limit] if query.limit is not None else ids
    elif query.limit is None:
        # every match in the store's order: the cards as the statement hands them over
        total = reads.count(flt, where, p)
        order = reads.order_by(query.sort)
        listed = reads.listed(flt, where, p, order, _SHOWN_CHUNK)
        return Found(total, ([_listing(x, schedulers, day, now, lang) for x in c] for c in listed))
    else:
        shown = reads.ids(flt, where, p, query.sort, query.limit)
        total = reads.count(flt, where, p)

    def chunks() -> Iterator[list[Listing]]:
        for start in range(0, len(shown), _SHOWN_CHUNK):
            part = shown[start : start + _SHOWN_CHUNK]
            by_id = {c.row_id: c for c in sel.cards_by_id(part)}
            yield [_listing(Listed.of(by_id[i]), schedulers, day, now, lang) for i in part]

    return Found(total, chunks())


def _sorted_in_python(
    reads: BrowseReads,
    sel: Selection,
    flt: CardFilter,
    where: list[str],
    p: Params,
    order: str,
    query: CardQuery,
    schedulers: Schedulers,
    now: datetime,
) -> list[int]:
    """The matching ids of a text search or of a sort by recall or interval: the store's
    matches (in its order for its sorts), searched and sorted here."""
    needle = query.text.casefold()
    exact_only = "\n" in needle  # a match across two texts: no per-text shortcut
    sort_here = query.sort in PYTHON_SORTS
    matches: list[tuple[float, str, int]] = []
    narrowed = reads.text_may_match(needle, p) if needle else None
    where = [*where, narrowed] if narrowed else where
    rows = reads.light_rows(flt, where, p, None if sort_here else order, content=bool(needle))
    while batch := list(islice(rows, _SHOWN_CHUNK)):
        if needle:
            maybe = [
                r
                for r in batch
                if exact_only or needle in r.key.casefold() or might_contain(r.content, needle)
            ]
            found = {
                c.row_id
                for c in sel.cards_by_id([r.card_id for r in maybe])
                if needle in searchable_text(c)
            }
            batch = [r for r in batch if r.card_id in found]
        for r in batch:
            value = 0.0
            if sort_here:
                recall = _recall(r.schedule, r.card_id, r.deck, schedulers, now)
                value = python_sort_key(query.sort, r.schedule, recall)
            matches.append((value, r.key, r.card_id))
    if sort_here:
        matches.sort()  # ties by key, as the store's sorts end
    return [card_id for _value, _key, card_id in matches]


def _weakest(
    reads: BrowseReads,
    flt: CardFilter,
    where: list[str],
    p: Params,
    limit: int,
    schedulers: Schedulers,
    now: datetime,
) -> list[int] | None:
    """The ids of the first `limit` matches by recall (lowest first), with the recall
    of a few cards rather than of every match.

    FSRS recall is (1 + F t/S)^D for t days since the last review and stability S,
    with D = -w20 < 0 (py-fsrs accepts w20 in [0.1, 0.8]) and F = 0.9^(1/D) - 1 > 0:
    it falls as t/S grows, for each deck's parameters. The matches among the states
    longest unseen for their stability give a recall T that `limit` matches reach; any
    match at or below T has t/S at least the smallest ratio at which a deck's recall is
    T (Scheduler.elapsed_ratio), so only the matches that may reach that ratio are
    read, and the scheduler's recall orders them (python_sort_key, then the key).
    None where that does not decide the screen (fewer than `limit` answered matches
    found so, a recall of 0 or 1 at the edge): the caller ranks every match."""

    def ranked(condition: Callable[[Params], str]) -> list[tuple[float, str, int]]:
        q = Params(p.prefix, **p)
        out = []
        for r in reads.light_rows(flt, [*where, condition(q)], q, None, content=False):
            recall = _recall(r.schedule, r.card_id, r.deck, schedulers, now)
            if recall is not None:
                out.append((python_sort_key("recall", r.schedule, recall), r.key, r.card_id))
        return sorted(out)

    # the states longest unseen: of all of the learner's (a scan of small rows), then, if
    # a filter leaves fewer than `limit` of those, of the matches (a join of the matches)
    for among in (None, (flt, where, p)):
        unseen = reads.longest_unseen_ids(now, limit, among)
        listed = f"cards.id IN ({', '.join(map(str, unseen))})"
        first = ranked(lambda _q: listed) if unseen else []  # noqa: B023  # called here, at once
        if len(first) >= limit:
            break
    if len(first) < limit or not 0.0 < first[limit - 1][0] < 1.0:
        log.debug("cards --sort recall: every match ranked (no recall edge among %d)", len(first))
        return None
    edge = first[limit - 1][0]
    ratio = min(schedulers.for_deck(deck).elapsed_ratio(edge) for deck in reads.sel.deck_slugs())
    # float rounding of the recall and of its inverse: a hair lower, never a card fewer
    found = ranked(lambda q: reads.may_have_faded(now, ratio * (1 - 1e-9), q))
    if len(found) < limit:  # cannot happen: the first ones are among them
        return None
    log.debug("cards --sort recall: %d matches ranked of those that may have faded", len(found))
    return [card_id for _value, _key, card_id in found[:limit]]


def _longest_intervals(
    reads: BrowseReads, flt: CardFilter, where: list[str], p: Params, limit: int
) -> list[int] | None:
    """The ids of the first `limit` matches by interval (longest first), from the few
    that may be among them: the `limit`-th longest interval the store computes over
    all of the learner's states is a floor F, and only the matches whose stored
    interval reaches F less twice the store's error are ranked (interval_days, then the
    key). When `limit` of them reach F less that error, every match longer than the
    last of them is among them. None otherwise (a filter, short intervals): the caller
    ranks every match."""
    slack = INTERVAL_SLACK_DAYS
    # the floor of all of the learner's states (a scan of small rows), then, if a filter
    # leaves fewer than `limit` matches above it, of the matches (a join of the matches)
    for among in (None, (flt, where, p)):
        floor = reads.interval_floor(limit, among)
        if floor is None or floor <= 2 * slack:
            log.debug("cards --sort interval: every match ranked (floor %s)", floor)
            return None
        q = Params(p.prefix, **p)
        rows = reads.light_rows(
            flt, [*where, reads.interval_at_least(floor - 2 * slack, q)], q, None, content=False
        )
        found = sorted(
            (python_sort_key("interval", r.schedule, None), r.key, r.card_id) for r in rows
        )
        if len(found) >= limit and -found[limit - 1][0] >= floor - slack:
            break
    else:
        log.debug("cards --sort interval: every match ranked (%d near the floor)", len(found))
        return None
    log.debug("cards --sort interval: %d matches ranked of the longest intervals", len(found))
    return [card_id for _value, _key, card_id in found[:limit]]


def card_by_key(repo: CardStore, key: str) -> StoredCard:
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
    entries = repo.history.card_history(item.row_id)
    befores = repo.history.befores([e.id for e in entries], [item.row_id])
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
    return _listing(Listed.of(item), schedulers, day, now, lang), rows


def act(
    repo: CardStore,
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
