"""`t` after an output card in a review or drill: the terminal prompter runs the card
again in the real sandbox, traced, and shows the steps with the departure marked."""

from __future__ import annotations

import io

from rich.console import Console

from quiz.model import Card, CardKind, Rating, RunResult, Schedule, StoredCard, Verdict
from quiz.review.session import Action
from quiz.ui.prompter import TerminalPrompter

CODE = "def double(x):\n    return x * 2\nfor i in range(3):\n    print(double(i))\n"


def output_card() -> StoredCard:
    card = Card(deck="d", id="o", kind=CardKind.OUTPUT, code=CODE, output="0\n2\n4\n")
    return StoredCard(1, card, Schedule(), "d.yaml")


def basic_card() -> StoredCard:
    return StoredCard(2, Card(deck="d", id="b", kind=CardKind.BASIC), Schedule(), "d.yaml")


def prompter(keys: list[str]) -> tuple[TerminalPrompter, io.StringIO]:
    sink = io.StringIO()
    console = Console(file=sink, width=100, force_terminal=False, color_system=None)
    feed = iter(keys)
    return TerminalPrompter(
        console, interactive=True, read_key=lambda: next(feed), read_line=lambda: None
    ), sink


def test_t_after_a_wrong_prediction_shows_the_trace_and_marks_the_departure() -> None:
    p, sink = prompter(["t", "x", "\r"])  # at the rating keys that follow every verdict
    wrong = Verdict(correct=False, expected="0\n2\n4\n", given="0\n1\n2\n", suggested=Rating.AGAIN)
    p.verdict(output_card(), wrong, RunResult(stdout="0\n2\n4\n"))
    rated = p.rate(output_card(), Rating.AGAIN)
    assert rated.action == Action.RATE and rated.rating == Rating.AGAIN
    shown = sink.getvalue()
    assert "t step through" in " ".join(shown.split())
    assert "→ call double(x = 1)" in shown and "← return 2 from double" in shown
    lines = shown.splitlines()
    mark = next(n for n, line in enumerate(lines) if "prediction departs" in line)
    assert "printed: 2" in lines[mark - 1]


def test_t_at_the_rating_prompt_then_a_rating() -> None:
    p, sink = prompter(["t", "3"])
    right = Verdict(correct=True, expected="0\n2\n4\n", given="0\n2\n4\n", suggested=Rating.GOOD)
    p.verdict(output_card(), right, RunResult(stdout="0\n2\n4\n"))
    rated = p.rate(output_card(), Rating.GOOD)
    assert rated.action == Action.RATE and rated.rating == Rating.GOOD
    shown = sink.getvalue()
    assert "printed: 4" in shown and "prediction departs" not in shown


def test_no_step_through_offered_after_a_basic_card() -> None:
    p, sink = prompter(["t", "3"])
    rated = p.rate(basic_card(), None)
    assert rated.rating == Rating.GOOD
    assert "step through" not in sink.getvalue()
