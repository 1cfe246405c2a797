"""The store's side of Anki history: which revlog entries are already in (the log an
export carries is read by `quiz.store.export_reads`).

An imported answer carries `anki-revlog:<id>` in the review log's `answer` column (an
Anki review has no typed answer, so the column is free), which makes a re-import skip
what it brought before without a new table or migration.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import insert, or_, select

from quiz.store.answer_write import schedule_columns
from quiz.store.log_writer import LogWriter
from quiz.store.models import (
    CardStateRow,
    ReviewBefore,
    ReviewRow,
    after_columns,
)
from quiz.store.repo import Repo

if TYPE_CHECKING:
    from quiz.review.answer import Answer

REVLOG_PREFIX = "anki-revlog:"


def imported_revlog_ids(repo: Repo) -> set[int]:
    rows = repo.session.scalars(
        select(ReviewRow.answer).where(
            ReviewRow.learner_id == repo.learner_id,
            ReviewRow.answer.like(REVLOG_PREFIX + "%"),
        )
    )
    out = set()
    for text in rows:
        tail = (text or "")[len(REVLOG_PREFIX) :]
        if tail.isdigit():
            out.add(int(tail))
    return out


def record_imported(repo: Repo, answers: Sequence[Answer]) -> None:
    """Append imported answers to the log in one statement and set each card's state to
    its last answer's (what `Repo.record_answer` does one answer and one commit at a
    time, which costs minutes for a collection's 100,000 answers). No commit: the caller
    commits per batch."""
    if not answers:
        return
    rows = [
        {
            "learner_id": repo.learner_id,
            "card_id": a.card_id,
            "kind": a.kind,
            "rating": int(a.rating),
            "prev_state": int(a.before.state),
            "reviewed_at": a.at,
            "duration_ms": int(a.duration_ms),
            "answer": a.given,
            "correct": a.correct,
            **after_columns(a.after, a.at),
        }
        for a in answers
    ]
    # the log keeps the schedule before an answer only where the previous entry of the
    # card did not leave it (migration 0012): walk the batch from each card's last entry
    derived = {card_id: repo.last_entry(card_id)[1] for card_id in {a.card_id for a in answers}}
    odd: list[int] = []
    for n, a in enumerate(answers):
        if a.before != derived[a.card_id]:
            odd.append(n)
        if a.kind in ("review", "manual") and a.after is not None:
            derived[a.card_id] = a.after
    # (a PostgreSQL store packs them in one statement: quiz.store.log_writer)
    log = LogWriter(repo.session.connection())
    ids = log.write(rows, ids=bool(odd))
    log.finish()
    for n in odd:
        repo.session.add(ReviewBefore(review_id=ids[n], **schedule_columns(answers[n].before)))
    last: dict[int, Answer] = {}
    for a in answers:
        last[a.card_id] = a
    # one query finds the cards that have a state row; the others get theirs in one
    # statement (a row at a time costs a query and a flush each)
    have = set(
        repo.session.scalars(
            select(CardStateRow.card_id).where(
                CardStateRow.learner_id == repo.learner_id, CardStateRow.card_id.in_(list(last))
            )
        )
    )
    fresh = [
        {
            "learner_id": repo.learner_id,
            "card_id": card_id,
            **schedule_columns(s),
            "suspended": False,
            "leech": False,
            "buried_until": None,
        }
        for card_id, a in last.items()
        if card_id not in have and (s := a.after) is not None
    ]
    if fresh:
        repo.session.execute(insert(CardStateRow), fresh)
    for card_id, a in last.items():
        if card_id in have and a.after is not None:
            repo.replace_schedule(card_id, a.after, a.item.leech)


def logged_instants(repo: Repo, card_ids: Sequence[int]) -> dict[int, list[tuple[int, int]]]:
    """(epoch milliseconds, rating) of the answers the learner gave in quiz to these
    cards (not those imported from Anki, which are known by their revlog id): what an
    import from Anki recognises as answers quiz already has."""
    out: dict[int, list[tuple[int, int]]] = {}
    ids = list(card_ids)
    for start in range(0, len(ids), 500):
        q = select(ReviewRow.card_id, ReviewRow.reviewed_at, ReviewRow.rating).where(
            ReviewRow.learner_id == repo.learner_id,
            ReviewRow.kind == "review",
            ReviewRow.card_id.in_(ids[start : start + 500]),
            or_(ReviewRow.answer.is_(None), ReviewRow.answer.not_like(REVLOG_PREFIX + "%")),
        )
        for card_id, at, rating in repo.session.execute(q):
            out.setdefault(card_id, []).append((int(at.timestamp() * 1000), int(rating)))
    return out
