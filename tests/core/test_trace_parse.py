"""quiz.trace reads what a traced run sent back; the snippet shares the process that
writes it, so every line is untrusted: bad ones are dropped, never a traceback."""

from __future__ import annotations

from quiz.trace import Step, Trace, departure, parse


def test_garbage_lines_are_dropped() -> None:
    lines = [
        "not json",
        "[" * 100_000,
        '{"e": "nope"}',
        '{"e": "line", "ln": "x", "d": -4, "v": {"a": 1, "b": "2"}}',
        '{"e": "out", "t": 5}',
        '{"e": "cut", "n": 7}',
        "[1, 2]",
    ]
    trace = parse(lines)
    assert trace.steps == (
        Step(kind="line", line=0, depth=0, changed=(("a", ""), ("b", "2"))),
        Step(kind="out", text=""),
    )
    assert trace.cut_at == 7


def test_departure_without_output() -> None:
    quiet = Trace((Step(kind="line", line=1),))
    assert departure(quiet, "") is None
    assert departure(quiet, "something\n") == 0
    assert departure(Trace(()), "x\n") is None
