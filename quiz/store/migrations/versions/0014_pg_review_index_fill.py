"""PostgreSQL: the review log's append-only indexes filled whole, its indexes rebuilt

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 07:30:00

Issue 20 asks for few bytes per stored review on PostgreSQL too. A review row there
pays a tuple header and a line pointer that SQLite does not, and each of its indexes
holds one entry per row; the measured breakdown and the arithmetic of what the
one-row-per-entry shape can reach are in the commit message and the benchmark
(tests/bench/bench_store_size.py), not here.

What this step changes, on PostgreSQL only (SQLite's schema stays as it is):
- the primary key (`id`) only ever grows at its right end, and the (learner, time)
  index does for a learner answering today, so their pages are filled whole
  (fillfactor 100) instead of leaving a tenth free for inserts in the middle that an
  append-only log does not make;
- every index of the log is built anew, packed, instead of as a store grown a row at a
  time (or copied with `quiz store copy`) left it.
The (card, learner, prev_id) index keeps the default fill: a card's next answer lands in
the middle of it.

One transaction (quiz.store.migrate): a kill leaves the store at 0013, whole, and the next
command migrates it again. A big log says so on stderr while its indexes are rebuilt
(REINDEX is one statement: there is no share of it to show).
"""

from __future__ import annotations

import sys
import time

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# the indexes that only grow at their right end in an append-only log
FILLED_WHOLE = ("reviews_pkey", "ix_reviews_learner_time")
SHOW_PROGRESS = 50_000  # entries from which the rebuild says what it is doing


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for name in FILLED_WHOLE:
        op.execute(f"ALTER INDEX {name} SET (fillfactor = 100)")
    entries = conn.execute(sa.text("SELECT count(*) FROM reviews")).scalar_one()
    shown = entries >= SHOW_PROGRESS
    if shown:
        print(
            f"rebuilding the review log's indexes: {entries:,} entries ...",
            file=sys.stderr,
            flush=True,
        )
    started = time.monotonic()
    op.execute("REINDEX TABLE reviews")
    if shown:
        print(
            f"rebuilt the review log's indexes in {time.monotonic() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for name in FILLED_WHOLE:
        op.execute(f"ALTER INDEX {name} RESET (fillfactor)")
