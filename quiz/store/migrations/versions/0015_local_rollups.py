"""rollups of the review log by deck: the learner's days and card ages, every tag's figures

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 10:00:00

Derived data only (the log stays the truth). `quiz stats` read the quarter-hour
rollups (0004) and regrouped them into the learner's hours, then days, on every run,
joined every answered card to its tags, and with `--deck` grouped the deck's entries
of the log. These tables hold what the report shows, by deck:

- `review_day_rollups`: answers per learner day (in one clock: zone, the hour a day
  starts, the zone's minutes past the hour), deck and card-age bucket;
  `review_day_marks` says which clock and how much of the log (the highest review id
  folded in). They replace the quarter-hour and card-age rollups of 0004, dropped here;
- `review_tag_rollups`: per deck, card kind and tag ('' for an untagged card) the
  answered cards and their answers, right answers, lapses and misses;
  `review_tag_marks` says they hold the card rollups up to that id.

A card's tags, kind or deck belong to the deck file, not to the log: triggers on
`card_tags` and `cards` delete the marks when one changes, so the next `quiz stats`
rebuilds what they held (quiz.store.rollups). An undo rebuilds the learner's rollups
(0004's trigger), these with them.

Existing stores keep their card rollups and get empty new tables: the first `quiz
stats` builds them. A downgrade recreates 0004's tables empty and deletes the log's
marks, so that the older quiz rebuilds them. One transaction (quiz.store.migrate): a
kill leaves the store at 0014, whole, and the next command migrates it again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TAGS_STALE = "DELETE FROM review_tag_marks"
DAYS_STALE = "DELETE FROM review_day_marks"
# (trigger, table, event, condition, statements)
TRIGGERS = (
    ("card_tags_added_rollup_stale", "card_tags", "INSERT", None, (TAGS_STALE,)),
    ("card_tags_deleted_rollup_stale", "card_tags", "DELETE", None, (TAGS_STALE,)),
    ("card_tags_changed_rollup_stale", "card_tags", "UPDATE", None, (TAGS_STALE,)),
    (
        "cards_kind_rollup_stale",
        "cards",
        "UPDATE OF kind",
        "OLD.kind <> NEW.kind",
        (TAGS_STALE,),
    ),
    (
        "cards_deck_rollup_stale",
        "cards",
        "UPDATE OF deck_id",
        "OLD.deck_id <> NEW.deck_id",
        (TAGS_STALE, DAYS_STALE),
    ),
    ("cards_deleted_rollup_stale", "cards", "DELETE", None, (TAGS_STALE, DAYS_STALE)),
)


def upgrade() -> None:
    def learner() -> sa.Column:
        return sa.Column("learner_id", sa.Integer(), sa.ForeignKey("learners.id"), primary_key=True)

    rowid = {"sqlite_with_rowid": False}
    op.create_table(
        "review_day_marks",
        learner(),
        sa.Column("clock", sa.String(300), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
    )
    op.create_table(
        "review_day_rollups",
        learner(),
        sa.Column("deck_id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Integer(), primary_key=True),
        sa.Column("min_days", sa.Integer(), primary_key=True),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("drills", sa.Integer(), nullable=False),
        sa.Column("right_answers", sa.Integer(), nullable=False),
        sa.Column("graded", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.BigInteger(), nullable=False),
        **rowid,
    )
    op.create_table(
        "review_tag_marks",
        learner(),
        sa.Column("last_id", sa.Integer(), nullable=False),
    )
    op.create_table(
        "review_tag_rollups",
        learner(),
        sa.Column("deck_id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("tag", sa.String(200), primary_key=True),
        sa.Column("cards", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("right_answers", sa.Integer(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
        sa.Column("misses", sa.Integer(), nullable=False),
        **rowid,
    )
    op.drop_table("review_quarter_rollups")
    op.drop_table("review_age_rollups")
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table, event, when, statements in TRIGGERS:
        body = "; ".join(statements)
        if postgresql:
            op.execute(
                f"CREATE FUNCTION quiz_{name}() RETURNS trigger LANGUAGE plpgsql AS $$"
                f" BEGIN {body}; RETURN NULL; END $$"
            )
            condition = f" WHEN ({when})" if when else ""
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION quiz_{name}()"
                if not when
                else f"CREATE TRIGGER {name} AFTER {event} ON {table}"
                f" FOR EACH ROW{condition} EXECUTE FUNCTION quiz_{name}()"
            )
        else:
            condition = f" WHEN {when}" if when else ""
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table}{condition} BEGIN {body}; END"
            )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table, *_ in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS quiz_{name}()")
    for table in (
        "review_tag_rollups",
        "review_tag_marks",
        "review_day_rollups",
        "review_day_marks",
    ):
        op.drop_table(table)
    rowid = {"sqlite_with_rowid": False}
    op.create_table(  # as 0004 and 0012 left them, empty: the marks go, so all is rebuilt
        "review_quarter_rollups",
        sa.Column("learner_id", sa.Integer(), sa.ForeignKey("learners.id"), primary_key=True),
        sa.Column("quarter", sa.Integer(), primary_key=True),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("drills", sa.Integer(), nullable=False),
        sa.Column("right_answers", sa.Integer(), nullable=False),
        sa.Column("graded", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.BigInteger(), nullable=False),
        **rowid,
    )
    op.create_table(
        "review_age_rollups",
        sa.Column("learner_id", sa.Integer(), sa.ForeignKey("learners.id"), primary_key=True),
        sa.Column("min_days", sa.Integer(), primary_key=True),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        **rowid,
    )
    op.execute("DELETE FROM review_rollup_marks")
