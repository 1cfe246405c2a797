"""Parent side: `Sandbox`, the one object the rest of quiz runs snippets through.

The parent stays cheap — no preexec_fn (so CPython can use vfork), no imports of its
own in the hot path — because one run must cost little more than a bare interpreter
start. Per run it:

1. takes a fork server (under bubblewrap) or a warm spare or starts a fresh child
   (pool.py), built from the machine's Plan by command.py: a fresh temp working dir,
   its own session, stdin /dev/null, a minimal explicit environment and a side-channel
   pipe for the child's report (layers installed, the exception, exit status);
2. hands it the snippet and watches it (supervisor.py) until it ends or its time is up;
3. kills the whole process group, reaps orphans (reaper.py), removes the temp dir,
   and returns a RunResult.
"""

from __future__ import annotations

import atexit
import os
import signal
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from quiz.model import RunResult
from quiz.sandbox.command import ensure_bytecode
from quiz.sandbox.config import MAX_CODE_BYTES, SandboxConfig, SandboxError
from quiz.sandbox.forkserver import MAX_REQUEST, ServerGone
from quiz.sandbox.layers import Layer, Plan, make_plan, missing_notes, report
from quiz.sandbox.pool import ServerPool, Spares, spawn
from quiz.sandbox.supervisor import Child, Ending, Stream, parse_report, result_of, supervise

SPARE_MAX_CODE = 60_000
MAX_TRACE_BYTES = 200_000  # under the fork server's 256 KiB report cap, with room to spare  # larger snippets go in argv: a pipe holds 64 KiB unread


@dataclass(frozen=True)
class TraceBound:
    """How much a traced run may record: the trace has to fit the report pipe's cap
    (256 KiB on a fork server), a screen a learner can page through (Python Tutor
    stops at 1000 steps too), and cost no more than the plain run again."""

    max_steps: int = 1000
    max_bytes: int = 120_000


_live: weakref.WeakSet[Sandbox] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for box in list(_live):
        box.close()


