"""A store that is locked, full, read-only or whose server stops (issue 14 §6): one
clear line each, and read-only commands still work on a read-only store."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.store.helpers import basic_deck, day


def _quiz(env: Path, db: str, *args: str, input: str | None = None, **extra: str):
    envvars = {
        **os.environ,
        "QUIZ_DB": db,
        "QUIZ_CONFIG": str(env / "config.toml"),
        "QUIZ_BUNDLED": "0",
        "QUIZ_LEARNER": "ann",
        "QUIZ_NOW": day(1),
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "quiz", *args],
        capture_output=True,
        text=True,
        env=envvars,
        input=input,
        timeout=180,
    )


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A private 1 MB tmpfs (root only): full and read-only file systems, for real."""
    where = tmp_path / "fs"
    where.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _remount_read_only(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)


# ---- read-only ------------------------------------------------------------------------


def test_a_read_only_store_still_serves_due_decks_and_stats(env, small_fs):
    db = str(small_fs / "store.db")
    assert _quiz(env, db, "import", str(basic_deck(env, 3))).returncode == 0
    assert _quiz(env, db, "review", "--limit", "1", input="4\n").returncode == 0
    _remount_read_only(small_fs)
    for args in (("due",), ("due", "--json"), ("decks",), ("stats",), ("stats", "--json")):
        done = _quiz(env, db, *args)
        assert done.returncode == 0, (args, done.stderr)
        assert done.stderr == "", (args, done.stderr)
    assert _quiz(env, db, "due", "--json", QUIZ_NOW=day(30)).stdout.startswith(
        '{"due": 1, "new": 2'
    )
    assert "basics" in _quiz(env, db, "decks").stdout
    # another learner has no progress in it, and is not enrolled
    done = _quiz(env, db, "due", "--json", QUIZ_LEARNER="bob")
    assert done.returncode == 0 and '"new": 3' in done.stdout
    # writing is refused with one line
    done = _quiz(env, db, "review", input="4\n")
    assert done.returncode == 3
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .endswith("the store is read-only (attempt to write a readonly database)")
    )


def test_a_read_only_store_file_is_opened_read_only(env, tmp_path, monkeypatch):
    """A store file quiz may not write (as root, file modes do not bind: os.access is
    what the store asks, so that is what the test stubs)."""
    db = tmp_path / "store.db"
    assert _quiz(env, str(db), "import", str(basic_deck(env, 2))).returncode == 0
    from quiz.store import open_store

    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **kw: False if mode == os.W_OK else real_access(p, mode)
    )
    before = db.read_bytes()
    with open_store(str(db)) as store, store.unit("nobody") as repo:
        assert store.read_only
        summaries = repo.deck_summaries(datetime.now(timezone.utc))
        assert [s.deck for s in summaries] == ["basics"]
    assert db.read_bytes() == before


# ---- full disk ------------------------------------------------------------------------


def test_a_full_disk_says_so_and_that_nothing_was_lost(env, small_fs):
    db = str(small_fs / "store.db")
    assert _quiz(env, db, "import", str(basic_deck(env, 3))).returncode == 0
    assert _quiz(env, db, "review", "--limit", "1", input="4\n").returncode == 0
    big = env / "big.yaml"
    big.write_text(
        "deck: big\ntitle: Big\ncards:\n"
        + "".join(f"  - id: c{i}\n    front: Q{i} {'x' * 200}\n    back: A\n" for i in range(6000))
    )
    done = _quiz(env, db, "import", str(big))
    assert done.returncode == 3
    [line] = done.stderr.strip().splitlines()
    assert line == (
        f"quiz: {db}: the disk is full; nothing was lost (this change was not saved, "
        "everything saved before is intact): free some space and try again"
    )
    # and it is true: the answer and the first deck are there, the big deck is not
    done = _quiz(env, db, "decks", "--json")
    assert done.returncode == 0, done.stderr
    assert '"basics"' in done.stdout and '"big"' not in done.stdout


def test_a_disk_io_error_on_a_full_disk_is_reported_as_a_full_disk(tmp_path, monkeypatch):
    from quiz.store.engine import describe_error

    class Full:
        f_bavail, f_frsize = 0, 4096

    monkeypatch.setattr(os, "statvfs", lambda _p: Full())
    line = describe_error(sqlite3.OperationalError("disk I/O error"), f"sqlite:///{tmp_path}/s.db")
    assert "the disk is full; nothing was lost" in line


# ---- locked ---------------------------------------------------------------------------


