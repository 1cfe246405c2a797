"""PostgreSQL: the review log packed, one row per learner and card (issue 20)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 06:00:00

A row of PostgreSQL's pays a tuple header and a line pointer before any column, and each
index one entry per row: one row per answer could not come near issue 20's bytes per
review (the figures are in tests/bench/bench_store_size.py's output and the commit).
Here a learner's entries of one card live in one row of `review_packs`, a column per
field, each an array in the order the entries were written (by id); the small codes
of an entry (kind, rating, states, step, suggested rating, right/wrong, overruled) are
bits of one integer (`quiz_review_code`, the one rule, with the range it accepts).
Nothing is dropped or derived: every field the log kept, it keeps.

`reviews` stays what every query reads and writes: a view that unnests the packs, with
the same columns, plus each entry's pack's highest id and latest time
(`pack_last_id`, `pack_last_at`, indexed) for the queries that would otherwise unnest
every pack to find the few recent ones (quiz.store.log_layout). INSTEAD OF triggers
write through it:
- an insert appends to the card's pack (or makes it), its id from the log's sequence
  as before; an answer after an entry that already has one (`prev_id`, 0006) is
  refused as the unique index `ux_reviews_card_chain` refused it, under the pack's
  row lock, with that index's name in the message;
- a delete takes the entry out of its pack (the pack goes with its last entry), with
  its kept before (`review_befores`, whose foreign key cannot point at a view) and the
  learner's rollup marks (0004's trigger);
- an update rewrites the entry in place; its id, learner and card stay.
SQLite keeps its table: its rows cost no header worth packing (0012).

One transaction (quiz.store.migrate): a kill leaves the store at 0016, whole, and the
next command migrates it again. A big log's packing shows its progress on stderr.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BATCH_CARDS = 20_000  # card ids packed per statement (the progress moves by these)

# (view column, pack array, element type): every field of a log entry but the codes
FIELDS = (
    ("id", "ids", "integer"),
    ("reviewed_at", "times", "timestamp"),
    ("duration_ms", "durations", "integer"),
    ("prev_id", "prev_ids", "integer"),
    ("reps", "reps", "integer"),
    ("lapses", "lapses", "integer"),
    ("stability", "stabilities", "double precision"),
    ("difficulty", "difficulties", "double precision"),
    ("due_lag", "due_lags", "bigint"),
    ("last_review_lag", "last_review_lags", "bigint"),
    ("closeness", "closenesses", "double precision"),
    ("answer", "answers", "text"),
)
CODED = ("kind", "rating", "prev_state", "state", "step", "suggested", "correct", "overruled")
ARRAYS = [array for _, array, _ in FIELDS] + ["codes"]

CODE_FUNCTION = """
CREATE FUNCTION quiz_review_code(
    kind smallint, rating smallint, prev_state smallint, state smallint, step smallint,
    suggested smallint, correct boolean, overruled boolean
) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF kind IS NULL OR rating IS NULL OR prev_state IS NULL THEN
        RAISE EXCEPTION 'a review log entry needs its kind, rating and state before'
            USING ERRCODE = 'not_null_violation';
    END IF;
    IF kind NOT BETWEEN 0 AND 3 OR rating NOT BETWEEN 0 AND 7 OR prev_state NOT BETWEEN 0 AND 7
       OR state NOT BETWEEN 0 AND 14 OR step NOT BETWEEN 0 AND 254
       OR suggested NOT BETWEEN 0 AND 14 THEN
        RAISE EXCEPTION 'a review log entry''s code out of range (kind %, rating %, state % -> %, step %, suggested %)',
            kind, rating, prev_state, state, step, suggested
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN kind::integer
        | (rating::integer << 2)
        | (prev_state::integer << 5)
        | (coalesce(state, 15)::integer << 8)
        | (coalesce(step, 255)::integer << 12)
        | (coalesce(suggested, 15)::integer << 20)
        | ((CASE WHEN correct IS NULL THEN 0 WHEN correct THEN 2 ELSE 1 END) << 24)
        | ((CASE WHEN overruled IS NULL THEN 0 WHEN overruled THEN 2 ELSE 1 END) << 26);
END
$$
"""


# What a pack holds, for the partial indexes: a bit per entry kind it holds (1 review,
# 2 drill, 4 manual) and 8 if an answer of it was overruled.
FLAGS_FUNCTION = """
CREATE FUNCTION quiz_review_flags(codes integer[]) RETURNS smallint LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(bit_or((1 << (c & 3)) | CASE WHEN (c >> 26) & 3 = 2 THEN 8 ELSE 0 END), 0)::smallint
    FROM unnest(codes) AS c
