"""The step-through screen: a traced run (quiz.trace) as lines a learner can follow,
like Python Tutor in a terminal. Every string in it came from a deck or a snippet, so
all of it passes quiz.safe_text.escape."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from quiz.safe_text import escape
from quiz.trace import Trace, departure

INDENT = "  "


def _who(step_thread: str | None, task: str | None) -> str:
    parts = [p for p in (step_thread and f"thread {step_thread}", task and f"task {task}") if p]
    return f"[{', '.join(parts)}] " if parts else ""


def trace_lines(code: str, trace: Trace, predicted: str | None = None) -> list[Text]:
    """One Text per shown step; the step where the output departs from `predicted`
    carries a marker line after it."""
    source = code.splitlines()
    mark = departure(trace, predicted) if predicted is not None else None
    width = len(str(max(len(source), 1)))
    rows: list[Text] = []
    for index, step in enumerate(trace.steps):
        pad = INDENT * step.depth
        who = _who(step.thread, step.task)
        row = Text()
        if step.kind == "line":
            text = source[step.line - 1].strip() if 0 < step.line <= len(source) else ""
            row.append(f"{step.line:>{width}} │ ", style="dim")
            row.append(escape(who), style="magenta")
            row.append(pad + escape(text))
            if step.changed:
                row.append("   " + _changes(step.changed), style="cyan")
        elif step.kind == "set":
            row.append(" " * width + " │ ", style="dim")
            row.append(escape(who) + pad + _changes(step.changed), style="cyan")
        elif step.kind in ("call", "resume"):
            args = f"({_changes(step.changed, ', ')})" if step.kind == "call" else ""
            verb = "→ call" if step.kind == "call" else "↻ resume"
            row.append(" " * width + " │ ", style="dim")
            row.append(escape(f"{who}{pad}{verb} {step.function}{args}"), style="blue")
        elif step.kind in ("return", "yield", "await"):
            if step.depth == 0 and step.function == "<module>":
                continue
            verb = {"return": "← return", "yield": "⇠ yield", "await": "⇠ await"}[step.kind]
            row.append(" " * width + " │ ", style="dim")
            row.append(escape(f"{who}{pad}{verb} {step.value} from {step.function}"), style="blue")
        elif step.kind == "unwind":
            row.append(" " * width + " │ ", style="dim")
            row.append(escape(f"{who}{pad}↯ the exception leaves {step.function}"), style="red")
        elif step.kind == "exc":
            row.append(f"{step.line:>{width}} │ ", style="dim")
            row.append(escape(f"{who}{pad}raised {step.exception}"), style="bold red")
        elif step.kind == "out":
            shown = step.text[:-1] if step.text.endswith("\n") else step.text
            for n, line in enumerate(shown.split("\n")):
                if n:
                    rows.append(row)
                    row = Text()
                row.append(" " * width + " │ ", style="dim")
                row.append(escape(f"{who}{pad}printed: "), style="green")
                row.append(escape(line), style="bold green")
        rows.append(row)
        if mark == index:
            rows.append(
                Text(
                    " " * width + " ╰─ your prediction departs from the real output here",
                    style="bold yellow",
                )
            )
    if trace.cut_at is not None:
        rows.append(Text(f"trace cut at {trace.cut_at} steps", style="yellow"))
    return rows


def _changes(pairs: tuple[tuple[str, str], ...], sep: str = "  ") -> str:
    return escape(sep.join(f"{name} = {value}" for name, value in pairs))


def trace_view(code: str, trace: Trace, predicted: str | None = None) -> RenderableType:
    rows = trace_lines(code, trace, predicted)
    if not trace.steps:
        rows = [Text("(no steps: the snippet ended before it ran a line)", style="dim")]
    return Group(*rows)