class Sandbox:
    """Runs snippets under one SandboxConfig; safe to share between threads.

    Under bubblewrap (and `fork_server`, the default) runs are forked from a fork
    server per hash seed. Otherwise, with `prestart` (the default) it keeps one warm
    spare child per (hash seed, CPU budget): a fresh interpreter per run still, but its
    start-up overlaps the previous run or the learner's thinking time.
    """

    def __init__(
        self, config: SandboxConfig | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config or SandboxConfig.from_env()
        self._clock = clock
        self._plan: Plan | None = None
        self._plan_lock = threading.Lock()
        self._spares = Spares(self.config)
        self._servers = ServerPool(self.config, lambda: self.plan, clock)
        _live.add(self)

    @property
    def plan(self) -> Plan:
        with self._plan_lock:
            if self._plan is None:
                ensure_bytecode()
                self._plan = make_plan(self.config)
            return self._plan

    def layers(self) -> tuple[Layer, ...]:
        return report(self.plan, self.config)

    @property
    def uses_fork_server(self) -> bool:
        """Runs are forked from a server per hash seed: only under bubblewrap, whose
        namespaces the server can reset between runs."""
        return self.config.fork_server and self.plan.bwrap is not None

    def helper_pids(self) -> set[int]:
        """Processes the sandbox keeps between runs (its fork servers)."""
        return self._servers.pids()

    def run(
        self,
        code: str,
        *,
        timeout: float | None = None,
        hash_seed: int = 0,
        trace: TraceBound | None = None,
    ) -> RunResult:
        """Run `code` as `__main__` in a fresh sandboxed interpreter; never raises for
        anything the snippet does (only SandboxError when the sandbox itself fails).

        With `trace`, the child steps through the snippet (child/tracer.py) and the
        result's `trace` holds its events; the real output is the same as without."""
        if "\0" in code:
            return RunResult(
                stderr="SyntaxError: source code cannot contain null bytes\n",
                exception="SyntaxError: source code cannot contain null bytes",
                exit_code=1,
            )
        size = len(code.encode("utf-8", "surrogatepass"))
        if size > MAX_CODE_BYTES:
            raise SandboxError(f"snippet too long (over {MAX_CODE_BYTES} bytes)")
        if trace is not None:
            if size > SPARE_MAX_CODE:
                raise SandboxError(f"snippet too long to trace (over {SPARE_MAX_CODE} bytes)")
            size_cap = min(int(trace.max_bytes), MAX_TRACE_BYTES)
            code = f"\0trace {int(trace.max_steps)} {size_cap}\n" + code
            size = len(code.encode("utf-8", "surrogatepass"))
        timeout = self.config.timeout if timeout is None else float(timeout)
        if not timeout > 0:
            raise SandboxError(f"timeout must be positive, not {timeout}")
        plan = self.plan
        key = (hash_seed, self.config.cpu_seconds(timeout))
        if self.uses_fork_server and size <= MAX_REQUEST:
            result = self._run_on_server(code, timeout, key)
            if result is not None:
                return result
        child = self._spares.take(key) if size <= SPARE_MAX_CODE else None
        if child is None:
            child = spawn(self.config, plan, key, code if size > SPARE_MAX_CODE else None)
        if self.config.prestart and size <= SPARE_MAX_CODE and not self.uses_fork_server:
            self._spares.add(plan, key)
        return self._finish(child, code, timeout, plan)

    def _run_on_server(self, code: str, timeout: float, key: tuple[int, int]) -> RunResult | None:
        """None when no server could take the run (the caller runs it fresh)."""
        seed, cpu = key
        server = self._servers.take(seed)
        if server is None:
            return None
        started = self._clock()
        try:
            response = server.run(code, timeout, cpu, self.config.output_limit, self._clock)
        except ServerGone:
            return None  # died under this run (a snippet may kill it): run it fresh
        finally:
            self._servers.give_back(server)
        duration_ms = (self._clock() - started) * 1000.0
        cfg = self.config
        if response is None:
            return RunResult(
                timed_out=True,
                signal=signal.SIGKILL,
                duration_ms=duration_ms,
                notes=(
                    *missing_notes(self.layers()),
                    f"timed out after {timeout:g}s: the fork server stopped answering and was killed",
                ),
            )
        out = Stream(cfg.output_limit, bytearray(response.stdout), response.out_dropped)
        err = Stream(cfg.output_limit, bytearray(response.stderr), response.err_dropped)
        ending = Ending(
            exit_code=response.value if response.kind == 0 else None,
            signal=response.value if response.kind == 1 else None,
            timed_out=response.timed_out,
            timeout=timeout,
            duration_ms=duration_ms,
        )
        rep = parse_report(server.hello + response.report)
        return result_of(out, err, rep, ending, cfg, self.layers())

    def _finish(self, child: Child, code: str, timeout: float, plan: Plan) -> RunResult:
        try:
            if child.code_w >= 0:
                payload = code.encode("utf-8", "surrogatepass")
                try:
                    os.write(child.code_w, str(len(payload)).encode() + b"\n" + payload)
                except BrokenPipeError:
                    pass  # the child died early; its report says why
                os.close(child.code_w)
                child.code_w = -1
            return supervise(
                child,
                started=self._clock(),
                timeout=timeout,
                plan=plan,
                config=self.config,
                clock=self._clock,
                layers=self.layers(),
            )
        finally:
            child.discard()

    def close(self) -> None:
        """Kill the pre-started children and fork servers (also done at interpreter exit)."""
        self._spares.close()
        self._servers.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_default: Sandbox | None = None
_default_lock = threading.Lock()


def default_sandbox() -> Sandbox:
    global _default
    with _default_lock:
        if _default is None:
            _default = Sandbox()
        return _default


def run_snippet(
    code: str,
    *,
    timeout: float | None = None,
    hash_seed: int = 0,
    config: SandboxConfig | None = None,
    trace: TraceBound | None = None,
) -> RunResult:
    """One-shot convenience: run `code` in a sandbox with `config` (default: from env)."""
    box = Sandbox(config) if config is not None else default_sandbox()
    return box.run(code, timeout=timeout, hash_seed=hash_seed, trace=trace)
