"""Every number and date a command line takes has a range, so that a value out of it is
a usage error (exit 2, one line naming the option) on either path, never a crash.

`quiz cards --limit 99999999999999999999` reached SQLite and ended in "internal error:
datatype mismatch" (exit 70), `quiz check --jobs -5` in the thread pool's ValueError: the
options had a lower bound or none, and nothing stopped a count before the store or the
pool. A seed is any integer (random.Random takes them all) and needs no bound.
`quiz stats --since 0001-01-01` overflowed datetime in the learner's day arithmetic: a
date option now has QUIZ_NOW's range (quiz.clock.in_range).
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import typing

import pytest
import typer

import quiz.cli.commands  # noqa: F401  (declares every command)
from quiz.cli.declare import ROOT, Group, Param
from tests.conftest import BASIC_DECK, write_deck

HUGE = "99999999999999999999999"


def int_options() -> list[tuple[tuple[str, ...], str, Param]]:
    """(the command's words, the option's name, its declaration) for every integer option
    of every declared command (the declarations both typer and the lean path read)."""
    found: list[tuple[tuple[str, ...], str, Param]] = []

    def options(words: tuple[str, ...], fn: object) -> None:
        hints = typing.get_type_hints(fn, localns={"typer": typer})  # a callback's Context
        for param in inspect.signature(fn).parameters.values():  # type: ignore[arg-type]
            declared, hint = param.default, hints.get(param.name)
            is_option = isinstance(declared, Param) and not declared.argument
            if is_option and int in (hint, *typing.get_args(hint)):
                found.append((words, declared.decls[0], declared))

    def walk(words: tuple[str, ...], group: Group) -> None:
        if group.callback_fn is not None and words:  # `quiz cards` lists on its own
            options(words, group.callback_fn)
        for entry in group.entries:
            if entry[0] == "group":
                walk((*words, entry[1].name), entry[1])
            else:
                _kind, name, fn, _settings = entry
                options((*words, name or fn.__name__.replace("_", "-")), fn)

    walk((), ROOT)
    return found


def test_the_walk_finds_the_count_options():
    names = {(" ".join(words), option) for words, option, _ in int_options()}
    assert {("cards", "--limit"), ("drill", "--count"), ("check", "--jobs")} <= names


BOUNDED = [(w, o, p) for w, o, p in int_options() if o != "--seed"]
IDS = [f"{' '.join(w)} {o}" for w, o, _ in BOUNDED]


@pytest.mark.parametrize("words,option,param", BOUNDED, ids=IDS)
def test_every_count_option_has_both_bounds(words, option, param):
    low, high = param.settings.get("min"), param.settings.get("max")
    assert low is not None and high is not None, f"quiz {' '.join(words)} {option}"
    assert -(2**63) < low <= high < 2**63


@pytest.mark.parametrize("words,option,param", BOUNDED, ids=IDS)
@pytest.mark.parametrize("value", [HUGE, "-" + HUGE])
def test_a_number_out_of_range_is_a_usage_error_not_a_crash(tmp_path, words, option, param, value):
    """Through the console entry (the lean path binds plain lines itself) on an empty
    store: the option comes first, so its value is what the command line is told about."""
    result = subprocess.run(
        [sys.executable, "-m", "quiz", *words, f"{option}={value}"],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "QUIZ_DB": str(tmp_path / "store.db"),
            "QUIZ_CONFIG": str(tmp_path / "none.toml"),
            "QUIZ_BUNDLED": "0",
        },
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert option in result.stderr
    assert not (tmp_path / "store.db").exists()


# every date option (quiz.cli.context.parse_date), with what it needs to reach the parse
DATE_LINES = [
    ("stats", "--since"),
    ("cards", "--due-before"),
    ("goal", "--deck", "closures", "--by"),
    ("cards", "set-due", "closures/one", "--on"),
]


@pytest.fixture
def answered(cli, env):
    """A store with one deck, one card of it answered."""
    deck = write_deck(env, "closures.yaml", BASIC_DECK.replace("demo", "closures"))
    assert cli("import", str(deck)).exit_code == 0
    assert cli("review", "--limit", "1", input=" \n3\n").exit_code == 0
    return env


@pytest.mark.parametrize("words", DATE_LINES, ids=[" ".join(w) for w in DATE_LINES])
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_a_date_out_of_range_is_a_usage_error_not_a_crash(cli, answered, words, value):
    result = cli(*words, value)
    assert result.exit_code == 2, result.output
    assert f"{words[-1]}: out of range" in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize("words", DATE_LINES, ids=[" ".join(w) for w in DATE_LINES])
@pytest.mark.parametrize("value", ["1900-01-01", "8999-12-31"])
def test_the_ends_of_the_range_work(cli, answered, words, value):
    result = cli(*words, value)
    # a goal's day must be ahead: the first year is a usage error of its own
    expected = 2 if words[0] == "goal" and value.startswith("1900") else 0
    assert result.exit_code == expected, result.output
    assert "internal error" not in result.output
    for after in (("stats",), ("cards",), ("decks",), ("due",)):
        assert cli(*after).exit_code == 0, after
