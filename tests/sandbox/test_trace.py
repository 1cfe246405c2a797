"""Step-through (`quiz run --trace`): the trace is computed inside the sandbox by
child/tracer.py and comes back as data; these run real snippets through the real
sandbox and read the trace with quiz.trace."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quiz.cli import app
from quiz.sandbox import Sandbox, SandboxConfig, TraceBound
from quiz.trace import Trace, departure, parse

PYENV = Path("/root/.pyenv/versions")


@pytest.fixture(scope="module", params=["fork-server", "fresh-child"])
def box(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    config = SandboxConfig.from_env(prestart=False)
    if request.param == "fresh-child":
        config = SandboxConfig.from_env(prestart=False, fork_server=False)
    with Sandbox(config) as sandbox:
        yield sandbox


def traced(box: Sandbox, code: str, bound: TraceBound | None = None) -> tuple[str, Trace]:
    result = box.run(textwrap.dedent(code), timeout=10, trace=bound or TraceBound())
    return result.stdout, parse(result.trace)


def test_recursive_function_calls_and_returns_by_depth(box: Sandbox) -> None:
    out, trace = traced(
        box,
        """
        def fact(n):
            if n <= 1:
                return 1
            return n * fact(n - 1)
        print(fact(3))
        """,
    )
    assert out == "6\n" and trace.printed == "6\n"
    calls = [(s.depth, dict(s.changed)["n"]) for s in trace.steps if s.kind == "call"]
    assert calls == [(1, "3"), (2, "2"), (3, "1")]
    returns = [(s.depth, s.value) for s in trace.steps if s.kind == "return" and s.depth > 0]
    assert returns == [(3, "1"), (2, "2"), (1, "6")]
    assert trace.cut_at is None


def test_locals_that_a_line_changed() -> None:
    with Sandbox(SandboxConfig.from_env(prestart=False)) as sandbox:
        _, trace = traced(sandbox, "x = 1\ny = [x, 2]\nx += 10\n")
    changes = [dict(s.changed) for s in trace.steps if s.kind == "line"]
    assert changes == [{"x": "1"}, {"y": "[1, 2]"}, {"x": "11"}]


def test_exception_where_raised_and_unwinding(box: Sandbox) -> None:
    result = box.run(
        "def inner():\n    return 1 / 0\ndef outer():\n    inner()\nprint('before')\nouter()\n",
        timeout=10,
        trace=TraceBound(),
    )
    assert result.exception == "ZeroDivisionError: division by zero"
    assert "ZeroDivisionError" in result.stderr  # the learner's traceback, as without a trace
    trace = parse(result.trace)
    raised = [s for s in trace.steps if s.kind == "exc"]
    assert (raised[0].line, raised[0].depth, raised[0].exception) == (
        2,
        2,
        "ZeroDivisionError: division by zero",
    )
    assert [s.function for s in trace.steps if s.kind == "unwind"] == ["inner", "outer", "<module>"]


def test_generator_yields_and_resumes(box: Sandbox) -> None:
    out, trace = traced(
        box,
        """
        def count(n):
            for i in range(n):
                yield i * 10
        for v in count(2):
            print(v)
        """,
    )
    assert out == "0\n10\n"
    kinds = [(s.kind, s.value) for s in trace.steps if s.function == "count"]
    assert kinds == [
        ("call", None),
        ("yield", "0"),
        ("resume", None),
        ("yield", "10"),
        ("resume", None),
        ("return", "None"),
    ]


def test_two_threads_print_order_per_thread(box: Sandbox) -> None:
    out, trace = traced(
        box,
        """
        import threading
        def work(name):
            for i in range(3):
                print(name, i)
        ts = [threading.Thread(target=work, args=(n,), name=n) for n in "ab"]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        print("done")
        """,
    )
    printed = [(s.thread, s.text) for s in trace.steps if s.kind == "out"]
    assert [t for th, t in printed if th == "a"] == ["a 0\n", "a 1\n", "a 2\n"]
    assert [t for th, t in printed if th == "b"] == ["b 0\n", "b 1\n", "b 2\n"]
    assert printed[-1] == (None, "done\n")
    # the real stream may interleave the threads' writes mid-line; the trace keeps lines whole
    assert sorted(out) == sorted("".join(t for _, t in printed))


def test_asyncio_tasks_are_named_on_what_they_print(box: Sandbox) -> None:
    _, trace = traced(
        box,
        """
        import asyncio
        async def job(n):
            print("start", n)
            await asyncio.sleep(0)
            print("end", n)
        async def main():
            await asyncio.gather(job(1), job(2))
        asyncio.run(main())
        """,
    )
    printed = [(s.task, s.text) for s in trace.steps if s.kind == "out"]
    tasks = {text: task for task, text in printed}
    assert [text for _, text in printed] == ["start 1\n", "start 2\n", "end 1\n", "end 2\n"]
    assert tasks["start 1\n"] == tasks["end 1\n"] != tasks["start 2\n"] == tasks["end 2\n"]
    assert any(s.kind == "await" and s.function == "job" for s in trace.steps)


def test_over_the_bound_the_trace_is_cut_and_the_run_completes(box: Sandbox) -> None:
    out, trace = traced(
        box, "total = 0\nfor i in range(5000):\n    total += i\nprint(total)\n", TraceBound(100)
    )
    assert out == "12497500\n"  # the snippet ran to its end, untraced past the bound
    assert trace.cut_at == 100 and len(trace.steps) == 100


def test_trace_bytes_are_bounded(box: Sandbox) -> None:
    result = box.run(
        "for i in range(300):\n    s = str(i) * 40\n", timeout=10, trace=TraceBound(10_000, 2_000)
    )
    assert sum(len(line) for line in result.trace) < 4_000
    assert parse(result.trace).cut_at is not None


def test_a_repr_that_prints_does_not_change_the_output(box: Sandbox) -> None:
    out, trace = traced(
        box,
        """
        class Loud:
            def __repr__(self):
                print("repr called")
                return "Loud()"
        x = Loud()
        print("end")
        """,
    )
    assert out == "end\n"
    assert ("x", "Loud()") in [c for s in trace.steps for c in s.changed]


def test_departure_marks_the_first_wrong_step() -> None:
    with Sandbox(SandboxConfig.from_env(prestart=False)) as sandbox:
        _, trace = traced(sandbox, "for i in range(3):\n    print(i)\nprint('end')\n")
    outs = [n for n, s in enumerate(trace.steps) if s.kind == "out"]
    assert departure(trace, "0\n1\n2\nend\n") is None
    assert departure(trace, "0\n1\n3\nend\n") == outs[2]
    assert departure(trace, "1\n") == outs[0]
    assert departure(trace, "0\n1\n2\nend\nmore\n") == outs[-1]
    assert departure(trace, "0\n1\n") == outs[2]


def test_a_forged_trace_header_in_a_deck_is_just_code(box: Sandbox) -> None:
    result = box.run("print('\\0trace 5 5')", timeout=10)
    assert result.trace == () and result.stdout == "\0trace 5 5\n"


@pytest.mark.parametrize("version", ["3.10", "3.12", "3.13"])
def test_every_supported_python(version: str) -> None:
    found = sorted(PYENV.glob(f"{version}.*/bin/python{version}")) if PYENV.is_dir() else []
    if not found:
        pytest.skip(f"no Python {version} here")
    with Sandbox(SandboxConfig.from_env(prestart=False, python=str(found[-1]))) as sandbox:
        out, trace = traced(
            sandbox,
            "def g():\n    yield 1\n    raise KeyError('k')\ntry:\n    list(g())\n"
            "except KeyError:\n    print('caught')\n",
        )
    assert out == "caught\n"
    assert [s.kind for s in trace.steps if s.function == "g"][:2] == ["call", "yield"]
    assert any(s.kind == "exc" and s.exception == "KeyError: 'k'" for s in trace.steps)


def test_quiz_run_trace_with_a_prediction(tmp_path: Path) -> None:
    deck = tmp_path / "t.yaml"
    deck.write_text(
        "deck: t\ntitle: T\ncards:\n  - id: loop\n    type: output\n"
        "    code: |\n      for i in range(3):\n          print(i * 2)\n"
        '    output: "0\\n2\\n4\\n"\n'
    )
    guess = tmp_path / "guess.txt"
    guess.write_text("0\n1\n2\n")
    shown = CliRunner().invoke(app, ["run", f"{deck}#loop", "--predict", str(guess)])
    assert shown.exit_code == 0, shown.output
    assert "step through" in shown.stdout and "printed: 2" in shown.stdout
    lines = shown.stdout.splitlines()
    mark = next(n for n, line in enumerate(lines) if "departs" in line)
    assert "printed: 2" in lines[mark - 1]
    piped = CliRunner().invoke(
        app, ["run", "--json", f"{deck}#loop", "--predict", "-"], input="0\n2\n4\n"
    )
    data = json.loads(piped.stdout)["trace"]
    assert data["departs_at"] is None and data["cut_at"] is None
    assert [s["text"] for s in data["steps"] if s["kind"] == "out"] == ["0\n", "2\n", "4\n"]
    missing = CliRunner().invoke(app, ["run", f"{deck}#loop", "--predict", str(tmp_path / "no")])
    assert missing.exit_code == 2 and "cannot read the prediction" in missing.output


def test_trace_module_is_stdlib_only() -> None:
    source = (Path(__file__).parents[2] / "quiz/sandbox/child/tracer.py").read_text()
    assert "import quiz" not in source and "from quiz" not in source


def test_line_breaks_of_every_kind_survive_the_report_pipe(box: Sandbox) -> None:
    out, trace = traced(box, "s = 'a\\u2028b\\x85c\\nd\\\\e\"'\nprint(s)\n")
    assert trace.printed == out == 'a\u2028b\x85c\nd\\e"\n'
    assert dict(trace.steps[0].changed)["s"] == repr('a\u2028b\x85c\nd\\e"')


def test_runaway_recursion_cuts_the_trace_and_the_snippet_still_catches_it(box: Sandbox) -> None:
    out, trace = traced(
        box,
        """
        def dive(n):
            return dive(n + 1)
        try:
            dive(0)
        except RecursionError:
            print("caught")
        """,
    )
    assert out == "caught\n" and trace.cut_at is not None


def test_a_trace_of_escape_heavy_values_stays_under_its_byte_bound(box: Sandbox) -> None:
    result = box.run(
        "for i in range(400):\n    s = chr(1) * 70 + str(i)\nprint('end')\n",
        timeout=10,
        trace=TraceBound(100_000, 50_000),
    )
    assert result.stdout == "end\n" and result.exit_code == 0
    assert sum(len(line.encode()) + 2 for line in result.trace) <= 50_000
    trace = parse(result.trace)
    assert trace.cut_at == len(trace.steps)
