"""Timing whole processes: wall time to exit (or to a marker on stdout) and peak memory.

Each child is reaped with `os.wait4`, whose rusage is that child's own, so the peak
resident set size (ru_maxrss) belongs to the measured command alone.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_mb: float
    exit_code: int


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    name: str
    target: str  # e.g. "<= 100 ms"
    median_s: float | None
    peak_mb: float | None = None
    limit_s: float | None = None
    ratio: float | None = None  # to `python -c pass` measured in the same run
    note: str = ""
    runs: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        if self.median_s is None:
            return "n/a"
        ok = self.limit_s is None or self.median_s <= self.limit_s
        mem_ok = self.peak_mb is None or self.peak_mb <= 200
        return "ok" if ok and mem_ok else "MISS"


def run_once(argv: Sequence[str], env: dict[str, str], *, stdin: bytes | None = None,
             until: bytes | None = None, then: bytes = b"", cwd: str | None = None) -> Sample:
    """Run `argv`; time to exit, or (with `until`) to the first stdout bytes containing it.

    With `until`, `then` is written to stdin once the marker is seen (e.g. "q" to quit a
    session), and the process is left to finish before the next run.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    elapsed: float | None = None
    assert proc.stdin and proc.stdout and proc.stderr
    if until is None:
        if stdin:
            proc.stdin.write(stdin)
        proc.stdin.close()
        out = proc.stdout.read()
        err = proc.stderr.read()
    else:
        seen = b""
        fd = proc.stdout.fileno()
        while until not in seen:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            seen += chunk
        elapsed = time.perf_counter() - started
        try:
            proc.stdin.write(then)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        out = seen + proc.stdout.read()
        err = proc.stderr.read()
        if until not in seen:
            elapsed = None
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    total = time.perf_counter() - started
    if proc.returncode != 0 or (until is not None and elapsed is None):
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}):\n{out.decode()[-2000:]}"
                           f"\n{err.decode()[-2000:]}")
    return Sample(seconds=elapsed if elapsed is not None else total, peak_mb=usage.ru_maxrss / 1024,
                  exit_code=proc.returncode)


def median_of(runs: int, once: Callable[[], Sample], warmup: int = 1) -> tuple[float, float, list[float]]:
    """Median seconds, peak MB (max over runs), and every run's seconds."""
    for _ in range(warmup):
        once()
    samples = [once() for _ in range(runs)]
    times = [s.seconds for s in samples]
    return statistics.median(times), max(s.peak_mb for s in samples), times
