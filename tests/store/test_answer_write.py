"""One answer's write (Repo.record_answer, statements compiled once: quiz.store.prepared)
on both back ends: the row it writes is the row the ORM reads back, the card's state is
written only where its stored reps are still those the session saw, a new leech is
suspended, and an ORM copy of the state loaded before is not left stale."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from quiz.errors import Conflict
from quiz.model import CardState, Rating, Schedule
from quiz.review.answer import Answer
from quiz.store import open_store
from quiz.store.models import CardStateRow, ReviewBefore, ReviewRow
from tests.store.helpers import basic_deck

NOW = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=timezone.utc)
FIRST = Schedule(CardState.LEARNING, 0, 2.5, 6.25, NOW + timedelta(minutes=10), NOW, reps=1)


def _answer(card, before: Schedule, after: Schedule | None, **changes) -> Answer:  # type: ignore[no-untyped-def]
    answer = Answer(card, Rating.GOOD, NOW, 1234, "print(1)", True, before, after)
    return replace(answer, **changes)


@pytest.fixture
def repo(cli, env, store_url):  # type: ignore[no-untyped-def]
    assert cli("import", str(basic_deck(env, 2))).exit_code == 0
    with open_store(store_url) as store, store.unit("ann") as repo:
        yield repo


def test_every_column_of_the_entry_is_what_the_orm_reads_back(repo):
    card = repo.get_card("basics/c1")
    answer = _answer(
        card,
        Schedule(),
        FIRST,
        overruled=True,
        closeness=0.75,
        suggested=Rating.HARD,
        expect_reps=0,
    )
    entry_id = repo.record_answer(answer)
    repo.session.expire_all()
    row = repo.session.get(ReviewRow, entry_id)
    assert (row.learner_id, row.card_id, row.kind, row.rating) == (
        repo.learner_id,
        card.row_id,
        "review",
        3,
    )
    assert (row.reviewed_at, row.duration_ms, row.answer, row.correct) == (
        NOW,
        1234,
        "print(1)",
        True,
    )
    assert (row.overruled, row.closeness, row.suggested, row.prev_id, row.prev_state) == (
        True,
        0.75,
        2,
        0,
        0,
    )
    assert repo.last_entry(card.row_id) == (entry_id, FIRST)
    assert repo.cards_by_id([card.row_id])[0].schedule == FIRST


def test_a_drill_is_logged_and_moves_nothing(repo):
    card = repo.get_card("basics/c1")
    entry_id = repo.record_answer(_answer(card, Schedule(), None, kind="drill"))
    repo.session.expire_all()
    row = repo.session.get(ReviewRow, entry_id)
    assert (row.kind, row.prev_id, row.state, row.reps) == ("drill", None, None, None)
    assert repo.session.get(CardStateRow, (repo.learner_id, card.row_id)) is None


def test_the_state_is_written_only_over_the_reps_the_session_saw(repo):
    card = repo.get_card("basics/c1")
    repo.record_answer(_answer(card, Schedule(), FIRST, expect_reps=0))
    second = replace(FIRST, state=CardState.REVIEW, step=None, reps=2)
    # a session that still saw the new card: answered elsewhere since
    with pytest.raises(Conflict):
        repo.record_answer(_answer(card, Schedule(), second, expect_reps=0))
    # a session that saw another count of reps
    with pytest.raises(Conflict):
        repo.record_answer(_answer(card, FIRST, second, expect_reps=5))
    assert len(repo.history.card_history(card.row_id)) == 1  # nothing of the refused answers
    repo.record_answer(_answer(card, FIRST, second, expect_reps=1))
    assert repo.cards_by_id([card.row_id])[0].schedule == second


def test_a_session_that_saw_reps_where_no_state_is_stored_is_refused(repo):
    card = repo.get_card("basics/c2")
    with pytest.raises(Conflict):
        repo.record_answer(_answer(card, FIRST, FIRST, expect_reps=1))
    assert repo.history.card_history(card.row_id) == []
    assert repo.session.get(CardStateRow, (repo.learner_id, card.row_id)) is None


def test_a_card_reset_by_hand_takes_an_answer_that_saw_no_reps(repo):
    card = repo.get_card("basics/c1")
    repo.record_answer(_answer(card, Schedule(), FIRST, expect_reps=0))
    row = repo.session.get(CardStateRow, (repo.learner_id, card.row_id))
    row.reps = 0
    repo.session.commit()
    again = replace(FIRST, reps=1, stability=3.5)
    repo.record_answer(_answer(card, FIRST, again, expect_reps=0))
    assert repo.cards_by_id([card.row_id])[0].schedule == again


def test_a_new_leech_is_suspended_and_an_old_flag_stays(repo):
    card = repo.get_card("basics/c1")
    repo.record_answer(_answer(card, Schedule(), FIRST, expect_reps=0, leech=True))
    state = repo.session.get(CardStateRow, (repo.learner_id, card.row_id))
    assert (state.leech, state.suspended) == (True, True)  # the ORM copy is read again
    repo.record_answer(_answer(card, FIRST, replace(FIRST, reps=2), expect_reps=1))
    repo.session.expire_all()
    state = repo.session.get(CardStateRow, (repo.learner_id, card.row_id))
    assert (state.leech, state.suspended, state.reps) == (True, True, 2)


def test_an_orm_copy_loaded_before_the_answer_is_not_stale(repo):
    card = repo.get_card("basics/c1")
    repo.record_answer(_answer(card, Schedule(), FIRST, expect_reps=0))
    loaded = repo.session.get(CardStateRow, (repo.learner_id, card.row_id))
    assert loaded.reps == 1
    repo.record_answer(_answer(card, FIRST, replace(FIRST, reps=2), expect_reps=1))
    assert repo.session.get(CardStateRow, (repo.learner_id, card.row_id)).reps == 2
    # and undo, which writes through the ORM copy, restores the state before
    last = repo.history.card_history(card.row_id)[-1]
    repo.undo(last.id)
    repo.session.expire_all()
    assert repo.cards_by_id([card.row_id])[0].schedule == FIRST


def test_a_schedule_the_log_cannot_give_is_kept_beside_the_entry(repo):
    card = repo.get_card("basics/c1")
    odd = Schedule(CardState.REVIEW, None, 9.0, 4.0, NOW, NOW - timedelta(days=3), reps=4)
    entry_id = repo.record_answer(_answer(card, odd, FIRST))
    kept = repo.session.scalars(select(ReviewBefore).where(ReviewBefore.review_id == entry_id))
    assert [(k.state, k.stability, k.reps, k.last_review) for k in kept] == [
        (2, 9.0, 4, NOW - timedelta(days=3))
    ]
    assert repo.befores([repo.session.get(ReviewRow, entry_id)]) == {entry_id: odd}


def test_the_identity_key_is_the_sessions_own(repo):
    key = repo.session.identity_key(CardStateRow, (repo.learner_id, 7))
    assert key == (CardStateRow, (repo.learner_id, 7), None)


def test_the_next_answer_links_to_the_latest_entry_and_keeps_no_before_it_can_derive(repo):
    """The latest entry is read in the answer's own statement on PostgreSQL (one trip,
    quiz.store.answer_write): its id is the new entry's link, its schedule the one the
    new entry starts from, so nothing is kept beside an answer that follows it."""
    card = repo.get_card("basics/c1")
    first = repo.record_answer(_answer(card, Schedule(), FIRST, expect_reps=0))
    repo.record_answer(_answer(card, FIRST, None, kind="drill"))  # not a link of the chain
    later = NOW + timedelta(minutes=10)
    second_after = Schedule(CardState.REVIEW, None, 3.0, 6.0, later + timedelta(days=3), later, 2)
    second = repo.record_answer(
        _answer(card, FIRST, second_after, at=later, expect_reps=FIRST.reps)
    )
    rows = {r.id: r for r in repo.session.scalars(select(ReviewRow))}
    assert (rows[first].prev_id, rows[second].prev_id) == (0, first)
    assert repo.session.scalars(select(ReviewBefore)).all() == []
    assert repo.befores([rows[second]]) == {second: FIRST}
    assert repo.last_entry(card.row_id) == (second, second_after)


def test_an_answer_is_one_statement_on_postgresql_and_three_on_sqlite(repo):
    """A statement is a trip to a PostgreSQL server and back: an answer pays one (and its
    commit). SQLite, in the process, runs the three steps as they read."""
    from sqlalchemy import event

    card = repo.get_card("basics/c1")
    engine = repo.session.get_bind()
    sent: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        sent.append(statement.split()[0])

    event.listen(engine, "before_cursor_execute", count)
    try:
        repo.record_answer(_answer(card, Schedule(), FIRST, expect_reps=0))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    if engine.dialect.name == "sqlite":
        assert sent == ["SELECT", "INSERT", "INSERT"]
    else:
        assert sent == ["WITH"]
