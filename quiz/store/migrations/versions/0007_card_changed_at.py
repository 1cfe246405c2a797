"""cards.changed_at: when a card's content last changed

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-02 17:15:00

An Anki export gives each note the modification time of its card, so that a
re-export of unchanged cards does not mark every note in Anki as modified. Cards that
exist before this migration get their deck's import time (the best the store knows).
Numbered 0007: another branch may add 0006; whoever merges second re-points
`down_revision`.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cards") as batch:
        batch.add_column(sa.Column("changed_at", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE cards SET changed_at = (SELECT imported_at FROM decks WHERE decks.id = cards.deck_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("cards") as batch:
        batch.drop_column("changed_at")
