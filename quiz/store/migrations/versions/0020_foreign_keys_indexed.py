"""Every foreign key indexed on its own column: card rollups by card, goals by deck

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 15:10:00

Deleting a card makes the database check that no row still names it, and deleting a
deck the same; a referencing table whose keys do not lead with that column is read
whole for each check. 0018 indexed the card states by card; the card rollups (0004,
keyed by learner then card) were the other: once `quiz stats` had built them, a deck's
purge read them once a card (10,000 cards of the benchmark store: 27 s on SQLite). The
goals are few, but the rule is one: tests/store/test_store_backends.py holds every
foreign key of the schema to an index that leads with its column.
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_review_card_rollups_card", "review_card_rollups", ["card_id"])
    op.create_index("ix_goals_deck", "goals", ["deck_id"])


def downgrade() -> None:
    op.drop_index("ix_goals_deck", table_name="goals")
    op.drop_index("ix_review_card_rollups_card", table_name="review_card_rollups")