$$
"""


def _code_of(row: str) -> str:
    return f"quiz_review_code({', '.join(f'{row}.{c}' for c in CODED)})"


PACKS = (
    "CREATE TABLE review_packs ("
    " card_id integer NOT NULL REFERENCES cards(id),"
    " learner_id integer NOT NULL REFERENCES learners(id),"
    " last_id integer NOT NULL,"
    " last_at timestamp NOT NULL,"
    " flags smallint NOT NULL,"
    " codes integer[] NOT NULL, "
    + ", ".join(f"{array} {kind}[] NOT NULL" for _, array, kind in FIELDS)
    + ", PRIMARY KEY (card_id, learner_id))"
)
PACK_INDEXES = (
    "CREATE INDEX ix_review_packs_last_id ON review_packs (last_id)",
    "CREATE INDEX ix_review_packs_learner_last_at ON review_packs (learner_id, last_at)",
    # 0008's and 0013's partial indexes, a pack's flags standing for its entries'
    "CREATE INDEX ix_review_packs_overruled ON review_packs (learner_id, card_id)"
    " WHERE flags & 8 <> 0",
    "CREATE INDEX ix_review_packs_manual ON review_packs (learner_id) WHERE flags & 4 <> 0",
)

# The view: each pack's entries unnested by their id, time, codes and duration, which
# most reads of the whole log group by or count (a row carries those values, not its
# pack's arrays, through a join or a sort), the rarer fields read by position; the
# codes' bits read back. (unnest's row estimate, ten a pack, keeps the planner's costs
# near the truth; generate_series is guessed at hundreds of rows.)
_UNNESTED = ("id", "reviewed_at", "duration_ms")
_AT = {column: f"p.{array}[e.i]" for column, array, _ in FIELDS if column not in _UNNESTED}
_LATER = ("stability", "difficulty", "due_lag", "last_review_lag", "reps", "lapses")
VIEW = f"""
CREATE VIEW reviews AS
SELECT e.id, p.learner_id, p.card_id,
    (e.code & 3)::smallint AS kind,
    ((e.code >> 2) & 7)::smallint AS rating,
    ((e.code >> 5) & 7)::smallint AS prev_state,
    e.reviewed_at, e.duration_ms, {_AT["answer"]} AS answer,
    CASE (e.code >> 24) & 3 WHEN 0 THEN NULL ELSE (e.code >> 24) & 3 = 2 END AS correct,
    CASE (e.code >> 26) & 3 WHEN 0 THEN NULL ELSE (e.code >> 26) & 3 = 2 END AS overruled,
    {_AT["closeness"]} AS closeness,
    nullif((e.code >> 20) & 15, 15)::smallint AS suggested,
    {_AT["prev_id"]} AS prev_id,
    nullif((e.code >> 8) & 15, 15)::smallint AS state,
    nullif((e.code >> 12) & 255, 255)::smallint AS step,
    {", ".join(f"{_AT[c]} AS {c}" for c in _LATER)},
    p.last_id AS pack_last_id, p.last_at AS pack_last_at, p.flags AS pack_flags
FROM review_packs AS p
CROSS JOIN LATERAL unnest(p.ids, p.times, p.codes, p.durations) WITH ORDINALITY
    AS e(id, reviewed_at, code, duration_ms, i)
"""

_NEW_PACK = ", ".join(f"ARRAY[NEW.{c}]::{kind}[]" for c, _, kind in FIELDS)
INSERT_FUNCTION = f"""
CREATE FUNCTION quiz_review_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    code integer := {_code_of("NEW")};
BEGIN
    IF NEW.id IS NULL THEN
        NEW.id := nextval('reviews_id_seq');
    END IF;
    IF NEW.reviewed_at IS NULL OR NEW.duration_ms IS NULL THEN
        RAISE EXCEPTION 'a review log entry needs its time and duration'
            USING ERRCODE = 'not_null_violation';
    END IF;
    INSERT INTO review_packs AS p (card_id, learner_id, last_id, last_at, flags, codes, {", ".join(ARRAYS[:-1])})
    VALUES (NEW.card_id, NEW.learner_id, NEW.id, NEW.reviewed_at,
            (1 << NEW.kind) | (CASE WHEN NEW.overruled THEN 8 ELSE 0 END), ARRAY[code], {_NEW_PACK})
    ON CONFLICT (card_id, learner_id) DO UPDATE SET
        last_id = greatest(p.last_id, excluded.last_id),
        last_at = greatest(p.last_at, excluded.last_at),
        flags = p.flags | excluded.flags,
        {", ".join(f"{a} = p.{a} || excluded.{a}" for a in ARRAYS)}
    WHERE excluded.prev_ids[1] IS NULL OR array_position(p.prev_ids, excluded.prev_ids[1]) IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'duplicate key value violates unique constraint "ux_reviews_card_chain"'
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'ux_reviews_card_chain',
                  DETAIL = format('Key (card_id, learner_id, prev_id)=(%s, %s, %s) already exists.',
                                  NEW.card_id, NEW.learner_id, NEW.prev_id);
    END IF;
    RETURN NEW;
