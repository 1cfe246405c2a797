"""Scripted review sessions through the CLI, across simulated days (QUIZ_NOW)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import write_deck

BASIC = """
deck: basics
title: Basics
lang: en
cards:
{cards}
"""


def basic_deck(env: Path, n: int, name: str = "basics", extra: str = "") -> Path:
    cards = "".join(
        f"  - id: c{i}\n    front: Q{i}?\n    back: A{i}.\n{extra}" for i in range(1, n + 1)
    )
    return write_deck(
        env, f"{name}.yaml", BASIC.replace("deck: basics", f"deck: {name}").format(cards=cards)
    )


def log(env: Path) -> list[tuple[str, int, str]]:
    with sqlite3.connect(env / "store.db") as conn:
        return conn.execute(
            "select c.key, r.rating, r.reviewed_at from reviews r join cards c on c.id = r.card_id order by r.id"
        ).fetchall()


def day(n: int, hour: int = 9) -> str:
    return (datetime(2026, 3, 1, hour, tzinfo=timezone.utc) + timedelta(days=n - 1)).isoformat()


def test_session_records_each_answer_and_summarises(cli, env):
    cli("import", str(basic_deck(env, 3)))
    result = cli("review", input="3\n4\n1\n3\n", now=day(1))
    assert result.exit_code == 0, result.output
    entries = log(env)
    # c1 Good (next step in 10 min), c2 Easy (graduates), c3 Again (again in 1 min); then the
    # learning card due soonest (c3) comes back within the 20-minute learn-ahead and is rated Good
    assert [(k, r) for k, r, _ in entries] == [
        ("basics/c1", 3),
        ("basics/c2", 4),
        ("basics/c3", 1),
        ("basics/c3", 3),
    ]
    assert "Reviewed 4" in result.stdout
    assert "75% right" in result.stdout


def test_daily_new_limit_and_next_day(cli, env):
    (env / "config.toml").write_text('timezone = "UTC"\nfuzz = false\nnew_per_day = 2\n')
    cli("import", str(basic_deck(env, 5)))
    first = cli("review", input="4\n4\n4\n4\n", now=day(1))
    assert [k for k, _, _ in log(env)] == ["basics/c1", "basics/c2"]
    again = cli("review", input="4\n", now=day(1, 15))
    assert "Nothing to review" in again.stdout
    cli("review", input="4\n4\n", now=day(2))
    assert [k for k, _, _ in log(env)][2:] == ["basics/c3", "basics/c4"]
    override = cli("review", "--new", "1", input="4\n", now=day(2, 12))
    assert override.exit_code == 0
    assert [k for k, _, _ in log(env)][-1] == "basics/c5"
    assert first.exit_code == 0


def test_due_cards_come_back_on_their_day(cli, env):
    cli("import", str(basic_deck(env, 1)))
    cli("review", input="4\n", now=day(1))
    due_day = json.loads(cli("due", "--json", now=day(1)).stdout)
    assert due_day["due"] == 0
    # Easy on a new card: 8 days with default parameters, due at the start of day 9
    assert cli("due", now=day(9, 3)).stdout.strip() == "0"
    assert cli("due", now=day(9, 5)).stdout.strip() == "1"
    cli("review", input="3\n", now=day(9, 5))
    assert len(log(env)) == 2


def test_undo_restores_state_and_log(cli, env):
    cli("import", str(basic_deck(env, 2)))
    result = cli("review", input="4\nu\n1\n3\n", now=day(1))
    assert result.exit_code == 0, result.output
    assert "undone: basics/c1" in result.stdout
    entries = [(k, r) for k, r, _ in log(env)]
    # the Easy on c1 is gone; c1 was answered again with Again, then c2, then c1 (learning) Good
    assert entries[0] == ("basics/c1", 1)
    assert ("basics/c1", 4) not in entries
    assert cli("rebuild", "--check", now=day(1)).exit_code == 0


def test_bury_and_suspend(cli, env):
    cli("import", str(basic_deck(env, 3)))
    result = cli("review", input="b\n!\n4\n", now=day(1))
    assert "buried until tomorrow: basics/c1" in result.stdout
    assert "suspended: basics/c2" in result.stdout
    assert [k for k, _, _ in log(env)] == ["basics/c3"]
    next_day = cli("review", input="4\n4\n", now=day(2))
    assert next_day.exit_code == 0
    assert [k for k, _, _ in log(env)] == ["basics/c3", "basics/c1"]
    [deck] = json.loads(cli("decks", "--json", now=day(2)).stdout)
    assert deck["suspended"] == 1


def test_edit_key_shows_file_and_line(cli, env):
    path = basic_deck(env, 2)
    cli("import", str(path))
    result = cli("review", input="e\n3\n", now=day(1))
    assert f"{path.resolve()}:" in result.stdout
    assert ":5: basics/c1" in result.stdout


def test_cloze_siblings_are_buried_for_the_day(cli, env):
    deck = write_deck(
        env,
        "cz.yaml",
        """
        deck: cz
        title: Cloze
        cards:
          - id: gil
            type: cloze
            text: "Only {{c1::one thread}} runs bytecode under the {{c2::GIL}}."
        """,
    )
    cli("import", str(deck))
    result = cli("review", input="4\n4\n", now=day(1))
    assert "[...]" in result.stdout
    assert [k for k, _, _ in log(env)] == ["cz/gil#c1"]
    cli("review", input="4\n", now=day(2))
    assert [k for k, _, _ in log(env)] == ["cz/gil#c1", "cz/gil#c2"]


def test_leech_is_suspended_after_eight_lapses(cli, env):
    cli("import", str(basic_deck(env, 1)))
    cli("review", input="4\n", now=day(1))
    leech_day = None
    for n in range(2, 400):
        result = cli("review", input="1\n3\n", now=day(n))
        if "leech" in result.stdout:
            leech_day = n
            break
    assert leech_day is not None
    lapses = sum(1 for _, r, _ in log(env) if r == 1)
    assert lapses == 8
    assert "suspended" in result.stdout
    assert "Nothing to review" in cli("review", input="3\n", now=day(leech_day + 400)).stdout
    assert cli("rebuild", "--check", now=day(leech_day)).exit_code == 0


def test_rebuild_reproduces_state_exactly(cli, env):
    cli("import", str(basic_deck(env, 4)))
    for n, answers in ((1, "3\n4\n1\n3\n3\n3\n"), (3, "3\n3\n3\n3\n"), (10, "1\n3\n3\n3\n3\n")):
        cli("review", input=answers, now=day(n))
    db = env / "store.db"
    with sqlite3.connect(db) as conn:
        before = conn.execute("select * from card_states order by card_id").fetchall()
        conn.execute("update card_states set stability = 99, due = '2030-01-01 00:00:00'")
    check = cli("rebuild", "--check", now=day(10))
    assert check.exit_code == 1
    assert "differs:" in check.stdout
    assert cli("rebuild", now=day(10)).exit_code == 0
    with sqlite3.connect(db) as conn:
        after = conn.execute("select * from card_states order by card_id").fetchall()
    assert after == before


def _spawn(env: Path, *args: str, now: str) -> subprocess.Popen[str]:
    envvars = dict(
        os.environ,
        QUIZ_NOW=now,
        QUIZ_DB=str(env / "store.db"),
        QUIZ_CONFIG=str(env / "config.toml"),
        QUIZ_LEARNER="tester",
        QUIZ_BUNDLED="0",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "quiz", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=envvars,
    )


def test_killed_session_loses_nothing_answered(cli, env):
    cli("import", str(basic_deck(env, 5)))
    proc = _spawn(env, "review", now=day(1))
    assert proc.stdin is not None
    proc.stdin.write("4\n4\n4\n")
    proc.stdin.flush()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(log(env)) < 3:
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    assert [k for k, _, _ in log(env)] == ["basics/c1", "basics/c2", "basics/c3"]
    with sqlite3.connect(env / "store.db") as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        states = conn.execute("select count(*) from card_states where reps = 1").fetchone()[0]
    assert states == 3


def test_two_sessions_on_one_store_at_once(cli, env):
    cli("import", str(basic_deck(env, 30, "left")))
    cli("import", str(basic_deck(env, 30, "right")))
    (env / "config.toml").write_text('timezone = "UTC"\nfuzz = false\nnew_per_day = 100\n')
    answers = "4\n" * 30
    procs = [_spawn(env, "review", "--deck", name, now=day(1)) for name in ("left", "right")]
    outs = [p.communicate(answers, timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=False):
        assert p.returncode == 0, err
        assert "locked" not in err
    keys = [k for k, _, _ in log(env)]
    assert len(keys) == 60 and len(set(keys)) == 60


@pytest.mark.parametrize("args", [["review", "--limit", "0"], ["review", "--bogus"]])
def test_wrong_options_are_one_line(cli, env, args):
    result = cli(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


MIXED = """
deck: mixed
title: {en: Mixed, zh: 混合}
lang: en
cards:
  - id: typed
    type: typed
    front: {en: "sys.getswitchinterval() in seconds?", zh: "sys.getswitchinterval() 是多少秒？"}
    answer: ["0.005", "5ms"]
    explain: {en: "5 ms since CPython 3.2.", zh: "自 CPython 3.2 起是 5 毫秒。"}
  - id: pick
    type: choice
    front: Which runs CPU-bound Python code on several cores at once?
    choices: [threads, asyncio tasks, processes]
    correct: 2
  - id: late
    type: output
    code: |
      fs = [lambda: i for i in range(3)]
      print([f() for f in fs])
    output: "[2, 2, 2]\\n"
  - id: boom
    type: output
    code: |
      print(hash([1, 2]))
    raises: "TypeError: unhashable type: 'list'"
