"""decks.removed_at: a deck removed with `quiz decks remove` (history kept)

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-02 17:10:00

A removed deck keeps its row, its retired cards and the review log, so statistics keep
the past and a later import of the same deck brings its cards back with their history;
`removed_at` hides it from `quiz decks`, `quiz due` and the bundled-deck refresh.
(Numbered 0009 while other branches add 0006-0008; the merge renumbers.)
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decks") as batch:
        batch.add_column(sa.Column("removed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decks") as batch:
        batch.drop_column("removed_at")
