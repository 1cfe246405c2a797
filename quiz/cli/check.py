"""`quiz check`: validate decks and verify every predict-output card live.

Thin: parse options, call quiz.verify.check_paths with the sandbox as its runner,
print the problems as `path:line: message`, exit 0 (clean) / 1 (problems) /
2 (usage).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from quiz.cli.boundary import Exit, echo, echo_lines
from quiz.cli.declare import MAX_JOBS, Argument, Option, command
from quiz.errors import UsageError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


@command(
    "check",
    help=(
        "Validate deck files and run every output card in the sandbox, checking its stored answer "
        "(also with other hash seeds). A card with `vary:` has no stored answer: each of its "
        "variants (above 6, a sample of 6 with the first and the last) must run, print, raise "
        "nothing and print the same under PYTHONHASHSEED 0 and 1. Exit 0 when clean, 1 on any "
        "problem.\n\n"
        "Example: quiz check decks/   |   quiz check --strict decks/   |   quiz check --record mydeck.yaml   |   quiz check --python python3.12 decks/"
    ),
)
def check(
    paths: list[Path] = Argument(..., help="Deck files or folders."),
    no_run: bool = Option(False, "--no-run", help="Check structure only; run nothing."),
    record: bool = Option(
        False,
        "--record",
        help="Write live results into output cards that have none yet (not cards with vary:).",
    ),
    python: str | None = Option(None, "--python", help="Run the snippets with this interpreter."),
    jobs: int = Option(
        0, "--jobs", "-j", min=0, max=MAX_JOBS, help="Parallel runs (default: one per core)."
    ),
    as_json: bool = Option(False, "--json", help="Print the report as JSON."),
    strict: bool = Option(
        False,
        "--strict",
        help="Count content-lint warnings (no explain or source, a missing language, an answer "
        "readable off the code, a choice the explain skips, a duplicate, an unneeded pin) as errors.",
    ),
) -> None:
    from quiz.verify import check_paths

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    if no_run and record:
        raise UsageError("--record needs to run the cards; drop --no-run")
    runner = None
    version = ""
    box = None
    if not no_run:
        from quiz.sandbox import Sandbox, SandboxConfig

        box = Sandbox(SandboxConfig.from_env(python=python))
        version = box.plan.interpreter.version_text
        runner = lambda code, timeout, seed: box.run(code, timeout=timeout, hash_seed=seed)  # noqa: E731
    try:
        with _progress(enabled=not as_json and sys.stderr.isatty()) as progress:
            report = check_paths(
                [str(p) for p in paths],
                run=not no_run,
                record=record,
                runner=runner,
                python_version=version,
                workers=jobs or None,
                progress=progress,
                strict=strict,
            )
    finally:
        if box is not None:
            box.close()
    if as_json:
        from quiz.safe_text import json_text

        echo(json_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False)))
    else:
        echo_lines(
            [
                str(item)
                for part in (report.notices, report.recorded, report.problems, report.warnings)
                for item in part
            ]
        )
        ran = f", {report.ran} runs" if not no_run else " (structure only)"
        status = (
            "ok"
            if report.ok
            else f"{len(report.problems)} problem{'s' if len(report.problems) != 1 else ''}"
        )
        if report.warnings:
            count = len(report.warnings)
            status += f", {count} warning{'s' if count != 1 else ''} (errors under --strict)"
        echo(
            f"{report.decks} deck{'s' if report.decks != 1 else ''}, {report.cards} output card{'s' if report.cards != 1 else ''}{ran}: {status}",
            err=True,
        )
    raise Exit(0 if report.ok else 1)


class _progress:
    """A rich progress line on a terminal when many cards run; nothing otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and not os.environ.get("CI")
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self):
        return self.update if self.enabled else None

    def update(self, done: int, total: int) -> None:
        if total < 20:
            return
        if self.bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(
                TextColumn("running cards"),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("run", total=total)
        assert self.task is not None
        self.bar.update(self.task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
