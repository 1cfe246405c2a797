"""The store's side of importing Anki history: which revlog entries are already in.

An imported answer carries `anki-revlog:<id>` in the review log's `answer` column (an
Anki review has no typed answer, so the column is free), which makes a re-import skip
what it brought before without a new table or migration.
"""

from __future__ import annotations

from sqlalchemy import select

from quiz.store.models import ReviewRow
from quiz.store.repo import Repo

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
