"""The replay log: a review log held as columns reads back as the entries it was given, in
time order, and a learner's log read from the store is the one the old list held."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.deck import load_deck
from quiz.evaluate import compare_signals, evaluate, predict, score, time_cutoffs
from quiz.model import CardState, Rating, Schedule
from quiz.optimize import learner_log
from quiz.replay_log import LoggedReview, ReplayLog, ReplayLogBuilder, in_time_order
from quiz.review.answer import Answer
from quiz.store import open_store
from tests.conftest import BASIC_DECK, write_deck
from tests.optimize.test_evaluate import scheduler

T0 = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
ZONES = [timezone.utc, timezone(timedelta(hours=4)), timezone(timedelta(hours=-7, minutes=-30))]

entries = st.builds(
    LoggedReview,
    card=st.sampled_from(["a/1", "a/2", "b/1", "ü/ß"]),
    rating=st.sampled_from(list(Rating)),
    # few distinct instants, so that equal times (ties) are common
    at=st.builds(
        lambda minutes, zone: (T0 + timedelta(minutes=minutes)).astimezone(zone),
        st.integers(0, 40),
        st.sampled_from(ZONES),
    ),
    kind=st.sampled_from(["", "basic", "typed", "output"]),
    duration_ms=st.none() | st.integers(-(2**62), 2**62),
    correct=st.none() | st.booleans(),
    closeness=st.none() | st.floats(0, 1),
    suggested=st.none() | st.sampled_from(list(Rating)),
)


@given(st.lists(entries, max_size=40))
def test_a_log_without_details_keeps_card_rating_and_time(log):
    bare = ReplayLogBuilder(details=False)
    for e in log:
        bare.add(e.card, e.rating, e.at, e.kind, e.duration_ms, e.correct, e.closeness, e.suggested)
    expected = [LoggedReview(e.card, e.rating, e.at) for e in sorted(log, key=lambda e: e.at)]
    replay = bare.build()
    assert list(replay) == expected
    assert list(replay[1:-1]) == expected[1:-1]
    assert evaluate(replay, scheduler()) == evaluate(expected, scheduler())


def test_the_head_of_a_log_shares_its_columns():
    """`before` (the head `quiz optimize` fits on) is a view of the log, not a copy of its
    columns beside it: taking it allocates next to nothing, whatever the log's length."""
    import tracemalloc

    log = ReplayLog.of(
        LoggedReview(f"d/{k % 500}", Rating.GOOD, T0 + timedelta(minutes=k)) for k in range(20_000)
    )
    tracemalloc.start()
    try:
        head = log.before(T0 + timedelta(minutes=15_000))
        allocated = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(head) == 15_000 and head[-1] == log[14_999]
    assert allocated < 20_000  # bytes; the columns' copy was over 500 kB
    assert list(head[10:12]) == list(log)[10:12]


@given(st.lists(entries, max_size=40), st.integers(0, 45))
def test_a_replay_log_reads_back_its_entries_in_stable_time_order(log, cut_minutes):
    replay = ReplayLog.of(log)
    expected = sorted(log, key=lambda e: e.at)
    assert list(replay) == expected
    # the same instants, handed out as UTC times
    assert all(e.at.utcoffset() == timedelta(0) for e in replay)
    assert len(replay) == len(log)
    assert [replay[i] for i in range(-len(log), len(log))] == expected + expected
    assert list(replay[2:-3]) == expected[2:-3]
    cutoff = T0 + timedelta(minutes=cut_minutes)
    assert list(replay.before(cutoff)) == [e for e in expected if e.at < cutoff]
    assert in_time_order(replay) is replay
    assert in_time_order(log) == expected
    with pytest.raises(IndexError):
        replay[len(log)]


