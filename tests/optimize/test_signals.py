"""quiz.evaluate with and without what the learner did: the rating the scheduler is
told, the simulated learner, and `quiz evaluate`."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import datetime, timedelta, timezone
from statistics import mean

import pytest

from quiz.clock import DayClock
from quiz.config import SchedulerSettings
from quiz.evaluate import (
    LoggedReview,
    Simulation,
    compare_signals,
    predict,
    right_or_wrong,
    simulate,
    suggest_in_order,
    with_suggestion,
)
from quiz.model import Rating
from quiz.scheduler import Scheduler
from tests.conftest import write_deck

UTC4 = DayClock(timezone.utc, 4)
START = datetime(2026, 3, 1, 4, tzinfo=timezone.utc)


def at(day: int) -> datetime:
    return datetime(2026, 3, 1, 9, tzinfo=timezone.utc) + timedelta(days=day)


def scheduler() -> Scheduler:
    return Scheduler(SchedulerSettings(fuzz=False), UTC4)


def graded(card: str, rating: Rating, day: int, suggested: Rating | None) -> LoggedReview:
    return LoggedReview(
        card, rating, at(day), "typed", 5000, rating != Rating.AGAIN, 1.0, suggested
    )


def test_the_three_ratings_told_the_scheduler() -> None:
    slow = graded("c", Rating.GOOD, 0, Rating.HARD)
    assert right_or_wrong(slow) == Rating.GOOD
    assert with_suggestion(slow) == Rating.HARD
    miss = graded("c", Rating.AGAIN, 0, Rating.AGAIN)
    assert right_or_wrong(miss) == with_suggestion(miss) == Rating.AGAIN
    overruled = graded("c", Rating.GOOD, 0, Rating.AGAIN)  # "I was right"
    assert with_suggestion(overruled) == Rating.GOOD
    older = graded("c", Rating.EASY, 0, None)  # before suggestions were stored
    assert right_or_wrong(older) == with_suggestion(older) == Rating.GOOD
    basic = LoggedReview("b", Rating.HARD, at(0), "basic")  # self-rated: kept as rated
    assert right_or_wrong(basic) == with_suggestion(basic) == Rating.HARD


def test_a_slow_answer_told_as_hard_lowers_the_next_prediction() -> None:
    log = [
        graded("c", Rating.GOOD, 0, Rating.GOOD),
        graded("c", Rating.GOOD, 3, Rating.HARD),
        graded("c", Rating.GOOD, 12, Rating.GOOD),
    ]
    told_good = predict(log, scheduler(), right_or_wrong)
    told_hard = predict(log, scheduler(), with_suggestion)
    assert told_good[0].p == told_hard[0].p  # the same past before the slow answer
    assert told_hard[1].p < told_good[1].p  # Hard: less stability, lower recall later
    result = compare_signals(log, scheduler())
    assert (result.reviews, result.suggested) == (3, 3)
    assert result.right_or_wrong.reviews == result.with_suggestion.reviews == 2
    assert result.right_or_wrong.log_loss != result.with_suggestion.log_loss


def test_suggestions_are_made_in_time_order_from_earlier_right_answers() -> None:
    # twenty right answers of 10 s, then one of 2 s (quick) and one of 60 s (slow)
    log = [LoggedReview(f"c{i}", Rating.GOOD, at(i), "typed", 10_000, True) for i in range(20)]
    log += [
        LoggedReview("q", Rating.GOOD, at(30), "typed", 2_000, True),
        LoggedReview("s", Rating.GOOD, at(31), "typed", 60_000, True),
        LoggedReview("b", Rating.GOOD, at(32), "basic"),
    ]
    out = suggest_in_order(list(reversed(log)))
    assert [e.suggested for e in out[:20]] == [Rating.GOOD] * 20  # pace not known yet
    assert [e.suggested for e in out[20:]] == [Rating.EASY, Rating.HARD, None]


def test_the_simulation_is_repeatable_and_time_carries_the_grade() -> None:
    sim = Simulation(cards=90, days=120)
    one = simulate(sim, scheduler(), random.Random(7), START)
    assert one == simulate(sim, scheduler(), random.Random(7), START)
    assert one != simulate(sim, scheduler(), random.Random(8), START)
    assert {e.kind for e in one} == {"typed", "choice", "output"}
    assert all(e.suggested is not None and e.correct == (e.rating != Rating.AGAIN) for e in one)
    by_grade = {g: [e.duration_ms for e in one if e.rating == g] for g in Rating}
    assert mean(by_grade[Rating.EASY]) < mean(by_grade[Rating.GOOD]) < mean(by_grade[Rating.HARD])
    misses = [e.closeness for e in one if e.rating == Rating.AGAIN and e.kind == "output"]
    assert misses and all(c is not None and 0 <= c < 1 for c in misses)
    # the suggestions agree with the true grades more often than chance
    recalled = [e for e in one if e.rating != Rating.AGAIN]
    hits = sum(1 for e in recalled if e.suggested == e.rating)
    assert hits / len(recalled) > 0.6


def test_evaluate_simulate_prints_three_scores(cli) -> None:
    result = cli("evaluate", "--simulate", "--cards", "60", "--days", "90", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["scored"] > 0 and data["with_suggestion"] == data["reviews"]
    for key in ("right_or_wrong", "suggested", "as_rated"):
        assert 0 < data[key]["log_loss"] < 2 and 0 <= data[key]["rmse_bins"] < 1
    text = cli("evaluate", "--simulate", "--cards", "60", "--days", "90")
    assert "right/wrong only" in text.stdout and "true grades" in text.stdout


def test_evaluate_reads_the_signals_of_the_learners_log(cli, env) -> None:
    deck = (
        "deck: ev\ntitle: Ev\nlang: en\ncards:\n"
        "  - id: t\n    type: typed\n    front: Say a.\n    answer: a\n"
    )
    cli("import", str(write_deck(env, "ev.yaml", deck)))
    assert cli("evaluate").stdout.startswith("Your log: 0 reviews")
    for days, answer in zip([0, 30, 200, 230], ["a\n=4\n", "a\n", "wrong\n", "a\n"], strict=True):
        now = (START + timedelta(days=days, hours=6)).isoformat()  # each time the card is due
        assert cli("review", input=answer, now=now).exit_code == 0
    with sqlite3.connect(env / "store.db") as conn:
        stored = conn.execute("select rating, suggested from reviews order by id").fetchall()
    assert stored[:4] == [(4, 3), (3, 3), (1, 1), (3, 3)]
    result = cli("evaluate", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == "your log"
    assert data["reviews"] == len(stored) and data["with_suggestion"] == len(stored)
    assert data["scored"] >= 3
    # the first answer was rated Easy over a suggested Good: only "your ratings" saw it
    assert data["as_rated"]["log_loss"] != pytest.approx(data["suggested"]["log_loss"])
