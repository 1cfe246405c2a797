"""The suggested rating at a real terminal (a pty): shown with its reason as the
default, Enter accepts it, a digit overrides it; both stored with the review."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from quiz.model import Rating, Schedule
from quiz.review.answer import Answer
from quiz.review.suggest import MIN_HISTORY
from quiz.store import open_store
from tests.conftest import write_deck
from tests.review.pty_harness import Terminal
from tests.review.test_review_pty import DECK, NOW, shown_number
from tests.store.helpers import kind_sql

# Earlier right typed answers of 520 ms each: for this learner anything slower is slow,
# and no one types an answer at a terminal (shown first, then typed key by key) that fast.
PAST_MS = 520


def signals(env: Path) -> list[tuple[str, int, int | None, float | None]]:
    with sqlite3.connect(env / "store.db") as conn:
        return conn.execute(
            "select c.key, r.rating, r.suggested, r.closeness from reviews r"
            f" join cards c on c.id = r.card_id where {kind_sql('r.kind')} = 'review' order by r.id"
        ).fetchall()


def past_typed_answers(env: Path) -> None:
    at = datetime.fromisoformat(NOW) - timedelta(days=2)
    with open_store(f"sqlite:///{env / 'store.db'}") as store, store.unit("tester") as repo:
        [item] = [c for c in repo.cards_by_id(range(1, 10)) if c.card.key == "keys/b-typed"]
        for i in range(MIN_HISTORY):
            repo.record_answer(
                Answer(
                    item=item,
                    rating=Rating.GOOD,
                    at=at + timedelta(minutes=i),
                    duration_ms=PAST_MS,
                    given="global",
                    correct=True,
                    before=Schedule(),
                    after=None,
                    kind="drill",  # practice: the card stays new, its pace is known
                )
            )


@pytest.fixture
def terminal(env: Path) -> Iterator[list[Terminal]]:
    made: list[Terminal] = []
    yield made
    for t in made:
        t.close()


def test_enter_accepts_the_suggestion_and_a_digit_overrides_it(cli, env, terminal):
    assert cli("import", str(write_deck(env, "keys.yaml", DECK))).exit_code == 0
    past_typed_answers(env)
    t = Terminal("review", "--deck", "keys", env={"QUIZ_NOW": NOW}, cwd=env)
    terminal.append(t)
    t.expect("Basic question?")
    t.type(":s\r")
    t.expect("Which keyword rebinds")
    t.type("global\r", gap=0.1)
    t.expect("✓ right")
    t.expect("Enter = Hard (slow)")
    t.type("\r")  # accepts Hard
    t.expect("Which runs CPU-bound")
    t.type(f"{shown_number(t.screen, 'processes')}\r")  # choices are shuffled
    t.expect("Enter = Good")  # no choice answered before: no pace, right is Good
    t.type("4")  # overrides it with Easy
    t.expect("Basic question?", count=2)
    t.type("q")
    assert t.wait() == 0
    assert signals(env) == [
        ("keys/b-typed", 2, 2, 1.0),
        ("keys/c-choice", 4, 3, 1.0),
    ]
