"""A snippet's step-through, as values: the events a traced sandbox run sent back
(quiz/sandbox/child/tracer.py), and where its output departs from a prediction.

Pure: the trace is data from the sandbox, read here as untrusted JSON (bad lines are
dropped, sizes were bounded by the child), and shown by quiz/ui/trace_view.py.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

log = logging.getLogger("quiz.trace")

KINDS = frozenset(
    {"line", "set", "call", "return", "yield", "await", "resume", "exc", "unwind", "out", "cut"}
)


@dataclass(frozen=True)
class Step:
    """One event of a traced run: a line about to run, a call, a return, an exception,
    or text the snippet printed (`text`), at call depth `depth` in thread `thread`."""

    kind: str
    line: int = 0
    depth: int = 0
    function: str = ""
    changed: tuple[tuple[str, str], ...] = ()  # names and the values a line gave them
    value: str | None = None  # what a call returned or yielded
    exception: str | None = None
    text: str = ""
    thread: str | None = None
    task: str | None = None


@dataclass(frozen=True)
class Trace:
    steps: tuple[Step, ...]
    cut_at: int | None = None  # the step bound was reached after this many steps

    @property
    def printed(self) -> str:
        return "".join(s.text for s in self.steps if s.kind == "out")


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def parse(lines: tuple[str, ...] | list[str]) -> Trace:
    """The run's trace events; a line that is not one is dropped (and logged)."""
    steps: list[Step] = []
    cut_at = None
    for raw in lines:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):  # the snippet can write on the report pipe too
            log.debug("dropped a trace line that is not JSON")
            continue
        if not isinstance(data, dict) or data.get("e") not in KINDS:
            log.debug("dropped a trace event of no known kind")
            continue
        kind = data["e"]
        if kind == "cut":
            cut_at = _int(data.get("n"))
            continue
        changed = data.get("v")
        pairs = (
            tuple((str(k), _text(v)) for k, v in changed.items())
            if isinstance(changed, dict)
            else ()
        )
        steps.append(
            Step(
                kind=kind,
                line=_int(data.get("ln")),
                depth=max(0, _int(data.get("d"))),
                function=_text(data.get("fn")),
                changed=pairs,
                value=data["r"] if isinstance(data.get("r"), str) else None,
                exception=data["x"] if isinstance(data.get("x"), str) else None,
                text=_text(data.get("t")),
                thread=data["th"] if isinstance(data.get("th"), str) else None,
                task=data["task"] if isinstance(data.get("task"), str) else None,
            )
        )
    return Trace(tuple(steps), cut_at)


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]


def departure(trace: Trace, predicted: str) -> int | None:
    """The index of the first step whose printed text departs from `predicted` (line
    by line, trailing spaces ignored, as grading does), or of the last step when the
    run printed less than predicted; None when the prediction holds."""
    want = _lines(predicted.rstrip("\n"))
    if want == [""]:
        want = []
    got = ""
    last_out = None
    for index, step in enumerate(trace.steps):
        if step.kind != "out":
            continue
        last_out = index
        got += step.text
        lines = _lines(got)
        done, partial = lines[:-1], lines[-1]
        if done != want[: len(done)] or len(done) > len(want):
            return index
        if partial and (len(done) >= len(want) or not want[len(done)].startswith(partial)):
            return index
    if not trace.steps:
        return None  # no step to mark
    if len(_lines(got.rstrip("\n"))) < len(want) or (not got and want):
        return len(trace.steps) - 1 if last_out is None else last_out
    return None
