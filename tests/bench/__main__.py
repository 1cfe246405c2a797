"""Run the benchmark suite and print a table of medians, ratios and peak memory.

    python -m tests.bench                 # everything (builds the fixtures once, ~1 min)
    python -m tests.bench --runs 11       # more runs per command
    python -m tests.bench --only due,help # a subset, by name
    python -m tests.bench --json out.json # also write the rows as JSON
    python -m tests.bench --only versus   # quiz beside Anki, step by step (tests/bench/versus.py)

Not part of `pytest` (pyproject's addopts ignore tests/bench): timings depend on the
machine and its load, so they are measured and reported here, never asserted in tests.
Other `tests/bench/bench_*.py` modules that define `bench(ctx) -> list[Row]` are run too.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from dataclasses import asdict
from pathlib import Path

from tests.bench import bench_cli, bench_session, fixtures, measure
from tests.bench.measure import Row

MINE = {"bench_cli", "bench_session", "bench_learning"}


def _fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def table(rows: list[Row]) -> str:
    head = ("benchmark", "target", "median", "x python -c pass", "peak MB", "", "note")
    body = [
        (
            r.name,
            r.target,
            _fmt_time(r.median_s),
            f"{r.ratio:.1f}x" if r.ratio else "-",
            f"{r.peak_mb:.0f}" if r.peak_mb else "-",
            r.verdict,
            r.note,
        )
        for r in rows
    ]
    widths = [max(len(str(line[i])) for line in [head, *body]) for i in range(len(head))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=False)).rstrip()
        for line in [head, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def others() -> list[str]:
    here = Path(__file__).parent
    return sorted(p.stem for p in here.glob("bench_*.py") if p.stem not in MINE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--runs", type=int, default=7, help="runs per whole-process benchmark (median)"
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated: baseline,help,due,decks,cards,review,answer,"
        "import,authoring,stats,learning,versus, or another bench module's name",
    )
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    args = parser.parse_args(argv)
    only = {w.strip() for w in args.only.split(",") if w.strip()}

    def wanted(name: str) -> bool:
        return not only or name in only

    measure.start_launcher()  # before this process grows (see measure.py)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    ctx = bench_cli.Context(args.runs, log)
    rows: list[Row] = []
    scripts: list[str] = []
    try:
        rows.append(bench_cli.bench_baseline(ctx))
        if wanted("help"):
            rows.extend(bench_cli.bench_help(ctx))
        needs_store = {"due", "decks", "cards", "review", "answer", "stats", "import"}
        store = fixtures.big_store(log=log) if (not only or only & needs_store) else None
        if store is not None:
            log(f"store: {store}")
            if wanted("due"):
                rows.extend(bench_cli.bench_due(ctx, store))
            if wanted("decks"):
                rows.append(bench_cli.bench_decks(ctx, store))
            if wanted("cards"):
                rows.extend(bench_cli.bench_cards(ctx, store))
            if wanted("review"):
                rows.append(bench_cli.bench_review_first_card(ctx, store))
            if wanted("answer"):
                rows.append(bench_session.bench_answer_next(ctx, store))
            if wanted("stats"):
                rows.append(bench_cli.bench_stats(ctx, store))
        if wanted("import"):
            rows.extend(bench_cli.bench_import(ctx, fixtures.big_deck(), store))
        if wanted("authoring"):
            rows.extend(bench_cli.bench_authoring(ctx, fixtures.big_deck()))
        for name in others():
            if wanted(name) or (not only):
                module = importlib.import_module(f"tests.bench.{name}")
                if hasattr(module, "bench"):
                    rows.extend(module.bench(ctx))
                else:
                    scripts.append(f"python -m tests.bench.{name}")
        pairs = None
        if wanted("versus"):
            from tests.bench import versus

            pairs = versus.run(ctx, log)
        learning = None
        if wanted("learning"):
            from tests.bench import bench_learning

            learning = bench_learning.run(log)
    finally:
        ctx.close()
        measure.stop_launcher()
    print(table(rows))
    if pairs is not None:
        from tests.bench import versus

        print("\nquiz beside Anki (medians of whole processes; tests/bench/versus.py)")
        print(versus.table(pairs))
    if scripts:
        print("\nRun on their own (their own tables): " + "; ".join(scripts))
    if learning is not None:
        print()
        print(learning.text)
    if args.json:
        data = {
            "rows": [asdict(r) for r in rows],
            "versus": [asdict(p) for p in pairs] if pairs else None,
            "learning": learning.data if learning else None,
        }
        args.json.write_text(json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
