"""The cloze blank and the revealed answer are styled (bold, reverse / underline), still
readable without colours: the blank keeps its brackets."""

from __future__ import annotations

import io

from rich.console import Console

from quiz.ui import card_view
from quiz.ui.safe import guard
from tests.conftest import write_deck
from tests.screens import screen

TEXT = "Only {{c1::one thread}} runs *Python* bytecode under the {{c2::GIL::a lock}}."


def render(view: object, **options: object) -> str:
    buf = io.StringIO()
    guard(Console(file=buf, width=60, legacy_windows=False, **options)).print(view)  # type: ignore[arg-type]  # Console's keyword options
    return buf.getvalue()


def test_the_blank_is_styled_and_keeps_its_brackets():
    shown = render(card_view.cloze_view(TEXT, 1), force_terminal=True, color_system="standard")
    assert "\x1b[1;7m[" in shown and "]" in shown  # bold reverse, brackets included
    assert "one thread" not in shown
    plain = render(card_view.cloze_view(TEXT, 2), color_system=None)
    assert plain.strip() == "Only one thread runs Python bytecode under the [a lock]."


def test_the_revealed_answers_are_styled_even_without_colours():
    shown = render(card_view.cloze_view(TEXT, None), force_terminal=True, no_color=True)
    assert "\x1b[1;4mone thread\x1b[0m" in shown
    assert "\x1b[1;4mGIL\x1b[0m" in shown
    assert "\x1b[3" not in shown.replace("\x1b[3m", "")  # no colour (3x) codes, italics kept


def test_a_deck_cannot_forge_the_marks():
    shown = render(card_view.cloze_view("a \ue000x\ue001 {{c1::b}}", 1), color_system=None)
    assert shown.strip() == "a \\ue000x\\ue001 [...]"


def test_a_cloze_card_in_a_review(cli, env):
    deck = write_deck(
        env,
        "cl.yaml",
        f"deck: cl\ntitle: Cloze\nlang: en\ncards:\n  - id: a\n    type: cloze\n    text: '{TEXT}'\n",
    )
    assert cli("import", str(deck)).exit_code == 0
    with screen(80) as buf:
        result = cli("review", input="3\n", now="2026-03-01T09:00:00+00:00")
    assert result.exit_code == 0, result.output
    assert "Only [...] runs Python bytecode under the GIL." in buf.getvalue()
    assert "Only one thread runs Python bytecode under the GIL." in buf.getvalue()  # revealed
