"""What a sandbox run may use: the knobs, with defaults sized for teaching snippets.

The defaults leave room for the legitimate things a Python course demonstrates
(threads, `asyncio.run`, `multiprocessing.Pool(2)`, a few MB of data) while making
bombs of every kind end quickly. Each knob is one number so `quiz doctor` and tests
can show and override it.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from quiz.errors import QuizError

MAX_CODE_BYTES = 100_000  # the code travels in argv; one argument may hold 128 KiB


class SandboxError(QuizError):
    """The sandbox could not be set up as asked (never: the snippet failed)."""


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def default_unprivileged_ids() -> tuple[int, int]:
    """The uid/gid of `nobody` (65534 on Linux, -2 on macOS), to drop root to."""
    try:
        import pwd

        entry = pwd.getpwnam("nobody")
        return entry.pw_uid, entry.pw_gid
    except (ImportError, KeyError):
        return 65534, 65534


@dataclass(frozen=True)
class SandboxConfig:
    python: str | None = None  # interpreter to run snippets with; None: this one
    timeout: float = 2.0  # wall-clock seconds, per run unless the run says otherwise
    memory_mb: int = 512  # address space of each process
    file_size_mb: int = 16  # largest single file
    disk_mb: int = 64  # total written into the working directory
    open_files: int = 256
    processes: int = 64  # tasks (threads count too) of the sandbox's uid
    output_limit: int = 64 * 1024  # bytes kept per stream; the rest is dropped
    bwrap: bool = True  # use bubblewrap when it is installed and works
    landlock: bool = True
    seccomp: bool = True
    prestart: bool = True  # keep one started, hardened child waiting for the next snippet
    fork_server: bool = True  # under bubblewrap: fork each run from a server per hash seed
    drop_uid: int | None = None  # None: nobody's uid (only used when running as root)
    drop_gid: int | None = None

    @classmethod
    def from_env(cls, **overrides: object) -> SandboxConfig:
        """Defaults, with `QUIZ_SANDBOX_NO_BWRAP=1` turning bubblewrap off (to exercise
        the Landlock + seccomp fallback) and QUIZ_SANDBOX_NO_LANDLOCK / _NO_SECCOMP /
        _NO_FORK_SERVER (a fresh interpreter per run under bubblewrap too)."""
        values: dict[str, object] = {}
        if _env_flag("QUIZ_SANDBOX_NO_BWRAP"):
            values["bwrap"] = False
        if _env_flag("QUIZ_SANDBOX_NO_LANDLOCK"):
            values["landlock"] = False
        if _env_flag("QUIZ_SANDBOX_NO_SECCOMP"):
            values["seccomp"] = False
        if _env_flag("QUIZ_SANDBOX_NO_FORK_SERVER"):
            values["fork_server"] = False
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]  # flags and overrides are SandboxConfig field values, typed object here

    def cpu_seconds(self, timeout: float) -> int:
        """CPU budget per process: a little over the wall clock, so the wall clock
        normally ends a run and RLIMIT_CPU is the backstop."""
        return math.ceil(timeout) + 1

    def ids(self) -> tuple[int, int]:
        uid, gid = default_unprivileged_ids()
        return (
            self.drop_uid if self.drop_uid is not None else uid,
            self.drop_gid if self.drop_gid is not None else gid,
        )
