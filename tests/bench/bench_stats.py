"""`quiz stats` (whole log, --deck, --since), its first run on a store whose rollups are
not built yet, `quiz learners`, and `quiz class report --json` on the big store (one
learner, 1M reviews, 85k answered cards); issue #19's targets. The same `quiz stats`
rows at 3M reviews when QUIZ_BENCH_3M=1 (the 3M-review store is built once, which takes
a while) or when that store is already built: a longer history of the same shape
(fixtures.history_days), so its last month holds about as many answers as the 1M
store's.

The `quiz stats` rows time the steady state (the warm-up run brings the copy's rollups
up to date): the lean path, which reads the store through sqlite3 and never loads
SQLAlchemy (quiz.store.stats_reads); the first-run row times the full store's build.

    python -m tests.bench --only bench_stats
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from tests.bench import fixtures
from tests.bench.bench_cli import Context, _row
from tests.bench.measure import Row, Sample, run_once

SINCE = "2026-05-01"  # the last month of the generated log (fixtures.NOW: 2026-06-01)
BIG = fixtures.StoreSpec(reviews=3_000_000)


def _copy(ctx: Context, store: Path, name: str) -> Path:
    """A copy to run on: `quiz stats` writes (its rollups, a migration)."""
    return fixtures.fresh_copy(store, ctx.work / name)


def _stats_rows(ctx: Context, store: Path, size: str, limit: float) -> list[Row]:
    db = _copy(ctx, store, f"stats-{size}.db")
    env = ctx.env(db)
    runs = max(3, ctx.runs // 2)
    rows = []
    for name, args in (
        ("quiz stats", ["stats"]),
        ("quiz stats --deck bench-00", ["stats", "--deck", "bench-00"]),
        (f"quiz stats --since {SINCE}", ["stats", "--since", SINCE]),
    ):
        rows.append(
            _row(
                ctx,
                f"{name} ({size} reviews)",
                f"<= {limit * 1000:.0f} ms",
                limit,
                lambda args=args: run_once([*ctx.quiz, *args], env),
                runs=runs,
            )
        )
    return rows


def _first_stats(ctx: Context, store: Path) -> Row:
    """Each run on a fresh copy whose rollups were dropped (an existing store's first
    `quiz stats` builds them); the copy is made before the timed run."""
    base = _copy(ctx, store, "first-base.db")
    conn = sqlite3.connect(base)
    with conn:
        conn.execute("DELETE FROM review_rollup_marks")
    conn.close()
    db = ctx.work / "first.db"
    env = ctx.env(db)

    def once() -> Sample:
        fixtures.fresh_copy(base, db)
        return run_once([*ctx.quiz, "stats"], env)

    return _row(
        ctx,
        "first quiz stats, rollups to build (1M reviews)",
        "<= 2 s",
        2.0,
        once,
        runs=3,
    )


def _timed(ctx: Context, name: str, target: str, limit: float, once: Callable[[], Sample]) -> Row:
    return _row(ctx, name, target, limit, once, runs=max(3, ctx.runs // 2))


def bench(ctx: Context) -> list[Row]:
    store = fixtures.big_store(log=ctx.log)
    rows = _stats_rows(ctx, store, "1M", 0.3)
    rows.append(_first_stats(ctx, store))
    learners = ctx.env(ctx.work / "stats-1M.db")  # its rollups are current: stats ran
    rows.append(
        _timed(
            ctx,
            "quiz learners (1M reviews)",
            "<= 250 ms",
            0.25,
            lambda: run_once([*ctx.quiz, "learners"], learners),
        )
    )
    env = ctx.env(store)
    rows.append(
        _timed(
            ctx,
            "quiz class report --json (1M reviews)",
            "<= 5 s",
            5.0,
            lambda: run_once([*ctx.quiz, "class", "report", "--json"], env),
        )
    )
    big = fixtures.bench_dir() / fixtures.store_name(BIG)
    if os.environ.get("QUIZ_BENCH_3M") == "1" or big.exists():
        rows.extend(_stats_rows(ctx, fixtures.big_store(BIG, log=ctx.log), "3M", 0.5))
    else:
        rows.append(Row("quiz stats (3M reviews)", "<= 500 ms", None, note="QUIZ_BENCH_3M=1"))
    return rows
