"""Parent side: watch one running child until it ends, and say what happened.

Reads stdout, stderr and the child's report pipe concurrently (a selector; a flood of
output is drained and dropped past the cap, so it never blocks the child or bloats
quiz), enforces the wall clock (and, without a tmpfs working dir, the total disk use),
then kills the whole process group, reaps orphans (reaper) and turns streams and
report into a RunResult — the same way for a fresh child and for a run forked from a
fork server (`result_of`).
"""

from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field

from quiz.model import RunResult
from quiz.sandbox import reaper
from quiz.sandbox.config import SandboxConfig, SandboxError
from quiz.sandbox.layers import Layer, Plan, missing_notes

CHUNK = 65536
DRAIN_SECONDS = 0.5
DISK_POLL_SECONDS = 0.05
TRUNCATION_NOTICE = "\n[quiz: output truncated after {limit} bytes]\n"


def _du(path: str) -> int:
    total = 0
    stack = [path]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                for entry in it:
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    total += getattr(st, "st_blocks", 0) * 512 or st.st_size
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:
            continue
    return total


@dataclass
class Stream:
    """The first `limit` bytes of a stream, and how many were dropped after them."""

    limit: int
    data: bytearray = field(default_factory=bytearray)
    dropped: int = 0

    def feed(self, chunk: bytes) -> None:
        room = self.limit - len(self.data)
        if room > 0:
            self.data += chunk[:room]
        self.dropped += max(0, len(chunk) - max(room, 0))

    def text(self) -> str:
        out = self.data.decode("utf-8", "replace")
        if self.dropped:
            out += TRUNCATION_NOTICE.format(limit=self.limit)
        return out


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append("\n" if text[i + 1] == "n" else text[i + 1])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class Report:
    """What the child's bootstrap said on its report pipe."""

    layers: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    exception: str | None = None
    status: int | None = None  # the exit status the bootstrap announced
    fatal: str | None = None
    ready: bool = False
    trace: tuple[str, ...] = ()  # a traced run's events, one JSON object each


def parse_report(raw: bytes) -> Report:
    layers, notes, trace = [], [], []
    exception = fatal = None
    status = None
    ready = False
    for line in raw.decode("utf-8", "replace").splitlines():
        if not line:
            continue
        if line[0] == "T":  # trace events: JSON with every line break escaped, sent as is
            trace.append(line[1:])
            continue
        tag, text = line[0], _unescape(line[1:])
        if tag == "L":
            layers.append(text)
        elif tag == "N":
            notes.append(text)
        elif tag == "E":
            exception = text
        elif tag == "X":
            try:
                status = int(text)
            except ValueError:
                pass
        elif tag == "F":
            fatal = text
        elif tag == "R":
            ready = True
    return Report(tuple(layers), tuple(notes), exception, status, fatal, ready, tuple(trace))


@dataclass(frozen=True)
class Ending:
    """How a run ended, whoever watched it (this supervisor or a fork server)."""

    exit_code: int | None
    signal: int | None
    timed_out: bool
    timeout: float
    duration_ms: float
    disk_exceeded: bool = False
    pipes_held: bool = False
    exit_detail: str = "no report"  # said when the child never reported ready


def result_of(
    out: Stream,
    err: Stream,
    report: Report,
    ending: Ending,
    config: SandboxConfig,
    layers: tuple[Layer, ...],
) -> RunResult:
    """The RunResult of a run: its streams, the child's report and how it ended."""
    if report.fatal is not None:
        raise SandboxError(f"sandbox setup failed in the child: {report.fatal}")
    if not report.ready and not ending.timed_out:
        detail = err.text().strip().splitlines()
        raise SandboxError(
            "the sandbox child did not start: " + (detail[-1] if detail else ending.exit_detail)
        )
    notes = [*missing_notes(layers), *report.notes]
    exit_code, sig = ending.exit_code, ending.signal
    if ending.timed_out:
        notes.append(f"timed out after {ending.timeout:g}s: the process group was killed")
        exit_code, sig = None, signal.SIGKILL
    if ending.disk_exceeded:
        notes.append(f"wrote more than {config.disk_mb} MB: killed")
    if ending.pipes_held:
        notes.append("output pipes were still held open after the kill; stopped reading")
    truncated = bool(out.dropped or err.dropped)
    if truncated:
        notes.append(f"output over {config.output_limit} bytes per stream was dropped")
    return RunResult(
        stdout=out.text(),
        stderr=err.text(),
        exception=report.exception,
        exit_code=exit_code,
        signal=sig,
        timed_out=ending.timed_out,
        truncated=truncated,
        duration_ms=ending.duration_ms,
        notes=tuple(notes),
        trace=report.trace,
    )


