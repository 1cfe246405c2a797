"""Which Python runs the snippets: its real binary, version and prefixes.

The sandbox must bind (bubblewrap) or allow (Landlock) exactly the directories the
interpreter loads its standard library from, and `quiz check --python` must know the
version to honour cards' `python:` specifiers. For this interpreter the answer is
known in-process; another one (`--python PATH`) is asked once, by running it with
`-s -S` (a trusted binary the user named, not a snippet).
"""

from __future__ import annotations

import ast
import functools
import os
import subprocess
import sys
from dataclasses import dataclass

from quiz.sandbox.config import SandboxError

_PROBE = (
    "import sys, os; print(repr((tuple(sys.version_info[:3]), sys.base_prefix, sys.base_exec_prefix,"
    " os.path.realpath(sys.executable), sys.implementation.name)))"
)


@dataclass(frozen=True)
class Interpreter:
    executable: str  # real path (venv and pyenv shims resolved)
    version: tuple[int, int, int]
    prefixes: tuple[str, ...]  # directories the child must be able to read
    implementation: str = "cpython"

    @property
    def version_text(self) -> str:
        return ".".join(str(part) for part in self.version)


def _prefixes(executable: str, *dirs: str) -> tuple[str, ...]:
    found: list[str] = []
    for d in (*dirs, os.path.dirname(executable)):
        d = os.path.realpath(d)
        if d and not any(d == p or d.startswith(p.rstrip("/") + "/") for p in found):
            found = [p for p in found if not p.startswith(d.rstrip("/") + "/")]
            found.append(d)
    return tuple(found)


@functools.cache
def probe(python: str | None = None) -> Interpreter:
    """Describe `python` (a path or a command name); None: the running interpreter."""
    if python is None:
        exe = os.path.realpath(sys.executable)
        return Interpreter(
            exe,
            (sys.version_info.major, sys.version_info.minor, sys.version_info.micro),
            _prefixes(exe, sys.base_prefix, sys.base_exec_prefix),
            sys.implementation.name,
        )
    path = python if os.sep in python else (__import__("shutil").which(python) or python)
    try:
        done = subprocess.run(
            [path, "-s", "-S", "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=20,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxError(f"--python {python}: cannot run it: {exc}") from None
    if done.returncode != 0:
        raise SandboxError(
            f"--python {python}: not a working Python 3 ({done.stderr.strip().splitlines()[-1:] or done.returncode})"
        )
    try:
        version, base, base_exec, exe, impl = ast.literal_eval(done.stdout.strip())
    except (ValueError, SyntaxError):
        raise SandboxError(
            f"--python {python}: unexpected answer {done.stdout.strip()[:80]!r}"
        ) from None
    return Interpreter(exe, tuple(version), _prefixes(exe, base, base_exec), impl)
