"""kill -9 in the middle of a migration never leaves an unusable store (issue 14 §3).

A child process creates a store (or upgrades one from revision 0003, 0012, 0013, 0014,
0015 or 0016), says when its imports are done, and is killed with SIGKILL after a random
share of the time a whole migration takes; the store is then opened again and must reach
the newest schema. The default run kills a few times per case; `QUIZ_TEST_KILLS=50` (per
case) is the long mode. Delays come from a seeded generator (`QUIZ_TEST_SEED`), so a
failure can be replayed."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from quiz.model import card_from_dict
from quiz.store.content import full_content
from quiz.store.migrate import HEAD, upgrade

CHILD = """
import sys
from quiz.store import open_store
import quiz.store.migrate, alembic.command, quiz.store.models  # imports before the signal
print("ready", flush=True)
open_store(sys.argv[1]).close()
print("done", flush=True)
"""


def _kills() -> int:
    return int(os.environ.get("QUIZ_TEST_KILLS") or 2)


def _run_child(url: str, kill_after: float | None) -> tuple[bool, float]:
    """(was it killed before it finished, seconds from 'ready' to its end)."""
    # unbuffered: a buffered readline could read "done" ahead with "ready", where
    # communicate (which reads the pipe itself) would never see it
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ready\n", proc.stderr.read() if proc.stderr else ""
    started = time.monotonic()
    if kill_after is not None:
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
    out, err = (part.decode() for part in proc.communicate(timeout=120))
    took = time.monotonic() - started
    if proc.returncode == 0:
        assert "done" in out
        return False, took
    assert proc.returncode == -signal.SIGKILL, err
    return True, took


def _old_store(url: str, revision: str = "0003") -> None:
    engine = create_engine(url)
    upgrade(engine, revision)
    engine.dispose()


def _cards_at_0015(url: str) -> None:
    """A store at 0015 holding an older program's cards (their digests the old encoding's)."""
    from tests.store.test_lean_migration import load_0011, recorded

    load_0011(url, recorded()["tables"])
    _old_store(url, "0015")


def _log_at_0016(url: str) -> None:
    """A store at 0016 holding an older program's log (0017 packs it on PostgreSQL)."""
    from tests.store.test_lean_migration import load_0011, recorded

    load_0011(url, recorded()["tables"])
    _old_store(url, "0016")


def _usable(url: str) -> None:
    """Opening the store again brings it to the newest schema, with every table."""
    done, _ = _run_child(url, None)
    assert not done
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        assert conn.execute(text("SELECT value FROM quiz_store")).scalar() == "quiz"
        conn.execute(text("SELECT COUNT(*) FROM review_tag_rollups")).scalar()
        # every card's digest is today's (0016 rehashed them all, or none and ran again)
        for key, digest, content, kind, line in conn.execute(
            text('SELECT "key", content_hash, content, kind, line FROM cards')
        ):
            content = content if isinstance(content, dict) else json.loads(content)
            card = card_from_dict(full_content(content, key, kind, line))
            assert digest == card.content_hash(), key
        conn.execute(text("SELECT COUNT(*) FROM review_day_marks")).scalar()
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize(
    "case",
    [
        "first-use",
        "upgrade",
        "upgrade-0012",
        "upgrade-0013",
        "upgrade-0014",
        "upgrade-0015",
        "upgrade-0016",
    ],
)
def test_a_killed_migration_leaves_a_store_that_opens(
    request: pytest.FixtureRequest, tmp_path: Path, case: str, backend: str
) -> None:
    rng = random.Random(int(os.environ.get("QUIZ_TEST_SEED") or 14))
    if backend == "sqlite":
        urls = (f"sqlite:///{tmp_path / f'store{n}.db'}" for n in range(10**6))
    else:
        server, why = request.getfixturevalue("pg_server")
        if server is None:
            pytest.skip(f"PostgreSQL store tests need a server: {why}")
        from tests.pg import create_database, drop_database

        def fresh():
            while True:
                url = create_database(server)
                request.addfinalizer(lambda url=url: drop_database(server, url))
                yield url

        urls = fresh()
    prepare = {
        "first-use": lambda url: None,
        "upgrade": _old_store,
        "upgrade-0012": lambda url: _old_store(url, "0012"),
        "upgrade-0013": lambda url: _old_store(url, "0013"),
        "upgrade-0014": lambda url: _old_store(url, "0014"),
        "upgrade-0015": _cards_at_0015,  # 0016 alone, on cards to rehash
        "upgrade-0016": _log_at_0016,  # 0017 alone, on a log to pack (PostgreSQL)
    }[case]
    probe = next(urls)
    prepare(probe)
    _, whole = _run_child(probe, None)  # how long one migration takes here, now
    killed = 0
    for _ in range(_kills()):
        url = next(urls)
        prepare(url)
        was_killed, _took = _run_child(url, rng.uniform(0, whole))
        killed += was_killed
        _usable(url)
    print(f"{backend} {case}: {_kills()} runs, {killed} killed mid-way, 0 unusable stores")
