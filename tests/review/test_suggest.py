"""The suggested rating (quiz.review.suggest), on its own and as the session offers it."""

from __future__ import annotations

import pytest

from quiz.model import CardKind, Rating
from quiz.review.session import Action, Response
from quiz.review.suggest import (
    DEFAULT_SLOW_MS,
    MIN_HISTORY,
    QUICK,
    SLOW,
    Pace,
    Suggestion,
    percentile,
    suggest,
    thresholds,
)
from tests.review.test_session import card, session

# a learner whose right typed answers took 2 s .. 21.5 s (40 of them, 0.5 s apart)
TYPED_TIMES = [2000 + 500 * i for i in range(40)]


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([1, 2, 3, 4, 5], 0.5) == 3
    assert percentile([10, 20], 0.25) == 12.5
    assert percentile([7], 0.9) == 7
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_thresholds_are_the_learners_own_quartile_and_ninetieth_percentile() -> None:
    t = thresholds("typed", TYPED_TIMES)
    assert t.learned_from == 40
    assert t.quick_ms == int(percentile(TYPED_TIMES, 0.25)) == 6875
    assert t.slow_ms == int(percentile(TYPED_TIMES, 0.90)) == 19550


def test_before_the_pace_is_known_nothing_is_quick_and_slow_is_the_default() -> None:
    few = TYPED_TIMES[: MIN_HISTORY - 1]
    t = thresholds("output", few)
    assert t.quick_ms is None and t.learned_from == 0
    assert t.slow_ms == DEFAULT_SLOW_MS["output"]
    pace = Pace.learned({"output": few})
    assert suggest("output", True, 1000, pace) == Suggestion(Rating.GOOD)
    assert suggest("output", True, DEFAULT_SLOW_MS["output"] + 1, pace) == Suggestion(
        Rating.HARD, SLOW
    )


def test_script_speed_answers_neither_count_nor_are_quick() -> None:
    # a piped session answers in a few milliseconds: that is no pace
    scripted = [3] * 100
    assert thresholds("typed", scripted).learned_from == 0
    pace = Pace.learned({"typed": TYPED_TIMES})
    assert suggest("typed", True, 3, pace) == Suggestion(Rating.GOOD)


@pytest.mark.parametrize(
    ("correct", "ms", "expected"),
    [
        (False, 3000, Suggestion(Rating.AGAIN)),  # wrong: Again, however quick
        (False, 60000, Suggestion(Rating.AGAIN)),
        (True, 3000, Suggestion(Rating.EASY, QUICK)),
        (True, 6874, Suggestion(Rating.EASY, QUICK)),
        (True, 6875, Suggestion(Rating.GOOD)),
        (True, 12000, Suggestion(Rating.GOOD)),
        (True, 19550, Suggestion(Rating.GOOD)),
        (True, 19551, Suggestion(Rating.HARD, SLOW)),
    ],
)
def test_suggestion_from_right_and_time(correct: bool, ms: int, expected: Suggestion) -> None:
    pace = Pace.learned({"typed": TYPED_TIMES})
    assert suggest("typed", correct, ms, pace) == expected


def test_each_kind_has_its_own_pace() -> None:
    pace = Pace.learned({"typed": TYPED_TIMES, "output": [t * 10 for t in TYPED_TIMES]})
    # 30 s is slow for a typed name, quick for this learner's output predictions
    assert suggest("typed", True, 30000, pace).rating == Rating.HARD
    assert suggest("output", True, 30000, pace).rating == Rating.EASY
    # no choice answers yet: the defaults
    assert pace.of("choice").quick_ms is None


# -- in the session ------------------------------------------------------------------


def test_the_session_offers_the_suggestion_and_records_it() -> None:
    s, p, rec = session(
        [card(1, CardKind.TYPED), card(2, CardKind.TYPED), card(3, CardKind.TYPED)],
        [
            Response(Action.ANSWER, text="yes", duration_ms=3000),
            Response(Action.RATE),  # Enter: the suggestion
            Response(Action.ANSWER, text="yes", duration_ms=25000),
            Response(Action.RATE, rating=Rating.GOOD),  # overridden
            Response(Action.ANSWER, text="no", duration_ms=1000),
            Response(Action.RATE),
        ],
    )
    s.pace = lambda: Pace.learned({"typed": TYPED_TIMES})
    answers: list = []
    original = rec.record

    def keep(answer):  # type: ignore[no-untyped-def]
        answers.append(answer)
        return original(answer)

    rec.record = keep  # type: ignore[method-assign]
    s.run()
    assert p.offers == [(Rating.EASY, QUICK), (Rating.HARD, SLOW), (Rating.AGAIN, "")]
    assert [(a.suggested, a.rating) for a in answers] == [
        (Rating.EASY, Rating.EASY),
        (Rating.HARD, Rating.GOOD),
        (Rating.AGAIN, Rating.AGAIN),
    ]
