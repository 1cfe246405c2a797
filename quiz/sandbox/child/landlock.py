"""Child side: Landlock, the unprivileged Linux LSM that confines a process's
filesystem access (and, from ABI 4, TCP bind/connect; from ABI 6, signals and
abstract unix sockets) to what it lists.

Used when bubblewrap is missing (and as a second layer under it): the snippet may
read the system and the Python prefix, read+write only its own working directory,
open no TCP connection, and signal no process outside its own sandbox (so
`kill(-1, 9)` and killing the quiz process fail with EPERM).

Self-contained (stdlib + ctypes, no `quiz` imports): the sandbox child imports it as
a top-level module. The syscall numbers 444-446 are the same on every architecture.
"""

from __future__ import annotations

import ctypes
import os

TYPE_CHECKING = False  # `typing` is not imported in the sandbox child (start-up cost)
if TYPE_CHECKING:
    from collections.abc import Callable

SYS_CREATE_RULESET = 444
SYS_ADD_RULE = 445
SYS_RESTRICT_SELF = 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
IOCTL_DEV = 1 << 15  # ABI 5

NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1

SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1

FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
READ_ONLY = EXECUTE | READ_FILE | READ_DIR


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 when Landlock is absent or disabled."""
    try:
        libc = _libc()
    except OSError:
        return 0
    value = libc.syscall(
        ctypes.c_long(SYS_CREATE_RULESET),
        None,
        ctypes.c_size_t(0),
        ctypes.c_uint32(CREATE_RULESET_VERSION),
    )
    return max(int(value), 0)


def _fs_rights(abi: int) -> int:
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


def restrict(
    read_only: list[str], read_write: list[str], *, deny_tcp: bool = True, scope: bool = True
) -> list[str]:
    """Confine this process (and every later child) to the listed paths.

    Paths that do not exist are skipped. Needs no_new_privs (set by the caller or
    here). Returns one note per feature the kernel lacks; raises OSError when
    Landlock cannot be enforced at all, so the caller never runs unconfined while
    believing it is confined.
    """
    libc = _libc()
    abi = abi_version()
    if abi < 1:
        raise OSError("landlock is not available")
    notes: list[str] = []
    handled = _fs_rights(abi)
    attr = _RulesetAttr(handled, 0, 0)
    size = 8
    if abi >= 4 and deny_tcp:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
        size = 16
    elif deny_tcp:
        notes.append(f"landlock ABI {abi} < 4: TCP is not restricted by landlock")
    if abi >= 6 and scope:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = 24
    elif scope:
        notes.append(f"landlock ABI {abi} < 6: signals outside the sandbox are not scoped")

    def add_rules(fd: int) -> None:
        for paths, rights in ((read_only, READ_ONLY), (read_write, handled)):
            for path in paths:
                try:
                    pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue
                try:
                    allowed = rights & handled
                    if not os.path.isdir(path):
                        allowed &= FILE_RIGHTS
                    rule = _PathBeneath(allowed, pfd)
                    rc = libc.syscall(
                        ctypes.c_long(SYS_ADD_RULE),
                        ctypes.c_int(fd),
                        ctypes.c_int(RULE_PATH_BENEATH),
                        ctypes.byref(rule),
                        ctypes.c_uint32(0),
                    )
                    if rc < 0:
                        raise OSError(ctypes.get_errno(), f"landlock_add_rule {path} failed")
                finally:
                    os.close(pfd)

    _enforce(libc, attr, size, add_rules)
    return notes


def scope_signals() -> None:
    """Enter a nested domain that only scopes signals and abstract unix sockets
    (ABI 6+): the process can no longer signal processes outside it — used by a fork
    server's run child, so a snippet cannot signal the server it was forked from.
    Raises OSError where the kernel cannot."""
    libc = _libc()
    if abi_version() < 6:
        raise OSError("landlock ABI < 6 cannot scope signals")
    _enforce(
        libc, _RulesetAttr(0, 0, SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL), 24, lambda fd: None
    )


def _enforce(
    libc: ctypes.CDLL, attr: _RulesetAttr, size: int, add_rules: Callable[[int], None]
) -> None:
    """Create a ruleset, let `add_rules` fill it, and restrict this process to it."""
    fd = libc.syscall(
        ctypes.c_long(SYS_CREATE_RULESET),
        ctypes.byref(attr),
        ctypes.c_size_t(size),
        ctypes.c_uint32(0),
    )
    if fd < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        add_rules(fd)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS failed")
        if libc.syscall(ctypes.c_long(SYS_RESTRICT_SELF), ctypes.c_int(fd), ctypes.c_uint32(0)) < 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(fd)
