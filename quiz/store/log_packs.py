"""The review log's layout on PostgreSQL: a learner's entries of a card packed in one row.

Since migration 0017 a PostgreSQL store keeps the log in `review_packs` (one row per
learner and card, a column per field, each an array in id order) and every query reads
and writes the view `reviews`, which unnests the packs and whose INSTEAD OF triggers
write through them: the SQL is the same text on both back ends. SQLite keeps a table.

Two things the view cannot do by itself, both here:
- a condition on an entry's id or time cannot be pushed down to the packs, so a query
  for the few recent entries would unnest every pack. Each entry carries its pack's
  highest id and latest time (`pack_last_id`, `pack_last_at`, indexed): `ids_after`
  and `times_from` add the matching condition on them, which PostgreSQL answers from
  the index and SQLite is not given;
- a bulk write through the view's triggers rewrites a pack once per entry: `pack_from`
  packs a table of entries in one statement (a store copy's log).
"""

from __future__ import annotations

PACKS = "review_packs"

# (view column, pack array): every field of an entry but the codes, in the packs' order
FIELDS = (
    ("id", "ids"),
    ("reviewed_at", "times"),
    ("duration_ms", "durations"),
    ("prev_id", "prev_ids"),
    ("reps", "reps"),
    ("lapses", "lapses"),
    ("stability", "stabilities"),
    ("difficulty", "difficulties"),
    ("due_lag", "due_lags"),
    ("last_review_lag", "last_review_lags"),
    ("closeness", "closenesses"),
    ("answer", "answers"),
)
# an entry's small fields, kept as bits of one integer by the SQL function of 0017
CODED = ("kind", "rating", "prev_state", "state", "step", "suggested", "correct", "overruled")


def packed(dialect: str) -> bool:
    """Whether a store of this dialect keeps its log in packs (a store at head)."""
    return dialect == "postgresql"


def log_table(dialect: str) -> str:
    """The table that holds the log's bytes (sizes, REINDEX)."""
    return PACKS if packed(dialect) else "reviews"


def ids_after(dialect: str, entries: str, bound: str) -> str:
    """The condition "the entry's id is above `bound`", for the `entries` alias of
    `reviews`, with the packs' index condition on PostgreSQL."""
    plain = f"{entries}.id > {bound}"
    return f"{plain} AND {entries}.pack_last_id > {bound}" if packed(dialect) else plain


def times_from(dialect: str, entries: str, bound: str) -> str:
    """The condition "the entry was written at or after `bound`" (as `ids_after`)."""
    plain = f"{entries}.reviewed_at >= {bound}"
    return f"{plain} AND {entries}.pack_last_at >= {bound}" if packed(dialect) else plain


def pack_from(source: str) -> str:
    """SQL that packs every entry of the table `source` (the log's columns) into
    `review_packs`, which must hold none of their learners' and cards' entries."""
    code = f"quiz_review_code({', '.join(f'r.{c}' for c in CODED)})"
    return (
        f"INSERT INTO {PACKS} (card_id, learner_id, last_id, last_at, codes, "
        + ", ".join(array for _, array in FIELDS)
        + f") SELECT card_id, learner_id, max(id), max(reviewed_at), array_agg({code} ORDER BY id), "
        + ", ".join(f"array_agg(r.{column} ORDER BY id)" for column, _ in FIELDS)
        + f" FROM {source} AS r GROUP BY card_id, learner_id"
    )
