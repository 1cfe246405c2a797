"""Whether a learner's rollup mark (quiz.store.rollups) still says what the rollups hold,
as SQL both drivers run: the rollups' refresh asks it before folding in new rows, and
`quiz learners` (quiz.store.learners) before reading its counts from the rollups.
Imports no SQLAlchemy.

On SQLite one writer commits at a time, so ids become visible in order, and deleting a
row of the log deletes the learner's mark (a trigger, migration 0004): a mark that is
there holds. On PostgreSQL ids can commit out of order: the rows up to the mark are
counted (in the packs that hold them there, migration 0017), and a row committed late
below it shows as a count the mark does not have.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quiz.store.due import Execute

# (PostgreSQL only:) the packs' entries up to the mark (quiz.store.log_packs): a pack's
# whole count where its newest entry is that old, its entries counted where it is not
HELD = """
SELECT COALESCE(SUM(CASE WHEN last_id <= :last THEN cardinality(ids)
    ELSE (SELECT COUNT(*) FROM unnest(ids) AS i WHERE i <= :last) END), 0)
FROM review_packs WHERE learner_id = :learner
"""


def mark_holds(execute: Execute, sqlite: bool, learner: int, last_id: int, answers: int) -> bool:
    """Do the learner's rows with an id up to `last_id` number `answers`, as the mark says?"""
    if sqlite:
        return True
    [(held,)] = list(execute(HELD, {"learner": learner, "last": last_id}))
    return int(held or 0) == answers
