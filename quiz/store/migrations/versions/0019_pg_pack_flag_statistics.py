"""PostgreSQL: statistics on the packs' flag bits, so their partial indexes are used

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 15:00:00

The few packs with an overruled answer or a manual entry have partial indexes (0017:
`ix_review_packs_overruled`, `ix_review_packs_manual`, on a bit of `flags`). The planner
has no statistics on a bit of a column, so it took the bit to be set in nearly every
pack, priced the partial index as the whole table and read every pack instead: the
overruled answers of `quiz stats --since` and a learner's manual entries each cost a
scan of the packs, where 0016's partial indexes on the table answered at once.
Statistics on the two bits' expressions (PostgreSQL 14 and later) give the planner
their real share. Older servers keep the scan, which is correct, and are said so.
SQLite: nothing (its table keeps the columns its partial indexes test).
"""

from __future__ import annotations

import logging

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

# the same expressions as the partial indexes' conditions (0017's PACK_INDEXES)
STATISTICS = "review_packs_flag_bits"
EXPRESSION_STATISTICS = 140_000  # server_version_num from which CREATE STATISTICS takes them


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    version = int(conn.exec_driver_sql("SHOW server_version_num").scalar_one())
    if version < EXPRESSION_STATISTICS:
        log.info(
            "PostgreSQL %s has no statistics on expressions: packs' flags not estimated", version
        )
        return
    op.execute(f"CREATE STATISTICS {STATISTICS} ON (flags & 4), (flags & 8) FROM review_packs")
    op.execute("ANALYZE review_packs")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
