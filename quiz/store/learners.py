"""`quiz learners`: every learner of a store with the cards they answered, their
reviews and drills and their latest answer, as SQL that both drivers run.

The full store (`quiz.store.classroom.learner_overview`, a SQLAlchemy session) and the
lean path of `quiz learners` (a read-only sqlite3 connection, quiz.store.lean) call
`learner_overview` with their own `execute`. Imports no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from quiz.store.values import ENTRY_KINDS, instant_of

if TYPE_CHECKING:
    from quiz.store.due import Execute

REVIEW, DRILL = ENTRY_KINDS.index("review"), ENTRY_KINDS.index("drill")

# Per learner, the log grouped first (a learner without answers keeps zeros and no
# latest answer). On SQLite the log is read in one pass over its rows: through the
# (learner, time) index, each row's card and kind would be a lookup of its own.
LEARNER_OVERVIEW = f"""
SELECT l.name, l.created_at, COALESCE(r.seen, 0), COALESCE(r.reviews, 0),
       COALESCE(r.drills, 0), r.latest
FROM learners AS l LEFT JOIN (
    SELECT learner_id, COUNT(DISTINCT card_id) AS seen,
           SUM(CASE WHEN kind = {REVIEW} THEN 1 ELSE 0 END) AS reviews,
           SUM(CASE WHEN kind = {DRILL} THEN 1 ELSE 0 END) AS drills,
           MAX(reviewed_at) AS latest
    FROM reviews {{hint}} GROUP BY learner_id
) AS r ON r.learner_id = l.id
ORDER BY l.name
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
    """Every learner of the store, by name."""
    sql = LEARNER_OVERVIEW.format(hint="NOT INDEXED" if sqlite else "")
    out = []
    for name, created, seen, reviews, drills, latest in execute(sql, {}):
        since = instant_of(created)
        assert since is not None  # learners.created_at is NOT NULL
        out.append(
            LearnerOverview(name, int(seen), int(reviews), int(drills), instant_of(latest), since)
        )
    return out
