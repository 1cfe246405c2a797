"""mark the database as a quiz store

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-02 16:30:00

A typo in `--db` must never let quiz add its tables to another program's database
(issue 14). Quiz stores say what they are: SQLite's `application_id` header field is
set to "quiz" (0x7175697A), and a one-row `quiz_store` table says so on every back
end. quiz.store.location refuses a non-empty database without the mark, unless it is
an older quiz store (its migration history and tables), which this revision marks.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

APPLICATION_ID = 0x7175697A


def upgrade() -> None:
    table = op.create_table(
        "quiz_store",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    op.bulk_insert(table, [{"name": "application", "value": "quiz"}])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(sa.text(f"PRAGMA application_id = {APPLICATION_ID}"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(sa.text("PRAGMA application_id = 0"))
    op.drop_table("quiz_store")
