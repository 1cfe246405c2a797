"""each answer names the log entry it follows; one answer per entry, enforced

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 17:40:00

Two sessions of one learner on a shared store could both record a new card's first
answer (issue 14): the row lock that guards later answers has no row to lock before
the first. Each review now records `prev_id`, the id of the learner's latest review or
manual entry of the card when it was written (0 for none), and a partial unique index
makes a second answer after the same entry impossible on both back ends; the writer
turns the clash into the "already answered elsewhere" conflict. A card made new again
by hand (a 'manual' entry) starts a new link, so it can be answered again; an undo
deletes the last link, so the answer given next takes its place.

Rows written before this revision (and bulk-loaded history) have no `prev_id`: they
are kept as they are and bound by nothing.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CHAINED = "kind = 'review' AND prev_id IS NOT NULL"


def upgrade() -> None:
    op.add_column("reviews", sa.Column("prev_id", sa.Integer(), nullable=True))
    op.create_index(
        "ux_reviews_chain",
        "reviews",
        ["learner_id", "card_id", "prev_id"],
        unique=True,
        sqlite_where=sa.text(CHAINED),
        postgresql_where=sa.text(CHAINED),
    )


def downgrade() -> None:
    op.drop_index("ux_reviews_chain", table_name="reviews")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("prev_id")
