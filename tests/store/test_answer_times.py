"""The learner's recent right-answer times per card kind (the suggested rating's pace),
one query on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from quiz.deck import load_deck
from quiz.model import Rating, Schedule
from quiz.review.answer import Answer
from quiz.review.recorder import learner_pace
from quiz.review.suggest import GRADED_KINDS, MIN_HISTORY
from quiz.store import open_store
from quiz.store.stats_queries import answer_times
from tests.conftest import write_deck

T0 = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
DECK = """
deck: kinds
title: Kinds
lang: en
cards:
  - id: t
    type: typed
    front: Say a.
    answer: a
  - id: c
    type: choice
    front: Pick one.
    choices: [x, y]
    correct: 0
  - id: b
    front: Q?
    back: A.
"""


def _log(repo, key: str, at: datetime, ms: int, correct: bool | None, kind: str = "drill") -> None:
    [item] = [c for c in repo.cards_by_id(range(1, 10)) if c.card.key == key]
    repo.record_answer(
        Answer(
            item=item,
            rating=Rating.GOOD if correct or correct is None else Rating.AGAIN,
            at=at,
            duration_ms=ms,
            given="x",
            correct=correct,
            before=Schedule(),
            after=None,
            kind=kind,
        )
    )


def test_answer_times_are_recent_right_answers_per_kind(store_url, env: Path):
    path = write_deck(env, "kinds.yaml", DECK)
    with open_store(store_url) as store:
        for learner in ("ann", "bob"):
            with store.unit(learner) as repo:
                repo.sync_deck(load_deck(path), str(path), "h", T0)
        with store.unit("ann") as repo:
            for i in range(30):  # typed: 30 right answers, 1 s .. 30 s, one a minute
                _log(repo, "kinds/t", T0 + timedelta(minutes=i), 1000 * (i + 1), True)
            _log(repo, "kinds/t", T0 + timedelta(hours=2), 99_000, False)  # wrong: not a pace
            _log(repo, "kinds/t", T0 + timedelta(hours=3), 0, True)  # no time measured
            _log(repo, "kinds/t", T0 - timedelta(days=100), 77_000, True)  # before the window
            _log(repo, "kinds/c", T0, 4000, True, kind="review")
            _log(repo, "kinds/b", T0, 5000, True)  # self-rated: no pace
        with store.unit("bob") as repo:
            _log(repo, "kinds/t", T0, 55_000, True)
        with store.unit("ann") as repo:
            times = answer_times(repo, T0 - timedelta(days=90), per_kind=25, kinds=GRADED_KINDS)
            assert set(times) == {"typed", "choice"}
            # the latest 25 of the 30: 6 s .. 30 s
            assert sorted(times["typed"]) == [1000 * s for s in range(6, 31)]
            assert times["choice"] == [4000]
            pace = learner_pace(repo, T0 + timedelta(days=1))
            assert pace.of("typed").learned_from == 30 >= MIN_HISTORY
            assert pace.of("choice").quick_ms is None  # one answer: the defaults
        with store.unit("bob") as repo:
            assert answer_times(repo, T0 - timedelta(days=1), per_kind=25, kinds=GRADED_KINDS) == {
                "typed": [55_000]
            }
