"""What `quiz import` says: its report's lines, and a progress bar on a terminal.

Apart from quiz.ui.reports, and with no rich at its top: the report is a few plain lines,
which the command writes as they are (quiz.cli.boundary.echo_lines); rich loads only for
a progress bar, once an import has taken a moment on a terminal, and for `--json` on a
terminal (quiz.ui.console.print_json).
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Callable, Iterator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from quiz.collection import ImportReport


@contextlib.contextmanager
def import_progress(after_seconds: float = 0.7) -> Iterator[Callable[[int, int], None]]:
    """A progress callback that shows a bar only once the work takes a moment."""
    started = time.monotonic()
    shown: list[tuple[Progress, TaskID]] = []  # the bar, once it is shown

    def update(done: int, total: int) -> None:
        if not shown:
            if done >= total or time.monotonic() - started < after_seconds:
                return  # all done (no bar to begin), or quick so far
            from quiz.ui.console import err

            if not err().is_terminal:
                return
            from rich.progress import Progress

            bar = Progress(console=err(), transient=True)
            bar.start()
            shown.append((bar, bar.add_task("importing", total=total)))
        bar, task = shown[0]
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        for bar, _task in shown:
            bar.stop()


def import_data(report: ImportReport) -> dict[str, object]:
    """The report as `quiz import --json` prints it."""
    return {"decks": [d.__dict__ for d in report.decks], "changed": report.changed}


def import_lines(report: ImportReport) -> tuple[list[str], list[str]]:
    """The report's lines for stdout, and its notes for stderr."""
    from quiz.deck.files import NOTHING_CHANGED, skipped_line
    from quiz.ui.plural import counted

    lines = []
    for d in report.decks:
        if d.skipped:
            lines.append(skipped_line(d.deck))
        elif not d.changed:
            lines.append(f"{d.deck}: unchanged ({counted(d.unchanged, 'card')})")
        else:
            parts = [
                f"{n} {label}"
                for n, label in (
                    (d.added, "added"),
                    (d.updated, "updated"),
                    (d.retired, "retired"),
                    (d.restored, "restored"),
                    (d.unchanged, "unchanged"),
                )
                if n
            ]
            lines.append(f"{d.deck}: " + ", ".join(parts))
    if not report.changed:
        lines.append(NOTHING_CHANGED)
    notes = [
        f"note: {d.deck} has {counted(d.output_cards, 'output card')}, not run on import; "
        f"verify them with: quiz check {d.path} (a snippet that fails in review is skipped, "
        "not graded)"
        for d in report.decks
        if d.changed and d.output_cards
    ]
    return lines, notes


def terminal_width(stream: object) -> int | None:
    """The columns of the terminal `stream` writes to; None for a pipe or a file, whose
    reader wants each line whole."""
    isatty = getattr(stream, "isatty", None)
    return shutil.get_terminal_size().columns if isatty is not None and isatty() else None


def fitted(lines: list[str], width: int | None) -> list[str]:
    """Lines broken between words to fit `width` (a terminal would cut a word), each
    continuation indented; as they are without a width."""
    if width is None:
        return lines
    import textwrap

    return [
        part
        for line in lines
        for part in textwrap.wrap(
            line,
            max(width - 1, 20),
            subsequent_indent="  ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        or [line]
    ]
