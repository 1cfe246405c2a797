"""How a card looks: the question, the answer, a verdict, a session summary.

Each function returns rich renderables and takes the language to show, so the same
views serve the terminal and the fixed-width consoles of the tests. Everything from a
deck is escaped (quiz.safe_text) before rich sees it and built as `Text`, never as
markup; Markdown and highlighted code are rendered inert as well, since Markdown
decodes entities (`&#x202e;`) after any escaping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.markdown import Markdown
from rich.measure import Measurement
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text as RichText

from quiz.deck import cloze
from quiz.model import CardKind, Rating, RunResult, StoredCard, Verdict
from quiz.safe_text import escape
from quiz.ui.safe import Inert
from quiz.ui.safe import text as safe

KEYS_BASIC = "Enter/Space reveal · u undo · s skip · b bury · ! suspend · e edit · q quit"
KEYS_TEXT = "finish with Enter · :u undo · :s skip · :b bury · :! suspend · :e edit · :q quit"
KEYS_OUTPUT = (
    "type the output, then an empty line (a line '.' stands for a blank line) · :u :s :b :! :e :q"
)
KEYS_RATE = "1 Again · 2 Hard · 3 Good · 4 Easy · u undo · q quit"


def rate_keys(previews: Mapping[Rating, str] | None = None) -> str:
    """The rating keys, each with the interval it would give ("1 Again 10m · ...")."""
    if not previews:
        return KEYS_RATE
    keys = " · ".join(
        f"{int(r)} {r.name.title()} {previews[r]}"
        if r in previews
        else f"{int(r)} {r.name.title()}"
        for r in Rating
    )
    return f"{keys} · u undo · q quit"


def header(item: StoredCard, done: int, left: int) -> RenderableType:
    grid = Table.grid(expand=True)
    grid.add_column(justify="left", ratio=1)
    grid.add_column(justify="right")
    tags = " ".join(f"#{t}" for t in item.card.tags)
    label = safe(item.card.deck, style="bold cyan")
    if tags:
        label.append(f"  {escape(tags)}", style="dim")
    grid.add_row(label, RichText(f"{done} done · {left} left", style="dim"))
    return grid


CONTINUED = "↪ "  # in the gutter: this screen line goes on from the one above


class Verbatim:
    """Lines shown as they are (code, a snippet's output): never wrapped silently.

    Rich would wrap a line wider than the screen back to column 0, where the rest reads
    as a line of its own: on a predict-the-output card that misleads. Lines that fit are
    shown as they are; otherwise every line gets a two-column gutter, a wrapped line
    goes on after `↪` in it (cut at the width, not at a space: the text is exact), and
    `notice` says why, with the width, above the lines.
    """

    def __init__(self, text: RichText, notice: str | None = None) -> None:
        self.lines = text.split("\n", allow_blank=True)
        self.notice = notice

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        if all(line.cell_len <= width for line in self.lines) or width <= len(CONTINUED):
            for line in self.lines:
                yield _unwrapped(line)
            return
        if self.notice:
            yield RichText(self.notice.format(width=width), style="yellow")
        room = width - len(CONTINUED)
        for line in self.lines:
            for number, piece in enumerate(_cut(line, room)):
                gutter = RichText(CONTINUED, style="bold yellow") if number else RichText("  ")
                yield _unwrapped(gutter.append_text(piece))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((line.cell_len for line in self.lines), default=0)
        return Measurement(min(widest, len(CONTINUED) + 1), widest)


def _unwrapped(line: RichText) -> RichText:
    line.no_wrap = True
    line.overflow = "crop"
    line.end = "\n"
    return line


def _cut(line: RichText, width: int) -> list[RichText]:
    """`line` in pieces of at most `width` cells (a wide character is never split)."""
    offsets: list[int] = []
    used = 0
    for index, char in enumerate(line.plain):
        size = cell_len(char)
        if used + size > width and used:
            offsets.append(index)
            used = 0
        used += size
    return list(line.divide(offsets)) if offsets else [line]


CODE_TOO_WIDE = "code is wider than the terminal ({width} columns): ↪ marks where a line goes on"


def _code(code: str) -> RenderableType:
    source = escape(code.rstrip("\n").expandtabs(4))
    highlighted = Syntax(source, "python", theme="ansi_dark").highlight(source)
    highlighted.rstrip()
    return Inert(Verbatim(highlighted, CODE_TOO_WIDE))


def markdown(source: str | None) -> RenderableType:
    """Deck Markdown: escaped, links shown with their address (no hidden OSC 8 target)."""
    return Inert(Markdown(escape(source or ""), hyperlinks=False))


def question(item: StoredCard, lang: str | None) -> RenderableType:
    card = item.card
    parts: list[RenderableType] = []
    if card.kind == CardKind.CLOZE:
        parts.append(markdown(cloze.question(item.text(card.text, lang), card.cloze or 1)))
    elif card.kind == CardKind.OUTPUT:
        parts.append(markdown(item.text(card.front, lang) or "**What does this print?**"))
    else:
        parts.append(markdown(item.text(card.front, lang)))
    if card.code:
        parts.append(_code(card.code))
    if card.kind == CardKind.CHOICE:
        several = len(card.correct) > 1
        for number, choice in enumerate(card.choices, 1):
            parts.append(RichText(f"  {number}. ").append_text(safe(item.text(choice, lang))))
        if several:
            parts.append(RichText("(several are right: pick all of them)", style="dim"))
    return Group(*parts)


def answer(item: StoredCard, lang: str | None) -> RenderableType:
    card = item.card
    if card.kind == CardKind.CLOZE:
        return markdown(cloze.reveal(item.text(card.text, lang)))
    if card.kind == CardKind.TYPED:
        return safe(" / ".join(card.answers), style="bold")
    if card.kind == CardKind.CHOICE:
        return safe(
            ", ".join(f"{i + 1}. {item.text(card.choices[i], lang)}" for i in card.correct),
            style="bold",
        )
    return markdown(item.text(card.back, lang))


def explanation(item: StoredCard, lang: str | None) -> RenderableType | None:
    if item.card.explain is None:
        return None
    return Panel(
        markdown(item.text(item.card.explain, lang)),
        title="why",
        title_align="left",
        border_style="dim",
    )


def run_output(result: RunResult) -> RenderableType:
    escape_output = escape
    shown = escape_output(result.stdout.replace("\r\n", "\n").rstrip("\n"))
    body = RichText(shown or ("" if result.exception else "(no output)"), style="")
    notes = []
    if result.exception:
        notes.append((escape_output(result.exception), "red"))
    if result.timed_out:
        notes.append(("(timed out)", "yellow"))
    if result.truncated:
        notes.append(("(output truncated)", "yellow"))
    for i, (note, style) in enumerate(notes):
        # each note on a line of its own: never "(no output)(timed out)"
        body.append(("\n" if i or body.plain else "") + note, style=style)
    return Panel(Verbatim(body), title="real output", title_align="left", border_style="blue")


def diff_view(lines: Sequence[str]) -> RenderableType:
    escape_output = escape
    text = RichText()
    shown = [line.rstrip("\n") for line in lines if not line.startswith(("---", "+++", "@@"))]
    while shown and not shown[-1].strip():
        shown.pop()
    for i, line in enumerate(shown):
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
        text.append(("\n" if i else "") + escape_output(line), style=style)
    return Panel(
        Verbatim(text),
        title="your prediction (-) vs real output (+)",
        title_align="left",
        border_style="dim",
    )


def verdict_view(
    item: StoredCard, verdict: Verdict, result: RunResult | None, lang: str | None
) -> RenderableType:
    parts: list[RenderableType] = []
    if verdict.correct:
        parts.append(RichText("✓ right", style="bold green"))
    else:
        parts.append(RichText("✗ wrong", style="bold red"))
    repeats = item.card.kind == CardKind.CHOICE and not verdict.correct and result is None
    if verdict.message and not repeats:  # a wrong choice: the answer line says it once
        parts.append(safe(verdict.message, style="dim"))
    if result is not None:
        parts.append(run_output(result))
        if not verdict.correct and verdict.diff:
            parts.append(diff_view(verdict.diff))
    elif not verdict.correct:
        if verdict.given.strip():  # the comparison the learner rates (or overrules) by
            parts.append(RichText.assemble(("yours:  ", "dim"), escape(verdict.given)))
        shown = answer(item, lang)
        if isinstance(shown, RichText):
            parts.append(RichText.assemble(("answer: ", "dim"), shown))
        else:
            parts.append(Group(RichText("answer:", style="dim"), shown))
    return Group(*parts)
