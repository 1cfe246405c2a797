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
  packs a table of entries in one statement (a store copy's log, an Anki history:
  quiz.store.log_writer), and `delete_packs` deletes whole packs (a purged deck).
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


# a pack's flags (0017's quiz_review_flags): the kinds of entry it holds, an overruled answer
MANUAL_FLAG = 4
OVERRULED_FLAG = 8


def packed(dialect: str) -> bool:
    """Whether a store of this dialect keeps its log in packs (a store at head)."""
    return dialect == "postgresql"


def log_table(dialect: str) -> str:
    """The table that holds the log's bytes (sizes, REINDEX)."""
    return PACKS if packed(dialect) else "reviews"


def ids_after(entries: str, bound: str, *, sqlite: bool) -> str:
    """The condition "the entry's id is above `bound`" on the `entries` alias of
    `reviews`, with the packs' indexed condition on PostgreSQL."""
    plain = f"{entries}.id > {bound}"
    return plain if sqlite else f"{plain} AND {entries}.pack_last_id > {bound}"


def id_range(entries: str, after: str, upto: str, *, sqlite: bool) -> str:
    """The condition `after` < id <= `upto` (as `ids_after`)."""
    return f"{ids_after(entries, after, sqlite=sqlite)} AND {entries}.id <= {upto}"


def top_id(*, sqlite: bool) -> str:
    """SQL for the log's highest id (the end of the primary key, or of the packs' index)."""
    return "SELECT MAX(reviews.id) FROM reviews" if sqlite else f"SELECT MAX(last_id) FROM {PACKS}"


def time_end(fn: str, *, sqlite: bool) -> str:
    """SQL (a scalar subquery) for the learner's first (`fn` "MIN") or latest ("MAX")
    entry time: an end of the (learner, time) index, or read from the packs."""
    if sqlite:
        return (
            f"(SELECT {fn}(reviews.reviewed_at) FROM reviews WHERE reviews.learner_id = :learner)"
        )
    if fn == "MAX":
        return f"(SELECT MAX(last_at) FROM {PACKS} WHERE learner_id = :learner)"
    return (  # a pack's times are in id order, which an older history imported later breaks
        f"(SELECT MIN((SELECT MIN(t) FROM unnest(times) AS t)) FROM {PACKS}"
        " WHERE learner_id = :learner)"
    )


def times_from(entries: str, bound: str, *, sqlite: bool) -> str:
    """The condition "the entry was written at or after `bound`" (as `ids_after`)."""
    plain = f"{entries}.reviewed_at >= {bound}"
    return plain if sqlite else f"{plain} AND {entries}.pack_last_at >= {bound}"


def overruled_answers(entries: str, *, sqlite: bool) -> str:
    """The condition "an overruled answer" (0008's partial index, the packs' flag)."""
    plain = f"{entries}.overruled"
    return plain if sqlite else f"{plain} AND {entries}.pack_flags & {OVERRULED_FLAG} <> 0"


def manual_entries(entries: str, kind: int, *, sqlite: bool) -> str:
    """The condition "a manual entry" (`kind`: its number; 0013's partial index)."""
    plain = f"{entries}.kind = {kind}"
    return plain if sqlite else f"{plain} AND {entries}.pack_flags & {MANUAL_FLAG} <> 0"


def delete_packs(cards: str) -> str:
    """SQL that deletes the packs of the cards the subquery `cards` names, a row back
    per pack with its count of entries. Through the view a delete runs its trigger
    once an entry, rewriting the pack each time (a purged deck's log took many times
    as long as the table's delete): whole packs go at once. The caller removes what
    the trigger would have: the kept befores, the rollup marks."""
    return f"DELETE FROM {PACKS} WHERE card_id IN ({cards}) RETURNING cardinality(ids)"


def pack_from(source: str) -> str:
    """SQL that appends every entry of the table `source` (the log's columns; ids above
    the packs' own) to the packs of its learners and cards, or makes them. A pack whose
    answer chain it would break (two answers after one entry, 0006) is left as it was:
    the statement's rows, a row per pack written, say how many went in."""
    code = f"quiz_review_code({', '.join(f'r.{c}' for c in CODED)})"
    arrays = ["codes", *(array for _, array in FIELDS)]
    return (
        f"INSERT INTO {PACKS} AS p (card_id, learner_id, last_id, last_at, flags, "
        + ", ".join(arrays)
        + ") SELECT card_id, learner_id, max(id), max(reviewed_at),"
        + f" quiz_review_flags(array_agg({code})), array_agg({code} ORDER BY id), "
        + ", ".join(f"array_agg(r.{column} ORDER BY id)" for column, _ in FIELDS)
        + f" FROM {source} AS r GROUP BY card_id, learner_id"
        + " ON CONFLICT (card_id, learner_id) DO UPDATE SET"
        + " last_id = greatest(p.last_id, excluded.last_id),"
        + " last_at = greatest(p.last_at, excluded.last_at), flags = p.flags | excluded.flags, "
        + ", ".join(f"{a} = p.{a} || excluded.{a}" for a in arrays)
        + " WHERE NOT p.prev_ids && excluded.prev_ids"
    )
