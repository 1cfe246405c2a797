"""How long one review answer takes to be saved: SQLite versus a local PostgreSQL.

    python -m tests.bench.bench_store_backends            # 300 answers on each back end
    python -m tests.bench.bench_store_backends --answers 1000
    python -m tests.bench.bench_store_backends --durable    # the server with fsync on

An answer is what `quiz review` does when a key is pressed: append to the log, check
and update the card's state under a row lock (`expect_reps`), commit (`Repo.record_answer`).
Also timed: opening a store and planning the day (`plan_day` over a 300-card deck), which a
review pays once. PostgreSQL is `QUIZ_TEST_PG_URL`, or a throwaway server started here
(tests/pg.py): with fsync off like the test server, or with `--durable` fsync on, as a
real server runs, paying the disk's flush on every commit (SQLite in WAL mode with
synchronous=NORMAL flushes only at checkpoints).

Not a test: timings depend on the machine and its load, so they are printed, never asserted.
`python -m tests.bench` runs it too (the `bench(ctx)` hook).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

CARDS = 300


def _deck(folder: Path, n: int) -> Path:
    cards = "".join(f"  - id: c{i}\n    front: Q{i}?\n    back: A{i}.\n" for i in range(1, n + 1))
    path = folder / "bench.yaml"
    path.write_text(f"deck: bench\ntitle: Bench\ncards:\n{cards}", encoding="utf-8")
    return path


def measure(url: str, answers: int, folder: Path) -> dict[str, float]:
    from quiz.clock import DayClock
    from quiz.config import Config
    from quiz.deck import load_deck
    from quiz.model import CardState, Rating, Schedule
    from quiz.review.answer import Answer
    from quiz.review.plan import plan_day
    from quiz.review.settings import scheduling
    from quiz.store import CardFilter, open_store

    t0 = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
    deck = _deck(folder, max(CARDS, answers))
    with open_store(url) as store, store.unit("bench") as repo:
        repo.sync_deck(load_deck(deck), str(deck), "x", t0)
    # a full collection now, not one that falls due inside the timed plan (it took
    # some 30 ms of a 12 ms plan on the first PostgreSQL run of a process)
    gc.collect()
    # the store opened anew, as `quiz review` opens it: not on the connection that just
    # made it (on PostgreSQL that connection's catalog caches hold the migrations'
    # tables, which the packing of 0017 replaced, and reloading them was timed as the plan)
    started = time.perf_counter()
    with open_store(url) as store:
        with store.unit("bench") as repo:
            day = DayClock.from_settings("UTC", 4)
            cfg = Config()
            plan_day(repo, scheduling(cfg, repo, day, t0), day, t0, CardFilter())
            cards = repo.cards(CardFilter())[:answers]
        plan_s = time.perf_counter() - started
        times = []
        with store.unit("bench") as repo:
            for i, item in enumerate(cards):
                at = t0 + timedelta(seconds=i)
                after = Schedule(
                    state=CardState.REVIEW,
                    stability=3.0,
                    difficulty=5.0,
                    due=at + timedelta(days=3),
                    last_review=at,
                    reps=1,
                )
                begin = time.perf_counter()
                repo.record_answer(
                    Answer(
                        item=item,
                        rating=Rating.GOOD,
                        at=at,
                        duration_ms=900,
                        given=None,
                        correct=True,
                        before=item.schedule,
                        after=after,
                        expect_reps=item.schedule.reps,
                    )
                )
                times.append(time.perf_counter() - begin)
    times.sort()
    return {
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": times[int(len(times) * 0.95) - 1] * 1000,
        "plan_ms": plan_s * 1000,
    }


def run(
    answers: int,
    log=lambda msg: print(msg, file=sys.stderr),  # type: ignore[no-untyped-def]
    durable: bool = False,
) -> dict[str, dict[str, float]]:
    from tests.pg import create_database, drop_database, session_server_url

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results["sqlite"] = measure(f"sqlite:///{folder / 'bench.db'}", answers, folder)
        server_url, why, server = session_server_url(durable)
        if server_url is None:
            log(f"PostgreSQL skipped: {why}")
            return results
        try:
            url = create_database(server_url, prefix="quiz_bench")
            try:
                results["postgresql"] = measure(url, answers, folder)
            finally:
                drop_database(server_url, url)
        finally:
            if server is not None:
                server.stop()
    return results


def bench(ctx):  # type: ignore[no-untyped-def]
    """The `python -m tests.bench` hook: one row per back end."""
    from tests.bench.measure import Row

    rows = []
    for backend, figures in run(300, ctx.log).items():
        rows.append(
            Row(
                f"answer saved ({backend})",
                "-",
                figures["median_ms"] / 1000,
                note=f"p95 {figures['p95_ms']:.1f} ms; open+plan {figures['plan_ms']:.0f} ms",
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument("--durable", action="store_true", help="start the server with fsync on")
    args = parser.parse_args(argv)
    results = run(args.answers, durable=args.durable)
    print(f"{'back end':<12} {'answer median':>14} {'answer p95':>11} {'plan the day':>13}")
    for backend, f in results.items():
        print(
            f"{backend:<12} {f['median_ms']:>11.2f} ms {f['p95_ms']:>8.2f} ms {f['plan_ms']:>10.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
