"""How a card looks: the question, the answer, a verdict, a session summary.

Each function returns rich renderables and takes the language to show, so the same
views serve the terminal and the fixed-width consoles of the tests. Everything from a
deck is escaped (quiz.safe_text) before rich sees it and built as `Text`, never as
markup; Markdown and highlighted code are rendered inert as well, since Markdown
decodes entities (`&#x202e;`) after any escaping.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.markdown import Markdown
from rich.measure import Measurement
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text as RichText

from quiz.deck import cloze
from quiz.model import CardKind, Rating, RunResult, StoredCard, Verdict
from quiz.review.choices import ChoiceOrder, deck_order
from quiz.safe_text import escape
from quiz.ui.i18n import notice, rating_name, span, tr
from quiz.ui.safe import Inert
from quiz.ui.safe import text as safe

KEYS_BASIC = "Enter/Space reveal · u undo · s skip · b bury · ! suspend · e edit · q quit"
KEYS_TEXT = "finish with Enter · :u undo · :s skip · :b bury · :! suspend · :e edit · :q quit"
KEYS_OUTPUT = (
    "type the output, then an empty line (a line '.' stands for a blank line) · :u :s :b :! :e :q"
)
KEYS_RATE = "1 Again · 2 Hard · 3 Good · 4 Easy · u undo · q quit"
# said when a prediction's first Enter comes on an empty one: a second predicts no
# output (a stray Enter, a rating's typed twice, is not a prediction)
EMPTY_PREDICTION = "an empty prediction: Enter again if it prints nothing"


def rate_keys(previews: Mapping[Rating, str] | None = None, lang: str | None = None) -> str:
    """The rating keys, each with the interval it would give ("1 Again 10m · ...")."""
    previews = previews or {}
    keys = " · ".join(
        f"{int(r)} {rating_name(r, lang)} {span(previews[r], lang)}"
        if r in previews
        else f"{int(r)} {rating_name(r, lang)}"
        for r in Rating
    )
    return f"{keys} · {tr('u undo · q quit', lang)}"


def header(item: StoredCard, done: int, left: int, lang: str | None = None) -> RenderableType:
    grid = Table.grid(expand=True)
    grid.add_column(justify="left", ratio=1)
    grid.add_column(justify="right")
    tags = " ".join(f"#{t}" for t in item.card.tags)
    label = safe(item.card.deck, style="bold cyan")
    if tags:
        label.append(f"  {escape(tags)}", style="dim")
    grid.add_row(
        label, RichText(tr("{done} done · {left} left", lang, done=done, left=left), style="dim")
    )
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


def _code(code: str, lang: str | None = None) -> RenderableType:
    source = escape(code.rstrip("\n").expandtabs(4))
    highlighted = Syntax(source, "python", theme="ansi_dark").highlight(source)
    highlighted.rstrip()
    return Inert(Verbatim(highlighted, tr(CODE_TOO_WIDE, lang)))


def markdown(source: str | None) -> RenderableType:
    """Deck Markdown: escaped, links shown with their address (no hidden OSC 8 target)."""
    return Inert(Markdown(escape(source or ""), hyperlinks=False))


_INLINE_STYLES = {"strong": "bold", "em": "italic", "s": "strike"}


def inline_markdown(source: str, style: str = "") -> RichText:
    """One line of deck Markdown (a choice) as styled text: `code`, **bold**, *italic*,
    links with their address; no blocks (a choice starting with `-` or `1.` is text).
    Every piece is escaped after Markdown decoded its entities."""
    from markdown_it import MarkdownIt

    text = RichText(style=style)
    styles: list[str] = []
    links: list[str] = []
    for block in MarkdownIt("commonmark").parseInline(source):
        for token in block.children or ():
            kind = token.type
            current = " ".join(styles)
            if kind.endswith("_open") and kind[:-5] in _INLINE_STYLES:
                styles.append(_INLINE_STYLES[kind[:-5]])
            elif kind.endswith("_close") and kind[:-6] in _INLINE_STYLES:
                if styles:
                    styles.pop()
            elif kind == "code_inline":
                text.append(escape(token.content), style=f"{current} markdown.code".strip())
            elif kind == "link_open":
                links.append(str(token.attrs.get("href", "")))
            elif kind == "link_close":
                href = links.pop() if links else ""
                if href:
                    text.append(f" ({escape(href)})", style="dim")
            elif kind in ("softbreak", "hardbreak"):
                text.append(" " if kind == "softbreak" else "\n")
            elif kind == "image":
                text.append(escape(token.content), style=current)
            else:  # text, html_inline (shown as written)
                text.append(escape(token.content), style=current)
    return text


def choices_view(item: StoredCard, lang: str | None, order: ChoiceOrder) -> RenderableType:
    """The choices, numbered as shown, each wrapped under its own text (a hanging
    indent), never under its number."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(ratio=1)
    for number, index in enumerate(order.shown, 1):
        grid.add_row(
            RichText(f"  {number}."), inline_markdown(item.text(item.card.choices[index], lang))
        )
    return grid


