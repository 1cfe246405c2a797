"""The drill's prompter (timed questions, exam mode) and its end-of-drill report.

`DrillPrompter` is the review prompter with two additions:
- `--timed`: each answer's time is measured with an injected monotonic clock (piped
  answers too, so scripted over-time answers count as wrong); in a terminal the input
  times out when the time runs out. With the line editor the seconds left count down
  in place at the right of the answer line (hidden when the answer reaches it), and on
  a line of their own while a key is awaited; with the plain reader the limit is shown
  once and nothing counts down. After a timeout the keys typed on (the rest of the answer, a rating) are read
  up to an Enter and shown as not used, never taken as the next card's answer or
  commands;
- `--exam`: no verdict and no explanation until the report at the end (a basic card
  still shows its back, which the learner needs to rate themselves); a miss for lack
  of time is said at once.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

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
        **kwargs: Any,
    ) -> None:
        super().__init__(console, lang, **kwargs)
        self.time_limit = time_limit
        self.exam = exam
        self.monotonic = monotonic or (lambda: clock())
        self._deadline: float | None = None
        self._can_time_out = self.interactive and _has_termios()
        self._over = False  # the last answer came after its time ran out
        self._expired = False  # input timed out: what is typed next is not the next card's

    # ---- timing ---------------------------------------------------------------

    def ask(self, item: StoredCard, progress: Progress) -> Response:
        if self._expired:
            self._expired = False
            if self._settle():
                return Response(Action.QUIT)
        start = self.monotonic()
        self._deadline = start + self.time_limit if self.time_limit else None
        try:
            response = super().ask(item, progress)
        finally:
            self._deadline = None
        if response.action != Action.ANSWER:
            return response
        duration = int((self.monotonic() - start) * 1000)
        limit_ms = int(self.time_limit * 1000) if self.time_limit else None
        if self._timed_out and limit_ms is not None:
            # the read ended because time ran out: over the limit whatever the clock's rounding
            duration = max(duration, limit_ms + 1)
            self._expired = self.interactive
        self._over = limit_ms is not None and duration > limit_ms
        return replace(response, duration_ms=duration)

    def _settle(self) -> bool:
        """After time ran out, keys typed on (the rest of an answer, a rating) are not
        the next card's answer or commands: they are read up to an Enter and shown as
        not used, `:q` too (it may be the end of an answer). True when the learner quit
        here with Ctrl-C or Ctrl-D."""
        self.console.print(
            tr("Enter: next card (what you type until then is not an answer)", self.lang),
            style="dim",
        )
        typed = False
        while True:
            key = super()._key()
            if key in ("\r", "\n", "\x03", "\x04"):
                break
            if not typed:  # shown as it comes, so it is plainly going nowhere
                self.console.print(
                    tr("typed after time ran out, not used: ", self.lang), style="dim", end=""
                )
                typed = True
            self.console.print(Text(escape(key)), end="")
            self.console.file.flush()
        if typed:
            self.console.print()
        return key in ("\x03", "\x04")

    def _left(self) -> float:
        return max(0.0, (self._deadline or 0.0) - self.monotonic())

    def _time_left(self) -> Callable[[], float] | None:
        return self._left if self._deadline is not None and self._can_time_out else None

    def _plain_line(self, prompt: str) -> str | None:
        """A line without the editor: the limit was shown once, no countdown runs into
        what is typed; at the limit the read ends (what was typed stays in the
        terminal's queue, to be shown as not used before the next card)."""
        if self._deadline is None or not self._can_time_out:
            return super()._plain_line(prompt)
        self._flush_ahead()
        line = _timed_line(self.console, prompt, self._left)
        if line is None:
            self._timed_out = True
            return ""
        return line

    def _key(self) -> str:
        if self._deadline is None or not self._can_time_out or self._ahead:
            return super()._key()
        key = _timed_key(
            self.console,
            self._left,
            countdown=tr("⏱ {seconds}s left", self.lang) if self._editing else None,
        )
        if key is None:
            self._timed_out = True
            return "\n"  # out of time: reveal (the session counts it wrong)
        return key

    # ---- exam -----------------------------------------------------------------

    def verdict(self, item: StoredCard, verdict: Verdict, result: RunResult | None) -> None:
        if not self.exam:
            super().verdict(item, verdict, result)
        elif self._over:  # no verdict in an exam, but a miss for lack of time is said
            self.console.print(tr("time's up — recorded as a miss", self.lang), style="red")

    def explain(self, item: StoredCard) -> None:
        if not self.exam:
            super().explain(item)

    def rate(
        self,
        item: StoredCard,
        suggested: Rating | None,
        previews: Mapping[Rating, str] | None = None,
        why: str = "",
    ) -> Response:
        if (
            self.exam and suggested is not None
        ):  # a right prediction: no Hard/Easy prompt to give it away
            return Response(Action.RATE, rating=suggested)
        # no intervals: a drill leaves the schedule alone
        return super().rate(item, suggested, why=why)


def _has_termios() -> bool:
    try:
        import termios  # noqa: F401
        import tty  # noqa: F401
    except ImportError:  # Windows: time is measured, input cannot time out
        return False
    return True


def _timed_line(console: Console, prompt: str, left: Callable[[], float]) -> str | None:
    """A plain line, or None when time runs out before its Enter. Nothing is flushed:
    a half-typed line stays queued and is read (and shown) before the next card."""
    import select

    console.print(prompt, end="", markup=False, highlight=False)
    console.file.flush()
    ready, _, _ = select.select([sys.stdin], [], [], left())
    if not ready:
        console.print()
        return None
    line, _cut = read_capped_line(sys.stdin)  # cut to the cap (the prompter trims too)
    return line


def _timed_key(console: Console, left: Callable[[], float], *, countdown: str | None) -> str | None:
    """One key, or None when time runs out first. With a `countdown` text, the seconds left
    are redrawn in place on the line below the card (written past rich, which drops a
    carriage return) and erased when a key comes; keys are read one byte at a time and
    the input queue is never flushed, so keys typed ahead stay for the next read."""
    import select
    import termios

    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    mode = termios.tcgetattr(fd)
    mode[3] &= ~(termios.ICANON | termios.ECHO)
    mode[6][termios.VMIN] = 1
    mode[6][termios.VTIME] = 0
    out = console.file
    shown = -1
    try:
        termios.tcsetattr(fd, termios.TCSANOW, mode)
        while True:
            remaining = left()
            if remaining <= 0:
                return None
            if countdown is not None and math.ceil(remaining) != shown:
                shown = math.ceil(remaining)
                out.write("\r\x1b[2K" + countdown.format(seconds=shown))
                out.flush()
            ready, _, _ = select.select([fd], [], [], min(0.2, remaining))
            if ready:
                data = os.read(fd, 1)
                if data and data[0] >= 0xC0:  # the rest of one UTF-8 character
                    data += os.read(fd, 1 if data[0] < 0xE0 else 2 if data[0] < 0xF0 else 3)
                return data.decode("utf-8", "replace") if data else "\x04"
    finally:
        if countdown is not None and shown >= 0:
            out.write("\r\x1b[2K")
            out.flush()
        termios.tcsetattr(fd, termios.TCSANOW, old)


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