def test_a_replay_log_scores_as_the_list_it_holds():
    rng = random.Random(7)
    log = [
        LoggedReview(
            f"c/{rng.randrange(30)}",
            rng.choice(list(Rating)),
            T0 + timedelta(hours=rng.randrange(24 * 120)),
        )
        for _ in range(1500)
    ]
    replay = ReplayLog.of(log)
    assert predict(replay, scheduler()) == predict(log, scheduler())
    cut = time_cutoffs(log, 5)[-1]
    assert time_cutoffs(replay, 5) == time_cutoffs(log, 5)
    assert evaluate(replay, scheduler(), since=cut) == evaluate(log, scheduler(), since=cut)
    assert compare_signals(replay, scheduler()) == compare_signals(log, scheduler())
    # score reads a stream once, as it reads a list
    preds = predict(log, scheduler())
    assert score(iter(preds)) == score(preds)


def _old_learner_log(repo) -> list[LoggedReview]:
    """The log as `learner_log` built it before the columns: a list of every entry, the
    store's rows sorted by time in Python (the specification the columns must keep)."""
    keys = repo.card_keys_by_id()
    kinds = repo.card_kinds_by_id()
    return sorted(
        (
            LoggedReview(
                keys[r.card_id],
                Rating(r.rating),
                r.reviewed_at,
                kind=kinds.get(r.card_id, ""),
                duration_ms=r.duration_ms,
                correct=r.correct,
                closeness=r.closeness,
                suggested=Rating(r.suggested) if r.suggested else None,
            )
            for r in repo.review_log(details=True)
        ),
        key=lambda e: e.at,
    )


def test_the_learners_log_from_the_store_is_the_old_list(store_url, env: Path):
    path = write_deck(env, "demo.yaml", BASIC_DECK)
    rng = random.Random(3)
    with open_store(store_url) as store:
        for learner in ("ann", "bob"):
            with store.unit(learner) as repo:
                repo.sync_deck(load_deck(path), str(path), "h", T0)
        schedules: dict[tuple[str, int], Schedule] = {}
        for n in range(120):
            learner = rng.choice(["ann", "ann", "bob"])
            # answers out of time order across cards, with equal times
            at = T0 + timedelta(hours=rng.randrange(60))
            with store.unit(learner) as repo:
                card = rng.choice(repo.cards_by_id(sorted(repo.card_keys_by_id())))
                before = schedules.get((learner, card.row_id), Schedule())
                drill = n % 7 == 0
                after = Schedule(
                    state=CardState.REVIEW,
                    stability=2.0 + n,
                    difficulty=5.0,
                    due=at + timedelta(days=2),
                    last_review=at,
                    reps=before.reps + 1,
                    lapses=before.lapses,
                )
                answer = Answer(
                    item=card,
                    rating=rng.choice(list(Rating)),
                    at=at,
                    duration_ms=rng.choice([0, 1234, 2**30]),
                    given="x",
                    correct=rng.choice([None, True, False]),
                    before=before,
                    after=None if drill else after,
                    kind="drill" if drill else "review",
                    closeness=rng.choice([None, 0.0, 0.25, 1.0]),
                    suggested=rng.choice([None, *Rating]),
                )
                repo.record_answer(answer)
                if not drill:
                    schedules[(learner, card.row_id)] = after
        with store.unit("ann") as repo:
            old = _old_learner_log(repo)
            new = learner_log(repo)
            bare = learner_log(repo, details=False)  # what quiz optimize replays
    assert isinstance(new, ReplayLog)
    assert len(old) > 50
    assert list(new) == old
    assert [e.at for e in new] == [e.at for e in old]
    assert list(bare) == [LoggedReview(e.card, e.rating, e.at) for e in old]
    assert list(bare[5:9]) == list(bare)[5:9]


def test_the_signals_score_as_three_replays_of_the_log():
    from quiz.evaluate import Simulation, as_rated, right_or_wrong, simulate, with_suggestion

    sch = scheduler()
    log = simulate(Simulation(cards=60, days=120), sch, random.Random(5), T0)
    since = time_cutoffs(log, 4)[-1]
    both = compare_signals(ReplayLog.of(log), sch, since=since)
    for scored, grade in (
        (both.right_or_wrong, right_or_wrong),
        (both.with_suggestion, with_suggestion),
        (both.as_rated, as_rated),
    ):
        alone = score([p for p in predict(log, sch, grade) if p.at >= since])
        assert scored == alone and alone.reviews > 20
    assert both.suggested == sum(1 for e in log if e.suggested is not None) > 0
    assert both.reviews == len(log)
