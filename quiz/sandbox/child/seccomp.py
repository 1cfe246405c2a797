"""Child side: a seccomp-BPF filter against the system calls a snippet never needs.

Landlock confines files and TCP; this filter covers what it does not: sockets of any
family but AF_UNIX (so UDP, raw and netlink sockets fail before any packet leaves),
ptrace and cross-process memory access, mounting, new namespaces, kernel modules,
BPF, perf, keyrings, io_uring, and `kill(-1, sig)` / `kill(-pgid, sig)` against any
process group but the snippet's own. Everything else is allowed: a denylist keeps
threads, asyncio and multiprocessing working on any libc.

clone3 answers ENOSYS so libc falls back to clone, whose flags a classic BPF filter
can inspect (clone3 passes them in memory it cannot read).

Self-contained (stdlib + ctypes, no `quiz` imports): the sandbox child imports it as
a top-level module.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys

RET_ALLOW = 0x7FFF0000
RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000

LD_W_ABS = 0x20
JEQ_K = 0x15
JGE_K = 0x35
JSET_K = 0x45
RET_K = 0x06

AF_UNIX = 1
NAMESPACE_FLAGS = (
    0x00020000
    | 0x02000000
    | 0x04000000
    | 0x08000000
    | 0x10000000
    | 0x20000000
    | 0x40000000
    | 0x00000080
)
# CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWTIME

_ARCHES: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (
        0xC000003E,
        dict(
            socket=41,
            kill=62,
            clone=56,
            clone3=435,
            ptrace=101,
            process_vm_readv=310,
            process_vm_writev=311,
            mount=165,
            umount2=166,
            pivot_root=155,
            chroot=161,
            swapon=167,
            swapoff=168,
            reboot=169,
            sethostname=170,
            setdomainname=171,
            init_module=175,
            delete_module=176,
            finit_module=313,
            kexec_load=246,
            kexec_file_load=320,
            bpf=321,
            perf_event_open=298,
            userfaultfd=323,
            keyctl=250,
            add_key=248,
            request_key=249,
            unshare=272,
            setns=308,
            open_by_handle_at=304,
            name_to_handle_at=303,
            io_uring_setup=425,
            io_uring_enter=426,
            io_uring_register=427,
            open_tree=428,
            move_mount=429,
            fsopen=430,
            fsconfig=431,
            fsmount=432,
            fspick=433,
            mount_setattr=442,
            acct=163,
            quotactl=179,
            iopl=172,
            ioperm=173,
            syslog=103,
            vhangup=153,
            personality=135,
            lookup_dcookie=212,
        ),
    ),
    "aarch64": (
        0xC00000B7,
        dict(
            socket=198,
            kill=129,
            clone=220,
            clone3=435,
            ptrace=117,
            process_vm_readv=270,
            process_vm_writev=271,
            mount=40,
            umount2=39,
            pivot_root=41,
            chroot=51,
            swapon=224,
            swapoff=225,
            reboot=142,
            sethostname=161,
            setdomainname=162,
            init_module=105,
            delete_module=106,
            finit_module=273,
            kexec_load=104,
            kexec_file_load=294,
            bpf=280,
            perf_event_open=241,
            userfaultfd=282,
            keyctl=219,
            add_key=217,
            request_key=218,
            unshare=97,
            setns=268,
            open_by_handle_at=265,
            name_to_handle_at=264,
            io_uring_setup=425,
            io_uring_enter=426,
            io_uring_register=427,
            open_tree=428,
            move_mount=429,
            fsopen=430,
            fsconfig=431,
            fsmount=432,
            fspick=433,
            mount_setattr=442,
            acct=89,
            quotactl=60,
            syslog=116,
            vhangup=58,
            personality=92,
            lookup_dcookie=18,
        ),
    ),
}
_SECCOMP_SYSCALL = {"x86_64": 317, "aarch64": 277}
_SPECIAL = {"socket", "kill", "clone", "clone3"}


class _Filter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


def _machine() -> str:
    # os.uname, not the platform module: that one imports re (milliseconds per run)
    return os.uname().machine if hasattr(os, "uname") else ""


def supported() -> bool:
    return sys.platform.startswith("linux") and _machine() in _ARCHES


def program(own_pgid: int, machine: str | None = None) -> list[tuple[int, int, int, int]]:
    """The filter as (code, jt, jf, k) tuples; pure, so tests can inspect it."""
    arch, nrs = _ARCHES[machine or _machine()]
    deny = RET_ERRNO | errno.EPERM
    prog: list[tuple[int, int, int, int]] = [
        (LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (JEQ_K, 1, 0, arch),
        (RET_K, 0, 0, RET_KILL_PROCESS),
        (LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
    ]
    if arch == 0xC000003E:  # x32 ABI numbers alias the 64-bit ones: refuse them all
        prog += [(JGE_K, 0, 1, 0x40000000), (RET_K, 0, 0, deny)]
    for name, nr in sorted(nrs.items()):
        if name not in _SPECIAL:
            prog += [(JEQ_K, 0, 1, nr), (RET_K, 0, 0, deny)]
    prog += [(JEQ_K, 0, 1, nrs["clone3"]), (RET_K, 0, 0, RET_ERRNO | errno.ENOSYS)]
    arg0 = 16  # seccomp_data.args[0], low 32 bits (little-endian)
    prog += [
        (JEQ_K, 0, 4, nrs["socket"]),
        (LD_W_ABS, 0, 0, arg0),
        (JEQ_K, 0, 1, AF_UNIX),
        (RET_K, 0, 0, RET_ALLOW),
        (RET_K, 0, 0, RET_ERRNO | errno.EACCES),
        (LD_W_ABS, 0, 0, 0),
        (JEQ_K, 0, 4, nrs["clone"]),
        (LD_W_ABS, 0, 0, arg0),
        (JSET_K, 0, 1, NAMESPACE_FLAGS),
        (RET_K, 0, 0, deny),
        (RET_K, 0, 0, RET_ALLOW),
        (LD_W_ABS, 0, 0, 0),
        (JEQ_K, 0, 6, nrs["kill"]),
        (LD_W_ABS, 0, 0, arg0),
        (JEQ_K, 3, 0, 0xFFFFFFFF),  # kill(-1, ...): everything we may signal
        (JSET_K, 0, 1, 0x80000000),  # a negative pid: a process group
        (JEQ_K, 0, 1, (-own_pgid) & 0xFFFFFFFF),  # only our own group
        (RET_K, 0, 0, RET_ALLOW),
        (RET_K, 0, 0, deny),
        (RET_K, 0, 0, RET_ALLOW),
    ]
    return prog


def install(own_pgid: int | None = None) -> None:
    """Install the filter on this thread (the bootstrap is single-threaded) for
    good; children inherit it. Raises OSError when the kernel refuses."""
    if not supported():
        raise OSError(f"seccomp filter not available on {sys.platform}/{_machine()}")
    pgid = os.getpgid(0) if own_pgid is None else own_pgid
    insns = program(pgid)
    array = (_Filter * len(insns))(*[_Filter(*insn) for insn in insns])
    prog = _Prog(len(insns), ctypes.cast(array, ctypes.POINTER(_Filter)))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS failed")
    # seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW): without the
    # flag the kernel turns on the speculative-store-bypass mitigation for the
    # process, which made every run measurably slower; it protects secrets *inside*
    # the filtered process, and a snippet's process holds none.
    libc.syscall.restype = ctypes.c_long
    rc = libc.syscall(
        ctypes.c_long(_SECCOMP_SYSCALL[_machine()]),
        ctypes.c_uint(1),
        ctypes.c_uint(4),
        ctypes.byref(prog),
    )
    if (
        rc != 0 and libc.prctl(22, 2, ctypes.byref(prog), 0, 0) != 0
    ):  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
        raise OSError(ctypes.get_errno(), "installing the seccomp filter failed")
