"""The commands a class runs on a PostgreSQL store of the big log, as whole processes.

    python -m tests.bench.bench_pg_reads --pg URL   # a server; a database is made and dropped
    python -m tests.bench.bench_pg_reads            # QUIZ_BENCH_PG_URL, else a throwaway server

The benchmark store (100k cards, 1M answers: `fixtures.big_store`) is copied into a fresh
PostgreSQL database with `quiz store copy`, which since migration 0017 packs the log (a
row per learner and card, quiz.store.log_packs); the copy's time is the first row. Then:
the first `quiz stats` (it builds the rollups), a warm one, `--since`, `quiz learners`,
`quiz class report`, `quiz due`, `quiz cards show`, a review that answers a card and
undoes the answer (each the median of `--runs` runs after a warm-up), and last, once,
the purge of a deck. Wall times depend on the machine and its load: compare rows of one
run, or two checkouts run in turn (this file in each), never a figure against a fixed
number.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from tests.bench import fixtures
from tests.bench.measure import median_of, run_once

COMMANDS: tuple[tuple[str, tuple[str, ...], bytes | None], ...] = (
    ("stats (rollups current)", ("stats",), None),
    ("stats --since", ("stats", "--since", "2026-05-01"), None),
    ("learners", ("learners",), None),
    ("class report", ("class", "report"), None),
    ("due", ("due", "--json"), None),
    ("cards show", ("cards", "show", "bench-00/card-500"), None),
    ("review: an answer, its undo", ("review", "--limit", "3"), b"3\nu\nq\n"),
)


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZ_")}
    env.update(
        QUIZ_DB=url,
        QUIZ_CONFIG=str(fixtures.config_file()),
        QUIZ_LEARNER=fixtures.LEARNER,
        QUIZ_BUNDLED="0",
        QUIZ_NOW=fixtures.NOW.isoformat(),
        COLUMNS="100",
    )
    return env


def measure(server_url: str, runs: int, log=print) -> list[tuple[str, float]]:  # type: ignore[no-untyped-def]
    """(row, seconds) for the copy and each command, on a database made on `server_url`."""
    from quiz.store.copy import copy_store
    from tests.pg import create_database, drop_database

    store = fixtures.big_store(log=log)
    url = create_database(server_url, prefix="quiz_bench")
    quiz = [sys.executable, "-m", "quiz"]
    out: list[tuple[str, float]] = []
    try:
        started = time.perf_counter()
        copy_store(str(store), url)
        out.append(("store copy of the 1M log", time.perf_counter() - started))
        env = _env(url)
        first = run_once([*quiz, "stats"], env)
        if first.exit_code != 0:
            raise RuntimeError(f"quiz stats exited {first.exit_code}")
        out.append(("stats (first: builds the rollups)", first.seconds))
        for name, args, stdin in COMMANDS:
            median, _peak, _ = median_of(
                runs, lambda a=args, s=stdin: run_once([*quiz, *a], env, stdin=s)
            )
            out.append((name, median))
            log(f"  {name}: {median * 1000:.0f} ms")
        # last: it deletes a tenth of the store (once; its packs go whole)
        purge = run_once([*quiz, "decks", "remove", "bench-03", "--purge", "--yes"], env)
        if purge.exit_code != 0:
            raise RuntimeError(f"quiz decks remove exited {purge.exit_code}")
        out.append(("decks remove --purge (10k cards, once)", purge.seconds))
    finally:
        drop_database(server_url, url)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="a PostgreSQL server URL (default: QUIZ_BENCH_PG_URL)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    from tests.pg import session_server_url

    server_url = args.pg or os.environ.get("QUIZ_BENCH_PG_URL")
    server = None
    if not server_url:
        server_url, why, server = session_server_url()
        if server_url is None:
            print(f"no PostgreSQL server: {why}", file=sys.stderr)
            return 2
    try:
        rows = measure(server_url, args.runs, lambda msg: print(msg, file=sys.stderr))
    finally:
        if server is not None:
            server.stop()
    for name, seconds in rows:
        print(f"{name:<36} {seconds * 1000:9.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