END
$$
"""

_WITHOUT = ", ".join(f"{a} = {a}[1 : i - 1] || {a}[i + 1 :]" for a in ARRAYS)
DELETE_FUNCTION = f"""
CREATE FUNCTION quiz_review_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    p review_packs;
    i integer;
BEGIN
    SELECT * INTO p FROM review_packs
        WHERE card_id = OLD.card_id AND learner_id = OLD.learner_id FOR UPDATE;
    i := array_position(p.ids, OLD.id);
    IF i IS NULL THEN
        RETURN NULL;
    END IF;
    IF cardinality(p.ids) = 1 THEN
        DELETE FROM review_packs WHERE card_id = OLD.card_id AND learner_id = OLD.learner_id;
    ELSE
        UPDATE review_packs SET {_WITHOUT},
            last_id = (SELECT max(x) FROM unnest(ids[1 : i - 1] || ids[i + 1 :]) AS x),
            last_at = (SELECT max(x) FROM unnest(times[1 : i - 1] || times[i + 1 :]) AS x),
            flags = quiz_review_flags(codes[1 : i - 1] || codes[i + 1 :])
        WHERE card_id = OLD.card_id AND learner_id = OLD.learner_id;
    END IF;
    DELETE FROM review_befores WHERE review_id = OLD.id;
    DELETE FROM review_rollup_marks WHERE learner_id = OLD.learner_id;
    RETURN OLD;
END
$$
"""

_REWRITE = "\n        ".join(f"p.{a}[i] := NEW.{c};" for c, a, _ in FIELDS[1:])
UPDATE_FUNCTION = f"""
CREATE FUNCTION quiz_review_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    p review_packs;
    i integer;
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.learner_id IS DISTINCT FROM OLD.learner_id
       OR NEW.card_id IS DISTINCT FROM OLD.card_id THEN
        RAISE EXCEPTION 'a review log entry keeps its id, learner and card'
            USING ERRCODE = 'feature_not_supported';
    END IF;
    IF NEW.reviewed_at IS NULL OR NEW.duration_ms IS NULL THEN
        RAISE EXCEPTION 'a review log entry needs its time and duration'
            USING ERRCODE = 'not_null_violation';
    END IF;
    SELECT * INTO p FROM review_packs
        WHERE card_id = OLD.card_id AND learner_id = OLD.learner_id FOR UPDATE;
    i := array_position(p.ids, OLD.id);
    IF i IS NULL THEN
        RETURN NULL;
    END IF;
    IF NEW.prev_id IS NOT NULL AND NEW.prev_id IS DISTINCT FROM OLD.prev_id
       AND array_position(p.prev_ids, NEW.prev_id) IS NOT NULL THEN
        RAISE EXCEPTION 'duplicate key value violates unique constraint "ux_reviews_card_chain"'
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'ux_reviews_card_chain';
    END IF;
    p.codes[i] := {_code_of("NEW")};
        {_REWRITE}
    UPDATE review_packs SET codes = p.codes, {", ".join(f"{a} = p.{a}" for a in ARRAYS[1:-1])},
        last_at = (SELECT max(x) FROM unnest(p.times) AS x), flags = quiz_review_flags(p.codes)
    WHERE card_id = OLD.card_id AND learner_id = OLD.learner_id;
    RETURN NEW;
