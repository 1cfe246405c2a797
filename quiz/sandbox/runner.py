"""Parent side: run one snippet in a fresh child interpreter (or a process forked
from a fork server, see forkserver.py) and say what happened.

The parent stays cheap — no preexec_fn (so CPython can use vfork), no imports of its
own in the hot path — because one run must cost at most 2.5x a bare interpreter
start. Per run it:

1. makes a fresh temp directory (the host side of the working dir),
2. starts `[bwrap ...] python -s -S -B -X utf8 bootstrap.py opts -- CODE` in its own
   session with stdin /dev/null, a minimal explicit environment and a side-channel
   pipe for the bootstrap's report (layers installed, the exception, exit status),
3. reads stdout, stderr and the report concurrently (a selector; a flood of output
   is drained and dropped past the cap, so it never blocks the child or bloats us),
   enforces the wall clock (and, without a tmpfs, the total disk use),
4. kills the whole process group, kills and reaps orphans (reaper), removes the
   temp dir, and builds a RunResult.
"""

from __future__ import annotations

import atexit
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from quiz.model import RunResult
from quiz.sandbox import bwrap as bwrap_mod
from quiz.sandbox import reaper
from quiz.sandbox.config import MAX_CODE_BYTES, SandboxConfig, SandboxError
from quiz.sandbox.forkserver import MAX_REQUEST, ForkServer, Response, ServerGone
from quiz.sandbox.layers import Layer, Plan, make_plan, missing_notes, report

BOOTSTRAP_DIR = os.path.dirname(os.path.abspath(__file__))
BOOTSTRAP = os.path.join(BOOTSTRAP_DIR, "entry.py")
CHILD_MODULES = ("bootstrap", "limits", "landlock", "seccomp", "mounts", "privileges", "zygote")
PY_FLAGS = ("-s", "-S", "-B", "-X", "utf8")
CHUNK = 65536
DRAIN_SECONDS = 0.5
DISK_POLL_SECONDS = 0.05
SPARE_MAX_CODE = 60_000  # larger snippets go in argv: a pipe holds 64 KiB unread
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
class _Stream:
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
class _Report:
    layers: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    exception: str | None = None
    status: int | None = None  # the exit status the bootstrap announced
    fatal: str | None = None
    ready: bool = False


def _parse_report(raw: bytes) -> _Report:
    layers, notes = [], []
    exception = fatal = None
    status = None
    ready = False
    for line in raw.decode("utf-8", "replace").splitlines():
        if not line:
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
    return _Report(tuple(layers), tuple(notes), exception, status, fatal, ready)


def ensure_bytecode() -> None:
    """Compile the child-side modules once, so each child loads cached bytecode
    instead of compiling ~20 KB of source on every start (`-B` still reads .pyc
    files; it only stops the child from writing them). Best effort: a read-only
    install has them from installation."""
    import importlib.util
    import py_compile

    for name in CHILD_MODULES:
        source = os.path.join(BOOTSTRAP_DIR, f"{name}.py")
        cached = importlib.util.cache_from_source(source)
        try:
            if os.path.exists(cached) and os.stat(cached).st_mtime >= os.stat(source).st_mtime:
                continue
            py_compile.compile(source, cfile=cached, doraise=True)
        except (OSError, py_compile.PyCompileError):
            continue


@dataclass
class _Child:
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
        _kill_group(self.proc)
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


_live: weakref.WeakSet[Sandbox] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for box in list(_live):
        box.close()


