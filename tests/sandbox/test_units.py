"""Unit tests of the sandbox's parts: the seccomp program, the bubblewrap command
line, escaping, configuration and the child-side limit helpers."""

from __future__ import annotations

import errno
import os

import pytest

from quiz import safe_text
from quiz.sandbox import bwrap
from quiz.sandbox.child import landlock, seccomp
from quiz.sandbox.child.mounts import blocked_ancestor, can_traverse
from quiz.sandbox.config import SandboxConfig

# -- safe_text -----------------------------------------------------------------------


def test_escape_makes_terminal_sequences_visible() -> None:
    shown = safe_text.escape("\x1b[2J\x1b]0;title\x07red\u202eevil\n\tok\r")
    assert shown == "\\x1b[2J\\x1b]0;title\\x07red\\u202eevil\n\tok\\x0d"
    assert safe_text.is_safe(shown)


def test_escape_keeps_ordinary_unicode() -> None:
    text = "héllo 世界 🐍 — ✓\n"
    assert safe_text.escape(text) == text


@pytest.mark.parametrize("ch", ["\x00", "\x7f", "\x9b", "\u200b", "\u2066", "\ufeff"])
def test_escape_control_and_invisible(ch: str) -> None:
    assert ch not in safe_text.escape(f"a{ch}b")


# -- seccomp program -----------------------------------------------------------------


def run_bpf(
    prog: list[tuple[int, int, int, int]], nr: int, arch: int, args: tuple[int, ...] = ()
) -> int:
    """A tiny interpreter for the classic-BPF subset the filter uses."""
    data = {0: nr, 4: arch}
    for i, a in enumerate(args):
        data[16 + 8 * i] = a & 0xFFFFFFFF
    acc, pc = 0, 0
    while True:
        code, jt, jf, k = prog[pc]
        if code == seccomp.LD_W_ABS:
            acc = data.get(k, 0)
            pc += 1
        elif code == seccomp.RET_K:
            return k
        else:
            cond = {
                seccomp.JEQ_K: acc == k,
                seccomp.JGE_K: acc >= k,
                seccomp.JSET_K: bool(acc & k),
            }[code]
            pc += 1 + (jt if cond else jf)


X86 = 0xC000003E
NR = dict(socket=41, kill=62, clone=56, clone3=435, ptrace=101, write=1, mount=165)


@pytest.fixture
def prog() -> list[tuple[int, int, int, int]]:
    return seccomp.program(own_pgid=4242, machine="x86_64")


def test_seccomp_allows_ordinary_calls(prog: list) -> None:
    assert run_bpf(prog, NR["write"], X86) == seccomp.RET_ALLOW
    assert run_bpf(prog, NR["socket"], X86, (seccomp.AF_UNIX,)) == seccomp.RET_ALLOW
    assert (
        run_bpf(prog, NR["clone"], X86, (0x3D0F00,)) == seccomp.RET_ALLOW
    )  # pthread_create's flags


def test_seccomp_denies_network_and_escapes(prog: list) -> None:
    assert run_bpf(prog, NR["socket"], X86, (2,)) == seccomp.RET_ERRNO | errno.EACCES  # AF_INET
    assert run_bpf(prog, NR["socket"], X86, (10,)) == seccomp.RET_ERRNO | errno.EACCES  # AF_INET6
    for name in ("ptrace", "mount"):
        assert run_bpf(prog, NR[name], X86) == seccomp.RET_ERRNO | errno.EPERM
    assert (
        run_bpf(prog, NR["clone"], X86, (0x10000000,)) == seccomp.RET_ERRNO | errno.EPERM
    )  # CLONE_NEWUSER
    assert run_bpf(prog, NR["clone3"], X86) == seccomp.RET_ERRNO | errno.ENOSYS
    assert run_bpf(prog, 0x40000000 + 1, X86) == seccomp.RET_ERRNO | errno.EPERM  # x32
    assert run_bpf(prog, NR["write"], 0x40000003) == seccomp.RET_KILL_PROCESS  # i386 ABI


