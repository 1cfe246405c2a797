"""rollups of the review log for `quiz stats`

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 17:00:00

Derived data only (the log stays the truth): per learner, the answers of each UTC
quarter hour, of each card, and of each card-age bucket, plus a mark saying which part
of the log they hold (the highest review id folded in and how many of the learner's
rows had an id up to it). `quiz stats` folds in the rows past the mark and reads these
small tables instead of grouping a million rows (quiz.store.rollups).

Rows of the log are never updated; undo deletes one. A trigger on `reviews` deletes
the learner's mark when one of their rows is deleted, so the next `quiz stats`
rebuilds that learner's rollups: a count alone would miss SQLite re-using the id of a
deleted last row. (PostgreSQL commits ids out of order; the count catches those.)

Existing stores get empty tables: the first `quiz stats` builds them (a few seconds on
a million reviews).
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

PG_FUNCTION = """
CREATE FUNCTION quiz_review_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM review_rollup_marks WHERE learner_id = OLD.learner_id;
    RETURN OLD;
END
$$
"""


def upgrade() -> None:
    learner = sa.ForeignKeyConstraint(["learner_id"], ["learners.id"])
    op.create_table(
        "review_rollup_marks",
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        learner,
        sa.PrimaryKeyConstraint("learner_id"),
    )
    op.create_table(
        "review_quarter_rollups",
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("drills", sa.Integer(), nullable=False),
        sa.Column("right_answers", sa.Integer(), nullable=False),
        sa.Column("graded", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"]),
        sa.PrimaryKeyConstraint("learner_id", "quarter"),
    )
    op.create_table(
        "review_card_rollups",
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("drills", sa.Integer(), nullable=False),
        sa.Column("right_answers", sa.Integer(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
        sa.Column("drill_misses", sa.Integer(), nullable=False),
        sa.Column("last_miss", sa.DateTime(), nullable=True),
        sa.Column("last_right", sa.DateTime(), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=False),
        sa.Column("first_review_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"]),
        sa.ForeignKeyConstraint(["card_id"], ["cards.id"]),
        sa.PrimaryKeyConstraint("learner_id", "card_id"),
    )
    op.create_table(
        "review_age_rollups",
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("min_days", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"]),
        sa.PrimaryKeyConstraint("learner_id", "min_days"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER reviews_rollup_stale AFTER DELETE ON reviews "
            "FOR EACH ROW EXECUTE PROCEDURE quiz_review_deleted()"
        )
    else:
        op.execute(
            "CREATE TRIGGER reviews_rollup_stale AFTER DELETE ON reviews BEGIN "
            "DELETE FROM review_rollup_marks WHERE learner_id = OLD.learner_id; END"
        )


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER IF EXISTS reviews_rollup_stale"
        + (" ON reviews" if op.get_bind().dialect.name == "postgresql" else "")
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS quiz_review_deleted()")
    op.drop_table("review_age_rollups")
    op.drop_table("review_card_rollups")
    op.drop_table("review_quarter_rollups")
    op.drop_table("review_rollup_marks")
