"""How a card looks: the question, the answer, a verdict, a session summary.

Each function returns rich renderables and takes the language to show, so the same
views serve the terminal and the fixed-width consoles of the tests.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text as RichText

from quiz.deck import cloze
from quiz.model import CardKind, RunResult, StoredCard, Verdict

KEYS_BASIC = "Enter/Space reveal · u undo · s skip · b bury · ! suspend · e edit · q quit"
KEYS_TEXT = "finish with Enter · :u undo · :s skip · :b bury · :! suspend · :e edit · :q quit"
KEYS_OUTPUT = (
    "type the output, then an empty line (a line '.' stands for a blank line) · :u :s :b :! :e :q"
)
KEYS_RATE = "1 Again · 2 Hard · 3 Good · 4 Easy · u undo · q quit"


def header(item: StoredCard, done: int, left: int) -> RenderableType:
    grid = Table.grid(expand=True)
    grid.add_column(justify="left", ratio=1)
    grid.add_column(justify="right")
    tags = " ".join(f"#{t}" for t in item.card.tags)
    label = RichText(item.card.deck, style="bold cyan")
    if tags:
        label.append(f"  {tags}", style="dim")
    grid.add_row(label, RichText(f"{done} done · {left} left", style="dim"))
    return grid


def _code(code: str) -> Syntax:
    return Syntax(
        code.rstrip("\n"), "python", theme="ansi_dark", line_numbers=False, word_wrap=True
    )


def question(item: StoredCard, lang: str | None) -> RenderableType:
    card = item.card
    parts: list[RenderableType] = []
    if card.kind == CardKind.CLOZE:
        parts.append(Markdown(cloze.question(item.text(card.text, lang), card.cloze or 1)))
    elif card.kind == CardKind.OUTPUT:
        parts.append(Markdown(item.text(card.front, lang) or "**What does this print?**"))
    else:
        parts.append(Markdown(item.text(card.front, lang)))
    if card.code:
        parts.append(_code(card.code))
    if card.kind == CardKind.CHOICE:
        several = len(card.correct) > 1
        for number, choice in enumerate(card.choices, 1):
            parts.append(RichText(f"  {number}. {item.text(choice, lang)}"))
        if several:
            parts.append(RichText("(several are right: pick all of them)", style="dim"))
    return Group(*parts)


def answer(item: StoredCard, lang: str | None) -> RenderableType:
    card = item.card
    if card.kind == CardKind.CLOZE:
        return Markdown(cloze.reveal(item.text(card.text, lang)))
    if card.kind == CardKind.TYPED:
        return RichText(" / ".join(card.answers), style="bold")
    if card.kind == CardKind.CHOICE:
        return RichText(
            ", ".join(f"{i + 1}. {item.text(card.choices[i], lang)}" for i in card.correct),
            style="bold",
        )
    return Markdown(item.text(card.back, lang))


def explanation(item: StoredCard, lang: str | None) -> RenderableType | None:
    if item.card.explain is None:
        return None
    return Panel(
        Markdown(item.text(item.card.explain, lang)),
        title="why",
        title_align="left",
        border_style="dim",
    )


def run_output(result: RunResult) -> RenderableType:
    from quiz.safe_text import escape as escape_output

    shown = escape_output(result.stdout.replace("\r\n", "\n").rstrip("\n"))
    body = RichText(shown or ("" if result.exception else "(no output)"), style="")
    if result.stdout.strip() and (result.exception or result.timed_out or result.truncated):
        body.append("\n")
    notes = []
    if result.exception:
        notes.append((escape_output(result.exception), "red"))
    if result.timed_out:
        notes.append(("(timed out)", "yellow"))
    if result.truncated:
        notes.append(("(output truncated)", "yellow"))
    for i, (note, style) in enumerate(notes):
        body.append(("\n" if i else "") + note, style=style)
    return Panel(body, title="real output", title_align="left", border_style="blue")


def diff_view(lines: Sequence[str]) -> RenderableType:
    from quiz.safe_text import escape as escape_output

    text = RichText()
    shown = [line.rstrip("\n") for line in lines if not line.startswith(("---", "+++", "@@"))]
    while shown and not shown[-1].strip():
        shown.pop()
    for i, line in enumerate(shown):
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
        text.append(("\n" if i else "") + escape_output(line), style=style)
    return Panel(
        text, title="your prediction (-) vs real output (+)", title_align="left", border_style="dim"
    )


def verdict_view(
    item: StoredCard, verdict: Verdict, result: RunResult | None, lang: str | None
) -> RenderableType:
    parts: list[RenderableType] = []
    if verdict.correct:
        parts.append(RichText("✓ right", style="bold green"))
    else:
        parts.append(RichText("✗ wrong", style="bold red"))
    if verdict.message:
        parts.append(RichText(verdict.message, style="dim"))
    if result is not None:
        parts.append(run_output(result))
        if not verdict.correct and verdict.diff:
            parts.append(diff_view(verdict.diff))
    elif not verdict.correct:
        parts.append(RichText.assemble(("answer: ", "dim"), answer(item, lang)))  # type: ignore[arg-type]
    return Group(*parts)
