"""Which protective layers this machine gives a snippet, decided once and reported.

The sandbox is layered: whatever the platform offers is used together (on Linux as
root: bubblewrap namespaces AND the drop to `nobody` AND Landlock AND seccomp AND
rlimits), and whatever it lacks is *reported* — in every RunResult's notes and by
`quiz doctor` — never pretended. A layer that claims to be available but then fails
to install in the child stops the run (SandboxError) instead of running it with
less protection than reported.

Platforms: on macOS and Windows only the portable layers apply (temp working dir,
wall-clock timeout, process group kill, and on macOS the rlimits that the kernel
honours — RLIMIT_AS is not one of them). There is no filesystem or network
confinement there: snippets can read what the user can read and open sockets.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from quiz.sandbox import bwrap as bwrap_mod
from quiz.sandbox.child import landlock, seccomp
from quiz.sandbox.config import SandboxConfig
from quiz.sandbox.interpreter import Interpreter, probe
from quiz.sandbox.reaper import become_subreaper


@dataclass(frozen=True)
class Layer:
    name: str
    status: str  # "active" | "missing" | "off" (switched off by config) | "n/a"
    detail: str = ""

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class Plan:
    """How runs are set up under one SandboxConfig on this machine."""

    interpreter: Interpreter
    linux: bool
    as_root: bool
    drop_ids: tuple[int, int] | None  # (uid, gid) when running as root
    bwrap: str | None  # the binary, when used
    bwrap_status: str
    landlock_abi: int  # 0: not used
    landlock_status: str
    seccomp: bool
    seccomp_status: str
    mountns: bool  # root without bwrap: private mounts/net made by the bootstrap
    subreaper: bool
    userns_nproc: bool  # RLIMIT_NPROC counted in a user namespace of our own

    @property
    def tmpfs_workdir(self) -> bool:
        return self.bwrap is not None or self.mountns


def make_plan(config: SandboxConfig) -> Plan:
    if os.name != "posix":
        from quiz.sandbox.config import SandboxError

        raise SandboxError(
            "the sandbox needs a POSIX system (Linux or macOS); on Windows run quiz under WSL"
        )
    linux = sys.platform.startswith("linux")
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    interp = probe(config.python)
    if not linux:
        return Plan(
            interp,
            False,
            as_root,
            config.ids() if as_root else None,
            None,
            "n/a: not Linux",
            0,
            "n/a: not Linux",
            False,
            "n/a: not Linux",
            False,
            False,
            False,
        )
    if config.bwrap:
        found = bwrap_mod.find()
        problem = bwrap_mod.check(found, as_root)
        bw, bw_status = (found, "active") if problem is None else (None, f"missing: {problem}")
    else:
        bw, bw_status = None, "off: disabled (QUIZ_SANDBOX_NO_BWRAP or SandboxConfig(bwrap=False))"
    abi = landlock.abi_version()
    if not config.landlock:
        abi, ll_status = 0, "off: disabled by configuration"
    elif abi < 1:
        ll_status = "missing: the kernel has no Landlock (or it is disabled)"
    else:
        ll_status = f"active: ABI {abi}"
    sc = config.seccomp and seccomp.supported()
    sc_status = (
        "active"
        if sc
        else (
            "off: disabled by configuration"
            if not config.seccomp
            else "missing: unsupported architecture"
        )
    )
    return Plan(
        interpreter=interp,
        linux=True,
        as_root=as_root,
        drop_ids=config.ids() if as_root else None,
        bwrap=bw,
        bwrap_status=bw_status,
        landlock_abi=abi,
        landlock_status=ll_status,
        seccomp=sc,
        seccomp_status=sc_status,
        mountns=as_root and bw is None,
        subreaper=become_subreaper(),
        userns_nproc=bw is not None and not as_root,
    )


def _split(status: str) -> tuple[str, str]:
    head, _, detail = status.partition(": ")
    return head, detail


def report(plan: Plan, config: SandboxConfig) -> tuple[Layer, ...]:
    """Every layer, active or not, with what it protects."""
    layers: list[Layer] = []
    add = lambda name, status, detail="": layers.append(Layer(name, status, detail))  # noqa: E731
    add(
        "timeout",
        "active",
        f"wall clock {config.timeout:g}s by default; CPU seconds via RLIMIT_CPU",
    )
    add("process-group", "active", "own session; the whole group is killed at the end")
    add("temp-dir", "active", "a fresh empty working directory, removed afterwards")
    if plan.linux or sys.platform == "darwin":
        add(
            "rlimits",
            "active",
            f"address space {config.memory_mb} MB, file {config.file_size_mb} MB, "
            f"{config.open_files} files, {config.processes} processes",
        )
    else:
        add("rlimits", "missing", "no resource limits on this platform")
    if plan.tmpfs_workdir:
        add("disk-cap", "active", f"working dir is a {config.disk_mb} MB tmpfs")
    else:
        add(
            "disk-cap",
            "active",
            f"{config.disk_mb} MB total, enforced by watching the directory (RLIMIT_FSIZE per file)",
        )
    if plan.as_root:
        uid, gid = plan.drop_ids or (0, 0)
        add("privilege-drop", "active", f"root drops to uid {uid} gid {gid}, no groups")
    else:
        add(
            "privilege-drop",
            "n/a",
            f"not root (uid {os.getuid() if hasattr(os, 'getuid') else '?'})",
        )
    add("bubblewrap", *_split(plan.bwrap_status))
    if plan.bwrap is not None:
        add(
            "namespaces",
            "active",
            "pid, net, ipc, uts, mount (bubblewrap)" + ("" if plan.as_root else ", user"),
        )
    elif plan.mountns:
        add("namespaces", "active", "mount, net, ipc, uts (made by the child as root)")
    else:
        add("namespaces", "missing", "no namespaces: needs bubblewrap or root")
    add("landlock", *_split(plan.landlock_status))
    add("seccomp", *_split(plan.seccomp_status))
    net = []
    if plan.bwrap is not None or plan.mountns:
        net.append("empty network namespace")
    if plan.landlock_abi >= 4:
        net.append("landlock denies TCP")
    if plan.seccomp:
        net.append("seccomp denies non-unix sockets")
    add("network", "active" if net else "missing", ", ".join(net) or "snippets can open sockets")
    add(
        "subreaper",
        "active" if plan.subreaper else ("missing" if plan.linux else "n/a"),
        "double-forked daemons are adopted and killed" if plan.subreaper else "",
    )
    # Not a protection but how runs start; reported so a surprising result can be
    # re-checked with a fresh interpreter (QUIZ_SANDBOX_NO_FORK_SERVER=1).
    if plan.bwrap is None:
        add("fork-server", "n/a", "needs bubblewrap: a fresh interpreter per run")
    elif config.fork_server:
        add(
            "fork-server",
            "active",
            "runs fork from one hardened interpreter per hash seed; "
            "processes and scratch dirs are reset between runs",
        )
    else:
        add("fork-server", "off", "a fresh interpreter per run (QUIZ_SANDBOX_NO_FORK_SERVER)")
    return tuple(layers)


def missing_notes(layers: tuple[Layer, ...]) -> tuple[str, ...]:
    """One short note per layer that should be there but is not."""
    return tuple(
        f"sandbox layer missing: {layer.name} ({layer.detail})"
        for layer in layers
        if layer.status == "missing"
    )
