"""quiz's answer log as Anki's review log (revlog) and card scheduling fields.

An exported package carries the learner's history, so that Anki shows the cards where
quiz left them, Anki's FSRS can recompute the memory state from the same answers, and a
package that comes back from Anki (`quiz import`) brings the history with it. A revlog
row is keyed by the answer's instant in epoch milliseconds: that is how a re-import
recognises an answer quiz already has (`already_logged`), whether it travelled through
Anki or not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from quiz.model import CardState, Schedule

DAY_SECONDS = 86_400
MAX_TIME_MS = 60_000  # Anki's default cap on a recorded answer time
# quiz's CardState -> Anki's revlog type (0 learn, 1 review, 2 relearn) of an answer
# given in that state
_REVLOG_TYPE: dict[int, int] = {
    CardState.NEW: 0,
    CardState.LEARNING: 0,
    CardState.REVIEW: 1,
    CardState.RELEARNING: 2,
}
_REVIEW = int(CardState.REVIEW)
_SAME_ANSWER_MS = 1_000
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))  # made once, not per card
# the SM-2 ease Anki gives a new card; FSRS ignores it (its memory state is in `data`)
EASE = 2500


class LoggedAnswer(NamedTuple):
    """One answer of quiz's log as the log keeps it: numbers, not datetimes or enums (an
    export reads a hundred thousand of them; the store hands its rows over as they come,
    in this order of columns)."""

    card: int  # the quiz card's row id (the store's `reviews.card_id`)
    at: int  # when, in microseconds since 1970 (UTC)
    rating: int  # quiz.model.Rating
    duration_ms: int | None
    before: int  # the CardState the card was answered in
    after: int | None  # the CardState the answer left the card in (None: none)
    due_lag: int | None  # microseconds from the answer to when the card was due next


# A LoggedAnswer's values as a plain tuple: what the store's rows are.
AnswerRow = tuple[int, int, int, int | None, int, int | None, int | None]


# A row of Anki's revlog table: its columns (less `usn`) in this order. A plain tuple, as
# the LoggedAnswer it comes from: an export writes a hundred thousand, and the SQLite
# driver binds a plain tuple's values faster than a named tuple's.
REVLOG_COLUMNS = ("id", "cid", "ease", "ivl", "lastIvl", "factor", "time", "type")
RevlogRow = tuple[int, int, int, int, int, int, int, int]


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


def epoch_ms(micros: int) -> int:
    """A revlog id from a time in microseconds since 1970: whole milliseconds, as
    `int(at.timestamp() * 1000)` gives them for the datetime of that instant (the same
    float arithmetic, so an export names every answer as it always has)."""
    return int(micros / 1_000_000 * 1000)


def _interval(after: int | None, due_lag: int | None) -> int:
    """Anki's ivl: whole days for a card in review, negative seconds while learning."""
    if after is None or due_lag is None:
        return 0
    seconds = due_lag / 1_000_000
    if after == _REVIEW:
        return max(1, round(seconds / DAY_SECONDS))
    return -max(1, int(seconds))


def revlog_rows(card_id: int, answers: Iterable[AnswerRow], taken: set[int]) -> list[RevlogRow]:
    """One card's answers (oldest first: LoggedAnswers, or the store's rows in their
    order of columns) as revlog rows of the Anki card `card_id`; `taken` holds the ids already used in the
    collection and gains these (two answers in one millisecond are moved apart by a
    millisecond, as Anki does)."""
    rows: list[RevlogRow] = []
    append = rows.append
    last_ivl = 0
    for _, at, rating, duration_ms, before, after, due_lag in answers:
        rid = epoch_ms(at)
        while rid in taken:
            rid += 1
        taken.add(rid)
        ivl = _interval(after, due_lag)
        append(
            (
                rid,  # epoch milliseconds, unique in the collection
                card_id,
                rating,
                ivl,  # days (> 0) or seconds (< 0) until the next showing
                last_ivl,
                EASE,
                max(0, min(duration_ms or 0, MAX_TIME_MS)),
                _REVLOG_TYPE[before],
            )
        )
        last_ivl = ivl
    return rows


def anki_schedule(s: Schedule, suspended: bool, collection_created: int) -> AnkiSchedule | None:
    """The card's Anki scheduling columns (None: a new card, left as the package makes it)."""
    if s.state == CardState.NEW or s.due is None or s.last_review is None:
        return None
    anki_type = {CardState.LEARNING: 1, CardState.REVIEW: 2, CardState.RELEARNING: 3}[s.state]
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
