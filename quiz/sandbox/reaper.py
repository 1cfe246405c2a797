"""Parent side: make sure nothing a snippet started outlives its run.

Killing the child's process group misses a daemon that called setsid() and forked
twice. On Linux the quiz process therefore becomes a *child subreaper*
(prctl PR_SET_CHILD_SUBREAPER): such orphans are re-parented to us instead of to
init, and `sweep()` kills and reaps them after every run. An adopted orphan is told
apart from the sandboxes still running (registered here) and from any child the
program started itself (same session as ours) — those are left alone.

Under bubblewrap nothing escapes anyway (the pid namespace dies with its init);
this is the layer that holds when bubblewrap is missing.

A program that embeds the sandbox and also starts daemons of its own (the test suite
starts PostgreSQL) must start them before its first run: once this process is a
subreaper, a daemon that leaves its session is adopted here and swept like a
snippet's orphan.
"""

from __future__ import annotations

import ctypes
import glob
import os
import signal
import sys
import threading

PR_SET_CHILD_SUBREAPER = 36

_lock = threading.RLock()  # also held from fork to register(), so a sweep never sees a
# just-started sandbox child as an orphan
_active: set[int] = set()
_subreaper: bool | None = None


def become_subreaper() -> bool:
    """Once per process; False where the platform has no such thing."""
    global _subreaper
    with _lock:
        if _subreaper is None:
            _subreaper = False
            if sys.platform.startswith("linux"):
                try:
                    libc = ctypes.CDLL(None, use_errno=True)
                    _subreaper = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
                except OSError:
                    _subreaper = False
        return _subreaper


def spawning() -> threading.RLock:
    """Hold this around starting a sandbox child and registering its pid."""
    return _lock


def register(pid: int) -> None:
    with _lock:
        _active.add(pid)


def unregister(pid: int) -> None:
    with _lock:
        _active.discard(pid)


def _children() -> set[int]:
    found: set[int] = set()
    for path in glob.glob(f"/proc/{os.getpid()}/task/*/children"):
        try:
            with open(path) as fh:
                found.update(int(pid) for pid in fh.read().split())
        except (OSError, ValueError):
            continue
    return found


def _session(pid: int) -> int | None:
    try:
        return os.getsid(pid)
    except OSError:
        return None


def orphans() -> list[int]:
    """Adopted descendants of finished sandboxes."""
    if not _subreaper:
        return []
    mine = os.getsid(0)
    with _lock:
        active = set(_active)
    return [pid for pid in _children() if pid not in active and _session(pid) != mine]


def sweep(rounds: int = 50) -> int:
    """Kill and reap orphans until none are left (each death may hand us its own
    children). Returns how many were killed."""
    killed = 0
    for _ in range(rounds):
        with _lock:
            found = orphans()
            for pid in found:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        if not found:
            break
        for pid in found:
            try:
                os.waitpid(pid, 0)
                killed += 1
            except ChildProcessError:
                pass
    return killed
