"""Grading: real predictions a learner types, against real-looking runs."""

from __future__ import annotations

import pytest

from quiz.grading import (
    check_expected,
    expected_text,
    grade_choice,
    grade_output,
    grade_typed,
    normalize,
    parse_picks,
    same_output,
)
from quiz.model import Card, CardKind, Rating, RunResult


def out_card(**kw: object) -> Card:
    return Card(deck="d", id="c", kind=CardKind.OUTPUT, code="...", **kw)  # type: ignore[arg-type]


def ran(stdout: str = "", exception: str | None = None, **kw: object) -> RunResult:
    return RunResult(stdout=stdout, exception=exception, exit_code=1 if exception else 0, **kw)  # type: ignore[arg-type]


# -- normalisation -----------------------------------------------------------------


def test_normalize_newlines_trailing_space_and_blank_lines() -> None:
    assert normalize("a  \r\nb\t\r\n\n\n") == "a\nb"
    assert normalize("x\ry") == "x\ny"


def test_normalize_nfc() -> None:
    assert normalize("e\u0301") == "\u00e9"


def test_leading_whitespace_is_kept() -> None:
    assert not same_output("  a", "a")


def test_addresses_masked_on_both_sides() -> None:
    real = "<__main__.A object at 0x7f3a2b1c9d10>\n"
    assert same_output(real, "<__main__.A object at 0x7f0000000001>")
    assert same_output(real, "<__main__.A object at 0x...>")
    assert not same_output("0x10", "0x11")  # short hex is data, not an address


# -- predict the output ------------------------------------------------------------


def test_right_prediction_is_good() -> None:
    v = grade_output(out_card(output="[2, 2, 2]\n"), "[2, 2, 2]", ran("[2, 2, 2]\n"))
    assert v.correct and v.suggested is Rating.GOOD and v.diff == ()


def test_wrong_prediction_is_again_with_diff() -> None:
    v = grade_output(out_card(output="[2, 2, 2]\n"), "[0, 1, 2]", ran("[2, 2, 2]\n"))
    assert not v.correct and v.suggested is Rating.AGAIN
    assert "-[0, 1, 2]" in v.diff and "+[2, 2, 2]" in v.diff
    assert v.expected == "[2, 2, 2]"


def test_live_run_is_the_truth_not_the_stored_output() -> None:
    card = out_card(output="old\n")
    assert not grade_output(card, "old", ran("new\n")).correct
    assert grade_output(card, "new", ran("new\n")).correct


def test_accept_lists_other_right_answers() -> None:
    card = out_card(output="a\nb\n", accept=("b\na\n",))
    assert grade_output(card, "b\na", ran("a\nb\n")).correct
    assert grade_output(card, "a\nb", ran("b\na\n")).correct
    assert not grade_output(card, "a", ran("a\nb\n")).correct


@pytest.mark.parametrize(
    "prediction",
    [
        "KeyError",
        "builtins.KeyError",
        "KeyError: 'x'",
        "keyerror: X".replace("keyerror", "KeyError"),
        "KeyError: x",
    ],
)
def test_exception_named_by_type(prediction: str) -> None:
    v = grade_output(out_card(raises="KeyError"), prediction, ran("", "KeyError: 'x'"))
    assert v.correct, prediction


def test_exception_wrong_type_is_wrong() -> None:
    v = grade_output(out_card(raises="KeyError"), "IndexError", ran("", "KeyError: 'x'"))
    assert not v.correct and "KeyError" in v.message


def test_exception_message_is_a_bonus() -> None:
    v = grade_output(out_card(raises="KeyError"), "KeyError: 'y'", ran("", "KeyError: 'x'"))
    assert v.correct and "really" in v.message


def test_output_before_the_exception_must_match() -> None:
    result = ran("start\n", "ZeroDivisionError: division by zero")
    assert grade_output(out_card(), "start\nZeroDivisionError", result).correct
    assert not grade_output(out_card(), "ZeroDivisionError", result).correct
    assert not grade_output(out_card(), "begin\nZeroDivisionError", result).correct


