"""covering indexes on the review log for `quiz stats`

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 16:00:00

`quiz stats` groups the whole log twice: by card and by clock hour. A review row also
holds its answer text and two JSON schedules, so scanning the table for six small
columns reads ~600 MB at 1M reviews; these indexes carry exactly the columns the
grouped queries read, in the order they group by:

- by card: (learner, card, kind, time, ...) also answers "first review of each card"
  for the per-age retention;
- by hour: on SQLite an index on the hour text itself, `substr(reviewed_at, 1, 13)`,
  so the per-hour grouping reads the index in order instead of sorting a million rows
  (the query must spell the expression the same way: quiz.store.progress does); on
  PostgreSQL, which groups by hashing, a plain covering index on the time.

No ANALYZE of `reviews`: with statistics, SQLite planned "notes answered today" on
a worse index (1.6 s).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = ["kind", "prev_state", "rating", "correct", "duration_ms"]


def upgrade() -> None:
    op.create_index(
        "ix_reviews_card_stats",
        "reviews",
        [
            "learner_id",
            "card_id",
            "kind",
            "reviewed_at",
            "prev_state",
            "rating",
            "correct",
            "duration_ms",
        ],
    )
    if op.get_bind().dialect.name == "sqlite":
        op.create_index(
            "ix_reviews_hour_stats",
            "reviews",
            [
                "learner_id",
                sa.text("substr(reviewed_at, 1, 13)"),
                "reviewed_at",
                *COLUMNS,
                "card_id",
            ],
        )
    else:
        op.create_index(
            "ix_reviews_hour_stats", "reviews", ["learner_id", "reviewed_at", *COLUMNS, "card_id"]
        )


def downgrade() -> None:
    op.drop_index("ix_reviews_hour_stats", table_name="reviews")
    op.drop_index("ix_reviews_card_stats", table_name="reviews")
