"""Per-learner values the program learns (fitted FSRS parameters, for one): the
`settings` table, one JSON value per (learner, name)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from quiz.store.models import SettingRow

if TYPE_CHECKING:
    from quiz.store.repo import Repo


def get_setting(repo: Repo, name: str) -> dict[str, Any] | None:
    return repo.session.scalar(
        select(SettingRow.value).where(
            SettingRow.learner_id == repo.learner_id, SettingRow.name == name
        )
    )


def set_setting(repo: Repo, name: str, value: dict[str, Any]) -> None:
    """Create or replace the value; committed with the unit of work."""
    row = repo.session.get(SettingRow, (repo.learner_id, name))
    if row is None:
        repo.session.add(SettingRow(learner_id=repo.learner_id, name=name, value=value))
    else:
        row.value = value
