"""Benchmark: a card that varies against a fixed card, as a learner meets them.

    /work/venvs/variants/bin/python tests/bench/bench_variants.py [--runs 7]

Not part of the default test run (pyproject ignores tests/bench). Target (issue #16):
the first variant of a card appears as fast as a fixed card. Two one-card decks with
the same snippet, one fixed (`n = 4` written in) and one with `vary: {n: {range: [2,
6]}}`, each in its own store; `quiz review` runs piped, and the time is taken from the
start of the process to the question on stdout and to the verdict (after the sandbox
ran the snippet). Runs alternate fixed, varying, fixed, ... so machine noise hits both
alike; medians are printed. Also the in-process cost of choosing and substituting one
variant (quiz.deck.variants.for_review) for every bundled card that varies.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from quiz.deck import find_deck_files, load_deck  # noqa: E402
from quiz.deck.variants import for_review  # noqa: E402

FIXED = """\
deck: bench
title: Bench
cards:
  - id: size
    type: output
    code: |
      xs = [0] * 4
      print(len(xs) * 10)
    output: "40\\n"
"""
VARYING = """\
deck: bench
title: Bench
cards:
  - id: size
    type: output
    code: |
      xs = [0] * {{n}}
      print(len(xs) * 10)
    vary:
      n: {range: [2, 6]}
"""


def quiz() -> str:
    here = Path(sys.executable).parent / "quiz"
    return str(here) if here.exists() else "quiz"


def prepare(folder: Path, name: str, text: str) -> dict[str, str]:
    deck = folder / f"{name}.yaml"
    deck.write_text(text)
    config = folder / f"{name}.toml"
    config.write_text('timezone = "UTC"\nfuzz = false\n')
    env = {
        **os.environ,
        "QUIZ_DB": str(folder / f"{name}.db"),
        "QUIZ_CONFIG": str(config),
        "QUIZ_BUNDLED": "0",
        "QUIZ_NOW": "2026-03-01T09:00:00+00:00",
        "PYTHONUNBUFFERED": "1",  # the question reaches the pipe before quiz waits for input
    }
    subprocess.run([quiz(), "import", str(deck)], env=env, check=True, capture_output=True)
    return env


def one_review(env: dict[str, str]) -> tuple[float, float]:
    """(seconds to the question, seconds to the verdict) of a piped `quiz review`."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [quiz(), "review"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert proc.stdin and proc.stdout
    seen = b""
    question = verdict = 0.0
    while True:
        chunk = proc.stdout.read1(65536)  # type: ignore[attr-defined]  # a BufferedReader
        if not chunk:
            break
        seen += chunk
        if not question and b"xs = [0] * " in seen:
            question = time.perf_counter() - started
            proc.stdin.write(b"0\n\n")
            proc.stdin.close()
        if question and not verdict and b"real output" in seen:
            verdict = time.perf_counter() - started
    proc.wait()
    return question, verdict


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    cards = [
        c
        for file in find_deck_files([ROOT / "quiz" / "bundled_decks"])
        for c in load_deck(file).cards
        if c.vary is not None
    ]
    costs = []
    for card in cards:
        started = time.perf_counter()
        for reps in range(200):
            for_review(card, reps)
        costs.append((time.perf_counter() - started) / 200)
    print(
        f"choosing and substituting a variant: median {statistics.median(costs) * 1e6:.0f} µs, "
        f"worst {max(costs) * 1e6:.0f} µs ({len(cards)} bundled cards that vary)"
    )

    decks = {"fixed": FIXED, "varying": VARYING}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in decks}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for run in range(args.runs + 1):  # run 0 warms the page cache and the pyc files
            for name, text in decks.items():
                # a fresh store each time: the card is new, as on its first review
                measured = one_review(prepare(folder, f"{name}{run}", text))
                if run:
                    times[name].append(measured)
    for name, rows in times.items():
        q = statistics.median(r[0] for r in rows)
        v = statistics.median(r[1] for r in rows)
        print(
            f"{name:8} question {q * 1000:6.0f} ms   verdict {v * 1000:6.0f} ms   ({args.runs} runs)"
        )
    ratio = statistics.median(r[0] for r in times["varying"]) / statistics.median(
        r[0] for r in times["fixed"]
    )
    print(f"first variant / fixed card, time to the question: {ratio:.2f}x")


if __name__ == "__main__":
    main()
