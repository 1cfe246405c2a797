"""A read-only sqlite3 connection to an existing, current SQLite store: the lean path
of `quiz due` (shell prompts, cron lines), of `quiz decks`, of `quiz learners`, of
re-importing unchanged deck files, of planning a review and of `quiz stats`.

Importing the ORM would cost more than the answer, so this opens the file with the
stdlib driver and runs the same statements as the full store (`quiz.store.due`). It
declines (returns None) in every case it does not own — a missing or older store,
another database, an unknown learner, any driver error — and the full path then
creates, migrates or reports as usual. Only reads; never writes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from quiz.store.due import DueQueries

TYPE_CHECKING = False
if TYPE_CHECKING:
    from quiz.review.goal import Goal
    from quiz.store.due import Execute
    from quiz.store.history_reads import HistoryReads
    from quiz.store.learners import LearnerOverview
    from quiz.store.selection import Selection
    from quiz.store.stats_reads import StatsReads

MIGRATIONS = Path(__file__).with_name("migrations") / "versions"


def head_revision() -> str:
    """The newest migration shipped (the files are named `NNNN_*.py`)."""
    return max(p.name.split("_", 1)[0] for p in MIGRATIONS.glob("[0-9]*_*.py"))


def connect(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to a current SQLite store at `path`, or None (no such
    file, not a store, another schema revision, any driver error)."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=10)
    except (sqlite3.Error, ValueError):
        return None
    try:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        revision = None
    if revision is None or revision[0] != head_revision():
        conn.close()
        return None
    return conn


def learner_overview(path: Path) -> list[LearnerOverview] | None:
    """`quiz learners`' rows (quiz.store.learners) of a current SQLite store, or None
    when the full store must answer (see `connect`; a driver error)."""
    from quiz.store.learners import learner_overview as overview

    conn = connect(path)
    if conn is None:
        return None
    try:
        return overview(_run(conn), sqlite=True)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _run(conn: sqlite3.Connection) -> Execute:
    return lambda sql, params: conn.execute(sql, params)


class LeanStore:
    """A current SQLite store opened read-only for one learner."""

    def __init__(self, conn: sqlite3.Connection, learner_id: int, path: Path | None = None) -> None:
        self.conn = conn
        self.learner_id = learner_id
        self.path = path  # the file (the rollups' sqlite3 writer opens it: rollup_write)
        self.due = DueQueries(_run(conn), learner_id, sqlite=True)

    @classmethod
    def open(cls, path: Path, learner: str) -> LeanStore | None:
        conn = connect(path)
        if conn is None:
            return None
        try:
            row = conn.execute("SELECT id FROM learners WHERE name = ?", (learner,)).fetchone()
        except sqlite3.Error:
            row = None
        if row is None:
            conn.close()
            return None
        return cls(conn, row[0], path)

    def close(self) -> None:
        self.conn.close()

    @property
    def selection(self) -> Selection:
        """The card selection (quiz.store.selection) through this connection."""
        from quiz.store.selection import Selection

        return Selection(_run(self.conn), self.learner_id, sqlite=True)

    @property
    def history(self) -> HistoryReads:
        """A card's log (quiz.store.history_reads) through this connection."""
        from quiz.store.history_reads import HistoryReads

        return HistoryReads(_run(self.conn), self.learner_id, sqlite=True)

    @property
    def stats(self) -> StatsReads:
        """The reads of `quiz stats` (quiz.store.stats_reads) through this connection."""
        from quiz.store.stats_reads import StatsReads

        return StatsReads(_run(self.conn), self.learner_id, sqlite=True)

    def goals(self) -> list[Goal]:
        """The learner's goals (quiz.store.goal_rows)."""
        from quiz.store import goal_rows

        return goal_rows.goals(_run(self.conn), self.learner_id)

    def deck_files(self) -> dict[str, tuple[str, str]]:
        """Stored deck file path -> (deck id, sha256 of the file when it was imported)."""
        return {
            path: (slug, digest)
            for slug, path, digest in self.conn.execute("SELECT slug, path, file_hash FROM decks")
        }

    def stored_files(self) -> dict[str, tuple[str, bool]]:
        """Stored deck file path -> (sha256 of the file when it was imported, removed),
        for every deck the store knows (as `Repo.decks_by_path`)."""
        return {
            path: (digest, removed is not None)
            for path, digest, removed in self.conn.execute(
                "SELECT path, file_hash, removed_at FROM decks"
            )
        }

    def setting(self, name: str) -> object:
        """The learner's setting `name` (as `quiz.store.settings.get_setting`), or None."""
        import json

        row = self.conn.execute(
            "SELECT value FROM settings WHERE learner_id = ? AND name = ?",
            (self.learner_id, name),
        ).fetchone()
        return None if row is None or row[0] is None else json.loads(row[0])

    def card(self, key: str) -> tuple[dict[str, object], str | None] | None:
        """A card's stored content (as `card_to_dict` wrote it) and its deck file's path,
        by key, retired or not (as Repo.get_card); None when the store has no such card.
        For `quiz run DECK/ID`, which needs one card and not the ORM."""
        import json

        from quiz.store.content import full_content

        row = self.conn.execute(
            "SELECT cards.content, cards.key, cards.kind, cards.line, decks.path"
            " FROM cards JOIN decks ON decks.id = cards.deck_id WHERE cards.key = ?",
            (key,),
        ).fetchone()
        if row is None:
            return None
        content, key, kind, line, path = row
        return full_content(json.loads(content), key, kind, line), path