def question(
    item: StoredCard, lang: str | None, order: ChoiceOrder | None = None
) -> RenderableType:
    card = item.card
    parts: list[RenderableType] = []
    if card.kind == CardKind.CLOZE:
        parts.append(cloze_view(item.text(card.text, lang), card.cloze or 1))
    elif card.kind == CardKind.OUTPUT:
        parts.append(markdown(item.text(card.front, lang) or tr("**What does this print?**", lang)))
    else:
        parts.append(markdown(item.text(card.front, lang)))
    if card.code:
        parts.append(_code(card.code, lang))
    if card.kind == CardKind.CHOICE:
        parts.append(Inert(choices_view(item, lang, order or deck_order(card))))
        if len(card.correct) > 1:
            parts.append(RichText(tr("(several are right: pick all of them)", lang), style="dim"))
    return Group(*parts)


def picked(
    item: StoredCard, picks: Sequence[int], lang: str | None, order: ChoiceOrder | None
) -> RichText:
    """Choices (deck indices) as the learner saw them: "2. `text`", in shown order."""
    order = order or deck_order(item.card)
    text = RichText()
    numbered = sorted((order.number(i), i) for i in picks if 0 <= i < len(item.card.choices))
    for n, (number, index) in enumerate(numbered):
        if n:
            text.append(", ")
        text.append(f"{number}. ")
        text.append_text(inline_markdown(item.text(item.card.choices[index], lang)))
    return text


def answer(item: StoredCard, lang: str | None, order: ChoiceOrder | None = None) -> RenderableType:
    card = item.card
    if card.kind == CardKind.CLOZE:
        return cloze_view(item.text(card.text, lang), None)
    if card.kind == CardKind.TYPED:
        return safe(" / ".join(card.answers), style="bold")
    if card.kind == CardKind.CHOICE:
        shown = picked(item, card.correct, lang, order)
        shown.stylize("bold")
        return shown
    if card.kind == CardKind.OUTPUT and card.output is not None:
        # a timed-out prediction: the snippet was not run, the deck's recorded output is
        # the answer (a card that varies has none: quiz.deck.variants)
        return safe(card.output.rstrip("\n"), style="bold")
    return markdown(item.text(card.back, lang))


# Unforgeable marks around a cloze blank or revealed answer: private-use characters,
# which quiz.safe_text escapes in any deck text, so only this module can write them.
_BLANK = ("\ue000", "\ue001")  # shown as [ and ]: the blank keeps its brackets
_REVEALED = ("\ue002", "\ue003")  # not shown: the answer is styled
BLANK_STYLE = "bold reverse"
REVEALED_STYLE = "bold underline"


def cloze_view(source: str, number: int | None) -> RenderableType:
    """A cloze text (Markdown): deletion `number` as a styled `[...]` (or `[hint]`),
    the others as text; `number` None reveals every deletion, styled. Brackets and
    bold/underline keep both readable without colours (NO_COLOR)."""

    parts: list[str] = []
    end = 0
    for m in cloze.CLOZE_RE.finditer(source):
        parts.append(escape(source[end : m.start()]))
        end = m.end()
        if number is None:
            parts.append(_REVEALED[0] + escape(m.group(2)) + _REVEALED[1])
        elif int(m.group(1)) == number:
            parts.append(_BLANK[0] + escape(m.group(3) or "...") + _BLANK[1])
        else:
            parts.append(escape(m.group(2)))
    parts.append(escape(source[end:]))
    return Inert(_Marked(Markdown("".join(parts), hyperlinks=False)))


