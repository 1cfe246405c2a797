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
    " sys.executable, sys.implementation.name, getattr(sys, '_base_executable', ''))))"
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


def _base_binary(executable: str, version: tuple[int, int], base_executable: str) -> str:
    """The real binary of the interpreter `executable` is made from. A virtual
    environment made with copies (`python -m venv --copies`, or copied whole) holds a
    binary of its own, which reads the environment's pyvenv.cfg as it starts: outside
    what a snippet may read, so a snippet's `subprocess.run([sys.executable, ...])`
    failed there. The snippets need only the standard library (they run without
    site-packages), which the base binary has. `base_executable`: `sys._base_executable`
    (the base's on 3.11 and later, the copy itself on 3.10); else the `home` its
    pyvenv.cfg names, as Python finds it."""
    exe = os.path.realpath(executable)
    config = _venv_config(exe)
    if config is None:
        return exe
    home = ""
    try:
        with open(config, encoding="utf-8") as lines:
            for line in lines:
                key, _, value = line.partition("=")
                if key.strip() == "home":
                    home = os.path.join(value.strip(), f"python{version[0]}.{version[1]}")
    except OSError:
        pass
    for candidate in (base_executable, home):
        found = os.path.realpath(candidate) if candidate else ""
        if found and os.path.isfile(found) and _venv_config(found) is None:
            return found
    return exe


def _venv_config(executable: str) -> str | None:
    """The pyvenv.cfg an interpreter binary reads as it starts (beside it or one up)."""
    folder = os.path.dirname(executable)
    for place in (folder, os.path.dirname(folder)):
        config = os.path.join(place, "pyvenv.cfg")
        if os.path.isfile(config):
            return config
    return None


@functools.cache
def probe(python: str | None = None) -> Interpreter:
    """Describe `python` (a path or a command name); None: the running interpreter."""
    if python is None:
        exe = _base_binary(
            sys.executable, sys.version_info[:2], getattr(sys, "_base_executable", "")
        )
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
        version, base, base_exec, named, impl, base_named = ast.literal_eval(done.stdout.strip())
    except (ValueError, SyntaxError):
        raise SandboxError(
            f"--python {python}: unexpected answer {done.stdout.strip()[:80]!r}"
        ) from None
    exe = _base_binary(named, version[:2], base_named)
    return Interpreter(exe, tuple(version), _prefixes(exe, base, base_exec), impl)
