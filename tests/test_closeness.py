"""How close a graded answer came (quiz.grading): the closeness stored with each review."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.grading import grade_choice, grade_output, grade_typed, line_closeness
from quiz.model import Card, CardKind, RunResult, Text


def out_card(**kw: object) -> Card:
    return Card(deck="d", id="c", kind=CardKind.OUTPUT, code="...", **kw)  # type: ignore[arg-type]


def ran(stdout: str = "", exception: str | None = None) -> RunResult:
    return RunResult(stdout=stdout, exception=exception, exit_code=1 if exception else 0)


def choice_card(correct: tuple[int, ...], n: int = 4) -> Card:
    return Card(
        deck="d",
        id="c",
        kind=CardKind.CHOICE,
        front=Text.plain("which?"),
        choices=tuple(Text.plain(f"choice {i}") for i in range(n)),
        correct=correct,
    )


# -- output: share of lines right, in order -------------------------------------------


@pytest.mark.parametrize(
    ("prediction", "closeness"),
    [
        ("1\n2\n3\n4\n", 1.0),  # right
        ("1\n2\n3\n5\n", 0.75),  # one line of four wrong
        ("1\n2\n3\n", 0.75),  # a line missing
        ("1\n2\n3\n4\n5\n", 0.8),  # a line too many: 4 of the 5 lines the longer side has
        ("4\n3\n2\n1\n", 0.25),  # the right lines, backwards: order counts
        ("x\n", 0.0),
        ("\n", 0.0),  # nothing predicted
    ],
)
def test_output_closeness_counts_lines_in_order(prediction: str, closeness: float) -> None:
    verdict = grade_output(out_card(output="1\n2\n3\n4\n"), prediction, ran("1\n2\n3\n4\n"))
    assert verdict.closeness == pytest.approx(closeness)
    assert verdict.correct == (closeness == 1.0)


def test_output_closeness_compares_lines_as_the_card_does() -> None:
    real = ran("{1, 2}\n{'a': 1, 'b': 2}\nzz\n")
    literal = out_card(output=real.stdout, match="literal")
    verdict = grade_output(literal, "{2, 1}\n{'b': 2, 'a': 1}\nyy\n", real)
    assert not verdict.correct and verdict.closeness == pytest.approx(2 / 3)
    exact = out_card(output=real.stdout)
    assert grade_output(exact, "{2, 1}\n{'b': 2, 'a': 1}\nzz\n", real).closeness == pytest.approx(
        1 / 3
    )


def test_unordered_lines_match_as_a_multiset() -> None:
    card = out_card(output="a\nb\nc\n", match="unordered-lines")
    verdict = grade_output(card, "c\nb\nx\n", ran("a\nb\nc\n"))
    assert not verdict.correct and verdict.closeness == pytest.approx(2 / 3)
    assert grade_output(card, "c\nb\na\n", ran("a\nb\nc\n")).closeness == 1.0


def test_addresses_are_masked_before_lines_compare() -> None:
    real = ran("<object at 0x7f3a12345678>\n1\n")
    verdict = grade_output(out_card(output=real.stdout), "<object at 0x7f00000000aa>\n2\n", real)
    assert verdict.closeness == pytest.approx(0.5)


def test_an_exception_is_one_more_line_right_when_its_type_is_named() -> None:
    card = out_card(raises="KeyError")
    real = ran("", "KeyError: 'x'")
    assert grade_output(card, "KeyError\n", real).closeness == 1.0
    assert grade_output(card, "builtins.KeyError: 'y'\n", real).closeness == 1.0
    assert grade_output(card, "IndexError\n", real).closeness == 0.0
    before = ran("start\nmid\n", "ValueError: bad")
    card = out_card(output="start\nmid\n", raises="ValueError")
    # the type named, one of the two lines before it right
    wrong_line = grade_output(card, "start\nend\nValueError\n", before)
    assert not wrong_line.correct and wrong_line.closeness == pytest.approx(2 / 3)
    # the lines right, the exception missed
    missed = grade_output(card, "start\nmid\n", before)
    assert not missed.correct and missed.closeness == pytest.approx(2 / 3)


def test_an_accepted_alternative_is_fully_close() -> None:
    card = out_card(output="a\n", accept=("b\n",))
    assert grade_output(card, "b\n", ran("a\n")).closeness == 1.0


def test_a_regex_card_is_one_or_zero() -> None:
    card = out_card(output=r"\d+\nend", match="regex")
    assert grade_output(card, "42\nend\n", ran("7\nend\n")).closeness == 1.0
    assert grade_output(card, "x\nend\n", ran("7\nend\n")).closeness == 0.0


@given(
    st.lists(st.sampled_from(["a", "b", "c", "1", "[1, 2]"]), max_size=6),
    st.lists(st.sampled_from(["a", "b", "c", "1", "[1, 2]"]), max_size=6),
    st.sampled_from(["exact", "literal", "unordered-lines"]),
)
def test_closeness_is_one_exactly_when_right(real: list[str], guess: list[str], mode: str) -> None:
    stdout = "".join(f"{line}\n" for line in real)
    verdict = grade_output(
        out_card(output=stdout, match=mode), "".join(f"{g}\n" for g in guess), ran(stdout)
    )
    assert verdict.closeness is not None and 0.0 <= verdict.closeness <= 1.0
    assert (verdict.closeness == 1.0) == verdict.correct


def test_line_closeness_of_nothing_against_nothing_is_one() -> None:
    assert line_closeness([], [], ordered=True) == 1.0
    assert line_closeness(["a"], [], ordered=False) == 0.0


# -- choice and typed ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("correct", "picks", "closeness"),
    [
        ((1,), (1,), 1.0),
        ((1,), (2,), 0.0),
        ((1,), (1, 2), 0.5),  # the right one and a wrong one
        ((0, 2), (0, 2), 1.0),
        ((0, 2), (0,), 0.5),  # one of two right choices
        ((0, 2), (0, 2, 3), 2 / 3),  # both, and one wrong pick
        ((0, 2), (1, 3), 0.0),
    ],
)
def test_choice_closeness_is_picks_right_over_picks_or_right(
    correct: tuple[int, ...], picks: tuple[int, ...], closeness: float
) -> None:
    verdict = grade_choice(choice_card(correct), picks)
    assert verdict.closeness == pytest.approx(closeness)
    assert verdict.correct == (closeness == 1.0)


def test_typed_closeness_is_one_or_zero() -> None:
    card = Card(deck="d", id="c", kind=CardKind.TYPED, answers=("asyncio.Lock",))
    assert grade_typed(card, "asyncio.locks.Lock").closeness == 1.0
    assert grade_typed(card, "asyncio.Event").closeness == 0.0
