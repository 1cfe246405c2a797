"""Benchmark: a traced run (`quiz run --trace`, `t` after an output card) against a
plain run of the same card, for every bundled output card, measured together.

    /work/venvs/learning/bin/python tests/bench/bench_trace.py [--rounds 3] [--deck ID]

Not part of the default test run (pyproject ignores tests/bench). Target (issue #16):
a trace costs at most 2x the plain run, card by card. Runs are interleaved (plain,
traced, plain, ...) on one sandbox so machine noise hits both alike; per card the
median of each is kept. Prints the totals, the ratio of the totals, the median and
worst per-card ratios, the cards over 2x, and the cards whose trace was cut.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from quiz.deck import find_deck_files, load_deck  # noqa: E402
from quiz.deck.variants import for_review  # noqa: E402
from quiz.model import CardKind  # noqa: E402
from quiz.sandbox import Sandbox, SandboxConfig, TraceBound  # noqa: E402
from quiz.trace import parse  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--deck", action="append", default=[])
    args = parser.parse_args()
    cards = []
    for file in find_deck_files([ROOT / "quiz" / "bundled_decks"]):
        deck = load_deck(file, allow_unrecorded=True)
        if args.deck and deck.id not in args.deck:
            continue
        # a card that varies runs as its first review shows it
        cards += [for_review(c, 0) for c in deck.cards if c.kind is CardKind.OUTPUT and c.code]
    box = Sandbox(SandboxConfig.from_env())
    box.run("pass")  # start the fork server / spare outside the measurement
    rows = []
    cut = []
    for card in cards:
        plain, traced = [], []
        for _ in range(args.rounds):
            start = time.perf_counter()
            box.run(card.code or "", timeout=card.timeout)
            plain.append(time.perf_counter() - start)
            start = time.perf_counter()
            result = box.run(card.code or "", timeout=card.timeout, trace=TraceBound())
            traced.append(time.perf_counter() - start)
        if parse(result.trace).cut_at is not None:
            cut.append(card.key)
        rows.append((card.key, statistics.median(plain), statistics.median(traced)))
    box.close()
    total_plain = sum(p for _, p, _ in rows)
    total_traced = sum(t for _, _, t in rows)
    ratios = sorted(((t / p, key, p, t) for key, p, t in rows), reverse=True)
    print(f"{len(rows)} output cards, {args.rounds} rounds each")
    print(
        f"total plain {total_plain:.2f} s, traced {total_traced:.2f} s, "
        f"ratio {total_traced / total_plain:.2f}x"
    )
    print(f"per card: median ratio {statistics.median(r for r, *_ in ratios):.2f}x")
    print("worst 10:")
    for ratio, key, p, t in ratios[:10]:
        print(f"  {ratio:5.2f}x  {key}  plain {p * 1000:.0f} ms  traced {t * 1000:.0f} ms")
    over = [key for ratio, key, *_ in ratios if ratio > 2]
    print(f"over 2x: {len(over)}" + (f" ({', '.join(over)})" if over else ""))
    print(f"trace cut at the bound: {len(cut)}" + (f" ({', '.join(cut)})" if cut else ""))


if __name__ == "__main__":
    main()
