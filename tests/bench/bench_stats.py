"""`quiz class report --json` on the big store (one learner, 1M reviews, 85k answered
cards): the report is grouped in SQL, so it must not load the log into Python.

    python -m tests.bench --only bench_stats
"""

from __future__ import annotations

from tests.bench import fixtures
from tests.bench.bench_cli import Context, _row
from tests.bench.measure import Row, run_once


def bench(ctx: Context) -> list[Row]:
    store = fixtures.big_store(log=ctx.log)
    env = ctx.env(store)
    return [
        _row(
            ctx,
            "quiz class report --json (1M reviews)",
            "<= 5 s",
            5.0,
            lambda: run_once([*ctx.quiz, "class", "report", "--json"], env),
            runs=max(3, ctx.runs // 2),
        )
    ]
