"""Benchmark: one sandbox run against a bare interpreter start, measured together.

    /work/venv/bin/python tests/bench/bench_sandbox.py [--runs 40] [--cards 100] [--no-bwrap]

Not part of the default test run (pyproject ignores tests/bench). Prints medians:

- bare: `python -I -S -c pass` (the yardstick; target: a run <= 2.5x this)
- server: Sandbox.run('print(1)') forked from the fork server (the default under
  bubblewrap; without it, the same as warm)
- warm: a fresh interpreter per run with the pre-started spare (the default without
  bubblewrap), measured the way a learner meets it — each run starts after the
  previous one ended and a bare start's worth of time (the spare starts while the
  learner reads)
- cold: a fresh interpreter with prestart off: every run pays bwrap + interpreter start
- and `quiz check` of N generated output cards (3 runs each: hash seeds 0, 1, 2).

Runs are interleaved (bare, warm, cold, bare, ...) so machine noise hits all alike.
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

from quiz.sandbox import Sandbox, SandboxConfig  # noqa: E402


def bare(python: str) -> float:
    start = time.perf_counter()
    subprocess.run([python, "-I", "-S", "-c", "pass"], check=True)
    return time.perf_counter() - start


def timed(box: Sandbox) -> float:
    start = time.perf_counter()
    result = box.run("print(1)")
    elapsed = time.perf_counter() - start
    assert result.stdout == "1\n", result
    return elapsed


def check_deck(cards: int, folder: Path) -> Path:
    lines = ["deck: bench", "title: Bench", "cards:"]
    for i in range(cards):
        lines += [
            f"  - id: c{i}",
            "    type: output",
            "    code: |",
            f"      print(sorted({{{i}, -1, -2}}))",
            f'    output: "{sorted({i, -1, -2})}\\n"',
        ]
    path = folder / "bench.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--cards", type=int, default=100)
    parser.add_argument("--no-bwrap", action="store_true")
    args = parser.parse_args()
    bw = not args.no_bwrap
    boxes = {
        "server": Sandbox(SandboxConfig.from_env(bwrap=bw, fork_server=True)),
        "warm": Sandbox(SandboxConfig.from_env(bwrap=bw, fork_server=False)),
        "cold": Sandbox(SandboxConfig.from_env(bwrap=bw, fork_server=False, prestart=False)),
    }
    python = boxes["server"].plan.interpreter.executable
    layers = [layer.name for layer in boxes["server"].layers() if layer.active]
    for box in boxes.values():
        timed(box)  # warm caches, start the server and the spare
    bare(python)
    samples: dict[str, list[float]] = {"bare": [], **{k: [] for k in boxes}}
    for _ in range(args.runs):
        samples["bare"].append(bare(python))
        for key, box in boxes.items():
            samples[key].append(timed(box))
            bare(python)  # the spare starts while "the learner reads"
    for box in boxes.values():
        box.close()
    med = {k: statistics.median(v) * 1000 for k, v in samples.items()}
    print(f"python {python}; active layers: {', '.join(layers)}")
    print(f"{'what':<44}{'median ms':>10}{'min ms':>9}{'ratio':>8}")
    labels = {
        "bare": "bare start (python -I -S -c pass)",
        "server": "sandbox run, fork server (default, bwrap)",
        "warm": "sandbox run, fresh interpreter, warm spare",
        "cold": "sandbox run, fresh interpreter, cold",
    }
    for key, label in labels.items():
        print(
            f"{label:<44}{med[key]:>10.1f}{min(samples[key]) * 1000:>9.1f}{med[key] / med['bare']:>8.2f}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        deck = check_deck(args.cards, Path(tmp))
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        if args.no_bwrap:
            env["QUIZ_SANDBOX_NO_BWRAP"] = "1"
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "quiz", "check", str(deck)],
            capture_output=True,
            text=True,
            env=env,
        )
        took = time.perf_counter() - start
        print(
            f"quiz check, {args.cards} output cards ({3 * args.cards} runs), {os.cpu_count()} cores: {took:.2f} s "
            f"(exit {done.returncode}: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ''})"
        )


if __name__ == "__main__":
    main()
