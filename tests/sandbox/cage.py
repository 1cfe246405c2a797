"""A cage for the hostile tests: whatever escapes the sandbox must not reach the machine.

This machine and CI run as root, so a snippet that got past the sandbox could
`kill(-1, 9)` every process, fork-bomb the box or delete a home directory. The
pytest process that runs hostile snippets is therefore re-executed:

- in its own PID namespace (`unshare --pid --fork --mount-proc`): `kill(-1, 9)`
  reaches only the cage;
- in its own network namespace (`--net`): no packet can leave even if the sandbox's
  own network layers failed;
- in its own mount namespace with a fresh tmpfs on /tmp and a throwaway HOME that
  holds a fake `~/.ssh/id_rsa` and a fake quiz store, to detect reads and writes;
- in a pids cgroup (pids.max) and a memory cgroup (memory.limit_in_bytes), v1 or v2;
- as root (so the sandbox's own drop to `nobody` is what is tested) or as an
  unprivileged uid (so bubblewrap-with-user-namespace / Landlock is what is tested).
  For the unprivileged variant the Python prefix, if it lives under a directory
  that uid cannot enter (pyenv under /root), is re-mounted where it can.

`cage_problem()` says why a cage cannot be built here (then hostile tests skip);
`run_in_cage()` runs a command in one and returns its CompletedProcess.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CAGE_UID = 4242
PIDS_MAX = 300
MEMORY_LIMIT = 2 << 30
FAKE_SECRET = "FAKE-SECRET-KEY-do-not-leak"
FAKE_STORE = "FAKE-QUIZ-STORE-do-not-leak"
FAKE_ENV = "FAKE-ENV-SECRET-do-not-leak"


def cage_problem() -> str | None:
    if not sys.platform.startswith("linux"):
        return "the test cage needs Linux namespaces"
    if os.geteuid() != 0:
        return "the test cage needs root (to make namespaces and cgroups); run as root or in CI"
    for tool in ("unshare", "setpriv", "mount"):
        if shutil.which(tool) is None:
            return f"the test cage needs `{tool}` (util-linux)"
    if not (_cgroup_v1_ok() or _cgroup_v2_dir() is not None):
        return "no writable pids+memory cgroup to bound the cage"
    probe = subprocess.run(
        ["unshare", "--pid", "--fork", "--mount-proc", "--net", "--mount", "true"],
        capture_output=True,
    )
    if probe.returncode != 0:
        return f"unshare failed: {probe.stderr.decode(errors='replace').strip()}"
    return None


def _cgroup_v1_ok() -> bool:
    return all(
        os.access(f"/sys/fs/cgroup/{c}", os.W_OK)
        and os.path.exists(f"/sys/fs/cgroup/{c}/cgroup.procs")
        for c in ("pids", "memory")
    )


def _cgroup_v2_dir() -> Path | None:
    root = Path("/sys/fs/cgroup")
    if (root / "cgroup.controllers").exists() and os.access(root, os.W_OK):
        controllers = (root / "cgroup.controllers").read_text().split()
        if "pids" in controllers and "memory" in controllers:
            return root
    return None


class _Cgroups:
    """One child cgroup per controller (v1) or one v2 group, removed afterwards."""

    def __init__(self, name: str) -> None:
        self.dirs: list[Path] = []
        if _cgroup_v1_ok():
            pids = Path("/sys/fs/cgroup/pids") / name
            mem = Path("/sys/fs/cgroup/memory") / name
            pids.mkdir()
            self.dirs.append(pids)
            mem.mkdir()
            self.dirs.append(mem)
            (pids / "pids.max").write_text(str(PIDS_MAX))
            (mem / "memory.limit_in_bytes").write_text(str(MEMORY_LIMIT))
        else:
            root = _cgroup_v2_dir()
            assert root is not None
            group = root / name
            group.mkdir()
            self.dirs.append(group)
            (group / "pids.max").write_text(str(PIDS_MAX))
            (group / "memory.max").write_text(str(MEMORY_LIMIT))

    def enter_command(self) -> str:
        """Shell words that move the current shell into every group."""
        return "; ".join(f"echo $$ > {d}/cgroup.procs" for d in self.dirs)

    def remove(self) -> None:
        for d in self.dirs:
            for _ in range(50):
                try:
                    pids = [int(p) for p in (d / "cgroup.procs").read_text().split()]
                except OSError:
                    pids = []
                for pid in pids:
                    try:
                        os.kill(pid, 9)
                    except OSError:
                        pass
                try:
                    d.rmdir()
                    break
                except OSError:
                    import time

                    time.sleep(0.1)


def _expose_prefix_script(prefixes: list[str]) -> str:
    """Shell lines that make `prefixes` reachable for CAGE_UID when an ancestor
    (e.g. /root, mode 700) is not: bind aside, cover the ancestor with a tmpfs, move back."""
    outer = [
        p
        for p in prefixes
        if not any(p != q and p.startswith(q.rstrip("/") + "/") for q in prefixes)
    ]
    groups: dict[Path, list[str]] = {}
    for prefix in outer:
        parts = Path(prefix).parts
        for i in range(2, len(parts) + 1):
            anc = Path(*parts[:i])
            if not anc.stat().st_mode & 0o001:
                groups.setdefault(anc, []).append(prefix)
                break
    lines: list[str] = []
    n = 0
    for blocked, paths in groups.items():
        moves = []
        for prefix in paths:
            stash = f"/tmp/.cage-stash-{n}"
            n += 1
            lines += [f"mkdir -p {stash}", f"mount --bind {shlex.quote(prefix)} {stash}"]
            moves.append((stash, prefix))
        lines.append(f"mount -t tmpfs -o mode=0755,size=1m tmpfs {shlex.quote(str(blocked))}")
        for stash, prefix in moves:
            parts = Path(prefix).parts
            lines += [
                f"mkdir -p {shlex.quote(prefix)}",
                f"mount --move {stash} {shlex.quote(prefix)}",
            ]
            for i in range(len(blocked.parts) + 1, len(parts)):
                lines.append(f"chmod 0755 {shlex.quote(str(Path(*parts[:i])))}")
    return "\n".join(lines)


def _keep_under_tmp_script(paths: list[str]) -> str:
    """Shell lines that mount a fresh tmpfs on /tmp but keep `paths` that live under it
    (a CI clone of the repo, a venv made with mktemp): bind each aside on a private
    tmpfs, cover /tmp, then move each back to where it was."""
    under = sorted({os.path.realpath(p) for p in paths if os.path.realpath(p).startswith("/tmp/")})
    outer = [p for p in under if not any(p != q and p.startswith(q + "/") for q in under)]
    lines = ["mount -t tmpfs -o mode=0700,size=1m tmpfs /mnt"] if outer else []
    for n, path in enumerate(outer):
        lines += [f"mkdir -p /mnt/keep{n}", f"mount --bind {shlex.quote(path)} /mnt/keep{n}"]
    lines.append("mount -t tmpfs -o mode=1777,size=512m tmpfs /tmp")
    for n, path in enumerate(outer):
        lines += [
            f"mkdir -p -m 0755 {shlex.quote(path)}",
            f"mount --move /mnt/keep{n} {shlex.quote(path)}",
        ]
        parts = Path(path).parts
        for i in range(3, len(parts)):
            lines.append(f"chmod 0755 {shlex.quote(str(Path(*parts[:i])))}")
    return "\n".join(lines)


def _python_prefixes() -> list[str]:
    import sysconfig

    found = {
        os.path.realpath(p)
        for p in (
            sys.base_prefix,
            sys.base_exec_prefix,
            sys.prefix,
            os.path.dirname(os.path.realpath(sys.executable)),
        )
    }
    found.add(os.path.realpath(sysconfig.get_paths()["purelib"]))
    return sorted(found)


def run_in_cage(
    argv: list[str],
    *,
    as_user: bool,
    env: dict[str, str] | None = None,
    timeout: float = 600,
    cwd: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `argv` in a fresh cage; the cage's HOME and env carry the fake secrets.

    Inside, the environment has QUIZ_CAGE=1, HOME, QUIZ_CAGE_HOME (the fake home),
    QUIZ_CAGE_STORE (the fake store file), QUIZ_CAGE_SENTINEL (pid of a process
    that must still be alive at the end) and QUIZ_CAGE_SECRET (must never leak).
    """
    problem = cage_problem()
    if problem:
        raise RuntimeError(problem)
    name = f"quiz-cage-{os.getpid()}-{next(tempfile._get_candidate_names())}"
    groups = _Cgroups(name)
    uid = CAGE_UID if as_user else 0
    inner_env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        "LANG": "C.UTF-8",
        "QUIZ_CAGE": "1",
        "QUIZ_CAGE_SECRET": FAKE_ENV,
        "PYTHONDONTWRITEBYTECODE": "1",
        **(env or {}),
    }
    exports = "\n".join(f"export {k}={shlex.quote(v)}" for k, v in inner_env.items())
    drop = (
        f"setpriv --reuid={uid} --regid={uid} --clear-groups --inh-caps=-all --bounding-set=-all --"
        if as_user
        else ""
    )
    inner = f"""
set -e
{_keep_under_tmp_script([cwd or os.getcwd(), str(Path(__file__).resolve().parents[2]), *_python_prefixes()])}
{_expose_prefix_script(_python_prefixes()) if as_user else ""}
H=/tmp/cage-home
mkdir -p $H/.ssh $H/.local/share/quiz
printf '%s\\n' {shlex.quote(FAKE_SECRET)} > $H/.ssh/id_rsa
chmod 600 $H/.ssh/id_rsa
printf '%s\\n' {shlex.quote(FAKE_STORE)} > $H/.local/share/quiz/quiz.db
chown -R {uid}:{uid} $H
chmod 700 $H
sleep 100000 &
SENTINEL=$!
{exports}
export HOME=$H QUIZ_CAGE_HOME=$H QUIZ_CAGE_STORE=$H/.local/share/quiz/quiz.db QUIZ_CAGE_SENTINEL=$SENTINEL
cd {shlex.quote(cwd or os.getcwd())}
set +e
{drop} {" ".join(shlex.quote(a) for a in argv)}
rc=$?
kill $SENTINEL 2>/dev/null
exit $rc
"""
    outer = f"{groups.enter_command()}; exec unshare --pid --fork --mount-proc --net --mount --propagation private -- /bin/sh -c {shlex.quote(inner)}"
    try:
        return subprocess.run(
            ["/bin/sh", "-c", outer],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={"PATH": "/usr/bin:/bin:/usr/sbin:/sbin"},
            stdin=subprocess.DEVNULL,
        )
    finally:
        groups.remove()
