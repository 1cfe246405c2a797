"""quiz's answer log as Anki's review log (revlog) and card scheduling fields.

An exported package carries the learner's history, so that Anki shows the cards where
quiz left them, Anki's FSRS can recompute the memory state from the same answers, and a
package that comes back from Anki (`quiz import`) brings the history with it. A revlog
row is keyed by the answer's instant in epoch milliseconds: that is how a re-import
recognises an answer quiz already has (`already_logged`), whether it travelled through
Anki or not. The rows themselves are made by the store in SQL (quiz.store.export_reads
`answers_sql` and `revlog_sql`): only the ids' uniqueness, which depends on every row
made before, is here (`RevlogIds`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from quiz.model import CardState, Schedule

DAY_SECONDS = 86_400
MAX_TIME_MS = 60_000  # Anki's default cap on a recorded answer time
_SAME_ANSWER_MS = 1_000
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))  # made once, not per card
# the SM-2 ease Anki gives a new card; FSRS ignores it (its memory state is in `data`)
EASE = 2500


# A row of Anki's revlog table: its columns (less `usn`) in this order. The store computes
# them from the log (quiz.store.export_reads.answers_sql says how each column is made);
# what it cannot, the ids' uniqueness across the collection, is `RevlogIds`.
REVLOG_COLUMNS = ("id", "cid", "ease", "ivl", "lastIvl", "factor", "time", "type")
RevlogRow = tuple[int, int, int, int, int, int, int, int]


class RevlogIds:
    """The ids of a collection's revlog rows, handed out in the order the rows are made
    (card by card in Anki's card order, each card's answers oldest first): an answer's
    instant in epoch milliseconds, or, if an earlier row took it, the next one free (two
    answers in one millisecond are moved apart by a millisecond, as Anki does). Called
    once per row, in that order, by SQLite itself (a function of the read connection) or
    over the rows as they are read."""

    def __init__(self) -> None:
        self.taken: set[int] = set()

    def __call__(self, millis: int) -> int:
        taken = self.taken
        while millis in taken:
            millis += 1
        taken.add(millis)
        return millis


@dataclass(frozen=True)
class AnkiSchedule:
    """The scheduling columns of one Anki card."""

    type: int  # 0 new, 1 learning, 2 review, 3 relearning
    queue: int  # as type, 1 for relearning; -1 suspended
    due: int  # a review card: days since the collection's creation; learning: epoch seconds
    ivl: int
    factor: int
    reps: int
    lapses: int
    data: str  # FSRS memory state, as Anki keeps it in `cards.data`


# Anki's card type of each state with a schedule (built once, not per card)
_ANKI_TYPE = {CardState.LEARNING: 1, CardState.REVIEW: 2, CardState.RELEARNING: 3}


def anki_schedule(s: Schedule, suspended: bool, collection_created: int) -> AnkiSchedule | None:
    """The card's Anki scheduling columns (None: a new card, left as the package makes it)."""
    if s.state == CardState.NEW or s.due is None or s.last_review is None:
        return None
    anki_type = _ANKI_TYPE[s.state]
    if s.state == CardState.REVIEW:
        due = int((s.due.timestamp() - collection_created) // DAY_SECONDS)
        queue = 2
        ivl = max(1, round((s.due - s.last_review).total_seconds() / DAY_SECONDS))
    else:
        due = int(s.due.timestamp())
        queue = 1
        ivl = 0
    memory = {}
    if s.stability is not None and s.difficulty is not None:
        memory = {"s": round(s.stability, 4), "d": round(s.difficulty, 4)}
    return AnkiSchedule(
        type=anki_type,
        queue=-1 if suspended else queue,
        due=due,
        ivl=ivl,
        factor=EASE,
        reps=s.reps,
        lapses=s.lapses,
        data=_COMPACT_JSON.encode(memory) if memory else "",
    )


def already_logged(entry_ms: int, ease: int, logged: Iterable[tuple[int, int]]) -> bool:
    """Whether an Anki answer (its revlog id, its rating) is one quiz already has: the same
    rating on the same card within a second (an export moves colliding ids by a few
    milliseconds, and keeps no finer time than the millisecond)."""
    return any(r == ease and abs(ms - entry_ms) <= _SAME_ANSWER_MS for ms, r in logged)
