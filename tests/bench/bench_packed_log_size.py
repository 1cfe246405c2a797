"""A layout study for issue #20 on PostgreSQL (not the store's layout): the bytes a review
would cost if the log kept one row per (learner, card) holding that card's answers as
arrays, a column per field, instead of a row per answer.

    python -m tests.bench.bench_packed_log_size --pg URL   # a server; a database is made and dropped
    python -m tests.bench.bench_packed_log_size            # QUIZ_BENCH_PG_URL, else a throwaway server

One row per answer cannot reach issue #20's 110 bytes on PostgreSQL: a tuple's header
and line pointer are 28 bytes before any column (`bench_store_size` measures today's
layout). Packed, that overhead and the index entries are paid once per card. Two packs
are filled with the benchmark's shape (100k cards, 1M answers, ten a card), synthetic
values of each column's type: "full" keeps every field the log keeps now (the small
codes of an answer, its kind, rating, states, step, right/wrong, overruled and suggested
rating, as bits of one integer); "lean" leaves out what the pack's order gives (the
previous entry's id) or what replaying the pack gives (reps, lapses, the last-review
lag). Heap and TOAST (`pg_table_size`) and indexes (`pg_indexes_size`) after a VACUUM,
per answer. The values are random where a learner's would be: PostgreSQL's compression
of the arrays (pglz) gains nothing on them, so it is not counted on.

What the figures leave out, for the redesign to settle: an index from a review's id to its
pack (the undo and `review_befores` find an entry by id), and the time index that
`--since` reads (a pack's first and last answer times could stand for it).
"""

from __future__ import annotations

import argparse
import os

CARDS = 100_000
PER_CARD = 10

_PACK = """CREATE TABLE {name} (
  learner_id int4 NOT NULL, card_id int4 NOT NULL,
  ids int4[] NOT NULL, times int8[] NOT NULL, codes int4[] NOT NULL, durations int4[] NOT NULL,
  closeness float8[], answers text[], {extra}
  stability float8[], difficulty float8[], due_lags int8[],
  PRIMARY KEY (card_id, learner_id))"""

_FILL = """INSERT INTO {name} SELECT 1, c,
  array_agg(c * {per} + k ORDER BY k),
  array_agg(1700000000000000::int8 + c * 1000 + k * 86400000000::int8 ORDER BY k),
  array_agg((k % 4) | (((k * 7) % 5) << 2) ORDER BY k),
  array_agg(2000 + (c * k) % 30000 ORDER BY k),
  array_agg(CASE WHEN k % 3 = 0 THEN random() END ORDER BY k),
  array_agg(NULL::text ORDER BY k), {extra}
  array_agg(random() * 100 ORDER BY k), array_agg(1 + random() * 9 ORDER BY k),
  array_agg((random() * 1e12)::int8 ORDER BY k)
FROM generate_series(1, {cards}) c, generate_series(1, {per}) k GROUP BY c"""

LAYOUTS = {
    "full": (
        "prev_ids int4[], last_review_lags int8[], reps int4[], lapses int4[],",
        "array_agg(c * {per} + k - 1 ORDER BY k), array_agg(0::int8 ORDER BY k),"
        " array_agg(k ORDER BY k), array_agg(k / 5 ORDER BY k),",
    ),
    "lean": ("", ""),
}


def measure(url: str) -> dict[str, float]:
    """Bytes per answer of each layout, in the database of `url`."""
    import psycopg

    out: dict[str, float] = {}
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        for name, (columns, values) in LAYOUTS.items():
            table = f"packs_{name}"
            conn.execute(_PACK.format(name=table, extra=columns))
            fill = _FILL.format(
                name=table, cards=CARDS, per=PER_CARD, extra=values.format(per=PER_CARD)
            )
            conn.execute(fill)
            conn.execute(f"VACUUM ANALYZE {table}")
            found = conn.execute(
                f"SELECT pg_table_size('{table}'), pg_indexes_size('{table}')"
            ).fetchone()
            assert found is not None
            out[name] = (found[0] + found[1]) / (CARDS * PER_CARD)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default=os.environ.get("QUIZ_BENCH_PG_URL"))
    args = parser.parse_args()
    from tests.pg import create_database, drop_database, session_server_url

    server, server_handle = args.pg, None
    if not server:
        server, why, server_handle = session_server_url()
        if not server:
            raise SystemExit(f"no PostgreSQL server: {why}")
    url = create_database(server)
    try:
        for name, size in measure(url).items():
            print(f"packed log, {name}: {size:.1f} bytes per answer (indexes included)")
    finally:
        drop_database(server, url)
        if server_handle is not None:
            server_handle.stop()


if __name__ == "__main__":
    main()