def test_a_locked_store_says_once_that_it_waits_and_for_whom_then_goes_on(env, tmp_path):
    db = tmp_path / "store.db"
    assert _quiz(env, str(db), "import", str(basic_deck(env, 2))).returncode == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "print('locked', flush=True)\n"
            "sys.stdin.readline()\n"
            "c.execute('COMMIT')\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline() == "locked\n"
    envvars = dict(
        os.environ,
        QUIZ_DB=str(db),
        QUIZ_CONFIG=str(env / "config.toml"),
        QUIZ_BUNDLED="0",
        QUIZ_LEARNER="ann",
        QUIZ_NOW=day(1),
    )
    review = subprocess.Popen(
        [sys.executable, "-m", "quiz", "review"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=envvars,
    )
    assert review.stderr is not None and review.stdin is not None
    review.stdin.write("4\n4\n")
    review.stdin.close()
    notice = review.stderr.readline()  # blocks until quiz says it is waiting
    holder.stdin.write("\n")
    holder.stdin.flush()
    holder.wait(timeout=60)
    out = review.stdout.read() if review.stdout else ""
    rest = review.stderr.read()
    assert review.wait(timeout=120) == 0, rest
    assert notice == (
        f"quiz: waiting for {db}: the store is locked by pid {holder.pid}:"
        f" {Path(sys.executable).name} -c import sqlite3, sys\n"  # python or python3: the venv's
    )
    assert "waiting" not in rest
    assert "Reviewed 2" in out


def test_lock_holders_reads_the_wal_write_lock_of_other_processes(tmp_path):
    from quiz.store.lockwait import lock_holders

    store = tmp_path / "s.db"
    store.touch()
    shm = Path(f"{store}-shm")
    shm.touch()
    ino = os.stat(shm).st_ino
    locks = (
        f"1: POSIX  ADVISORY  READ 111 08:01:{ino} 128 128\n"  # a reader: not a holder
        f"2: POSIX  ADVISORY  WRITE 222 08:01:{ino} 120 120\n"  # the writer
        f"3: POSIX  ADVISORY  WRITE 333 08:01:{ino} 123 123\n"  # a read mark, not the write lock
        f"4: -> POSIX  ADVISORY  WRITE 444 08:01:{ino} 120 120\n"  # a waiter
    )
    assert lock_holders(store, locks) == ["pid 222"]
    assert lock_holders(store, "") == []


# ---- PostgreSQL stops ---------------------------------------------------------------------


LOST = """
import sys
import threading
import time
from sqlalchemy import text
from quiz.store.engine import make_engine
engine, other = make_engine(sys.argv[1]), make_engine(sys.argv[1])
with engine.connect() as conn:
    conn.execute(text("CREATE TEMP TABLE t (x int)"))
    pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    with other.connect() as o:
        o.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    try:
        conn.execute(text("INSERT INTO t VALUES (:x)"), [{"x": i} for i in range(100)])
    except Exception as exc:
        print(type(exc).__name__)
"""


def test_a_server_lost_in_a_batch_insert_prints_no_driver_warning(env, store_url):
    """The server going away in the middle of a batch insert (as in `quiz import`):
    psycopg's own 'error ignored terminating <psycopg.Pipeline [BAD]>' warning used to
    reach stderr through Python's last-resort log handler, before quiz's line."""
    if not store_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    done = subprocess.run(
        [sys.executable, "-c", LOST, store_url], capture_output=True, text=True, timeout=120
    )
    assert done.stdout == "OperationalError\n"
    assert done.stderr == ""


# ---- the lock watcher's own rules ----------------------------------------------------------


class _CountingCondition(threading.Condition):
    def __init__(self) -> None:
        super().__init__()
        self.notified = 0

    def notify(self, n: int = 1) -> None:
        self.notified += 1
        super().notify(n)


def _watch(tmp_path: Path, holders: list[str] | None, delay_s: float):  # type: ignore[no-untyped-def]
    from quiz.store.lockwait import LockWatch

    said: list[str] = []
    watch = LockWatch(
        tmp_path / "s.db", delay_s=delay_s, say=said.append, holders=lambda _p: holders
    )
    watch.cond = _CountingCondition()
    return watch, said


def test_a_statement_held_up_past_the_delay_is_told_once(tmp_path):
    watch, said = _watch(tmp_path, ["pid 1: quiz review"], 0.05)
    watch._start()
    deadline = time.monotonic() + 10
    while not said and time.monotonic() < deadline:
        time.sleep(0.01)
    watch._stop()
    watch._start()  # told once: nothing more is watched
    time.sleep(0.2)
    assert said == [
        f"quiz: waiting for {tmp_path / 's.db'}: the store is locked by pid 1: quiz review"
    ]


def test_quick_statements_wake_the_watcher_only_from_idle_and_are_not_told(tmp_path):
    watch, said = _watch(tmp_path, ["pid 1: quiz review"], 0.3)
    for _ in range(2000):  # an answer's statements, many times over, within the delay
        watch._start()
        watch._stop()
    time.sleep(0.5)
    assert said == []
    assert watch.cond.notified <= 2  # not one wake-up per statement


def test_a_slow_statement_that_no_one_blocks_is_not_told(tmp_path):
    watch, said = _watch(tmp_path, [], 0.02)
    watch._start()
    time.sleep(0.2)
    watch._stop()
    assert said == []


def test_a_closed_store_leaves_no_watcher_thread(tmp_path):
    """Each store the full store or the import's writer opens has a lock watcher with a
    thread: closing the store ends it (a process that opens many stores kept them all)."""
    from quiz.store import open_store
    from quiz.store.lean_write import open_writer

    def watchers() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "quiz-lockwatch"]

    before = set(watchers())
    db = tmp_path / "s.db"
    with open_store(str(db)) as store, store.unit("ann") as repo:
        repo.decks_by_path()
        assert set(watchers()) - before, "the store's statements start its watcher"
    writer = open_writer(str(db), "ann")
    assert writer is not None
    with writer:
        writer.begin()  # under the watcher, which starts its thread
    deadline = time.monotonic() + 10
    while set(watchers()) - before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not set(watchers()) - before
