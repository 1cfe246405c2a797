"""Runs untrusted predict-output snippets in a fresh, confined child interpreter.

This package is the only code in quiz that starts a subprocess. Public API:

    from quiz.sandbox import Sandbox, SandboxConfig, run_snippet, layers
    result = Sandbox(SandboxConfig()).run("print(1)", timeout=2, hash_seed=0)

`layers()` reports which protections this machine gives (for `quiz doctor`).
Modules: config (knobs), layers (what is available), runner (parent side), bwrap
(command line), reaper (orphans), interpreter (which Python), and the child side
that runs inside the sandbox: bootstrap, limits, privileges, mounts, landlock,
seccomp.
"""

from __future__ import annotations

from quiz.sandbox.config import SandboxConfig, SandboxError
from quiz.sandbox.layers import Layer
from quiz.sandbox.runner import Sandbox, TraceBound, default_sandbox, run_snippet


def layers(config: SandboxConfig | None = None) -> tuple[Layer, ...]:
    """The protection layers a run gets here, active or not."""
    box = Sandbox(config) if config is not None else default_sandbox()
    return box.layers()


__all__ = [
    "Layer",
    "Sandbox",
    "SandboxConfig",
    "SandboxError",
    "TraceBound",
    "layers",
    "run_snippet",
]
