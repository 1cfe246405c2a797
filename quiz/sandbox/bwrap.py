"""Parent side: the bubblewrap command line that wraps the child interpreter.

bubblewrap gives the strongest layer available without a daemon: fresh pid, net,
ipc, uts and cgroup namespaces (no network at all; `kill(-1, 9)` reaches only the
sandbox), a root filesystem that holds nothing but read-only binds of the system
and the Python prefix plus size-capped tmpfs mounts for the working directory,
/tmp and /dev/shm, an empty environment (`--clearenv` — otherwise the parent's
would be readable through /proc), no capabilities, a new session (no TIOCSTI into
our terminal), and death with its parent.

As root it creates the namespaces without a user namespace and keeps only
CAP_SETUID/CAP_SETGID, which the bootstrap uses to drop to `nobody` before running
anything (RLIMIT_NPROC does not bind root). As an ordinary user it needs
unprivileged user namespaces; RLIMIT_NPROC is then counted per user namespace
(Linux >= 5.14), so the process budget is the sandbox's own.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

WORKDIR = "/sandbox"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


def find() -> str | None:
    return shutil.which("bwrap", path="/usr/bin:/bin:/usr/local/bin:" + os.environ.get("PATH", ""))


def _system_binds() -> list[str]:
    args: list[str] = []
    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    args += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    return args


def _covered(path: str) -> bool:
    return any(path == d or path.startswith(d + "/") for d in SYSTEM_DIRS if not os.path.islink(d))


MOUNTED = ("/tmp", "/dev", "/dev/shm", "/proc")


def _extra_binds(paths: tuple[str, ...]) -> list[str]:
    """Read-only binds of `paths`, with every missing parent made 0755 first (bwrap
    would copy the host's modes, and a 0700 /root would lock `nobody` out).

    They come after the sandbox's own tmpfs mounts, so a Python or a quiz that lives
    under /tmp (a CI clone, a venv made with mktemp) is still visible inside."""
    args: list[str] = []
    made: set[str] = set(MOUNTED)
    for path in paths:
        if _covered(path):
            continue
        parts = path.strip("/").split("/")[:-1]
        current = ""
        for part in parts:
            current += "/" + part
            if current not in made and not _covered(current):
                made.add(current)
                args += ["--perms", "0755", "--dir", current]
        args += ["--ro-bind", path, path]
    return args


def command(
    bwrap: str,
    *,
    as_root: bool,
    ro_paths: tuple[str, ...],
    env: dict[str, str],
    disk_bytes: int,
) -> list[str]:
    """The argv prefix; the interpreter command line follows it."""
    args = [bwrap, "--die-with-parent", "--new-session"]
    args += [
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
    ]
    if not as_root:
        args += ["--unshare-user", "--disable-userns"]
    args += ["--cap-drop", "ALL"]
    if as_root:
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    args += ["--clearenv"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    args += _system_binds()
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--perms", "01777", "--size", str(16 << 20), "--tmpfs", "/dev/shm"]
    args += ["--perms", "01777", "--size", str(16 << 20), "--tmpfs", "/tmp"]
    args += _extra_binds(ro_paths)
    args += ["--perms", "0777", "--size", str(disk_bytes), "--tmpfs", WORKDIR, "--chdir", WORKDIR]
    return args


@functools.cache
def check(bwrap: str | None, as_root: bool) -> str | None:
    """None when bubblewrap works here; otherwise why not (shown by `quiz doctor`)."""
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed"
    args = command(bwrap, as_root=as_root, ro_paths=(), env={}, disk_bytes=1 << 20)
    true = shutil.which("true", path="/usr/bin:/bin") or "/bin/true"
    try:
        done = subprocess.run(
            args + [true],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=10,
            env={},
            start_new_session=True,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap does not start: {exc}"
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        return f"bubblewrap fails here: {reason[-1] if reason else done.returncode}"
    return None
