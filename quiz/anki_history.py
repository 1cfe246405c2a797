"""Anki's review history into quiz's review log, replayed through quiz's scheduler.

Each Anki answer (revlog rows with a rating: learning, review, relearning, filtered)
becomes one quiz answer at the same instant with the same rating, scheduled by the
card's quiz scheduler exactly as `quiz rebuild` replays the log, so the FSRS state
continues where Anki left it and `quiz rebuild --check` agrees. Anki's manual
reschedules (rating 0) carry no memory evidence and are skipped.

Re-importing is idempotent: each stored answer names its revlog id, and ids already in
the log are skipped. A package that quiz exported carries quiz's own answers as revlog
rows: an answer with the same rating on the same card at the same instant (to the
second) is one quiz has, and is skipped too, so a round trip through Anki adds only the
answers given in Anki. A card that has quiz answers newer than an Anki answer not yet
imported keeps its quiz history as it is (inserting older answers underneath would
rewrite a schedule the learner has been following); the report counts such cards.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from quiz.anki.package import ImportedPackage, RevlogEntry
from quiz.anki.revlog import already_logged
from quiz.clock import DayClock
from quiz.config import Config
from quiz.model import Rating
from quiz.review.answer import Answer, build_answer
from quiz.review.settings import Schedulers
from quiz.store import Repo
from quiz.store.anki import REVLOG_PREFIX, imported_revlog_ids, logged_instants, record_imported

log = logging.getLogger("quiz.anki_history")
_MAX_DURATION_MS = 60 * 60 * 1000
_BATCH = 5000  # answers per transaction: a killed import keeps whole cards only


@dataclass(frozen=True)
class HistoryReport:
    answers: int  # imported now
    already: int  # imported by an earlier run
    cards: int  # cards that received answers now
    skipped_cards: tuple[str, ...]  # quiz history newer than the Anki answers
    first: datetime | None
    last: datetime | None


def _instant(entry: RevlogEntry) -> datetime:
    return datetime.fromtimestamp(entry.id / 1000, tz=timezone.utc)


def import_history(
    repo: Repo, package: ImportedPackage, config: Config, day: DayClock
) -> HistoryReport:
    done = imported_revlog_ids(repo)
    by_card: dict[int, list[RevlogEntry]] = defaultdict(list)
    already = 0
    for entry in package.revlog:
        if not 1 <= entry.ease <= 4 or entry.kind > 3 or entry.card not in package.card_keys:
            continue
        if entry.id in done:
            already += 1
            continue
        by_card[entry.card].append(entry)
    schedulers = Schedulers(config, day)
    answers = cards_done = 0
    # the package's cards only: a large store's every card was built here before
    wanted = (package.card_keys[anki_card] for anki_card in by_card)
    cards = {c.card.key: c for c in repo.selection.cards_by_key(wanted)}
    answered = [
        item.row_id
        for anki_card in by_card
        if (item := cards.get(package.card_keys[anki_card])) is not None and item.schedule.reps
    ]
    logged = logged_instants(repo, answered)
    skipped: list[str] = []
    first: datetime | None = None
    last: datetime | None = None
    pending: list[Answer] = []
    to_suspend: list[int] = []
    for anki_card, entries in sorted(by_card.items()):
        key = package.card_keys[anki_card]
        item = cards.get(key)
        if item is None:  # pragma: no cover - the deck files were just imported
            continue
        mine = logged.get(item.row_id, [])
        fresh = [e for e in entries if not already_logged(e.id, e.ease, mine)]
        already += len(entries) - len(fresh)
        if not fresh:
            continue
        entries = sorted(fresh, key=lambda e: e.id)
        last_review = item.schedule.last_review
        if last_review is not None and _instant(entries[0]) <= last_review:
            log.warning("%s: quiz answers newer than Anki's; its Anki history is not replayed", key)
            skipped.append(key)
            continue
        scheduler = schedulers.for_deck(key.split("/", 1)[0])
        was_new = item.schedule.reps == 0
        for entry in entries:
            at = _instant(entry)
            answer = build_answer(
                item,
                Rating(entry.ease),
                scheduler=scheduler,
                at=at,
                duration_ms=min(entry.duration_ms, _MAX_DURATION_MS),
                given=f"{REVLOG_PREFIX}{entry.id}",
                correct=None,
                leech_lapses=config.leech_lapses,
            )
            # Anki decided what was suspended; quiz's leech rule does not re-suspend the past
            pending.append(replace(answer, leech=False))
            assert answer.after is not None
            item = replace(item, schedule=answer.after)
            answers += 1
            first = at if first is None or at < first else first
            last = at if last is None or at > last else last
        cards_done += 1
        if was_new and anki_card in package.suspended:
            to_suspend.append(item.row_id)
        if len(pending) >= _BATCH:
            record_imported(repo, pending)
            repo.commit()
            pending = []
    record_imported(repo, pending)
    repo.commit()
    for row_id in to_suspend:
        repo.set_suspended(row_id, True)
    return HistoryReport(answers, already, cards_done, tuple(skipped), first, last)
