"""Timing whole processes: wall time to exit (or to a marker on stdout) and peak memory.

Each child is reaped with `os.wait4`, whose rusage is that child's own. Linux counts a
child's peak resident size from the moment it is forked, when it still shares its
parent's pages, so a parent that has grown (fixtures built, a store opened in process)
would inflate every figure. The commands are therefore started by a small launcher
process (this module run as a script), started before the benchmark process grows, and
which never holds a child's output (it keeps the tail an error message shows): a peak of
its own, from a command that printed megabytes, would be counted in every later child's.
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
    cpu_seconds: float = (
        0.0  # the child's user + system time (steadier than wall on a busy machine)
    )


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


def _run_here(
    argv: Sequence[str],
    env: dict[str, str],
    *,
    stdin: bytes | None = None,
    until: bytes | None = None,
    then: bytes = b"",
    cwd: str | None = None,
) -> Sample:
    """Run `argv`; time to exit, or (with `until`) to the first stdout bytes containing it.

    With `until`, `then` is written to stdin once the marker is seen (e.g. "q" to quit a
    session), and the process is left to finish before the next run.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        env=env,
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    elapsed: float | None = None
    assert proc.stdin and proc.stdout and proc.stderr
    if until is None:
        if stdin:
            proc.stdin.write(stdin)
        proc.stdin.close()
        out = b""
    else:
        seen = b""
        fd = proc.stdout.fileno()
        while until not in seen:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            seen = (seen + chunk)[-_TAIL:]
        elapsed = time.perf_counter() - started
        try:
            proc.stdin.write(then)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        out = seen
        if until not in seen:
            elapsed = None
    out, err = _tails(proc, out)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    total = time.perf_counter() - started
    if proc.returncode != 0 or (until is not None and elapsed is None):
        raise RuntimeError(
            f"{' '.join(argv)} failed ({proc.returncode}):\n{out.decode(errors='replace')[-2000:]}"
            f"\n{err.decode(errors='replace')[-2000:]}"
        )
    return Sample(
        seconds=elapsed if elapsed is not None else total,
        peak_mb=usage.ru_maxrss / 1024,
        exit_code=proc.returncode,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
    )


_TAIL = 4096  # what an error message shows of a failed command's output


def _tails(proc: subprocess.Popen[bytes], out: bytes) -> tuple[bytes, bytes]:
    """The rest of the child's stdout and stderr read as it writes them (both at once: a
    child blocked on a full stderr pipe would never finish its stdout), only their ends
    kept."""
    import selectors

    assert proc.stdout and proc.stderr
    tails = {proc.stdout.fileno(): out, proc.stderr.fileno(): b""}
    with selectors.DefaultSelector() as sel:
        for fd in tails:
            sel.register(fd, selectors.EVENT_READ)
        while sel.get_map():
            for key, _ in sel.select():
                chunk = os.read(key.fd, 65536)
                if chunk:
                    tails[key.fd] = (tails[key.fd] + chunk)[-_TAIL:]
                else:
                    sel.unregister(key.fd)
    return tails[proc.stdout.fileno()], tails[proc.stderr.fileno()]


class Launcher:
    """A small child process that runs commands for us and reports their Samples."""

    def __init__(self) -> None:
        import sys
        from pathlib import Path

        root = Path(__file__).resolve().parents[2]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.measure"],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(
        self,
        argv: Sequence[str],
        env: dict[str, str],
        *,
        stdin: bytes | None = None,
        until: bytes | None = None,
        then: bytes = b"",
        cwd: str | None = None,
    ) -> Sample:
        import json

        assert self.proc.stdin and self.proc.stdout
        request = {
            "argv": list(argv),
            "env": env,
            "cwd": cwd,
            "stdin": _enc(stdin),
            "until": _enc(until),
            "then": _enc(then),
        }
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return Sample(**reply)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)


def _enc(data: bytes | None) -> str | None:
    import base64

    return None if data is None else base64.b64encode(data).decode()


def _dec(text: str | None) -> bytes | None:
    import base64

    return None if text is None else base64.b64decode(text)


_launcher: Launcher | None = None


def start_launcher() -> None:
    """Start the launcher now, while this process is still small."""
    global _launcher
    if _launcher is None:
        _launcher = Launcher()


def stop_launcher() -> None:
    global _launcher
    if _launcher is not None:
        _launcher.close()
        _launcher = None


def run_once(
    argv: Sequence[str],
    env: dict[str, str],
    *,
    stdin: bytes | None = None,
    until: bytes | None = None,
    then: bytes = b"",
    cwd: str | None = None,
) -> Sample:
    """Run `argv` through the launcher; time to exit, or (with `until`) to the first stdout
    bytes containing it (then `then` is written to its stdin)."""
    start_launcher()
    assert _launcher is not None
    return _launcher.run(argv, env, stdin=stdin, until=until, then=then, cwd=cwd)


def _serve() -> None:
    import json
    import sys
    from dataclasses import asdict

    for line in sys.stdin:
        request = json.loads(line)
        try:
            sample = _run_here(
                request["argv"],
                request["env"],
                stdin=_dec(request["stdin"]),
                until=_dec(request["until"]),
                then=_dec(request["then"]) or b"",
                cwd=request["cwd"],
            )
            reply = asdict(sample)
        except Exception as exc:  # reported to the benchmark, which shows it as a row
            reply = {"error": str(exc)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def median_of(
    runs: int, once: Callable[[], Sample], warmup: int = 1
) -> tuple[float, float, list[float]]:
    """Median seconds, peak MB (max over runs), and every run's seconds."""
    for _ in range(warmup):
        once()
    samples = [once() for _ in range(runs)]
    times = [s.seconds for s in samples]
    return statistics.median(times), max(s.peak_mb for s in samples), times


if __name__ == "__main__":
    _serve()