def test_pasted_traceback_is_tolerated() -> None:
    prediction = "Traceback (most recent call last):\n  File \"<snippet>\", line 1, in <module>\nTypeError: unhashable type: 'list'"
    assert grade_output(
        out_card(), prediction, ran("", "TypeError: unhashable type: 'list'")
    ).correct


def test_output_prediction_for_raising_snippet_is_wrong() -> None:
    v = grade_output(out_card(), "None", ran("", "TypeError: unhashable type: 'list'"))
    assert not v.correct and v.expected == "TypeError: unhashable type: 'list'"


def test_timeout_is_never_right() -> None:
    assert not grade_output(out_card(), "", ran("", timed_out=True)).correct


def test_literal_match_sets_and_dicts_in_any_order() -> None:
    card = out_card(output="{1, 2, 3}\n{'a': 1, 'b': 2}\n", match="literal")
    result = ran("{1, 2, 3}\n{'a': 1, 'b': 2}\n")
    assert grade_output(card, "{3, 1, 2}\n{'b': 2, 'a': 1}", result).correct
    assert not grade_output(card, "{1, 2}\n{'b': 2, 'a': 1}", result).correct
    assert not grade_output(card, "{1, 2, 3}", result).correct  # line count matters


def test_unordered_lines() -> None:
    card = out_card(output="t1\nt2\n", match="unordered-lines")
    assert grade_output(card, "t2\nt1", ran("t1\nt2\n")).correct
    assert not grade_output(card, "t1\nt1", ran("t1\nt2\n")).correct


def test_regex_match() -> None:
    card = out_card(output=r"took \d+ ms", match="regex")
    assert grade_output(card, "took 7 ms", ran("took 12 ms\n")).correct
    assert not grade_output(card, "took many ms", ran("took 12 ms\n")).correct
    assert check_expected(card, ran("took 12 ms\n")).correct
    assert not check_expected(card, ran("took 12 ms!\n")).correct


# -- the deck's stored answer (quiz check) -----------------------------------------


def test_check_expected_output() -> None:
    assert check_expected(out_card(output="1\n"), ran("1\n")).correct
    bad = check_expected(out_card(output="1\n"), ran("2\n"))
    assert not bad.correct and bad.expected == "1" and bad.given == "2"


def test_check_expected_raises_type_and_message() -> None:
    card = out_card(raises="TypeError: unhashable type: 'list'")
    assert check_expected(card, ran("", "TypeError: unhashable type: 'list'")).correct
    assert check_expected(out_card(raises="TypeError"), ran("", "TypeError: anything")).correct
    assert not check_expected(card, ran("", "TypeError: unhashable type: 'dict'")).correct
    assert not check_expected(card, ran("[1]\n")).correct
    assert not check_expected(out_card(raises="KeyError"), ran("", "IndexError: x")).correct


def test_check_expected_output_that_raises_unexpectedly() -> None:
    v = check_expected(out_card(output="1\n"), ran("", "NameError: name 'x' is not defined"))
    assert not v.correct and "NameError" in v.message


def test_check_expected_unrecorded() -> None:
    assert not check_expected(out_card(), ran("1\n")).correct


def test_expected_text() -> None:
    assert expected_text(out_card(output="a\n", raises="KeyError: 'x'")) == "a\nKeyError: 'x'"
    assert expected_text(out_card(output="a  \n\n")) == "a"


# -- typed and choice --------------------------------------------------------------


def typed(*answers: str) -> Card:
    return Card(deck="d", id="t", kind=CardKind.TYPED, answers=answers)


def test_typed_is_lenient_about_case_and_space() -> None:
    card = typed("0.005", "5 ms")
    assert grade_typed(card, "  0.005 ").correct
    assert grade_typed(card, "5   MS").correct
    assert not grade_typed(card, "0.015").correct
    assert not grade_typed(card, "").correct


