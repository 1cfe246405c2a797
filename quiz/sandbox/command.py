"""Parent side: the command line, environment and options that start a sandbox child
(or a fork server): `[bwrap ...] python -s -S -B -X utf8 child/entry.py opts [-- CODE]`.

What each option asks of the child is the child side's business (child/bootstrap.py);
this module only decides, from the machine's Plan and the SandboxConfig, which layers
to ask for and which paths the child may read and write.
"""

from __future__ import annotations

import os

from quiz.sandbox import bwrap as bwrap_mod
from quiz.sandbox.child.bootstrap import CHILD_MODULES
from quiz.sandbox.config import SandboxConfig
from quiz.sandbox.layers import Plan

CHILD_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "child")
ENTRY = os.path.join(CHILD_DIR, "entry.py")
PY_FLAGS = ("-s", "-S", "-B", "-X", "utf8")


def ensure_bytecode() -> None:
    """Compile the child-side modules once, so each child loads cached bytecode
    instead of compiling their source on every start (`-B` still reads .pyc files; it
    only stops the child from writing them). Best effort: a read-only install has them
    from installation."""
    import importlib.util
    import py_compile

    for name in CHILD_MODULES:
        source = os.path.join(CHILD_DIR, f"{name}.py")
        cached = importlib.util.cache_from_source(source)
        try:
            if os.path.exists(cached) and os.stat(cached).st_mtime >= os.stat(source).st_mtime:
                continue
            py_compile.compile(source, cfile=cached, doraise=True)
        except (OSError, py_compile.PyCompileError):
            continue


def child_env(workdir: str, hash_seed: int) -> dict[str, str]:
    """The child's whole environment: nothing of quiz's own is passed on."""
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


def child_command(
    config: SandboxConfig,
    plan: Plan,
    host_dir: str,
    code: str | None,
    key: tuple[int, int],
    report_fd: int,
    code_fd: int,
    server: tuple[int, int] | None = None,
) -> tuple[list[str], dict[str, str], str]:
    """(argv, env, working dir inside) of a child; with `server` (request fd, response
    fd) a fork server's, which gets each run's code and CPU budget over its pipe.

    `code=None`: the child hardens itself and then waits for its snippet on `code_fd`
    (a warm spare)."""
    cfg = config
    hash_seed, cpu = key
    interp = plan.interpreter
    inside = bwrap_mod.WORKDIR if plan.bwrap else os.path.join(host_dir, "work")
    env = child_env(inside, hash_seed)
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
        CHILD_DIR,
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
            ro_paths=(*interp.prefixes, CHILD_DIR),
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
                expose="\n".join((*interp.prefixes, CHILD_DIR)),
            )
    argv += [interp.executable, *PY_FLAGS, ENTRY]
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
