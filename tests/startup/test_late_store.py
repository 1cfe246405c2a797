"""Start-up: `quiz review` plans the day through sqlite3 and opens the full store behind
the first card (quiz.store.late). The first card is on screen before SQLAlchemy loads;
what the learner sees and what is stored are the same as through the full store from
the start (QUIZ_DEBUG=1 forces it), over several simulated days; the full store opens
once, only when something needs it, and an error opening it reaches the learner as the
store's own error."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from quiz.clock import now_utc
from quiz.errors import StoreError
from quiz.model import CardFilter
from quiz.store.late import LateRepo
from quiz.store.lean import LeanStore
from tests.startup.test_fast_path import studied  # noqa: F401  # a fixture

# Runs the console entry and says, when the first card's question is drawn, which of the
# heavy modules had loaded by then.
FIRST_CARD = """
import sys
import quiz.ui.card_view as view
drawn = view.question
said = []
def question(*args, **kwargs):
    if not said:
        said.append(1)
        heavy = sorted(m for m in ("sqlalchemy", "quiz.store.repo") if m in sys.modules)
        sys.stderr.write(f"FIRST CARD with {heavy}\\n")
    return drawn(*args, **kwargs)
view.question = question
sys.argv = ["quiz", *sys.argv[1:]]
from quiz.cli import main
main()
"""


def quiz_session(args: list[str], answers: str, now: str, **extra: str):  # type: ignore[no-untyped-def]
    env = dict(os.environ, QUIZ_NOW=now, COLUMNS="80", **extra)
    return subprocess.run(
        [sys.executable, "-c", FIRST_CARD, *args],
        input=answers,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def timeless(screen: str) -> str:
    """A screen without the answer times a drill reports (the wall clock's)."""
    return re.sub(r"\d+\.\d+s\b", "N.Ns", screen)


def rows(path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with sqlite3.connect(path) as conn:
        log = conn.execute(
            "SELECT card_id, kind, rating, prev_state, reviewed_at, correct, state, stability,"
            " difficulty, due_lag, reps, lapses FROM reviews ORDER BY id"
        ).fetchall()
        states = conn.execute("SELECT * FROM card_states ORDER BY learner_id, card_id").fetchall()
    return log, states


@pytest.mark.parametrize("args", [["review"], ["drill", "--count", "20"]])
def test_the_first_card_is_on_screen_before_sqlalchemy_loads(studied, args):  # noqa: F811
    result = quiz_session(args, "q\n", "2026-03-05T12:00:00Z")
    assert result.returncode == 0, result.stderr
    assert "FIRST CARD with []" in result.stderr


def test_a_weak_drill_on_current_rollups_shows_its_first_card_before_sqlalchemy(studied):  # noqa: F811
    """`quiz drill --weak` ranks by the rollups (quiz.stats.gather.rollups_up_to_date):
    while they hold the whole log it reads them through sqlite3; behind the log, the
    full store opens first to bring them up to date."""
    args = ["drill", "--weak", "--count", "3", "--seed", "1"]
    behind = quiz_session(args, "q\n", "2026-03-05T12:00:00Z")
    assert behind.returncode == 0, behind.stderr
    assert "FIRST CARD with ['quiz.store.repo', 'sqlalchemy']" in behind.stderr
    current = quiz_session(args, "q\n", "2026-03-05T12:00:00Z")
    assert current.returncode == 0, current.stderr
    assert "FIRST CARD with []" in current.stderr
    assert timeless(current.stdout) == timeless(behind.stdout)


def test_a_store_the_lean_path_cannot_read_opens_first(studied):  # noqa: F811
    """QUIZ_DEBUG (or PostgreSQL, an older schema...) opens the full store before the card."""
    result = quiz_session(["review"], "q\n", "2026-03-05T12:00:00Z", QUIZ_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert "FIRST CARD with ['quiz.store.repo', 'sqlalchemy']" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["review"],
        ["review", "--deck", "alpha", "--limit", "4"],
        ["drill", "--count", "5", "--seed", "3"],
        ["drill", "--count", "4", "--seed", "1", "--graded"],
        ["drill", "--weak", "--count", "4", "--seed", "2"],
    ],
)
def test_days_of_review_store_what_the_full_store_stores(studied, tmp_path, args):  # noqa: F811
    """The same answers over several days on two copies of one store, one through the
    late store and one through the full store from the start: the same screens, the same
    log, the same card states."""
    twin = tmp_path / "twin.db"
    shutil.copyfile(studied / "store.db", twin)
    days = ["2026-03-02T09:00:00Z", "2026-03-05T12:00:00Z", "2026-03-20T08:00:00Z"]
    answers = "\n".join(["", "3", "", "1", "u", "", "4"] * 4) + "\nq\n"
    for now in days:
        late = quiz_session(args, answers, now)
        full = quiz_session(args, answers, now, QUIZ_DEBUG="1", QUIZ_DB=str(twin))
        assert late.returncode == 0 and full.returncode == 0, late.stderr + full.stderr
        assert timeless(late.stdout) == timeless(full.stdout)
        assert any(w in late.stdout for w in ("Reviewed", "Nothing", "right"))
    log, states = rows(studied / "store.db")
    assert (log, states) == rows(twin)
    assert len(log) > 10  # the sessions answered cards, not only quit


def test_rebuild_agrees_with_what_the_late_store_wrote(studied):  # noqa: F811
    answers = "\n".join(["", "3", "", "2"] * 5) + "\nq\n"
    assert quiz_session(["review"], answers, "2026-03-05T12:00:00Z").returncode == 0
    check = subprocess.run(
        [sys.executable, "-m", "quiz", "rebuild", "--check"],
        capture_output=True,
        text=True,
        env=dict(os.environ, QUIZ_NOW="2026-03-05T13:00:00Z"),
        timeout=120,
    )
    assert check.returncode == 0 and "would change 0" in check.stdout, check.stdout


# ---- LateRepo on its own ----------------------------------------------------------


class Opened:
    """A stand-in for the full Repo that counts how often it is opened."""

    def __init__(self, fail: BaseException | None = None) -> None:
        self.opened = 0
        self.fail = fail

    def __call__(self) -> object:
        self.opened += 1
        if self.fail is not None:
            raise self.fail
        return self

    def record_answer(self, answer: object) -> int:
        return 7


def lean_store(studied: Path) -> LeanStore:  # noqa: F811
    lean = LeanStore.open(studied / "store.db", "tester")
    assert lean is not None
    return lean


def test_the_full_store_opens_only_when_something_needs_it(studied):  # noqa: F811
    opened = Opened()
    late = LateRepo(lean_store(studied), opened)  # type: ignore[arg-type]  # a stand-in
    assert late.deck_slugs() and late.goals() == [] and late.card_id_range() is not None
    assert late.cards_by_id([1])[0].row_id == 1
    late.require_known()
    late.settle()
    assert opened.opened == 0  # reads alone: never opened

    late = LateRepo(lean_store(studied), opened)  # type: ignore[arg-type]  # a stand-in
    late.preload()
    late.preload()
    assert late.record_answer(object()) == 7  # what the lean store cannot do: the full one
    assert late.record_answer(object()) == 7
    late.settle()
    assert opened.opened == 1


def test_an_error_opening_the_full_store_is_raised_where_it_is_needed(studied):  # noqa: F811
    late = LateRepo(lean_store(studied), Opened(StoreError("the store is locked")))  # type: ignore[arg-type]
    late.preload()
    assert late.new_cards(now_utc(), CardFilter(), 3)  # reads still answer
    with pytest.raises(StoreError, match="locked"):
        late.record_answer(object())
    late.settle()


LOADED_AT_EXIT = """
import atexit, sys
atexit.register(lambda: sys.stderr.write(f"SQLALCHEMY {'sqlalchemy' in sys.modules}\\n"))
sys.argv = ["quiz", *sys.argv[1:]]
from quiz.cli import main
main()
"""


def run_loaded(now: str, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """`quiz ARGS` at `now` in a subprocess that says on stderr whether SQLAlchemy
    loaded (LOADED_AT_EXIT); `extra`: more environment (QUIZ_DEBUG=1: the full store)."""
    env = dict(os.environ, QUIZ_NOW=now, COLUMNS="100", **extra)
    return subprocess.run(
        [sys.executable, "-c", LOADED_AT_EXIT, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_goals_are_listed_through_sqlite3_as_the_full_store_lists_them(studied):  # noqa: F811
    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return run_loaded("2026-03-05T12:00:00Z", *args, **extra)

    assert run("goal", "--deck", "alpha", "--by", "2026-03-20").returncode == 0
    assert run("goal", "--deck", "beta", "--by", "2026-04-02").returncode == 0
    for args in (["goal"], ["goal", "--json"]):
        lean, full = run(*args), run(*args, QUIZ_DEBUG="1")
        assert lean.returncode == 0 and full.returncode == 0, lean.stderr + full.stderr
        assert lean.stdout == full.stdout and "alpha" in run("goal").stdout
        assert "SQLALCHEMY False" in lean.stderr and "SQLALCHEMY True" in full.stderr


def test_cards_lists_and_shows_through_sqlite3_as_the_full_store_does(studied):  # noqa: F811
    """`quiz cards` (its listing, and `cards show`) reads a current SQLite store through
    sqlite3: the same output as the full store's, and SQLAlchemy never loads."""

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return run_loaded("2026-03-05T12:00:00Z", *args, **extra)

    shown = 0
    for args in (
        ["cards"],
        ["cards", "--sort", "recall", "--limit", "3"],
        ["cards", "--state", "suspended", "--state", "learning"],
        ["cards", "--json", "--text", "alpha", "--sort", "due"],
        ["cards", "show", "alpha/c1"],
        ["cards", "show", "beta/c2"],
    ):
        lean, full = run(*args), run(*args, QUIZ_DEBUG="1")
        assert lean.returncode == 0 and full.returncode == 0, lean.stderr + full.stderr
        assert lean.stdout == full.stdout, args
        assert "SQLALCHEMY False" in lean.stderr and "SQLALCHEMY True" in full.stderr, args
        shown += "alpha/c1" in lean.stdout
    assert shown >= 3
    missing = run("cards", "show", "alpha/nope")
    assert missing.returncode != 0 and "no card 'alpha/nope'" in missing.stderr
