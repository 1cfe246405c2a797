"""reviews.closeness and reviews.suggested: what the learner did, beside the rating

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 20:45:00

A graded answer (typed, choice, output) knows how close it was (the share of output
lines or choices right) and which rating quiz suggested from that and the answer time
(issue 16). Both are kept with the review, so the scheduler's accuracy can later be
measured with these signals, and an overridden suggestion is visible (rating differs
from `suggested`). Older reviews and basic/cloze cards leave both empty.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("closeness", sa.Float(), nullable=True))
        batch.add_column(sa.Column("suggested", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("suggested")
        batch.drop_column("closeness")
