"""reviews.overruled: the learner said "I was right" against the grader

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-02 17:10:00

An overruled answer is stored as right (`correct` true) with this flag, so the deck's
author can find cards whose grading may be too strict (`quiz stats --json`,
"strict_grading"). Numbered 0008 because 0006 and 0007 were being written on other
branches at the same time: at the merge, `down_revision` follows the newest of them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("overruled", sa.Boolean(), nullable=True))
    # `quiz stats` finds the few overruled answers without scanning the whole log
    op.create_index(
        "ix_reviews_overruled",
        "reviews",
        ["learner_id", "card_id"],
        sqlite_where=sa.text("overruled"),
        postgresql_where=sa.text("overruled"),
    )


def downgrade() -> None:
    op.drop_index("ix_reviews_overruled", table_name="reviews")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("overruled")