class Sandbox:
    """Runs snippets under one SandboxConfig; safe to share between threads.

    Under bubblewrap (and `fork_server`, the default) runs are forked from a fork
    server per hash seed (forkserver.py, zygote.py). Otherwise, with `prestart` (the
    default) it keeps one spare child per (hash seed, CPU budget) already started and
    hardened, waiting for its snippet on a pipe: a fresh interpreter per run still, but
    its start-up overlaps the previous run or the learner's thinking time instead of
    adding to the next run's latency.
    """

    def __init__(
        self, config: SandboxConfig | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config or SandboxConfig.from_env()
        self._clock = clock
        self._plan: Plan | None = None
        self._plan_lock = threading.Lock()
        self._spares: dict[tuple[int, int], _Child | None] = {}
        self._spares_lock = threading.Lock()
        self._servers: dict[int, list[ForkServer]] = {}  # idle servers by hash seed
        self._busy: set[ForkServer] = set()
        self._servers_lock = threading.Lock()
        self._closed = False
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

    # -- building the command --------------------------------------------------------

    def _env(self, workdir: str, hash_seed: int) -> dict[str, str]:
        return {
            "PYTHONHASHSEED": str(hash_seed),
            "TZ": "UTC",
            "LC_ALL": "C.UTF-8",
            "LANG": "C.UTF-8",
            "PATH": "/usr/bin:/bin",
            "HOME": workdir,
            "TMPDIR": workdir,
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def _command(
        self,
        plan: Plan,
        host_dir: str,
        code: str | None,
        key: tuple[int, int],
        report_fd: int,
        code_fd: int,
        server: tuple[int, int] | None = None,
    ) -> tuple[list[str], dict[str, str], str]:
        """The child's command line; with `server` (request fd, response fd) a fork
        server's, which gets each run's code and CPU budget over its pipe."""
        cfg = self.config
        hash_seed, cpu = key
        interp = plan.interpreter
        inside = bwrap_mod.WORKDIR if plan.bwrap else os.path.join(host_dir, "work")
        env = self._env(inside, hash_seed)
        disk = cfg.disk_mb << 20
        opts = {
            "report": str(report_fd),
            "workdir": inside,
            "cpu": str(cpu),
            "as": str(cfg.memory_mb << 20),
            "fsize": str(cfg.file_size_mb << 20),
            "nofile": str(cfg.open_files),
            "nproc": str(cfg.processes),
        }
        if plan.linux and not plan.as_root and not plan.userns_nproc:
            opts["nproc_relative"] = "1"
        if plan.drop_ids is not None:
            opts["uid"], opts["gid"] = (str(i) for i in plan.drop_ids)
        system = [d for d in bwrap_mod.SYSTEM_DIRS if os.path.isdir(d)] + ["/etc/ld.so.cache"]
        readable = [
            *system,
            *interp.prefixes,
            BOOTSTRAP_DIR,
            "/dev/urandom",
            "/dev/random",
            "/sys/devices/system/cpu",
        ]
        writable = [inside, "/dev/shm", "/dev/null", "/dev/zero"]
        if plan.bwrap:
            readable.append("/proc")  # the sandbox's own pid namespace only
            writable.append("/tmp")
        if plan.landlock_abi:
            opts["landlock"] = "1"
            opts["ro"] = "\n".join(readable)
            opts["rw"] = "\n".join(writable)
        if plan.seccomp:
            opts["seccomp"] = "1"
        argv: list[str] = []
        if plan.bwrap:
            argv = bwrap_mod.command(
                plan.bwrap,
                as_root=plan.as_root,
                ro_paths=(*interp.prefixes, BOOTSTRAP_DIR),
                env=env,
                disk_bytes=disk,
            )
        else:
            os.mkdir(os.path.join(host_dir, "work"), 0o700)
            if plan.linux:
                opts["pdeathsig"] = "1"
            if plan.as_root and plan.drop_ids is not None:
                os.chmod(host_dir, 0o711)
                os.chown(os.path.join(host_dir, "work"), *plan.drop_ids)
            if plan.mountns:
                stash = os.path.join(host_dir, "stash")
                os.mkdir(stash, 0o700)
                opts.update(
                    mountns="1",
                    disk=str(disk),
                    stash=stash,
                    expose="\n".join((*interp.prefixes, BOOTSTRAP_DIR)),
                )
        argv += [interp.executable, *PY_FLAGS, BOOTSTRAP]
        if server is not None:
            del opts["report"], opts["cpu"]
            opts.update(server="1", request=str(server[0]), response=str(server[1]))
            return argv + [f"{k}={v}" for k, v in opts.items()], env, inside
        argv += [f"{k}={v}" for k, v in opts.items()]
        if code is None:
            argv.append(f"codefd={code_fd}")
        else:
            argv += ["--", code]
        return argv, env, inside

    # -- running ---------------------------------------------------------------------

    def run(self, code: str, *, timeout: float | None = None, hash_seed: int = 0) -> RunResult:
        """Run `code` as `__main__` in a fresh sandboxed interpreter; never raises for
        anything the snippet does (only SandboxError when the sandbox itself fails)."""
        if "\0" in code:
            return RunResult(
                stderr="SyntaxError: source code cannot contain null bytes\n",
                exception="SyntaxError: source code cannot contain null bytes",
                exit_code=1,
            )
        size = len(code.encode("utf-8", "surrogatepass"))
        if size > MAX_CODE_BYTES:
            raise SandboxError(f"snippet too long (over {MAX_CODE_BYTES} bytes)")
        timeout = self.config.timeout if timeout is None else float(timeout)
        if not timeout > 0:
            raise SandboxError(f"timeout must be positive, not {timeout}")
        plan = self.plan
        key = (hash_seed, self.config.cpu_seconds(timeout))
        if self.uses_fork_server and size <= MAX_REQUEST:
            result = self._run_on_server(code, timeout, key)
            if result is not None:
                return result
        child = self._take_spare(key) if size <= SPARE_MAX_CODE else None
        if child is None:
            child = self._spawn(plan, key, code if size > SPARE_MAX_CODE else None)
        if self.config.prestart and size <= SPARE_MAX_CODE and not self.uses_fork_server:
            self._add_spare(plan, key)
        return self._finish(child, code, timeout, plan)

    # -- the fork server -------------------------------------------------------------

    @property
    def uses_fork_server(self) -> bool:
        """Runs are forked from a server per hash seed (zygote.py): only under
        bubblewrap, whose namespaces the server can reset between runs."""
        return self.config.fork_server and self.plan.bwrap is not None

    def helper_pids(self) -> set[int]:
        """Processes the sandbox keeps between runs (its fork servers)."""
        with self._servers_lock:
            servers = [s for idle in self._servers.values() for s in idle] + list(self._busy)
        return {pid for server in servers for pid in server.pids()}

    def _run_on_server(self, code: str, timeout: float, key: tuple[int, int]) -> RunResult | None:
        """None when no server could take the run (the caller runs it fresh)."""
        seed, cpu = key
        server = self._take_server(seed)
        if server is None:
            return None
        started = self._clock()
        try:
            response = server.run(code, timeout, cpu, self.config.output_limit, self._clock)
        except ServerGone:
            return None  # died under this run (a snippet may kill it): run it fresh
        finally:
            self._return_server(server)
        duration_ms = (self._clock() - started) * 1000.0
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
        return self._from_response(response, server.hello, timeout, duration_ms)

    def _take_server(self, seed: int) -> ForkServer | None:
        with self._servers_lock:
            if self._closed:
                return None
            idle = self._servers.get(seed)
            if idle:
                server = idle.pop()
                self._busy.add(server)
                return server
        try:
            server = self._start_server(seed)
        except SandboxError:
            return None
        with self._servers_lock:
            if self._closed:
                server.close()
                return None
            self._busy.add(server)
        return server

    def _return_server(self, server: ForkServer) -> None:
        with self._servers_lock:
            self._busy.discard(server)
            idle = self._servers.setdefault(server.seed, [])
            if server.alive and not self._closed and len(idle) < max(2, os.cpu_count() or 1):
                idle.append(server)
                return
        server.close()
        reaper.unregister(server.proc.pid)
        reaper.sweep()  # its namespace's init, adopted by us when bwrap died

    def _start_server(self, seed: int) -> ForkServer:
        plan = self.plan
        request_r, request_w = os.pipe()
        response_r, response_w = os.pipe()
        try:
            argv, env, _ = self._command(
                plan, "/", None, (seed, 0), -1, -1, server=(request_r, response_w)
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
            hello = _parse_report(server.await_hello(self._clock))
        except ServerGone as exc:
            server.close()
            reaper.unregister(proc.pid)
            raise SandboxError(str(exc)) from None
        if hello.fatal is not None:
            server.close()
            reaper.unregister(proc.pid)
            raise SandboxError(f"sandbox setup failed in the child: {hello.fatal}")
        return server

    def _from_response(
        self, response: Response, hello: bytes, timeout: float, duration_ms: float
    ) -> RunResult:
        cfg = self.config
        out, err = (
            _Stream(cfg.output_limit, bytearray(response.stdout), response.out_dropped),
            _Stream(cfg.output_limit, bytearray(response.stderr), response.err_dropped),
        )
        rep = _parse_report(hello + response.report)
        if rep.fatal is not None:
            raise SandboxError(f"sandbox setup failed in the child: {rep.fatal}")
        if not rep.ready and not response.timed_out:
            detail = err.text().strip().splitlines()
            raise SandboxError(
                "the sandbox child did not start: " + (detail[-1] if detail else "no report")
            )
        notes = [*missing_notes(self.layers()), *rep.notes]
        exit_code: int | None = response.value if response.kind == 0 else None
        sig: int | None = response.value if response.kind == 1 else None
        if response.timed_out:
            notes.append(f"timed out after {timeout:g}s: the process group was killed")
            exit_code, sig = None, signal.SIGKILL
        truncated = bool(out.dropped or err.dropped)
        if truncated:
            notes.append(f"output over {cfg.output_limit} bytes per stream was dropped")
        return RunResult(
            stdout=out.text(),
            stderr=err.text(),
            exception=rep.exception,
            exit_code=exit_code,
            signal=sig,
            timed_out=response.timed_out,
            truncated=truncated,
            duration_ms=duration_ms,
            notes=tuple(notes),
        )

    def _take_spare(self, key: tuple[int, int]) -> _Child | None:
        with self._spares_lock:
            child = self._spares.pop(key, None)
        if child is not None and child.proc.poll() is not None:  # died while waiting
            child.discard()
            return None
        return child

    def _add_spare(self, plan: Plan, key: tuple[int, int]) -> None:
        with self._spares_lock:
            if key in self._spares or self._closed:
                return
            self._spares[key] = None  # reserved while starting
        try:
            spare = self._spawn(plan, key, None)
        except SandboxError:
            with self._spares_lock:
                self._spares.pop(key, None)
            return
        with self._spares_lock:
            if self._closed:
                spare.discard()
            else:
                self._spares[key] = spare

    def _spawn(self, plan: Plan, key: tuple[int, int], code: str | None) -> _Child:
        """Start a child; with `code=None` it hardens itself and waits for its snippet."""
        host_dir = tempfile.mkdtemp(prefix="quiz-run-")
        report_r, report_w = os.pipe()
        code_r = code_w = -1
        if code is None:
            code_r, code_w = os.pipe()
        try:
            argv, env, _ = self._command(plan, host_dir, code, key, report_w, code_r)
            with reaper.spawning():
                proc = _popen(argv, env, host_dir, (report_w, code_r))
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
        return _Child(proc, report_r, code_w, host_dir)

    def _finish(self, child: _Child, code: str, timeout: float, plan: Plan) -> RunResult:
        try:
            if child.code_w >= 0:
                payload = code.encode("utf-8", "surrogatepass")
                try:
                    os.write(child.code_w, str(len(payload)).encode() + b"\n" + payload)
                except BrokenPipeError:
                    pass  # the child died early; its report says why
                os.close(child.code_w)
                child.code_w = -1
            started = self._clock()
            return self._supervise(
                child.proc, child.report_r, started, timeout, child.host_dir, plan
            )
        finally:
            child.discard()

    def close(self) -> None:
        """Kill the pre-started children and fork servers (also done at interpreter exit)."""
        with self._spares_lock:
            self._closed = True
            spares = [c for c in self._spares.values() if c is not None]
            self._spares.clear()
        with self._servers_lock:
            self._closed = True
            servers = [s for idle in self._servers.values() for s in idle]
            self._servers.clear()
        for child in spares:
            child.discard()
        for server in servers:
            server.close()
            reaper.unregister(server.proc.pid)
        if servers:
            reaper.sweep()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _supervise(
        self,
        proc: subprocess.Popen[bytes],
        report_r: int,
        started: float,
        timeout: float,
        host_dir: str,
        plan: Plan,
    ) -> RunResult:
        cfg = self.config
        out, err = _Stream(cfg.output_limit), _Stream(cfg.output_limit)
        side = bytearray()
        assert proc.stdout is not None and proc.stderr is not None
        sel = selectors.DefaultSelector()
        sinks: dict[int, Callable[[bytes], None]] = {
            proc.stdout.fileno(): out.feed,
            proc.stderr.fileno(): err.feed,
            report_r: side.extend,
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
        workdir = os.path.join(host_dir, "work")
        disk_cap = cfg.disk_mb << 20
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
                now = self._clock()
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
            _kill_group(proc)
            proc.wait()
            reaper.sweep()
            if watch_disk and _du(workdir) > disk_cap:
                disk_exceeded = True
            drain_until = self._clock() + DRAIN_SECONDS
            while (
                len(sel.get_map()) > (1 if pidfd is not None else 0) and self._clock() < drain_until
            ):
                if pidfd is not None and len(sel.get_map()) == 1:
                    break
                pump(0.05)
            leftover = [key.fd for key in sel.get_map().values() if key.fd != pidfd]
        finally:
            sel.close()
            if pidfd is not None:
                os.close(pidfd)
        duration_ms = (self._clock() - started) * 1000.0
        rep = _parse_report(bytes(side))
        if rep.fatal is not None:
            raise SandboxError(f"sandbox setup failed in the child: {rep.fatal}")
        if not rep.ready and not timed_out:
            detail = err.text().strip().splitlines()
            raise SandboxError(
                "the sandbox child did not start: "
                + (detail[-1] if detail else f"exit status {proc.returncode}")
            )
        notes = list(missing_notes(self.layers()))
        notes += rep.notes
        exit_code: int | None = proc.returncode
        sig: int | None = None
        if exit_code is not None and exit_code < 0:
            sig, exit_code = -exit_code, None
        elif plan.bwrap and exit_code is not None and exit_code > 128 and rep.status != exit_code:
            sig, exit_code = exit_code - 128, None  # bubblewrap reports death by signal N as 128+N
        if timed_out:
            notes.append(f"timed out after {timeout:g}s: the process group was killed")
            exit_code, sig = None, signal.SIGKILL
        if disk_exceeded:
            notes.append(f"wrote more than {cfg.disk_mb} MB: killed")
        if leftover:
            notes.append("output pipes were still held open after the kill; stopped reading")
        truncated = bool(out.dropped or err.dropped)
        if truncated:
            notes.append(f"output over {cfg.output_limit} bytes per stream was dropped")
        return RunResult(
            stdout=out.text(),
            stderr=err.text(),
            exception=rep.exception,
            exit_code=exit_code,
            signal=sig,
            timed_out=timed_out,
            truncated=truncated,
            duration_ms=duration_ms,
            notes=tuple(notes),
        )


def _popen(
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


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass


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
) -> RunResult:
    """One-shot convenience: run `code` in a sandbox with `config` (default: from env)."""
    box = Sandbox(config) if config is not None else default_sandbox()
    return box.run(code, timeout=timeout, hash_seed=hash_seed)
