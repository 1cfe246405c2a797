"""indexes on card states for `quiz stats`

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 17:00:00

- counts by (state, suspended, leech): without leech in an index SQLite read every
  card_states row (0.11 s at 85k cards); with it the count reads the index (7 ms);
- by stability: the weakest cards include any card forgotten so long that FSRS
  rounds its recall to 0.00, which needs a stability below elapsed days / ~1e14 with
  default parameters (none) — a range scan of this index instead of every row (90 ms).
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_card_states_counts", "card_states", ["learner_id", "state", "suspended", "leech"]
    )
    op.create_index("ix_card_states_stability", "card_states", ["learner_id", "stability"])


def downgrade() -> None:
    op.drop_index("ix_card_states_stability", table_name="card_states")
    op.drop_index("ix_card_states_counts", table_name="card_states")
