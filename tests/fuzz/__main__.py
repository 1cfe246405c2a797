"""The long fuzz run, on demand: `python -m tests.fuzz --inputs 1000000`.

    python -m tests.fuzz --deck 1000000 --table 100000 --config 100000 --matcher 100000
    python -m tests.fuzz --inputs 20000 --targets deck --seed 7 --out /tmp/fuzz-failures

Targets run one after the other in ONE worker process (the machine is shared), which
this process watches: input N of target T is made from (seed, T, N) alone, so the
worker only publishes the number of the input it is on. When that number stops moving
for `--timeout` seconds the input hangs: the worker is killed, the input is made again
here and saved, and a new worker goes on from the next input.

Each failing input is saved under `--out/<target>/` (the input file, and a `.txt` with
the violation), at most `--keep` per kind of failure; the summary gives inputs tried,
outcomes, failures by kind, hangs and inputs/s per target, and the exit status is 1
when anything failed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tests.fuzz import contract, inputs

TARGETS = ("deck", "table", "config", "matcher")
OUTCOMES = ("ok", "refused", "refused-after-convert", "failed")


def make_input(target: str, seed: int, index: int) -> Any:
    rng = random.Random(f"{seed}:{target}:{index}")
    if target == "deck":
        return inputs.deck_input(rng), rng.random() < 0.2
    if target == "table":
        return inputs.table_input(rng)
    if target == "config":
        return inputs.config_input(rng)
    return inputs.matcher_input(rng)


def input_bytes(target: str, value: Any) -> tuple[bytes, str]:
    """The input as a file to save, and that file's suffix."""
    if target == "deck":
        return value[0], ".yaml"
    if target == "table":
        return value[0], value[1]
    if target == "config":
        return value, ".toml"
    return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8", "surrogatepass"), ".json"


def run_one(target: str, value: Any, folder: contract.TableFolder) -> str:
    if target == "deck":
        return contract.check_deck(value[0], allow_unrecorded=value[1])
    if target == "table":
        return contract.check_table(value[0], value[1], folder)
    if target == "config":
        return contract.check_config(value, folder)
    return contract.check_matcher(value)


def _worker(
    target: str, seed: int, start: int, stop: int, current: Any, counts: Any, failures: Any
) -> None:
    folder = contract.TableFolder()
    try:
        for index in range(start, stop):
            current.value = index
            value = make_input(target, seed, index)
            try:
                outcome = run_one(target, value, folder)
            except contract.Violation as exc:
                failures.put((index, exc.kind, exc.detail))
                outcome = "failed"
            counts[OUTCOMES.index(outcome)] += 1
        current.value = stop
    finally:
        folder.close()


