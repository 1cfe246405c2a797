"""The lean review log (issue 20): numbers instead of JSON, no state before, two indexes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 21:30:00

Each review kept the card's schedule before and after the answer as JSON text (about
310 bytes a row) under five indexes; a learner's two years (1M answers) took 810 MB.
Now:
- the schedule after an entry is kept as numbers (`state` ... `lapses`), its due time
  and last review as lags from the entry's own time (0 for an answer's last review);
- the schedule before an entry is not kept: it is the one the learner's previous review
  or manual entry of the card left. Entries where it is not (a `quiz rebuild` rewrote the
  card's state in between) keep theirs in `review_befores`: nothing is lost;
- on SQLite, times are integer microseconds (8 bytes instead of 26 of text), and the
  kind a small number (0 review, 1 drill, 2 manual);
- on SQLite, card_tags and the review rollups are tables without rowid (their keys are
  the tables);
- a card's content is kept without the fields at their defaults (two-thirds of a
  generated card's JSON was nulls and empty lists);
- the indexes are the ones a query needs: (learner, time) for "since", one unique
  (card, learner, prev_id) for a card's entries and the answer chain (0006), and the
  small partial index of overruled answers (0008). The covering stats indexes of 0003
  went: the rollups (0004) answer those queries.

The log is copied into a new table in batches and swapped in, in the migration's one
transaction (quiz.store.migrate): a kill in the middle leaves the old table, whole. A
progress bar (a terminal) or a line per tenth (otherwise) shows a big log's copy.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import sqlalchemy as sa
from alembic import op

from quiz.model import Schedule
from quiz.scheduler import schedule_from_dict
from quiz.store.content import compact_content
from quiz.store.models import (
    EntryKind,
    StoredTime,
    UTCDateTime,
    after_columns,
)

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BATCH = 20_000
SHOW_PROGRESS = 50_000  # entries from which the copy reports its progress

OLD = sa.table(
    "reviews",
    sa.column("id", sa.Integer),
    sa.column("learner_id", sa.Integer),
    sa.column("card_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("rating", sa.Integer),
    sa.column("prev_state", sa.Integer),
    sa.column("reviewed_at", UTCDateTime),
    sa.column("duration_ms", sa.Integer),
    sa.column("answer", sa.Text),
    sa.column("correct", sa.Boolean),
    sa.column("overruled", sa.Boolean),
    sa.column("closeness", sa.Float),
    sa.column("suggested", sa.SmallInteger),
    sa.column("prev_id", sa.Integer),
    sa.column("state_before", sa.JSON),
    sa.column("state_after", sa.JSON),
)


def _new_reviews(name: str) -> sa.Table:
    """The lean table. Its columns are in order of width (8-byte, 4, 2, 1, text) so that
    PostgreSQL pads nothing between them; SQLite does not care."""
    return op.create_table(
        name,
        sa.Column("reviewed_at", StoredTime, nullable=False),
        sa.Column("stability", sa.Float),
        sa.Column("difficulty", sa.Float),
        sa.Column("due_lag", sa.BigInteger),
        sa.Column("last_review_lag", sa.BigInteger),
        sa.Column("closeness", sa.Float),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), nullable=False),
        sa.Column("card_id", sa.Integer, sa.ForeignKey("cards.id"), nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("prev_id", sa.Integer),
        sa.Column("reps", sa.Integer),
        sa.Column("lapses", sa.Integer),
        sa.Column("kind", EntryKind, nullable=False),
        sa.Column("rating", sa.SmallInteger, nullable=False),
        sa.Column("prev_state", sa.SmallInteger, nullable=False),
        sa.Column("state", sa.SmallInteger),
        sa.Column("step", sa.SmallInteger),
        sa.Column("suggested", sa.SmallInteger),
        sa.Column("correct", sa.Boolean),
        sa.Column("overruled", sa.Boolean),
        sa.Column("answer", sa.Text),
    )


class _Progress:
    """A rich bar on a terminal's stderr; otherwise a line per tenth of the log."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.next_line = total // 10
        self.bar: Any = None
        self.shown = total >= SHOW_PROGRESS
        if self.shown and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("upgrading the review log", total=total)
        elif self.shown:
            print(f"upgrading the review log: {total:,} entries ...", file=sys.stderr, flush=True)

    def advance(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)
        elif self.shown and self.done >= self.next_line:
            print(
                f"upgrading the review log: {self.done:,} of {self.total:,} copied",
                file=sys.stderr,
                flush=True,
            )
            self.next_line = self.done + self.total // 10

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _copy(conn: sa.Connection, new: sa.Table) -> list[dict[str, Any]]:
    """Copy every entry into `new` (by id, in batches); the befores the log cannot give."""
    total = conn.execute(sa.select(sa.func.count()).select_from(OLD)).scalar_one()
    progress = _Progress(total)
    last: dict[tuple[int, int], Schedule] = {}  # (learner, card) -> schedule its last entry left
    befores: list[dict[str, Any]] = []
    top = -1
    started = time.monotonic()
    try:
        while True:
            rows = conn.execute(
                sa.select(OLD).where(OLD.c.id > top).order_by(OLD.c.id).limit(BATCH)
            ).all()
            if not rows:
                break
            out = []
            for r in rows:
                key = (r.learner_id, r.card_id)
                before = schedule_from_dict(r.state_before)
                after = schedule_from_dict(r.state_after) if r.state_after else None
                if before != last.get(key, Schedule()):
                    befores.append(_before_row(r.id, before))
                if r.kind in ("review", "manual"):
                    last[key] = after or Schedule()
                out.append(
                    {
                        "id": r.id,
                        "learner_id": r.learner_id,
                        "card_id": r.card_id,
                        "kind": r.kind,
                        "rating": r.rating,
                        "prev_state": r.prev_state,
                        "reviewed_at": r.reviewed_at,
                        "duration_ms": r.duration_ms,
                        "answer": r.answer,
                        "correct": r.correct,
                        "overruled": r.overruled,
                        "closeness": r.closeness,
                        "suggested": r.suggested,
                        "prev_id": r.prev_id if r.kind == "review" else None,
                        **after_columns(after, r.reviewed_at),
                    }
                )
            conn.execute(sa.insert(new), out)
            top = rows[-1].id
            progress.advance(len(rows))
    finally:
        progress.close()
    if progress.shown:
        print(
            f"upgraded the review log: {total:,} entries in {time.monotonic() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )
    return befores


def _before_row(review_id: int, s: Schedule) -> dict[str, Any]:
    return {
        "review_id": review_id,
        "state": int(s.state),
        "step": s.step,
        "stability": s.stability,
        "difficulty": s.difficulty,
        "due": s.due,
        "last_review": s.last_review,
        "reps": s.reps,
        "lapses": s.lapses,
    }


CARDS = sa.table(
    "cards",
    sa.column("id", sa.Integer),
    sa.column("content", sa.JSON),
    sa.column("key", sa.String),
    sa.column("kind", sa.String),
    sa.column("line", sa.Integer),
)


def _compact_cards(conn: sa.Connection) -> None:
    """Cards' content without the fields at their defaults or in their columns
    (`compact_content`)."""
    top = -1
    while True:
        rows = conn.execute(
            sa.select(CARDS).where(CARDS.c.id > top).order_by(CARDS.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        changed = [
            {"card": r.id, "compact": small}
            for r in rows
            if r.content
            and (small := compact_content(r.content, r.key, r.kind, r.line)) != r.content
        ]
        if changed:
            conn.execute(
                sa.update(CARDS)
                .where(CARDS.c.id == sa.bindparam("card"))
                .values(content=sa.bindparam("compact", type_=sa.JSON)),
                changed,
            )
        top = rows[-1].id


def upgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    _compact_cards(conn)
    new = _new_reviews("reviews_lean")
    befores = _copy(conn, new)
    op.execute("DROP TRIGGER IF EXISTS reviews_rollup_stale" + ("" if sqlite else " ON reviews"))
    op.drop_table("reviews")
    op.rename_table("reviews_lean", "reviews")
    if not sqlite:
        op.execute("ALTER SEQUENCE reviews_lean_id_seq RENAME TO reviews_id_seq")
        op.execute("ALTER TABLE reviews RENAME CONSTRAINT reviews_lean_pkey TO reviews_pkey")
        op.execute(
            "SELECT setval('reviews_id_seq', COALESCE((SELECT max(id) FROM reviews), 0) + 1, false)"
        )
    op.create_index("ix_reviews_learner_time", "reviews", ["learner_id", "reviewed_at"])
    op.create_index(
        "ux_reviews_card_chain", "reviews", ["card_id", "learner_id", "prev_id"], unique=True
    )
    op.create_index(
        "ix_reviews_overruled",
        "reviews",
        ["learner_id", "card_id"],
        sqlite_where=sa.text("overruled"),
        postgresql_where=sa.text("overruled"),
    )
    if sqlite:
        op.execute(
            "CREATE TRIGGER reviews_rollup_stale AFTER DELETE ON reviews BEGIN "
            "DELETE FROM review_rollup_marks WHERE learner_id = OLD.learner_id; END"
        )
    else:
        op.execute(
            "CREATE TRIGGER reviews_rollup_stale AFTER DELETE ON reviews "
            "FOR EACH ROW EXECUTE FUNCTION quiz_review_deleted()"
        )
    table = op.create_table(
        "review_befores",
        sa.Column(
            "review_id",
            sa.Integer,
            sa.ForeignKey("reviews.id", ondelete="CASCADE", onupdate="CASCADE"),
            primary_key=True,
        ),
        sa.Column("state", sa.SmallInteger, nullable=False),
        sa.Column("step", sa.SmallInteger),
        sa.Column("stability", sa.Float),
        sa.Column("difficulty", sa.Float),
        sa.Column("due", StoredTime),
        sa.Column("last_review", StoredTime),
        sa.Column("reps", sa.Integer, nullable=False),
        sa.Column("lapses", sa.Integer, nullable=False),
    )
    if befores:
        conn.execute(sa.insert(table), befores)
    if sqlite:
        op.execute(
            "CREATE TABLE card_tags_lean (card_id INTEGER NOT NULL, tag VARCHAR(200) NOT NULL,"
            " PRIMARY KEY (card_id, tag),"
            " FOREIGN KEY(card_id) REFERENCES cards (id) ON DELETE CASCADE) WITHOUT ROWID"
        )
        op.execute("INSERT INTO card_tags_lean (card_id, tag) SELECT card_id, tag FROM card_tags")
        op.execute("DROP TABLE card_tags")
        op.execute("ALTER TABLE card_tags_lean RENAME TO card_tags")
        op.create_index("ix_card_tags_tag", "card_tags", ["tag"])
    if sqlite:  # the card rollups' times are taken from reviewed_at: microseconds too
        for column in ("last_miss", "last_right", "first_review_at"):
            op.execute(
                f"UPDATE review_card_rollups SET {column} ="
                f" CAST(strftime('%s', {column}) AS INTEGER) * 1000000"
                f" + CAST(substr({column}, 21, 6) AS INTEGER)"
                f" WHERE typeof({column}) = 'text'"
            )
        # the rollups too are their keys' b-trees: no rowid, no second copy of the key
        for name in ("review_quarter_rollups", "review_card_rollups", "review_age_rollups"):
            _without_rowid(conn, name)


def _without_rowid(conn: sa.Connection, table: str) -> None:
    """Rebuild a SQLite table as WITHOUT ROWID, its rows kept (same columns, same order)."""
    sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    head = f"CREATE TABLE {table} ("
    assert sql.startswith(head), sql
    op.execute(f"CREATE TABLE {table}_lean (" + sql[len(head) :] + " WITHOUT ROWID")
    op.execute(f"INSERT INTO {table}_lean SELECT * FROM {table}")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {table}_lean RENAME TO {table}")


def downgrade() -> None:
    raise NotImplementedError("the lean review log (0012) is not taken back to JSON states")
