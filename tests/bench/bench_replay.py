"""The commands that replay a learner's whole log — `quiz evaluate` and `quiz optimize` — on
the big store (1M reviews): their time and peak memory (issue #19: <= 200 MB for every
command), once each (minutes of work).

    python -m tests.bench --only bench_replay

`quiz optimize` needs PyTorch (the optional extra quiz[optimize]): run with an interpreter
that has it, or name one in QUIZ_BENCH_TORCH_PYTHON (this checkout is put on its path).
Importing PyTorch alone is measured beside it, as the floor that command cannot go under.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

from tests.bench import fixtures
from tests.bench.bench_cli import _row
from tests.bench.measure import Row, run_once

ROOT = Path(__file__).resolve().parents[2]


def _torch_python(default: str) -> str | None:
    for python in (os.environ.get("QUIZ_BENCH_TORCH_PYTHON"), default):
        if (
            python
            and subprocess.run([python, "-c", "import torch"], capture_output=True).returncode == 0
        ):
            return python
    return None


def bench(ctx: Any) -> list[Row]:
    store = fixtures.big_store(log=ctx.log)
    env = ctx.env(store)
    rows = [
        _row(
            ctx,
            "quiz evaluate (1M reviews: three replays)",
            "peak <= 200 MB",
            None,
            lambda: run_once([*ctx.quiz, "evaluate", "--json"], env),
            1,
        )
    ]
    python = _torch_python(ctx.python)
    if python is None:
        rows.append(
            Row(
                "quiz optimize --dry-run (1M reviews)",
                "peak <= 200 MB",
                None,
                note="skipped: PyTorch is not installed (quiz[optimize]; or QUIZ_BENCH_TORCH_PYTHON)",
            )
        )
        return rows
    torch_env = ctx.env(store, PYTHONPATH=str(ROOT))
    floor = _row(
        ctx,
        "python -c 'import torch' (the floor of quiz optimize)",
        "-",
        None,
        lambda: run_once([python, "-c", "import torch"], torch_env),
        1,
    )
    # PyTorch's own size is not quiz's to lower: shown in the note, not judged
    peak = f"peak {floor.peak_mb:.0f} MB" if floor.peak_mb else ""
    rows.append(replace(floor, peak_mb=None, note=" ".join(filter(None, (peak, floor.note)))))
    rows.append(
        _row(
            ctx,
            "quiz optimize --dry-run (1M reviews)",
            "peak <= 200 MB",
            None,
            lambda: run_once([python, "-m", "quiz", "optimize", "--dry-run", "--json"], torch_env),
            1,
        )
    )
    return rows
