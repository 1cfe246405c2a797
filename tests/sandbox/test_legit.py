"""Legitimate teaching snippets must run unharmed inside every layer of the sandbox,
with bubblewrap (runs forked from its fork server, or a fresh interpreter each) and
with the Landlock + seccomp fallback alike."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from quiz.sandbox import Sandbox, SandboxConfig

REPO = Path(__file__).resolve().parents[2]

LEGIT: dict[str, tuple[str, str]] = {
    "print": ("print('hello')", "hello\n"),
    "unicode": ("print('héllo, 世界, ✓ 🐍')", "héllo, 世界, ✓ 🐍\n"),
    "threads_and_lock": (
        """
        import threading
        lock = threading.Lock()
        total = 0
        def work():
            global total
            for _ in range(10000):
                with lock:
                    total += 1
        ts = [threading.Thread(target=work) for _ in range(4)]
        for t in ts: t.start()
        for t in ts: t.join()
        print(total)
        """,
        "40000\n",
    ),
    "asyncio_run": (
        """
        import asyncio
        async def double(x):
            await asyncio.sleep(0.01)
            return 2 * x
        async def main():
            return await asyncio.gather(*(double(i) for i in range(3)))
        print(asyncio.run(main()))
        """,
        "[0, 2, 4]\n",
    ),
    "multiprocessing_pool_fork": (
        """
        import multiprocessing as mp
        def square(x):
            return x * x
        if __name__ == "__main__":
            with mp.Pool(2) as pool:
                print(pool.map(square, range(5)))
        """,
        "[0, 1, 4, 9, 16]\n",
    ),
    "multiprocessing_pool_spawn": (
        """
        import multiprocessing as mp
        def square(x):
            return x * x
        if __name__ == "__main__":
            mp.set_start_method("spawn")
            with mp.Pool(2) as pool:
                print(pool.map(square, range(5)))
        """,
        "[0, 1, 4, 9, 16]\n",
    ),
    "multiprocessing_process_queue": (
        """
        from multiprocessing import Process, Queue
        def put(q):
            q.put("from child")
        if __name__ == "__main__":
            q = Queue()
            p = Process(target=put, args=(q,))
            p.start()
            print(q.get())
            p.join()
            print(p.exitcode)
        """,
        "from child\n0\n",
    ),
    "concurrent_futures_threads": (
        """
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(4) as ex:
            print(sorted(ex.map(lambda x: x + 1, range(4))))
        """,
        "[1, 2, 3, 4]\n",
    ),
    "gc_and_weakref": (
        """
        import gc, weakref
        class Node:
            pass
        a, b = Node(), Node()
        a.other, b.other = b, a
        ref = weakref.ref(a)
        del a, b
        gc.collect()
        print(ref() is None, gc.isenabled())
        """,
        "True True\n",
    ),
    "switch_interval": ("import sys\nprint(sys.getswitchinterval())", "0.005\n"),
    "name_is_main": ("print(__name__)", "__main__\n"),
    "hash_seed_zero": (
        "print(hash('quiz') == hash('quiz'), list({'b', 'a'}) == list({'b', 'a'}))",
        "True True\n",
    ),
    "files_in_workdir": (
        """
        import os, tempfile
        with open("note.txt", "w") as fh:
            fh.write("kept")
        with tempfile.TemporaryFile() as tmp:
            tmp.write(b"x")
        print(open("note.txt").read(), sorted(os.listdir(".")))
        """,
        "kept ['note.txt', 'snippet.py']\n",
    ),
    "stderr_separate": ("import sys\nprint('out')\nprint('err', file=sys.stderr)", "out\n"),
    "subprocess_python": (
        # the child's exit code and stderr printed when it prints nothing: what kept it
        # from running shows in the failure (it failed only with several suites running)
        "import subprocess, sys\nr = subprocess.run([sys.executable, '-c', 'print(6*7)'], capture_output=True, text=True)\nprint(r.stdout.strip() or (r.returncode, r.stderr[-500:]))",
        "42\n",
    ),
    "datetime_utc": ("import time\nprint(time.tzname[0])", "UTC\n"),
    "recursion_limit": ("import sys\nprint(sys.getrecursionlimit())", "1000\n"),
}


@pytest.fixture(scope="module", params=["forkserver", "bwrap-fresh", "landlock"])
def box(request: pytest.FixtureRequest) -> Sandbox:
    sandbox = Sandbox(
        SandboxConfig.from_env(
            bwrap=request.param != "landlock", fork_server=request.param == "forkserver"
        )
    )
    if request.param != "landlock" and sandbox.plan.bwrap is None:
        pytest.skip(f"bubblewrap not usable here: {sandbox.plan.bwrap_status}")
    yield sandbox
    sandbox.close()


@pytest.mark.parametrize("name", list(LEGIT))
def test_legit_snippet_runs(name: str, box: Sandbox) -> None:
    code, expected = LEGIT[name]
    result = box.run(textwrap.dedent(code).strip() + "\n", timeout=10)
    assert result.exception is None, result.stderr
    assert (result.exit_code, result.timed_out, result.signal) == (0, False, None), result
    assert result.stdout == expected


def test_exception_reported_from_inside(box: Sandbox) -> None:
    result = box.run("d = {}\nprint('before')\nd['missing']\n")
    assert result.exception == "KeyError: 'missing'"
    assert result.exception_type == "KeyError"
    assert result.stdout == "before\n" and result.exit_code == 1
    assert 'File "<snippet>", line 3' in result.stderr and "d['missing']" in result.stderr
    assert "bootstrap" not in result.stderr


def test_exception_from_custom_class_and_syntax_error(box: Sandbox) -> None:
    assert box.run("class Boom(Exception): pass\nraise Boom('x')").exception == "Boom: x"
    assert box.run("print(1").exception_type == "SyntaxError"
    assert box.run("raise SystemExit('bye')").exit_code == 1
    assert box.run("raise SystemExit").exception is None


def test_hash_seed_changes_str_hash(box: Sandbox) -> None:
    seen = {box.run("print(hash('quiz'))", hash_seed=seed).stdout for seed in (0, 1, 2)}
    assert len(seen) == 3
    assert (
        box.run("print(hash('quiz'))", hash_seed=0).stdout
        == box.run("print(hash('quiz'))", hash_seed=0).stdout
    )


def test_environment_is_minimal(box: Sandbox) -> None:
    out = box.run("import os\nprint(sorted(os.environ))").stdout
    names = [n for n in eval(out) if n != "PWD"]
    assert names == sorted(
        [
            "PYTHONHASHSEED",
            "TZ",
            "LC_ALL",
            "LANG",
            "PATH",
            "HOME",
            "TMPDIR",
            "PYTHONUNBUFFERED",
            "PYTHONDONTWRITEBYTECODE",
        ]
    )


def test_output_cap_and_notice(box: Sandbox) -> None:
    result = box.run("print('x' * 200000)")
    assert result.truncated and result.stdout.startswith("x" * 1000)
    assert "[quiz: output truncated after 65536 bytes]" in result.stdout
    assert len(result.stdout) < 66000


def test_timeout_kills_and_reports(box: Sandbox) -> None:
    result = box.run("import time\nprint('started')\ntime.sleep(30)", timeout=0.5)
    assert result.timed_out and result.exit_code is None and result.stdout == "started\n"
    assert result.duration_ms < 30_000  # killed, not left to finish its 30 s sleep


def test_warm_spare_gives_fresh_interpreters(box: Sandbox) -> None:
    first = box.run("import sys\nsys.modules['marker'] = 1\nopen('f', 'w').write('x')\nprint('ok')")
    second = box.run("import os, sys\nprint('marker' in sys.modules, os.path.exists('f'))")
    assert first.stdout == "ok\n" and second.stdout == "False False\n"


def test_layers_report_is_honest(box: Sandbox) -> None:
    layers = {layer.name: layer for layer in box.layers()}
    assert {
        "timeout",
        "rlimits",
        "bubblewrap",
        "landlock",
        "seccomp",
        "network",
        "privilege-drop",
    } <= set(layers)
    result = box.run("print(1)")
    missing = [name for name, layer in layers.items() if layer.status == "missing"]
    for name in missing:
        assert any(name in note for note in result.notes)


def test_a_snippet_runs_python_from_a_virtual_environment_of_copies(tmp_path: Path) -> None:
    """quiz installed in a virtual environment whose interpreter is a copy (`python -m
    venv --copies`, or an environment copied whole): the snippets run on the base
    interpreter's binary, so a snippet's own `subprocess.run([sys.executable, ...])`
    starts (the copy read its environment's pyvenv.cfg, outside what a snippet may read,
    and failed with PermissionError)."""
    venv = tmp_path / "venv"
    base = getattr(sys, "_base_executable", "") or sys.executable
    subprocess.run(
        [base, "-m", "venv", "--copies", "--without-pip", str(venv)], check=True, timeout=120
    )
    python = venv / "bin" / "python"
    assert not python.is_symlink()
    code, expected = LEGIT["subprocess_python"]
    script = (
        f"import sys; sys.path.insert(0, {str(REPO)!r})\n"
        "from quiz.sandbox import Sandbox, SandboxConfig\n"
        "from quiz.sandbox.interpreter import probe\n"
        f"assert not probe().executable.startswith({str(venv)!r}), probe()\n"
        "box = Sandbox(SandboxConfig.from_env(bwrap=False, fork_server=False))\n"
        "try:\n"
        f"    result = box.run({code!r} + '\\n', timeout=10)\n"
        "finally:\n"
        "    box.close()\n"
        "sys.stdout.write(result.stdout)\n"
    )
    done = subprocess.run(
        [str(python), "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected
    from quiz.sandbox.interpreter import probe  # and where `quiz check --python` names it

    assert not probe(str(python)).executable.startswith(str(venv))
