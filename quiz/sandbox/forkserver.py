"""Parent side of the fork server (the child side is zygote.py): one bubblewrap
sandbox per hash seed whose hardened interpreter forks a fresh process per run.

A run through a server costs a fork and the snippet, not a bwrap + interpreter
start, which is what lets `quiz check` run 100 cards x 3 seeds in
well under three seconds. Each run still gets a fresh process, an empty working
dir, /tmp and /dev/shm, and no process of an earlier run alive (zygote.py resets
the sandbox between runs and retires itself when it cannot).

A server that dies or garbles its answer is discarded and the caller runs the
snippet the classic way (a fresh sandbox); a server that stops answering is killed
and the run reported as timed out. Only the server and this process hold the pipes.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

HELLO_SECONDS = 10.0
GUARD_SECONDS = 0.9  # past the run's own timeout: the server's reset and drain
MAX_REQUEST = 60_000  # a request must fit in an empty pipe (64 KiB): writes never block


class ServerGone(Exception):
    """The server died, or answered something that is not a response."""


@dataclass(frozen=True)
class Response:
    kind: int  # 0: exit status `value`; 1: killed by signal `value`; 2: unknown
    value: int
    timed_out: bool
    clean: bool  # False: the server retired after this run
    stdout: bytes
    stderr: bytes
    out_dropped: int
    err_dropped: int
    report: bytes


class ForkServer:
    """One started server; used by one run at a time (the Sandbox's pool sees to it)."""

    def __init__(
        self, proc: subprocess.Popen[bytes], request_w: int, response_r: int, seed: int
    ) -> None:
        self.proc = proc
        self.request_w = request_w
        self.response_r = response_r
        self.seed = seed
        self.hello = b""
        self.seq = 0
        self.alive = True
        self._buf = bytearray()
        self._lock = threading.Lock()

    # -- protocol --------------------------------------------------------------------

    def _read_until(
        self, deadline: float, want: Callable[[bytearray], bool], clock: Callable[[], float]
    ) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self.response_r, selectors.EVENT_READ)
        try:
            while not want(self._buf):
                left = deadline - clock()
                if left <= 0:
                    raise TimeoutError
                if not sel.select(left):
                    continue
                chunk = os.read(self.response_r, 1 << 17)
                if not chunk:
                    raise ServerGone("the fork server exited")
                self._buf += chunk
        finally:
            sel.close()

    def read_response(
        self, deadline: float, clock: Callable[[], float] = time.monotonic
    ) -> tuple[int, Response]:
        self._read_until(deadline, lambda buf: b"\n" in buf, clock)
        head, _, _ = bytes(self._buf).partition(b"\n")
        fields = head.split()
        if len(fields) != 11 or fields[0] != b"Q" or not all(f.isdigit() for f in fields[1:]):
            raise ServerGone(f"the fork server sent a malformed response: {head[:80]!r}")
        seq, kind, value, timed_out, clean, out_dropped, err_dropped, n_out, n_err, n_rep = (
            int(f) for f in fields[1:]
        )
        start = len(head) + 1
        end = start + n_out + n_err + n_rep
        self._read_until(deadline, lambda buf: len(buf) >= end, clock)
        body = bytes(self._buf[start:end])
        del self._buf[:end]
        response = Response(
            kind,
            value,
            bool(timed_out),
            bool(clean),
            body[:n_out],
            body[n_out : n_out + n_err],
            out_dropped,
            err_dropped,
            body[n_out + n_err :],
        )
        return seq, response

    def await_hello(self, clock: Callable[[], float] = time.monotonic) -> bytes:
        """The server's hardening report; raises ServerGone when it did not start."""
        try:
            seq, hello = self.read_response(clock() + HELLO_SECONDS, clock)
        except TimeoutError:
            raise ServerGone("the fork server did not start in time") from None
        if seq != 0:
            raise ServerGone("the fork server's first message was not its hello")
        self.hello = hello.report
        return hello.report

    def run(
        self,
        code: str,
        timeout: float,
        cpu: int,
        output_limit: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> Response | None:
        """Run one snippet. None when the server stopped answering (it is then
        killed); ServerGone when it died or garbled its answer."""
        with self._lock:
            payload = code.encode("utf-8", "surrogatepass")
            if len(payload) > MAX_REQUEST:
                raise ValueError("snippet too large for the fork server")
            self.seq += 1
            head = f"{self.seq} {max(1, int(timeout * 1000))} {cpu} {output_limit} {len(payload)}\n".encode()
            try:
                os.write(self.request_w, head + payload)
            except OSError as exc:
                self.alive = False
                raise ServerGone(f"cannot reach the fork server: {exc}") from None
            deadline = clock() + timeout + GUARD_SECONDS
            try:
                seq, response = self.read_response(deadline, clock)
            except TimeoutError:
                self.alive = False
                return None
            except ServerGone:
                self.alive = False
                raise
            if seq != self.seq:
                self.alive = False
                raise ServerGone(f"the fork server answered request {seq}, not {self.seq}")
            if not response.clean:
                self.alive = False
            return response

    # -- life ------------------------------------------------------------------------

    def pids(self) -> set[int]:
        """This server's processes as seen from here: bwrap, the namespace's init and
        the server itself (not what a run left behind: the server kills that)."""
        found = {self.proc.pid}
        stack = [self.proc.pid]
        while stack:
            pid = stack.pop()
            for child in _children(pid):
                inner = _innermost_pid(child)
                if (inner is not None and inner <= 2) or child == self.proc.pid:
                    found.add(child)
                    stack.append(child)
        return found

    def close(self) -> None:
        self.alive = False
        for fd in (self.request_w, self.response_r):
            try:
                os.close(fd)
            except OSError:
                pass
        self.request_w = self.response_r = -1
        try:
            os.killpg(self.proc.pid, 9)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.kill()
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out += [int(p) for p in fh.read().split()]
        except (OSError, ValueError):
            continue
    return out


def _innermost_pid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("NSpid:"):
                    return int(line.split()[-1])
    except (OSError, ValueError):
        return None
    return None