@dataclass
class Child:
    """A started sandbox child and what the parent holds of it."""

    proc: subprocess.Popen[bytes]
    report_r: int
    code_w: int  # -1 once the code was handed over (or when it came in argv)
    host_dir: str
    done: bool = False

    def discard(self) -> None:
        if self.done:
            return
        self.done = True
        kill_group(self.proc)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        reaper.unregister(self.proc.pid)
        for fd in (self.report_r, self.code_w):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        reaper.sweep()
        shutil.rmtree(self.host_dir, ignore_errors=True)


def popen(
    argv: list[str], env: dict[str, str], cwd: str, fds: tuple[int, ...]
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=tuple(fd for fd in fds if fd >= 0),
        env=env,
        cwd=cwd,
        start_new_session=True,
    )


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass


def supervise(
    child: Child,
    *,
    started: float,
    timeout: float,
    plan: Plan,
    config: SandboxConfig,
    clock: Callable[[], float],
    layers: tuple[Layer, ...],
) -> RunResult:
    """Watch `child` until it exits, times out or writes too much; then kill its group
    and make the RunResult."""
    proc = child.proc
    out, err = Stream(config.output_limit), Stream(config.output_limit)
    side = bytearray()
    assert proc.stdout is not None and proc.stderr is not None
    sel = selectors.DefaultSelector()
    sinks: dict[int, Callable[[bytes], None]] = {
        proc.stdout.fileno(): out.feed,
        proc.stderr.fileno(): err.feed,
        child.report_r: side.extend,
    }
    for fd in sinks:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    pidfd = None
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(proc.pid)
            sel.register(pidfd, selectors.EVENT_READ)
        except OSError:
            pidfd = None
    watch_disk = not plan.tmpfs_workdir
    workdir = os.path.join(child.host_dir, "work")
    disk_cap = config.disk_mb << 20
    deadline = started + timeout
    timed_out = disk_exceeded = False
    last_du = started

    def pump(wait: float) -> None:
        for key, _ in sel.select(wait):
            fd = key.fd
            if fd == pidfd:
                continue
            try:
                chunk = os.read(fd, CHUNK)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if chunk:
                sinks[fd](chunk)
            else:
                sel.unregister(fd)

    try:
        while True:
            if proc.poll() is not None:
                break
            now = clock()
            if now >= deadline:
                timed_out = True
                break
            wait = deadline - now
            if pidfd is None:
                wait = min(wait, 0.01)
            if watch_disk:
                wait = min(wait, DISK_POLL_SECONDS)
                if now - last_du >= DISK_POLL_SECONDS:
                    last_du = now
                    if _du(workdir) > disk_cap:
                        disk_exceeded = True
                        break
            pump(wait)
        kill_group(proc)
        proc.wait()
        reaper.sweep()
        if watch_disk and _du(workdir) > disk_cap:
            disk_exceeded = True
        drain_until = clock() + DRAIN_SECONDS
        while len(sel.get_map()) > (1 if pidfd is not None else 0) and clock() < drain_until:
            if pidfd is not None and len(sel.get_map()) == 1:
                break
            pump(0.05)
        leftover = [key.fd for key in sel.get_map().values() if key.fd != pidfd]
    finally:
        sel.close()
        if pidfd is not None:
            os.close(pidfd)
    duration_ms = (clock() - started) * 1000.0
    report = parse_report(bytes(side))
    exit_code: int | None = proc.returncode
    sig: int | None = None
    if exit_code is not None and exit_code < 0:
        sig, exit_code = -exit_code, None
    elif plan.bwrap and exit_code is not None and exit_code > 128 and report.status != exit_code:
        sig, exit_code = exit_code - 128, None  # bubblewrap reports death by signal N as 128+N
    ending = Ending(
        exit_code=exit_code,
        signal=sig,
        timed_out=timed_out,
        timeout=timeout,
        duration_ms=duration_ms,
        disk_exceeded=disk_exceeded,
        pipes_held=bool(leftover),
        exit_detail=f"exit status {proc.returncode}",
    )
    return result_of(out, err, report, ending, config, layers)
