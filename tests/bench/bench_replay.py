"""The commands that replay a learner's whole log — `quiz evaluate` and `quiz optimize` — on
the big store (1M reviews): their time and peak memory (issue #19: <= 200 MB for every
command), once each (minutes of work).

    python -m tests.bench --only bench_replay

`quiz optimize` needs autograd and numpy (the optional extra quiz[optimize]): run with an
interpreter that has them, or name one in QUIZ_BENCH_OPTIMIZE_PYTHON (this checkout is put
on its path). Importing them alone is measured beside it, as the floor that command cannot
go under.
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


FRAMEWORK = "import autograd.numpy"  # what the fitter imports (numpy with it)


def _optimize_python(default: str) -> str | None:
    for python in (os.environ.get("QUIZ_BENCH_OPTIMIZE_PYTHON"), default):
        if (
            python
            and subprocess.run([python, "-c", FRAMEWORK], capture_output=True).returncode == 0
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
    python = _optimize_python(ctx.python)
    if python is None:
        rows.append(
            Row(
                "quiz optimize --dry-run (1M reviews)",
                "peak <= 200 MB",
                None,
                note="skipped: autograd is not installed (quiz[optimize]; or QUIZ_BENCH_OPTIMIZE_PYTHON)",
            )
        )
        return rows
    optimize_env = ctx.env(store, PYTHONPATH=str(ROOT))
    floor = _row(
        ctx,
        f"python -c '{FRAMEWORK}' (the floor of quiz optimize)",
        "-",
        None,
        lambda: run_once([python, "-c", FRAMEWORK], optimize_env),
        1,
    )
    # the framework's own size is not quiz's to lower: shown in the note, not judged
    peak = f"peak {floor.peak_mb:.0f} MB" if floor.peak_mb else ""
    rows.append(replace(floor, peak_mb=None, note=" ".join(filter(None, (peak, floor.note)))))
    rows.append(
        _row(
            ctx,
            "quiz optimize --dry-run (1M reviews)",
            "peak <= 200 MB",
            None,
            lambda: run_once(
                [python, "-m", "quiz", "optimize", "--dry-run", "--json"], optimize_env
            ),
            1,
        )
    )
    return rows
