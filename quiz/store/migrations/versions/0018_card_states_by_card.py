"""card_states indexed by card alone: a deck's purge checks its cards' foreign keys

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 12:00:00

`quiz decks remove --purge` deletes a deck's cards; the database checks for each one
that no card state still names it (card_states' foreign key). The table's only keys led
with the learner, so each check read the whole table: a 10,000-card deck of the
benchmark store took 18 s on SQLite and 6 s of PostgreSQL's time. An index on the card
makes each check one lookup (and a card's states, for every learner, one range).
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_card_states_card", "card_states", ["card_id"])


def downgrade() -> None:
    op.drop_index("ix_card_states_card", table_name="card_states")
