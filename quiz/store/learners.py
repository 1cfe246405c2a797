"""`quiz learners`: every learner of a store with the cards they answered, their
reviews and drills and their latest answer, as SQL that both drivers run.

The full store (`quiz.store.classroom.learner_overview`, a SQLAlchemy session) and the
lean path of `quiz learners` (a read-only sqlite3 connection, quiz.store.lean) call
`learner_overview` with their own `execute`. Imports no SQLAlchemy.

The counts come from the review rollups where they are current (`quiz stats` keeps
them), so that listing a class does not read every learner's whole log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from quiz.store.log_packs import ids_after, manual_entries, time_end
from quiz.store.rollup_marks import mark_holds
from quiz.store.values import ENTRY_KINDS, instant_of

if TYPE_CHECKING:
    from quiz.store.due import Execute

REVIEW, DRILL, MANUAL = (ENTRY_KINDS.index(k) for k in ("review", "drill", "manual"))

# Every learner by name, with their rollups' mark (quiz.store.rollups) if they have one.
LEARNERS = """
SELECT l.id, l.name, l.created_at, m.last_id, m.answers
FROM learners AS l LEFT JOIN review_rollup_marks AS m ON m.learner_id = l.id
ORDER BY l.name
"""
# The latest entry: the end of the (learner, time) index (PostgreSQL: of the packs'
# index of their latest times, quiz.store.log_packs). NULL: no entries at all.
LATEST = {sqlite: f"SELECT {time_end('MAX', sqlite=sqlite)}" for sqlite in (True, False)}
# What the rollups hold: a row per card answered, every entry of it (drills among them).
ROLLED = """
SELECT COUNT(*), COALESCE(SUM(answers), 0), COALESCE(SUM(drills), 0)
FROM review_card_rollups WHERE learner_id = :learner
"""
# The manual entries among them (neither reviews nor drills): the partial index of 0013
# serves `kind = 2` (the same words as its condition; PostgreSQL: the packs' flag).
MANUAL_ENTRIES = {
    sqlite: "SELECT COUNT(*) FROM reviews WHERE reviews.learner_id = :learner"
    f" AND {manual_entries('reviews', MANUAL, sqlite=sqlite)} AND reviews.id <= :last"
    for sqlite in (True, False)
}
# The entries past the mark, read by their id range (not through the (learner, time)
# index, which would visit every entry of the learner): their cards not yet rolled up,
# their reviews and drills.
PAST_MARK = f"""
SELECT COUNT(DISTINCT CASE WHEN c.card_id IS NULL THEN r.card_id END),
       COALESCE(SUM(CASE WHEN r.kind = {REVIEW} THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN r.kind = {DRILL} THEN 1 ELSE 0 END), 0)
FROM reviews AS r LEFT JOIN review_card_rollups AS c
  ON c.learner_id = r.learner_id AND c.card_id = r.card_id
WHERE +r.learner_id = :learner AND {{after}}
"""
# Learners with entries but no rollups to trust: their log grouped, in one pass over it
# (on SQLite through the (learner, time) index each row's card and kind would be a
# lookup of its own).
GROUPED = f"""
SELECT learner_id, COUNT(DISTINCT card_id),
       SUM(CASE WHEN kind = {REVIEW} THEN 1 ELSE 0 END),
       SUM(CASE WHEN kind = {DRILL} THEN 1 ELSE 0 END)
FROM reviews {{hint}} WHERE learner_id IN ({{ids}}) GROUP BY learner_id
"""


@dataclass(frozen=True)
class LearnerOverview:
    learner: str
    cards_seen: int  # distinct cards answered (reviews or drills)
    reviews: int  # review-kind answers
    drills: int
    last_review: datetime | None  # the latest answer of either kind
    since: datetime  # when the learner first used this store


def learner_overview(execute: Execute, sqlite: bool) -> list[LearnerOverview]:
    """Every learner of the store, by name.

    A learner whose rollups' mark holds (quiz.store.rollup_marks) is counted from the
    rollups, the manual entries they hold and the entries past the mark: a few small
    reads where grouping the log reads all of it. Learners without rollups (they never
    ran `quiz stats`) have their log grouped."""
    learners = list(execute(LEARNERS, {}))
    counts: dict[int, tuple[int, int, int]] = {}
    latest: dict[int, object] = {}
    grouped: list[int] = []
    for learner, _name, _created, last_id, answers in learners:
        [(latest[learner],)] = list(execute(LATEST[sqlite], {"learner": learner}))
        if latest[learner] is None:
            counts[learner] = (0, 0, 0)
        elif last_id is None or not mark_holds(execute, sqlite, learner, last_id, answers):
            grouped.append(learner)
        else:
            at = {"learner": learner, "last": last_id}
            [(seen, entries, drills)] = list(execute(ROLLED, at))
            [(manual,)] = list(execute(MANUAL_ENTRIES[sqlite], at))
            past = PAST_MARK.format(after=ids_after("r", ":last", sqlite=sqlite))
            [(new, reviews, new_drills)] = list(execute(past, at))
            counts[learner] = (
                int(seen) + int(new),
                int(entries) - int(drills) - int(manual) + int(reviews),
                int(drills) + int(new_drills),
            )
    if grouped:
        sql = GROUPED.format(
            hint="NOT INDEXED" if sqlite else "", ids=", ".join(str(int(i)) for i in grouped)
        )
        for learner, seen, reviews, drills in execute(sql, {}):
            counts[learner] = (int(seen), int(reviews or 0), int(drills or 0))
    out = []
    for learner, name, created, _last, _answers in learners:
        since = instant_of(created)
        assert since is not None  # learners.created_at is NOT NULL
        seen, reviews, drills = counts[learner]
        out.append(LearnerOverview(name, seen, reviews, drills, instant_of(latest[learner]), since))
    return out
