"""`quiz decks remove --purge` on the benchmark store: one of its ten decks (10k cards,
about 100k answers) and everything of it deleted, on a fresh copy each run whose stats
have been shown once (so its rollups are built, as a learner's are).

    python -m tests.bench --only bench_purge

Each deleted card has its foreign keys checked (card states, tags, rollups, the log):
before migration 0018 card_states had no index on the card, and before 0020 neither had
the card rollups: each check read the whole table. PostgreSQL's row is in
`python -m tests.bench.bench_pg_reads` (the packs of the log deleted whole,
quiz.store.log_packs). Wall times depend on the machine and its load: compare runs of
two checkouts, never a fixed number.
"""

from __future__ import annotations

from tests.bench import fixtures
from tests.bench.measure import Row, median_of, run_once

DECK = "bench-03"


def bench(ctx):  # type: ignore[no-untyped-def]
    """The `python -m tests.bench` hook: one row, SQLite."""
    store = fixtures.big_store(log=ctx.log)
    copy = ctx.work / "purge.db"
    argv = [*ctx.quiz, "decks", "remove", DECK, "--purge", "--yes"]

    def once():  # type: ignore[no-untyped-def]
        fixtures.fresh_copy(store, copy)
        stats = run_once([*ctx.quiz, "stats"], ctx.env(copy))  # builds the rollups, untimed
        if stats.exit_code != 0:
            raise RuntimeError(f"quiz stats exited {stats.exit_code}")
        sample = run_once(argv, ctx.env(copy))
        if sample.exit_code != 0:
            raise RuntimeError(f"quiz decks remove exited {sample.exit_code}")
        return sample

    median, peak, _ = median_of(ctx.runs, once, warmup=0)
    return [
        Row(
            "decks remove --purge (10k cards)",
            "-",
            median,
            peak,
            None,
            ctx.ratio(median),
            note="a deck of the 1M store",
            runs=ctx.runs,
        )
    ]
