"""Deck text on screen: shown as it is, never obeyed, never read as rich markup.

Two layers, both built on quiz.safe_text (the one place that decides what is unsafe):
- the views build deck text as rich `Text` (never a markup string) from
  `safe_text.escape`d strings, so `[red]` or `[link=...]` in a card stays literal and
  an escape sequence shows as `\\x1b`;
- every console quiz prints to carries `InertHook`, which re-checks every rendered
  segment, so whatever a view missed (a Markdown entity such as `&#x202e;` that is
  decoded after escaping, a new screen) still cannot reach the terminal raw. Rich's
  own control segments (clear screen, cursor moves) pass: they are not text.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import (
    Console,
    ConsoleOptions,
    ConsoleRenderable,
    RenderableType,
    RenderHook,
    RenderResult,
)
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text

from quiz.safe_text import escape, is_safe


def text(value: str | None, style: str = "") -> Text:
    """Deck text as a rich Text: escaped, and never parsed as markup."""
    return Text(escape(value or ""), style=style)


class Inert:
    """`renderable`, with every character of its rendered text terminal-safe."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.renderable, options):
            if segment.control or is_safe(segment.text):
                yield segment
            else:
                yield Segment(escape(segment.text), segment.style)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.renderable)


class InertHook(RenderHook):
    """Wraps everything printed on a console in `Inert`."""

    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [r if isinstance(r, Inert) else Inert(r) for r in renderables]


def guard(console: Console) -> Console:
    """`console`, made to render every segment inert (once per console), its Chinese
    text wrapped where Chinese may break (quiz.ui.wrap: every console quiz prints to
    passes here)."""
    from quiz.ui import wrap

    wrap.install()
    if not any(isinstance(hook, InertHook) for hook in _hooks(console)):
        console.push_render_hook(InertHook())
    return console


def _hooks(console: Console) -> Iterable[RenderHook]:
    return getattr(console, "_render_hooks", ())
