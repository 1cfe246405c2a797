"""Parent side: the processes a Sandbox keeps between runs, so that a run rarely waits
for an interpreter to start.

- `ServerPool`: under bubblewrap, fork servers (one hardened interpreter per hash seed,
  child/zygote.py; the parent's end is forkserver.py), at most a few idle per seed.
- `Spares`: otherwise, one child per (hash seed, CPU budget) already started and
  hardened, waiting for its snippet on a pipe, so its start-up overlaps the previous
  run or the learner's thinking time.

Both are safe to share between threads, and both are emptied by `close()`.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable

from quiz.sandbox import reaper
from quiz.sandbox.command import child_command
from quiz.sandbox.config import SandboxConfig, SandboxError
from quiz.sandbox.forkserver import ForkServer, ServerGone
from quiz.sandbox.layers import Plan
from quiz.sandbox.supervisor import Child, parse_report, popen

log = logging.getLogger(__name__)


def spawn(config: SandboxConfig, plan: Plan, key: tuple[int, int], code: str | None) -> Child:
    """Start a child; with `code=None` it hardens itself and waits for its snippet."""
    host_dir = tempfile.mkdtemp(prefix="quiz-run-")
    report_r, report_w = os.pipe()
    code_r = code_w = -1
    if code is None:
        code_r, code_w = os.pipe()
    try:
        argv, env, _ = child_command(config, plan, host_dir, code, key, report_w, code_r)
        with reaper.spawning():
            proc = popen(argv, env, host_dir, (report_w, code_r))
            reaper.register(proc.pid)
    except BaseException as exc:
        for fd in (report_r, code_w):
            if fd >= 0:
                os.close(fd)
        shutil.rmtree(host_dir, ignore_errors=True)
        if isinstance(exc, OSError):
            raise SandboxError(f"cannot start the sandbox: {exc}") from None
        raise
    finally:
        for fd in (report_w, code_r):
            if fd >= 0:
                os.close(fd)
    return Child(proc, report_r, code_w, host_dir)


class Spares:
    """One warm child per (hash seed, CPU budget)."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._spares: dict[tuple[int, int], Child | None] = {}
        self._lock = threading.Lock()
        self._closed = False

    def take(self, key: tuple[int, int]) -> Child | None:
        with self._lock:
            child = self._spares.pop(key, None)
        if child is not None and child.proc.poll() is not None:  # died while waiting
            child.discard()
            return None
        return child

    def add(self, plan: Plan, key: tuple[int, int]) -> None:
        with self._lock:
            if key in self._spares or self._closed:
                return
            self._spares[key] = None  # reserved while starting
        try:
            spare = spawn(self.config, plan, key, None)
        except SandboxError:
            with self._lock:
                self._spares.pop(key, None)
            return
        with self._lock:
            if self._closed:
                spare.discard()
            else:
                self._spares[key] = spare

    def close(self) -> None:
        with self._lock:
            self._closed = True
            spares = [c for c in self._spares.values() if c is not None]
            self._spares.clear()
        for child in spares:
            child.discard()


class ServerPool:
    """Fork servers by hash seed: taken for a run, given back afterwards."""

    def __init__(self, config: SandboxConfig, plan: Callable[[], Plan], clock: Callable[[], float]):
        self.config = config
        self._plan = plan
        self._clock = clock
        self._idle: dict[int, list[ForkServer]] = {}
        self._busy: set[ForkServer] = set()
        self._lock = threading.Lock()
        self._closed = False

    def pids(self) -> set[int]:
        """Processes the pool keeps between runs."""
        with self._lock:
            servers = [s for idle in self._idle.values() for s in idle] + list(self._busy)
        return {pid for server in servers for pid in server.pids()}

    def take(self, seed: int) -> ForkServer | None:
        """An idle server for `seed`, or a new one; None when none can start."""
        with self._lock:
            if self._closed:
                return None
            idle = self._idle.get(seed)
            if idle:
                server = idle.pop()
                self._busy.add(server)
                return server
        try:
            server = self._start(seed)
        except SandboxError as exc:
            log.info("no fork server for hash seed %d (runs start fresh): %s", seed, exc)
            return None
        with self._lock:
            if self._closed:
                server.close()
                return None
            self._busy.add(server)
        return server

    def give_back(self, server: ForkServer) -> None:
        with self._lock:
            self._busy.discard(server)
            idle = self._idle.setdefault(server.seed, [])
            if server.alive and not self._closed and len(idle) < max(2, os.cpu_count() or 1):
                idle.append(server)
                return
        if not server.alive:
            log.info("fork server %d retired (it could not reset itself, or died)", server.proc.pid)
        server.close()
        reaper.unregister(server.proc.pid)
        reaper.sweep()  # its namespace's init, adopted by us when bwrap died

    def _start(self, seed: int) -> ForkServer:
        plan = self._plan()
        request_r, request_w = os.pipe()
        response_r, response_w = os.pipe()
        try:
            argv, env, _ = child_command(
                self.config, plan, "/", None, (seed, 0), -1, -1, server=(request_r, response_w)
            )
            with reaper.spawning():
                proc = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    pass_fds=(request_r, response_w),
                    env=env,
                    cwd="/",
                    start_new_session=True,
                )
                reaper.register(proc.pid)
        except OSError as exc:
            os.close(request_w)
            os.close(response_r)
            raise SandboxError(f"cannot start the sandbox: {exc}") from None
        finally:
            os.close(request_r)
            os.close(response_w)
        server = ForkServer(proc, request_w, response_r, seed)
        try:
            hello = parse_report(server.await_hello(self._clock))
        except ServerGone as exc:
            server.close()
            reaper.unregister(proc.pid)
            raise SandboxError(str(exc)) from None
        if hello.fatal is not None:
            server.close()
            reaper.unregister(proc.pid)
            raise SandboxError(f"sandbox setup failed in the child: {hello.fatal}")
        return server

    def close(self) -> None:
        with self._lock:
            self._closed = True
            servers = [s for idle in self._idle.values() for s in idle]
            self._idle.clear()
        for server in servers:
            server.close()
            reaper.unregister(server.proc.pid)
        if servers:
            reaper.sweep()
