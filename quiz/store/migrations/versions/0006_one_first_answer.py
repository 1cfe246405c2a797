"""one first answer per learner and card, enforced by the database

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 16:30:00

Two sessions of one learner on a shared store could both record a new card's first
answer (issue 14): the row lock that guards later answers has no row to lock before
the first. A partial unique index on the log makes a second first answer (a review
from the New state) impossible on both back ends; the writer turns the clash into the
"already answered elsewhere" conflict.

Stores that already hold such twins keep every row: the later copies are marked
kind 'duplicate' (they were never a separate answer; stats count reviews and drills).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FIRST = "kind = 'review' AND prev_state = 0"


def upgrade() -> None:
    op.execute(
        sa.text(
            f"""
            UPDATE reviews SET kind = 'duplicate'
            WHERE {FIRST} AND id > (
                SELECT MIN(r.id) FROM reviews AS r
                WHERE r.learner_id = reviews.learner_id AND r.card_id = reviews.card_id
                  AND r.kind = 'review' AND r.prev_state = 0
            )
            """
        )
    )
    op.create_index(
        "ux_reviews_first_answer",
        "reviews",
        ["learner_id", "card_id"],
        unique=True,
        sqlite_where=sa.text(FIRST),
        postgresql_where=sa.text(FIRST),
    )


def downgrade() -> None:
    op.drop_index("ux_reviews_first_answer", table_name="reviews")
