"""A learner's review log as the scheduler replays it: entries in time order, held as columns.

`quiz evaluate` and `quiz optimize` replay a learner's whole log, and a log of a million
answers held as a million objects (each with its own datetime, duration and closeness)
took most of the memory either command used. `ReplayLog` keeps each field as one typed
array (a card is an index into the log's distinct keys) and hands out `LoggedReview`
values one at a time as it is read, so a replay holds the columns and the entry in hand.

A ReplayLog is always in time order (entries with the same time keep the order they were
added in), which is what every replay needs; `in_time_order` gives any other iterable of
entries the same order. Pure: no files, no store.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import overload

from quiz.clock import from_micros, micros_since_1970
from quiz.model import Rating

_NO_DURATION = -(2**63)  # the duration column's None
_NO_CORRECT = -1  # the correct column's None (0 wrong, 1 right)
_NO_SUGGESTION = 0  # ratings are 1..4
_RATING: tuple[Rating | None, ...] = (None, *sorted(Rating))  # by number: an index, not a call


# slots: replays hand out one entry per review, and a million entries each with a dict
# of their own took hundreds of MB where a list of them was kept
@dataclass(frozen=True, slots=True)
class LoggedReview:
    """One entry of a review log: which card, the rating, when (UTC-aware), and what the
    learner did where the card was graded (None on older reviews and self-rated cards)."""

    card: str
    rating: Rating
    at: datetime
    kind: str = ""  # the card's kind (typed, choice, output, basic, cloze)
    duration_ms: int | None = None
    correct: bool | None = None  # None: a self-rated card (basic, cloze)
    closeness: float | None = None
    suggested: Rating | None = None


class ReplayLog(Sequence[LoggedReview]):
    """A review log in time order, one typed array per field (see the module)."""

    __slots__ = (
        "_at",
        "_card",
        "_closeness",
        "_correct",
        "_details",
        "_duration",
        "_keys",
        "_kind",
        "_kinds",
        "_rating",
        "_suggested",
    )
    # the typed arrays, one entry per review (_keys and _kinds are what _card and _kind index)
    _COLUMNS = (
        "_card",
        "_kind",
        "_rating",
        "_at",
        "_duration",
        "_correct",
        "_closeness",
        "_suggested",
    )

    def __init__(self) -> None:
        self._details = True  # False: the answer details' columns are left empty (see the builder)
        self._keys: list[str] = []
        self._kinds: list[str] = []
        self._card = array("i")
        self._kind = array("b")
        self._rating = array("b")
        self._at = array("q")
        self._duration = array("q")
        self._correct = array("b")
        self._closeness = array("d")
        self._suggested = array("b")

    @classmethod
    def of(cls, entries: Iterable[LoggedReview]) -> ReplayLog:
        """The entries in time order (a stable sort: equal times keep their order)."""
        builder = ReplayLogBuilder()
        for e in entries:
            builder.add(
                e.card, e.rating, e.at, e.kind, e.duration_ms, e.correct, e.closeness, e.suggested
            )
        return builder.build()

    def __len__(self) -> int:
        return len(self._at)

    @overload
    def __getitem__(self, i: int) -> LoggedReview: ...
    @overload
    def __getitem__(self, i: slice) -> ReplayLog: ...
    def __getitem__(self, i: int | slice) -> LoggedReview | ReplayLog:
        if isinstance(i, slice):
            return self._slice(i)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._entry(i)

    def __iter__(self) -> Iterator[LoggedReview]:
        entry = self._entry
        for i in range(len(self)):
            yield entry(i)

    def before(self, cutoff: datetime) -> ReplayLog:
        """The entries strictly before `cutoff` (a prefix: the log is in time order)."""
        return self[: bisect_left(self._at, micros_since_1970(cutoff))]

    def _entry(self, i: int) -> LoggedReview:
        if not self._details:
            return LoggedReview(
                self._keys[self._card[i]],
                _RATING[self._rating[i]],  # type: ignore[arg-type]  # never 0: add() stores a Rating
                from_micros(self._at[i]),
            )
        duration = self._duration[i]
        correct = self._correct[i]
        closeness = self._closeness[i]
        suggested = self._suggested[i]
        return LoggedReview(
            self._keys[self._card[i]],
            _RATING[self._rating[i]],  # type: ignore[arg-type]  # never 0: add() stores a Rating
            from_micros(self._at[i]),
            self._kinds[self._kind[i]],
            None if duration == _NO_DURATION else duration,
            None if correct == _NO_CORRECT else correct == 1,
            None if closeness != closeness else closeness,  # NaN: none
            _RATING[suggested],
        )

    def _slice(self, s: slice) -> ReplayLog:
        """A view: the columns are never changed once built, so a part of the log (the
        head `quiz optimize` fits on) shares them instead of holding a copy beside them."""
        if s.step not in (None, 1):
            raise ValueError("a ReplayLog slices in time order only")
        out = ReplayLog()
        out._keys, out._kinds, out._details = self._keys, self._kinds, self._details
        for name in ReplayLog._COLUMNS:  # (an empty one, details not kept, stays empty)
            setattr(out, name, memoryview(getattr(self, name))[s])
        return out


class ReplayLogBuilder:
    """Entries added one at a time (as a store streams them), then `build()`: the log, sorted
    by time only if they did not already come in time order.

    `details=False` keeps only the card, the rating and the time of each entry (what a
    replay of the scheduler reads; the entries read back with no kind, duration,
    correctness, closeness or suggestion): `quiz optimize` holds its log through the
    training, and those columns were more than half of it."""

    def __init__(self, *, details: bool = True) -> None:
        self._log = ReplayLog()
        self._log._details = details
        self._key_index: dict[str, int] = {}
        self._kind_index: dict[str, int] = {}
        self._ordered = True
        self._last = -(2**63)

    def add(
        self,
        card: str,
        rating: int,
        at: datetime,
        kind: str = "",
        duration_ms: int | None = None,
        correct: bool | None = None,
        closeness: float | None = None,
        suggested: int | None = None,
    ) -> None:
        log = self._log
        card_no = self._key_index.get(card)
        if card_no is None:
            card_no = self._key_index[card] = len(log._keys)
            log._keys.append(card)
        micros = micros_since_1970(at)
        if micros < self._last:
            self._ordered = False
        self._last = micros
        log._card.append(card_no)
        log._rating.append(int(Rating(rating)))
        log._at.append(micros)
        if not log._details:
            return
        kind_no = self._kind_index.get(kind)
        if kind_no is None:
            kind_no = self._kind_index[kind] = len(log._kinds)
            log._kinds.append(kind)
        log._kind.append(kind_no)
        log._duration.append(_NO_DURATION if duration_ms is None else duration_ms)
        log._correct.append(_NO_CORRECT if correct is None else int(bool(correct)))
        log._closeness.append(float("nan") if closeness is None else closeness)
        log._suggested.append(int(Rating(suggested)) if suggested else _NO_SUGGESTION)

    def build(self) -> ReplayLog:
        log, self._log = self._log, ReplayLog()
        if self._ordered:
            return log
        order = sorted(range(len(log)), key=log._at.__getitem__)  # stable: ties keep order
        out = ReplayLog()
        out._keys, out._kinds, out._details = log._keys, log._kinds, log._details
        for name in ReplayLog._COLUMNS:
            column = getattr(log, name)
            if len(column):  # an empty one: details not kept
                setattr(out, name, array(column.typecode, (column[i] for i in order)))
        return out


def in_time_order(log: Iterable[LoggedReview]) -> Sequence[LoggedReview]:
    """The entries in time order: a ReplayLog as it is, anything else sorted (stably)."""
    if isinstance(log, ReplayLog):
        return log
    return sorted(log, key=lambda e: e.at)
