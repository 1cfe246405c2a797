"""Child side: resource limits set on the snippet's process before it runs.

Self-contained (stdlib only, no `quiz` imports) because the sandbox child imports it
as a top-level module from this directory; the quiz package is not on its path.

Why each limit:
- CPU seconds: a busy loop that also ignores SIGXCPU is killed at the hard limit
  even if the parent's wall-clock timer were late.
- address space: a memory bomb fails with MemoryError instead of swapping the box.
- file size: one huge file fails with EFBIG (the total is capped elsewhere).
- open files: no fd exhaustion of the kernel table.
- processes: a fork or thread bomb stops at a small number. RLIMIT_NPROC counts every
  task of the *real uid* (in its user namespace), which is why the sandbox drops root
  to an unprivileged uid (root ignores the limit) and, for an ordinary user without a
  user namespace, sets it relative to the tasks the user already has.
- core dumps: none (a crash must not write a core file anywhere).
"""

from __future__ import annotations

import os
import resource

# The knobs a SandboxConfig passes through argv, by name.
NAMES = ("cpu", "as", "fsize", "nofile", "nproc")


def count_user_tasks(uid: int) -> int:
    """Tasks (threads included) that `uid` runs now, from /proc; 0 when unreadable."""
    total = 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", "rb") as fh:
                real_uid = threads = None
                for line in fh:
                    if line.startswith(b"Uid:"):
                        real_uid = int(line.split()[1])
                    elif line.startswith(b"Threads:"):
                        threads = int(line.split()[1])
                if real_uid == uid and threads:
                    total += threads
        except (OSError, ValueError, IndexError):
            continue
    return total


def apply(values: dict[str, int], *, nproc_relative: bool = False) -> list[str]:
    """Set each limit in `values` (missing or <= 0: left as is). Returns notes.

    `nproc_relative`: the process budget is added to what the real uid already runs
    (an ordinary user outside any user namespace shares the counter with their desktop).
    """
    notes: list[str] = []
    table = {
        "cpu": resource.RLIMIT_CPU,
        "as": resource.RLIMIT_AS,
        "fsize": resource.RLIMIT_FSIZE,
        "nofile": resource.RLIMIT_NOFILE,
    }
    if hasattr(resource, "RLIMIT_NPROC"):
        table["nproc"] = resource.RLIMIT_NPROC
    for name, value in values.items():
        if value <= 0 or name not in table:
            continue
        which = table[name]
        if name == "nproc" and nproc_relative:
            value += count_user_tasks(os.getuid())
        soft = value
        # CPU: the soft limit sends SIGXCPU, the hard one (a second later) SIGKILL,
        # which a snippet cannot ignore.
        hard = value + 1 if name == "cpu" else value
        _, old_hard = resource.getrlimit(which)
        if old_hard != resource.RLIM_INFINITY:
            hard = min(hard, old_hard)
            soft = min(soft, hard)
        try:
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError) as exc:  # e.g. macOS refuses RLIMIT_AS
            notes.append(f"limit {name} not set: {exc}")
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass
    return notes
