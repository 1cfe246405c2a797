"""The store of one review, opened behind its first card.

Importing SQLAlchemy and the store's ORM models costs more than everything else before
the first card, and a learner spends seconds reading it. So for a current SQLite store,
`quiz review` and `quiz drill` plan their cards through the read-only stdlib `sqlite3`
connection of `quiz.store.lean` (the same SQL as the Repo: `quiz.store.selection`,
`quiz.store.goal_rows`), start opening the full store on a thread once the first card is
on screen (`preload`), and hand every other call — the first answer to store, above all —
to the full `Repo`, waiting for it if it is not open yet.

The reads before the full store opens see the file as the lean connection saw it; the
first write re-reads what it depends on under the Repo's lock (an answer given meanwhile
on another machine is refused), as it does after any plan made earlier in a session.

`quiz stats` reads its whole report this way (`stats`: quiz.store.stats_reads), and
brings the log's rollups up to date first through sqlite3 too (`refresh_rollups`:
quiz.store.rollup_write) when they lag the log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quiz.review.goal import Goal
    from quiz.stats.rows import LearnerDays
    from quiz.store.history_reads import HistoryReads
    from quiz.store.lean import LeanStore
    from quiz.store.repo import Repo
    from quiz.store.selection import Selection
    from quiz.store.stats_reads import StatsReads

log = logging.getLogger(__name__)

# The Repo's reads that are the card selection's (quiz.store.selection) under the same
# name: answered through the lean connection until the full store is open.
SELECTION_READS = frozenset(
    {
        "answered_since",
        "card_id_range",
        "cards_by_id",
        "deck_slugs",
        "drill_fill",
        "drill_ids",
        "due_cards",
        "due_count",
        "get_card",
        "new_cards",
        "require_known",
        "seen_keys",
    }
)


class LateRepo:
    """A Repo that opens late (module docstring): the day's plan is read through `lean`,
    the rest waits for `open_full()`, run on a thread by `preload` or here when needed."""

    def __init__(self, lean: LeanStore, open_full: Callable[[], Repo]) -> None:
        self._lean: LeanStore | None = lean
        self._open_full = open_full
        self._repo: Repo | None = None
        self._opened: Repo | None = None
        self._failed: BaseException | None = None
        self._thread: threading.Thread | None = None

    def preload(self) -> None:
        """Start opening the full store on a thread (once): the learner reads the card."""
        if self._thread is None and self._repo is None:
            self._thread = threading.Thread(target=self._open, name="quiz-store-open", daemon=True)
            self._thread.start()

    def _open(self) -> None:
        try:
            self._opened = self._open_full()
        except BaseException as exc:  # re-raised where the Repo is wanted
            self._failed = exc

    @property
    def full(self) -> Repo:
        """The full Repo, opened now if the thread has not done it (the lean connection
        closes then: every later read is the Repo's)."""
        if self._repo is None:
            self.preload()
            self.settle()
            if self._failed is not None:
                raise self._failed
            assert self._opened is not None
            self._repo = self._opened
        return self._repo

    def settle(self) -> None:
        """Wait for the opening thread, if one started, then close the lean connection;
        the command's end calls it, so nothing is left half open (a session that never
        needed the full store never opens it)."""
        if self._thread is not None:
            self._thread.join()
        if self._lean is not None:
            self._lean.close()
            self._lean = None
            log.debug("the read-only connection of the lean path is closed")

    def __getattr__(self, name: str) -> Any:
        if name in SELECTION_READS:  # the card selection's own reads: whichever is open
            return getattr(self.selection, name)
        return getattr(self.full, name)

    # ---- the reads that plan a session, answered by whichever is open ---------------

    @property
    def _reader(self) -> LeanStore | Repo:
        """The lean connection until the full store is open, then the Repo."""
        return self._lean if self._repo is None and self._lean is not None else self.full

    @property
    def selection(self) -> Selection:
        return self._reader.selection

    @property
    def history(self) -> HistoryReads:
        """A card's log (quiz.store.history_reads)."""
        return self._reader.history

    @property
    def stats(self) -> StatsReads:
        """The reads of `quiz stats` (quiz.store.stats_reads)."""
        return self._reader.stats

    def setting(self, name: str) -> Any:
        return self._reader.setting(name)

    def refresh_rollups(self, days: LearnerDays | None = None) -> str | None:
        """quiz.store.rollups' refresh: through sqlite3 (quiz.store.rollup_write) while
        the full store is not open, else (or where that declines) through the Repo."""
        if self._repo is None and self._lean is not None:
            from quiz.store import rollup_write

            word = rollup_write.refresh(self._lean, days)
            if word is not None:
                return word
        from quiz.store import rollups

        return rollups.refresh(self.full, days)

    def goals(self) -> list[Goal]:
        return self._reader.goals()