"""


def test_typed_choice_and_output_cards_are_graded(cli, env):
    cli("import", str(write_deck(env, "mixed.yaml", MIXED)))
    answers = "5MS\n1\n[0, 1, 2]\n\nTypeError\n\n"
    result = cli("review", input=answers, now=day(1))
    assert result.exit_code == 0, result.output
    with sqlite3.connect(env / "store.db") as conn:
        rows = conn.execute(
            "select c.key, r.rating, r.correct, r.answer from reviews r join cards c on c.id = r.card_id order by r.id"
        ).fetchall()
    assert rows[:4] == [
        ("mixed/typed", 3, 1, "5MS"),
        ("mixed/pick", 1, 0, "1"),
        ("mixed/late", 1, 0, "[0, 1, 2]\n"),
        ("mixed/boom", 3, 1, "TypeError\n"),
    ]
    out = result.stdout
    assert "5 ms since CPython 3.2." in out  # explain after every answer
    assert "[2, 2, 2]" in out  # the real output, shown after a wrong prediction
    assert "✗ wrong" in out and "✓ right" in out


def test_review_language_switch(cli, env):
    cli("import", str(write_deck(env, "mixed.yaml", MIXED)))
    zh = cli("review", "--lang", "zh", "--limit", "1", input="0.005\n", now=day(1))
    assert "是多少秒" in zh.stdout and "自 CPython 3.2 起" in zh.stdout
    en = cli("review", "--limit", "1", input="0.005\n", now=day(2))
    assert "in seconds?" in en.stdout


def test_run_finds_the_card_in_the_store(cli, env, monkeypatch):
    monkeypatch.chdir(env)  # no decks/ folder here: the store must answer
    cli("import", str(write_deck(env, "mixed.yaml", MIXED)))
    result = cli("run", "mixed/late")
    assert result.exit_code == 0, result.output
    assert "[2, 2, 2]" in result.stdout
    # a long temp path may wrap at 80 columns
    assert f"{(env / 'mixed.yaml').resolve()}:" in result.stdout.replace("\n", "")
    assert cli("run", "mixed/nope").exit_code != 0
