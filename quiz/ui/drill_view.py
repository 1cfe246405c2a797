"""The drill's prompter (timed questions, exam mode) and its end-of-drill report.

`DrillPrompter` is the review prompter with two additions:
- `--timed`: each answer's time is measured with an injected monotonic clock (piped
  answers too, so scripted over-time answers count as wrong); in a terminal the time
  left is shown (a live countdown while waiting for a key, in the prompt for a typed
  line) and the input times out when it runs out;
- `--exam`: no verdict and no explanation until the report at the end (a basic card
  still shows its back, which the learner needs to rate themselves).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import replace

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from quiz.model import Rating, RunResult, StoredCard, Verdict
from quiz.review.drill import DrillReport
from quiz.review.session import Action, Progress, Response
from quiz.safe_text import escape
from quiz.ui import card_view
from quiz.ui.i18n import tr
from quiz.ui.prompter import TerminalPrompter, read_capped_line
from quiz.ui.safe import text as safe

TIMEOUT = "\x00timeout"


def clock() -> float:
    """The answer-time clock (a seam: tests replace it to script slow answers)."""
    return time.monotonic()


class DrillPrompter(TerminalPrompter):
    def __init__(
        self,
        console: Console,
        lang: str | None = None,
        *,
        time_limit: float | None = None,
        exam: bool = False,
        monotonic: Callable[[], float] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(console, lang, **kwargs)
        self.time_limit = time_limit
        self.exam = exam
        self.monotonic = monotonic or (lambda: clock())
        self._deadline: float | None = None
        self._can_time_out = self.interactive and _has_termios()

    # ---- timing ---------------------------------------------------------------

    def ask(self, item: StoredCard, progress: Progress) -> Response:
        if self.interactive and getattr(
            self, "_pause", False
        ):  # "any key: next card" is not answer time
            self.console.print(f"[dim]{tr('any key: next card', self.lang)}[/]")
            self._pause = False
            if self._plain_key() in ("\x03", "\x04"):
                return Response(Action.QUIT)
        start = self.monotonic()
        self._deadline = start + self.time_limit if self.time_limit else None
        try:
            response = super().ask(item, progress)
        finally:
            self._deadline = None
        if response.action == Action.ANSWER:
            response = replace(response, duration_ms=int((self.monotonic() - start) * 1000))
        return response

    def _left(self) -> float:
        return max(0.0, (self._deadline or 0.0) - self.monotonic())

    def _line(self, prompt: str = "› ") -> str | None:
        if self._deadline is None or not self._can_time_out:
            return super()._line(prompt)
        return _timed_line(self.console, f"[{self._left():.0f}s] {prompt}", self._left)

    def _read_key_timed(self) -> str:
        if self._deadline is None or not self._can_time_out:
            return self._plain_key()
        key = _timed_key(self.console, self._left)
        return "\n" if key == TIMEOUT else key  # out of time: reveal (and count it wrong)

    # TerminalPrompter reads keys through `self._read_key`
    @property
    def _read_key(self):
        return self._read_key_timed

    @_read_key.setter
    def _read_key(self, fn) -> None:
        self._plain_key = fn

    # ---- exam -----------------------------------------------------------------

    def verdict(self, item: StoredCard, verdict: Verdict, result: RunResult | None) -> None:
        if not self.exam:
            super().verdict(item, verdict, result)

    def explain(self, item: StoredCard) -> None:
        if not self.exam:
            super().explain(item)

    def rate(
        self,
        item: StoredCard,
        suggested: Rating | None,
        previews: Mapping[Rating, str] | None = None,
    ) -> Response:
        if (
            self.exam and suggested is not None
        ):  # a right prediction: no Hard/Easy prompt to give it away
            return Response(Action.RATE, rating=suggested)
        return super().rate(item, suggested)  # no intervals: a drill leaves the schedule alone


def _has_termios() -> bool:
    try:
        import termios  # noqa: F401
        import tty  # noqa: F401
    except ImportError:  # Windows: time is measured, input cannot time out
        return False
    return True


def _timed_line(console: Console, prompt: str, left: Callable[[], float]) -> str | None:
    import select
    import termios

    console.print(prompt, end="", markup=False, highlight=False)
    console.file.flush()
    ready, _, _ = select.select([sys.stdin], [], [], left())
    if not ready:
        termios.tcflush(sys.stdin.fileno(), termios.TCIFLUSH)  # drop a half-typed answer
        console.print("\n[red]time's up[/]")
        return ""
    line, _cut = read_capped_line(sys.stdin)  # cut to the cap (the prompter trims too)
    return line


def _timed_key(console: Console, left: Callable[[], float]) -> str:
    import select
    import termios
    import tty

    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    shown = -1
    try:
        tty.setcbreak(fd)
        while True:
            remaining = left()
            if remaining <= 0:
                console.print("\r[red]time's up[/]      ")
                return TIMEOUT
            if int(remaining) != shown:
                shown = int(remaining)
                console.print(f"\r[dim]⏱ {shown:>3d}s[/] ", end="")
                console.file.flush()
            ready, _, _ = select.select([fd], [], [], min(0.2, remaining))
            if ready:
                console.print("\r" + " " * 8 + "\r", end="")
                return os.read(fd, 4).decode(errors="ignore")[:1]
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)


# ---- the report ------------------------------------------------------------------


def report_view(report: DrillReport, lang: str | None, *, exam: bool = False) -> RenderableType:
    parts: list[RenderableType] = []
    n = len(report.answers)
    share = f"{report.right / n:.0%}" if n else "–"
    avg = f"{report.average_ms / 1000:.1f}s" if report.average_ms is not None else "–"
    head = Text(
        tr(
            "Drill: {right}/{n} right ({share}) · {avg} per question",
            lang,
            right=report.right,
            n=n,
            share=share,
            avg=avg,
        ),
        style="bold",
    )
    if report.timed_out:
        head.append(tr(" · {n} over time", lang, n=report.timed_out), style="red")
    if n < report.asked:
        head.append(
            tr(" · stopped after {n} of {asked}", lang, n=n, asked=report.asked), style="yellow"
        )
    parts.append(head)

    if n:
        questions = Table(box=None, header_style="bold", pad_edge=False, expand=False)
        questions.add_column("#", justify="right")
        questions.add_column(tr("card", lang), overflow="ellipsis", no_wrap=True, max_width=40)
        questions.add_column("", justify="center")
        questions.add_column(tr("time", lang), justify="right")
        for i, a in enumerate(report.answers, 1):
            mark = Text("✓", style="green") if a.right else Text("✗", style="red")
            secs = Text(f"{a.duration_ms / 1000:.1f}s", style="red" if a.timed_out else "")
            questions.add_row(str(i), safe(a.item.card.key), mark, secs)
        parts.append(questions)

    if report.by_tag:
        tags = Table(
            title=tr("by tag", lang),
            title_justify="left",
            box=None,
            header_style="bold",
            pad_edge=False,
        )
        tags.add_column(tr("tag", lang), overflow="fold")
        tags.add_column(tr("right", lang), justify="right")
        tags.add_column(tr("of", lang), justify="right")
        tags.add_column(tr("share", lang), justify="right")
        for t in report.by_tag:
            tags.add_row(safe(t.tag), str(t.right), str(t.answers), f"{t.right / t.answers:.0%}")
        parts.append(tags)

    for a in report.missed:
        item = a.item
        parts.append(
            Text.assemble(
                ("✗ ", "red"),
                (escape(item.card.key), "bold"),
                (escape(f"  {item.path}:{item.card.line}") if item.path else "", "dim"),
            )
        )
        parts.append(card_view.question(item, lang))
        if a.answer and a.answer.strip():
            parts.append(
                Text.assemble((tr("your answer: ", lang), "dim"), escape(_shown_answer(a.answer)))
            )
        if a.timed_out:
            parts.append(Text(tr("out of time", lang), style="red"))
        parts.append(Text.assemble((tr("answer: ", lang), "dim"), escape(_answer_text(item, lang))))
        why = card_view.explanation(item, lang)
        if why is not None:
            parts.append(why)
    if report.answers:
        parts.append(
            Text.assemble((tr("next: ", lang), "bold"), (escape(report.next_command), "cyan"))
        )
    return Group(*parts)


REPORT_ANSWER_CHARS = 500


def _shown_answer(answer: str) -> str:
    """A learner's answer as the report shows it: at most REPORT_ANSWER_CHARS characters.

    Rich wraps a long Text into one segment and then splits that segment at each line
    break by copying the rest of it (Segment.split_and_crop_lines), which is quadratic in
    the text's length. Answers are capped when read; this keeps the report linear
    whatever an older store holds.
    """
    answer = answer.rstrip("\n")
    if len(answer) <= REPORT_ANSWER_CHARS:
        return answer
    return f"{answer[:REPORT_ANSWER_CHARS]}… ({len(answer) - REPORT_ANSWER_CHARS} more characters)"


def _answer_text(item: StoredCard, lang: str | None) -> str:
    card = item.card
    if card.cloze is not None and card.text is not None:
        from quiz.deck import cloze

        return cloze.reveal(item.text(card.text, lang))
    if card.output is not None:
        return card.output.rstrip("\n")
    if card.raises:
        return card.raises
    view = card_view.answer(item, lang)
    if isinstance(view, Text):
        return view.plain
    return item.text(card.back, lang) or ""
