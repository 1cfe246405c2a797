"""A partial index of the log's manual entries: `quiz learners` from the rollups

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 04:40:00

`quiz learners` counts each learner's reviews, drills and cards seen. The review
rollups (0004) hold every answer per card, drills among them, but not how many of a
card's entries were manual (a schedule set by hand, kind 2), which are neither reviews
nor drills. With this index those few entries are counted without reading the log, so
the counts come from the rollups, the entries past their mark and this index
(quiz.store.learners) instead of a pass over the whole log. It holds only manual
entries: a log of answers gains no bytes.

One CREATE INDEX, in the migration's one transaction (quiz.store.migrate): a kill
leaves the store at 0012, whole, and the next command migrates it again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# the same words as the queries' condition (quiz.store.learners.MANUAL_ENTRIES), so that
# SQLite uses the index
MANUAL = sa.text("kind = 2")


def upgrade() -> None:
    op.create_index(
        "ix_reviews_manual",
        "reviews",
        ["learner_id"],
        sqlite_where=MANUAL,
        postgresql_where=MANUAL,
    )


def downgrade() -> None:
    op.drop_index("ix_reviews_manual", table_name="reviews")