END
$$
"""

TRIGGERS = (
    "CREATE TRIGGER reviews_insert INSTEAD OF INSERT ON reviews"
    " FOR EACH ROW EXECUTE FUNCTION quiz_review_insert()",
    "CREATE TRIGGER reviews_delete INSTEAD OF DELETE ON reviews"
    " FOR EACH ROW EXECUTE FUNCTION quiz_review_delete()",
    "CREATE TRIGGER reviews_update INSTEAD OF UPDATE ON reviews"
    " FOR EACH ROW EXECUTE FUNCTION quiz_review_update()",
)

_FILL = (
    "INSERT INTO review_packs (card_id, learner_id, last_id, last_at, flags, codes, "
    + ", ".join(ARRAYS[:-1])
    + ") SELECT card_id, learner_id, max(id), max(reviewed_at),"
    + f" quiz_review_flags(array_agg({_code_of('r')})), array_agg({_code_of('r')} ORDER BY id), "
    + ", ".join(f"array_agg({c} ORDER BY id)" for c, _, _ in FIELDS)
    + " FROM {source} AS r WHERE card_id >= :lo AND card_id < :hi GROUP BY card_id, learner_id"
)


def _pack(conn: sa.Connection, source: str) -> None:
    """Pack every entry of the table `source`, a batch of card ids at a time."""
    from quiz.store.migrate import Progress

    total = conn.execute(sa.text(f"SELECT count(*) FROM {source}")).scalar_one()
    lo, hi = conn.execute(sa.text(f"SELECT min(card_id), max(card_id) FROM {source}")).one()
    progress = Progress(total, "packing the review log")
    try:
        start = int(lo or 0)
        while hi is not None and start <= hi:
            done = conn.execute(
                sa.text(_FILL.format(source=source) + " RETURNING cardinality(ids)"),
                {"lo": start, "hi": start + BATCH_CARDS},
            )
            progress.advance(sum(n for (n,) in done))
            start += BATCH_CARDS
    finally:
        progress.close()


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    op.execute(CODE_FUNCTION)
    op.execute(FLAGS_FUNCTION)
    op.execute(PACKS)
    op.execute("ALTER TABLE reviews RENAME TO reviews_rows")
    _pack(conn, "reviews_rows")
    op.execute("ALTER SEQUENCE reviews_id_seq OWNED BY NONE")
    op.execute("ALTER TABLE review_befores DROP CONSTRAINT IF EXISTS review_befores_review_id_fkey")
    op.execute("DROP TABLE reviews_rows")
    for statement in PACK_INDEXES:
        op.execute(statement)
    op.execute(VIEW)
    op.execute("ALTER VIEW reviews ALTER COLUMN id SET DEFAULT nextval('reviews_id_seq')")
    op.execute("ALTER SEQUENCE reviews_id_seq OWNED BY reviews.id")
    for function in (INSERT_FUNCTION, DELETE_FUNCTION, UPDATE_FUNCTION):
        op.execute(function)
    for trigger in TRIGGERS:
        op.execute(trigger)
    op.execute("ANALYZE review_packs")


# 0016's table, as 0012 made it and 0013/0014 indexed it
TABLE = """
CREATE TABLE reviews (
    reviewed_at timestamp NOT NULL, stability double precision, difficulty double precision,
    due_lag bigint, last_review_lag bigint, closeness double precision,
    id integer NOT NULL DEFAULT nextval('reviews_id_seq'),
    learner_id integer NOT NULL REFERENCES learners(id),
    card_id integer NOT NULL REFERENCES cards(id),
    duration_ms integer NOT NULL, prev_id integer, reps integer, lapses integer,
    kind smallint NOT NULL, rating smallint NOT NULL, prev_state smallint NOT NULL,
    state smallint, step smallint, suggested smallint, correct boolean, overruled boolean,
    answer text,
    PRIMARY KEY (id) WITH (fillfactor = 100))
"""
TABLE_INDEXES = (
    "CREATE INDEX ix_reviews_learner_time ON reviews (learner_id, reviewed_at)"
    " WITH (fillfactor = 100)",
    "CREATE INDEX ix_reviews_manual ON reviews (learner_id) WHERE kind = 2",
    "CREATE INDEX ix_reviews_overruled ON reviews (learner_id, card_id) WHERE overruled",
    "CREATE UNIQUE INDEX ux_reviews_card_chain ON reviews (card_id, learner_id, prev_id)",
    "CREATE TRIGGER reviews_rollup_stale AFTER DELETE ON reviews"
    " FOR EACH ROW EXECUTE FUNCTION quiz_review_deleted()",
    "ALTER TABLE review_befores ADD CONSTRAINT review_befores_review_id_fkey"
    " FOREIGN KEY (review_id) REFERENCES reviews(id) ON UPDATE CASCADE ON DELETE CASCADE",
)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    columns = ", ".join(c.name for c in _table_columns())
    op.execute("ALTER SEQUENCE reviews_id_seq OWNED BY NONE")
    op.execute("ALTER VIEW reviews RENAME TO reviews_packed")
    op.execute(TABLE)
    op.execute(f"INSERT INTO reviews ({columns}) SELECT {columns} FROM reviews_packed ORDER BY id")
    op.execute("DROP VIEW reviews_packed")
    op.execute("DROP TABLE review_packs")
    for function in ("quiz_review_insert", "quiz_review_delete", "quiz_review_update"):
        op.execute(f"DROP FUNCTION {function}()")
    op.execute("DROP FUNCTION quiz_review_code")
    op.execute("DROP FUNCTION quiz_review_flags")
    op.execute("ALTER SEQUENCE reviews_id_seq OWNED BY reviews.id")
    for statement in TABLE_INDEXES:
        op.execute(statement)


def _table_columns() -> list[sa.Column[object]]:
    names = [c for c, _, _ in FIELDS] + list(CODED) + ["learner_id", "card_id"]
    return [sa.Column(n) for n in names]