def test_seccomp_kill_only_inside_own_group(prog: list) -> None:
    kill = NR["kill"]
    assert run_bpf(prog, kill, X86, (1234, 9)) == seccomp.RET_ALLOW
    assert run_bpf(prog, kill, X86, (0, 9)) == seccomp.RET_ALLOW
    assert run_bpf(prog, kill, X86, (-4242, 9)) == seccomp.RET_ALLOW
    assert run_bpf(prog, kill, X86, (-1, 9)) == seccomp.RET_ERRNO | errno.EPERM
    assert run_bpf(prog, kill, X86, (-1, 0)) == seccomp.RET_ERRNO | errno.EPERM
    assert run_bpf(prog, kill, X86, (-77, 9)) == seccomp.RET_ERRNO | errno.EPERM


def test_seccomp_program_jumps_stay_in_bounds(prog: list) -> None:
    for pc, (code, jt, jf, _) in enumerate(prog):
        if code not in (seccomp.LD_W_ABS, seccomp.RET_K):
            assert pc + 1 + max(jt, jf) < len(prog)
    assert prog[-1][0] == seccomp.RET_K


# -- bubblewrap command ----------------------------------------------------------------


def test_bwrap_command_as_root_keeps_only_setuid_caps() -> None:
    args = bwrap.command(
        "bwrap", as_root=True, ro_paths=("/opt/py/3.11",), env={"A": "1"}, disk_bytes=1 << 20
    )
    joined = " ".join(args)
    assert "--unshare-net" in args and "--unshare-pid" in args and "--die-with-parent" in args
    assert "--new-session" in args and "--clearenv" in args and "--unshare-user" not in args
    assert "--cap-drop ALL --cap-add CAP_SETUID --cap-add CAP_SETGID" in joined
    assert "--setenv A 1" in joined
    assert (
        "--perms 0755 --dir /opt --perms 0755 --dir /opt/py --ro-bind /opt/py/3.11 /opt/py/3.11"
        in joined
    )
    assert f"--size {1 << 20} --tmpfs {bwrap.WORKDIR}" in joined


def test_bwrap_command_as_user_uses_a_user_namespace() -> None:
    args = bwrap.command("bwrap", as_root=False, ro_paths=(), env={}, disk_bytes=1)
    assert "--unshare-user" in args and "--cap-add" not in args


# -- configuration and child helpers -------------------------------------------------------


def test_config_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZ_SANDBOX_NO_BWRAP", "1")
    assert SandboxConfig.from_env().bwrap is False
    monkeypatch.delenv("QUIZ_SANDBOX_NO_BWRAP")
    assert SandboxConfig.from_env(timeout=5).bwrap is True
    assert SandboxConfig().cpu_seconds(2.0) == 3 and SandboxConfig().cpu_seconds(0.5) == 2


def test_blocked_ancestor(tmp_path) -> None:  # type: ignore[no-untyped-def]
    locked = tmp_path / "locked"
    inner = locked / "py"
    inner.mkdir(parents=True)
    os.chmod(tmp_path, 0o755)
    os.chmod(locked, 0o700)
    st = os.stat(locked)
    assert not can_traverse(st, st.st_uid + 1, st.st_gid + 1)
    assert can_traverse(st, st.st_uid, st.st_gid)
    stranger = st.st_uid + 12345
    found = blocked_ancestor(str(inner), stranger, stranger)
    assert found is not None and str(inner).startswith(found + "/")
    assert not can_traverse(os.stat(found), stranger, stranger)
    os.chmod(locked, 0o755)
    assert blocked_ancestor(str(inner), stranger, stranger) != str(locked)


def test_landlock_abi_is_an_int() -> None:
    assert landlock.abi_version() >= 0


def test_the_child_side_imports_only_the_standard_library():
    """Inside the sandbox the quiz package is not importable: child/ modules import one
    another as top-level modules, and otherwise only the standard library
    (ARCHITECTURE.md, "Rules")."""
    import ast
    import sys
    from pathlib import Path

    from quiz.sandbox.command import CHILD_DIR, CHILD_MODULES

    folder = Path(CHILD_DIR)
    siblings = {p.stem for p in folder.glob("*.py")}
    assert set(CHILD_MODULES) <= siblings
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                top = name.split(".")[0]
                assert top in siblings or top in sys.stdlib_module_names or top == "__future__", (
                    f"{path.name} imports {name}"
                )
