"""The fork server (quiz/sandbox/child/zygote.py + quiz/sandbox/forkserver.py): runs forked from one
hardened interpreter per hash seed must be indistinguishable from fresh ones — same
output for each seed, nothing of an earlier run left (processes, files in the
working dir, /tmp, /dev/shm) — and a server that is harmed, cannot clean up or stops
answering must be replaced without losing the run's result.

Snippets here are harmless (sleeping children, files, deep folders); the hostile
corpus runs through the server in its cage (test_hostile.py).
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from quiz.sandbox import Sandbox, SandboxConfig

# What a run can see of earlier runs: other processes, and entries in its scratch dirs
# (besides what bubblewrap itself put in /tmp when the repo or venv lives under /tmp).
PROBE = (
    "import os\n"
    "print(sorted(p for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, os.getppid(), os.getpid())))\n"
    "print(sorted(d + '/' + n for d in ('/tmp', '/dev/shm', '.') for n in os.listdir(d) if n != 'snippet.py'))\n"
)


LITTER = """
import os, time
os.makedirs('a/b/c')
open('a/b/c/f', 'w').write('x')
os.chmod('a/b', 0)
open('/tmp/t', 'w').write('x')
open('/dev/shm/s', 'w').write('x')
if os.fork() == 0:
    os.setsid()
    time.sleep(30)
    os._exit(0)
print('littered')
"""


@pytest.fixture
def box() -> Sandbox:
    sandbox = Sandbox(SandboxConfig.from_env(fork_server=True))
    if not sandbox.uses_fork_server:
        pytest.skip(f"no fork server here: bubblewrap {sandbox.plan.bwrap_status}")
    yield sandbox
    sandbox.close()


@pytest.fixture
def clean(box: Sandbox) -> str:
    """What PROBE prints on a fresh server: no other process, and only bubblewrap's own
    entries in the scratch dirs."""
    first = box.run(PROBE).stdout
    assert first.startswith("[]\n"), first
    return first


def test_same_output_as_a_fresh_interpreter_for_each_seed(box: Sandbox) -> None:
    code = "print(hash('quiz'), list({'alpha', 'beta', 'gamma', 'delta'}), __name__, __file__)"
    fresh = Sandbox(SandboxConfig.from_env(fork_server=False, prestart=False))
    try:
        for seed in (0, 1, 2):
            assert box.run(code, hash_seed=seed).stdout == fresh.run(code, hash_seed=seed).stdout
    finally:
        fresh.close()


def test_next_run_starts_clean_on_the_same_server(box: Sandbox, clean: str) -> None:
    assert box.run("print(1)").stdout == "1\n"
    servers = box.helper_pids()
    assert box.run(LITTER).stdout == "littered\n"
    assert box.run(PROBE).stdout == clean
    assert box.helper_pids() == servers  # cleaned up, not replaced


def test_a_server_that_cannot_clean_up_retires(box: Sandbox, clean: str) -> None:
    box.run("print(1)")
    servers = box.helper_pids()
    deep = "import os\nos.makedirs('/'.join(['d'] * 80))\nprint('deep')"
    assert box.run(deep).stdout == "deep\n"
    assert box.run(PROBE).stdout == clean
    assert box.helper_pids().isdisjoint(servers)


def test_a_snippet_cannot_signal_its_server(box: Sandbox) -> None:
    box.run("print(1)")
    servers = box.helper_pids()
    code = "import os\ntry:\n    os.kill(os.getppid(), 9)\nexcept OSError as e:\n    print(type(e).__name__)"
    assert box.run(code).stdout == "PermissionError\n"
    assert box.helper_pids() == servers


def _kill_servers(box: Sandbox, sig: int) -> None:
    for pid in box.helper_pids():
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def test_a_dead_server_is_replaced_and_the_run_still_answers(box: Sandbox, clean: str) -> None:
    box.run("print(1)")
    _kill_servers(box, signal.SIGKILL)
    time.sleep(0.1)
    result = box.run("print('after')")
    assert result.stdout == "after\n" and result.exit_code == 0
    assert box.run(PROBE).stdout == clean


def test_a_server_that_stops_answering_is_killed_and_the_run_times_out(box: Sandbox) -> None:
    box.run("print(1)")
    stopped = box.helper_pids()
    _kill_servers(box, signal.SIGSTOP)
    started = time.monotonic()
    result = box.run("print('never seen')", timeout=0.3)
    assert result.timed_out and any("stopped answering" in note for note in result.notes)
    assert time.monotonic() - started < 3
    assert box.run("print('next')").stdout == "next\n"
    assert box.helper_pids().isdisjoint(stopped)


def test_timeout_truncation_and_exceptions_through_the_server(box: Sandbox) -> None:
    slow = box.run("import time\nprint('started')\ntime.sleep(30)", timeout=0.4)
    assert slow.timed_out and slow.stdout == "started\n" and slow.signal == signal.SIGKILL
    flood = box.run("print('x' * 200000)")
    assert flood.truncated and "[quiz: output truncated after 65536 bytes]" in flood.stdout
    boom = box.run("print('a')\nraise KeyError('k')")
    assert (boom.stdout, boom.exception, boom.exit_code) == ("a\n", "KeyError: 'k'", 1)
    assert box.run("import os\nos._exit(7)").exit_code == 7
    assert (
        box.run("import os, signal\nos.kill(os.getpid(), signal.SIGTERM)").signal == signal.SIGTERM
    )


def test_a_snippet_too_big_for_the_pipe_runs_fresh(box: Sandbox) -> None:
    code = "# " + "x" * 70_000 + "\nprint('big')"
    assert box.run(code).stdout == "big\n"


def test_close_leaves_no_server_behind(box: Sandbox) -> None:
    box.run("print(1)", hash_seed=0)
    box.run("print(1)", hash_seed=1)
    pids = box.helper_pids()
    assert pids
    box.close()
    time.sleep(0.05)
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        assert state == "Z" or state == "X", f"{pid} still {state}"
