"""Child side: a private mount view, used only when running as root without
bubblewrap (root may create mount and network namespaces itself).

It gives the snippet what bubblewrap would: a working directory that is a tmpfs of
fixed size (so the TOTAL written is capped, not only each file), a private
/dev/shm for multiprocessing's semaphores, a network namespace with no interface
up (no packet leaves), and access to the Python prefix even when that prefix lives
under a directory the unprivileged uid cannot enter (pyenv under /root, mode 700):
such a directory is covered by an empty tmpfs that holds only the bind-mounted
prefix, so root's home stays hidden.

Self-contained (stdlib + ctypes, no `quiz` imports).
"""

from __future__ import annotations

import ctypes
import os

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_REMOUNT = 32
MS_BIND = 4096
MS_MOVE = 8192
MS_REC = 16384
MS_PRIVATE = 1 << 18


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(rc: int, what: str) -> None:
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(
    libc: ctypes.CDLL,
    source: str | None,
    target: str,
    fstype: str | None,
    flags: int,
    data: str | None = None,
) -> None:
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    _check(
        libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
        f"mount {target}",
    )


def can_traverse(st: os.stat_result, uid: int, gid: int) -> bool:
    if st.st_uid == uid:
        return bool(st.st_mode & 0o100)
    if st.st_gid == gid:
        return bool(st.st_mode & 0o010)
    return bool(st.st_mode & 0o001)


def blocked_ancestor(path: str, uid: int, gid: int) -> str | None:
    """The outermost directory on `path` that `uid` cannot enter, if any."""
    parts = os.path.abspath(path).split("/")[1:]
    current = ""
    for part in parts:
        current = f"{current}/{part}"
        try:
            st = os.stat(current)
        except OSError:
            return None
        if os.path.isdir(current) and not can_traverse(st, uid, gid):
            return current
    return None


def isolate(workdir: str, size: int, uid: int, gid: int, expose: list[str], stash: str) -> None:
    """Enter new mount/net/ipc/uts namespaces and lay out the snippet's view."""
    libc = _libc()
    _check(libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    groups: dict[str, list[str]] = {}
    for path in expose:
        top = blocked_ancestor(path, uid, gid)
        if top is not None:
            groups.setdefault(top, []).append(path)
    n = 0
    for top, paths in groups.items():
        parked: list[tuple[str, str]] = []
        for path in paths:
            spot = os.path.join(stash, str(n))
            n += 1
            os.mkdir(spot, 0o700)
            _mount(libc, path, spot, None, MS_BIND | MS_REC)
            parked.append((spot, path))
        _mount(libc, "tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
        for spot, path in parked:
            os.makedirs(path, 0o755, exist_ok=True)
            for d in _dirs_between(top, path):
                os.chmod(d, 0o755)
            _mount(libc, spot, path, None, MS_MOVE)
            _mount(libc, None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    _mount(
        libc,
        "tmpfs",
        workdir,
        "tmpfs",
        MS_NOSUID | MS_NODEV,
        f"size={size},mode=0700,uid={uid},gid={gid}",
    )
    if os.path.isdir("/dev/shm"):
        _mount(libc, "tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=1777")


def _dirs_between(top: str, path: str) -> list[str]:
    out = []
    current = path
    while current != top and current.startswith(top + "/"):
        out.append(current)
        current = os.path.dirname(current)
    return out