class _Marked:
    """Styles what the marks of `cloze_view` enclose, once Markdown has laid it out."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        marks = {_BLANK[0], _BLANK[1], _REVEALED[0], _REVEALED[1]}
        shown = {_BLANK[0]: "[", _BLANK[1]: "]"}
        styles = {_BLANK[0]: BLANK_STYLE, _REVEALED[0]: REVEALED_STYLE}
        inside: Style | None = None
        for segment in console.render(self.renderable, options):
            text = segment.text
            if segment.control or (inside is None and not marks.intersection(text)):
                yield segment
                continue
            for piece in re.split("([\ue000-\ue003])", text):
                if piece in styles:
                    inside = console.get_style(styles[piece])
                if piece in marks:
                    if piece in shown:
                        yield Segment(shown[piece], _plus(segment.style, inside))
                    if piece not in styles:
                        inside = None
                elif piece:
                    styled = inside is not None and piece.strip()
                    yield Segment(piece, _plus(segment.style, inside) if styled else segment.style)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.renderable)


def _plus(style: Style | None, extra: Style | None) -> Style | None:
    if extra is None:
        return style
    return (style or Style()) + extra


def explanation(item: StoredCard, lang: str | None) -> RenderableType | None:
    if item.card.explain is None:
        return None
    return Panel(
        markdown(item.text(item.card.explain, lang)),
        title=tr("why", lang),
        title_align="left",
        border_style="dim",
    )


def run_output(result: RunResult, lang: str | None = None) -> RenderableType:
    escape_output = escape
    shown = escape_output(result.stdout.replace("\r\n", "\n").rstrip("\n"))
    body = RichText(shown or ("" if result.exception else tr("(no output)", lang)), style="")
    notes = []
    if result.exception:
        notes.append((escape_output(result.exception), "red"))
    if result.timed_out:
        notes.append((tr("(timed out)", lang), "yellow"))
    if result.truncated:
        notes.append((tr("(output truncated)", lang), "yellow"))
    for i, (note, style) in enumerate(notes):
        # each note on a line of its own: never "(no output)(timed out)"
        body.append(("\n" if i or body.plain else "") + note, style=style)
    return Panel(
        Verbatim(body), title=tr("real output", lang), title_align="left", border_style="blue"
    )


def diff_view(lines: Sequence[str], lang: str | None = None) -> RenderableType:
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
        title=tr("your prediction (-) vs real output (+)", lang),
        title_align="left",
        border_style="dim",
    )


def _choice_comparison(
    item: StoredCard, verdict: Verdict, lang: str | None, order: ChoiceOrder | None
) -> RenderableType:
    """A wrong choice: the learner's picks and the right ones, numbered as shown, one
    choice a line, each wrapped under its own text."""
    from quiz.grading import parse_picks

    shown = order or deck_order(item.card)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(ratio=1)
    try:
        given = parse_picks(verdict.given)
    except ValueError:
        given = ()
    rows = ((tr("yours:  ", lang), given, ""), (tr("answer: ", lang), item.card.correct, "bold"))
    for label, picks, style in rows:
        numbered = sorted((shown.number(i), i) for i in picks if 0 <= i < len(item.card.choices))
        for n, (number, index) in enumerate(numbered):
            text = inline_markdown(item.text(item.card.choices[index], lang), style)
            grid.add_row(RichText("" if n else label.rstrip(), style="dim"), f"{number}.", text)
    return Inert(grid)


def verdict_view(
    item: StoredCard,
    verdict: Verdict,
    result: RunResult | None,
    lang: str | None,
    order: ChoiceOrder | None = None,
) -> RenderableType:
    parts: list[RenderableType] = []
    if verdict.correct:
        parts.append(RichText(tr("✓ right", lang), style="bold green"))
    else:
        parts.append(RichText(tr("✗ wrong", lang), style="bold red"))
    choice = item.card.kind == CardKind.CHOICE
    # a wrong choice: the answer line below says it once, numbered as shown
    repeats = choice and verdict.message.startswith("the right choice")
    if verdict.message and not repeats:
        parts.append(safe(notice(verdict.message, lang), style="dim"))
    if result is not None:
        parts.append(run_output(result, lang))
        if not verdict.correct and verdict.diff:
            parts.append(diff_view(verdict.diff, lang))
    elif not verdict.correct and choice:
        parts.append(_choice_comparison(item, verdict, lang, order))
    elif not verdict.correct:
        if verdict.given.strip():  # the comparison the learner rates (or overrules) by
            parts.append(RichText.assemble((tr("yours:  ", lang), "dim"), escape(verdict.given)))
        shown = answer(item, lang, order)
        if isinstance(shown, RichText) and "\n" not in shown.plain:
            if shown.plain.strip():  # an output card that varies has no recorded answer
                parts.append(RichText.assemble((tr("answer: ", lang), "dim"), shown))
        else:
            parts.append(Group(RichText(tr("answer:", lang), style="dim"), shown))
    return Group(*parts)