def _slug(kind: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", kind).strip("-")[:60] or "failure"


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.out = Path(args.out)
        self.kinds: dict[str, Counter[str]] = {t: Counter() for t in TARGETS}
        self.first: dict[tuple[str, str], str] = {}

    def save(self, target: str, index: int, kind: str, detail: str) -> None:
        self.kinds[target][kind] += 1
        if self.kinds[target][kind] > self.args.keep:
            return
        data, suffix = input_bytes(target, make_input(target, self.args.seed, index))
        folder = self.out / target
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{_slug(kind)}-{index}"
        (folder / f"{stem}{suffix}").write_bytes(data)
        note = f"target: {target}\nseed: {self.args.seed}\ninput: {index}\n{kind}\n{detail}\n"
        (folder / f"{stem}.txt").write_text(note, encoding="utf-8", errors="replace")
        self.first.setdefault((target, kind), str(folder / f"{stem}{suffix}"))
        print(f"  FAIL {target} #{index}: {kind}: {detail[:160]!r}", flush=True)

    def target(self, target: str, total: int) -> dict[str, Any]:
        ctx = mp.get_context("fork")
        counts = ctx.Array("q", len(OUTCOMES), lock=False)
        current = ctx.Value("q", 0, lock=False)
        failures = ctx.Queue()
        began = time.monotonic()
        next_report = began + self.args.report_every
        hangs = 0
        start = 0
        while start < total:
            current.value = start
            proc = ctx.Process(
                target=_worker,
                args=(target, self.args.seed, start, total, current, counts, failures),
                daemon=True,
            )
            proc.start()
            seen, since = current.value, time.monotonic()
            hung = False
            while proc.is_alive():
                proc.join(0.25)
                self._drain(target, failures)
                now = time.monotonic()
                if current.value != seen:
                    seen, since = current.value, now
                elif now - since > self.args.timeout:
                    proc.kill()
                    proc.join()
                    hung = True
                    hangs += 1
                    counts[OUTCOMES.index("failed")] += 1
                    self.save(target, seen, f"hang (over {self.args.timeout:g} s)", "")
                if now >= next_report:
                    next_report = now + self.args.report_every
                    self._progress(target, total, counts, began)
            self._drain(target, failures)
            if proc.exitcode == 0:
                break
            if not hung:  # the worker died on its own (a crash in C code, the OOM killer)
                counts[OUTCOMES.index("failed")] += 1
                self.save(target, current.value, f"worker died (exit {proc.exitcode})", "")
            start = current.value + 1
        elapsed = time.monotonic() - began
        tried = sum(counts)
        summary = {
            "target": target,
            "inputs": tried,
            "outcomes": dict(zip(OUTCOMES, list(counts), strict=True)),
            "failures": counts[OUTCOMES.index("failed")],
            "hangs": hangs,
            "failure_kinds": dict(self.kinds[target]),
            "seconds": round(elapsed, 1),
            "inputs_per_second": round(tried / elapsed, 1) if elapsed else None,
        }
        self._progress(target, total, counts, began)
        return summary

    def _drain(self, target: str, failures: Any) -> None:
        while True:
            try:
                index, kind, detail = failures.get_nowait()
            except Exception:
                return
            self.save(target, index, kind, detail)

    def _progress(self, target: str, total: int, counts: Any, began: float) -> None:
        tried = sum(counts)
        elapsed = max(time.monotonic() - began, 1e-9)
        print(
            f"{target}: {tried}/{total} inputs, {counts[OUTCOMES.index('failed')]} failures, "
            f"{tried / elapsed:.0f} inputs/s, {elapsed:.0f} s",
            flush=True,
        )


def _preload() -> None:
    """Import every parser here, once: workers are forked from this process, so they
    start warm, and a run tests the code as it was when the run began (not files
    edited while it runs)."""
    import quiz.authoring.csv_import
    import quiz.clock
    import quiz.config
    import quiz.deck.loader
    import quiz.grading
    import quiz.scheduler  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fuzz", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--inputs", type=int, default=10000, help="inputs per target (default)")
    for target in TARGETS:
        parser.add_argument(f"--{target}", type=int, default=None, help=f"inputs for {target}")
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated subset")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per input")
    parser.add_argument("--out", default="fuzz-failures", help="folder for failing inputs")
    parser.add_argument("--keep", type=int, default=20, help="inputs saved per failure kind")
    parser.add_argument("--report-every", type=float, default=60.0, help="seconds")
    args = parser.parse_args(argv)
    chosen = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = [t for t in chosen if t not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s): {', '.join(unknown)}")
    _preload()
    run = Run(args)
    summaries = []
    print(f"fuzz: seed {args.seed}, timeout {args.timeout:g} s per input, failures to {args.out}")
    for target in chosen:
        total = getattr(args, target) if getattr(args, target) is not None else args.inputs
        summaries.append(run.target(target, total))
    print()
    print(
        f"{'target':8} {'inputs':>9} {'ok':>8} {'refused':>9} {'failures':>8} {'hangs':>5} {'inputs/s':>9} {'seconds':>8}"
    )
    for s in summaries:
        refused = s["outcomes"]["refused"] + s["outcomes"]["refused-after-convert"]
        print(
            f"{s['target']:8} {s['inputs']:>9} {s['outcomes']['ok']:>8} {refused:>9} "
            f"{s['failures']:>8} {s['hangs']:>5} {s['inputs_per_second']:>9} {s['seconds']:>8}"
        )
        for kind, n in sorted(s["failure_kinds"].items(), key=lambda kv: -kv[1]):
            print(f"    {n:>7} x {kind}   e.g. {run.first.get((s['target'], kind), '')}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(
        json.dumps({"seed": args.seed, "targets": summaries}, indent=1)
    )
    return 1 if any(s["failures"] for s in summaries) else 0


if __name__ == "__main__":
    sys.exit(main())