@pytest.mark.parametrize(
    "answer",
    [
        "0.005",
        "0.005s",
        "0.005 s",
        ".005",
        "5e-3",
        "5ms",
        "5 ms",
        "5 milliseconds",
        "5毫秒",
        "0.005秒",
        "5000 µs",
        "`0.005`",
        "０.００５",
        "5 MS",
    ],
)
def test_typed_quantities_in_any_unit(answer: str) -> None:
    assert grade_typed(typed("0.005 s"), answer).correct, answer


@pytest.mark.parametrize(
    "answer", ["5", "5s", "0.05", "5 µs", "0.015", "5 ms.", "5 metres", "5 kb"]
)
def test_typed_quantities_reject_a_different_amount(answer: str) -> None:
    # a bare 5 is read in the deck's unit (seconds): 5 s, not 5 ms
    assert not grade_typed(typed("0.005 s"), answer).correct, answer


def test_typed_ratios() -> None:
    card = typed("10×")
    assert all(grade_typed(card, a).correct for a in ("10", "10x", "10 times", "10倍", "10.0×"))
    assert not grade_typed(card, "10 s").correct and not grade_typed(card, "1").correct


def test_typed_bare_numbers_compare_as_text_without_a_unit() -> None:
    assert grade_typed(typed("1000"), "1000").correct
    assert not grade_typed(typed("3.10"), "3.1").correct  # a version, not a quantity
    assert not grade_typed(typed("1000"), "1000 ms").correct


@pytest.mark.parametrize(
    "accepted,answer",
    [
        (("asyncio.Lock",), "asyncio.Lock()"),
        (("asyncio.Lock",), "asyncio.locks.Lock"),
        (("asyncio.Lock",), "`asyncio.locks.Lock()`"),
        (("gc.collect()",), "gc.collect"),
        (("os.cpu_count()", "multiprocessing.cpu_count()"), "multiprocessing.cpu_count"),
        (("__mro__",), "C.__mro__"),
        (("__mro__",), "cls.__mro__"),
    ],
)
def test_typed_names_call_forms_and_qualification(accepted: tuple[str, ...], answer: str) -> None:
    assert grade_typed(typed(*accepted), answer).correct


@pytest.mark.parametrize(
    "accepted,answer",
    [
        (("asyncio.Lock",), "Lock"),  # shorter is not the full name asked for
        (("asyncio.Lock",), "threading.Lock"),
        (("asyncio.Lock",), "asyncio.Lock.acquire"),
        (("asyncio.Lock",), "asyncio.Locks"),
        (("os.cpu_count()",), "os.process_cpu_count()"),
        (("os.cpu_count()",), "os.cpu_count(1)"),
        (("nonlocal",), "x.nonlocal"),  # only dunder attributes take an owner
        (("__mro__",), "__mro__.x"),
        (("Jython",), "JPython"),
    ],
)
def test_typed_names_reject_other_names(accepted: tuple[str, ...], answer: str) -> None:
    assert not grade_typed(typed(*accepted), answer).correct


def test_choice_exact_set() -> None:
    card = Card(deck="d", id="c", kind=CardKind.CHOICE, correct=(0, 2))
    assert grade_choice(card, [2, 0]).correct
    assert not grade_choice(card, [0]).correct
    assert not grade_choice(card, [0, 1, 2]).correct
    assert grade_choice(card, [0]).suggested is Rating.AGAIN


@pytest.mark.parametrize(
    "text,picks", [("1 3", (0, 2)), ("1,3", (0, 2)), ("3, 1", (0, 2)), ("2", (1,)), ("a c", (0, 2))]
)
def test_parse_picks(text: str, picks: tuple[int, ...]) -> None:
    assert parse_picks(text) == picks


@pytest.mark.parametrize("text", ["", "0", "x1", "1.5"])
def test_parse_picks_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_picks(text)
