"""The store: SQLAlchemy models, engine, migrations and queries (the only SQL code).

The names below are loaded on first use, so that `quiz.store.lean` (the sqlite3 read
path of `quiz due`) can be imported without importing SQLAlchemy.
"""

from __future__ import annotations

TYPE_CHECKING = False  # `typing` is not imported at run time (the fast path of `quiz due` skips it)
if TYPE_CHECKING:
    from typing import Any

    from quiz.store.repo import CardFilter, Repo, StoredCard
    from quiz.store.store import Store, default_learner, open_store
    from quiz.store.summaries import DeckSummary

__all__ = [
    "CardFilter",
    "DeckSummary",
    "Repo",
    "Store",
    "StoredCard",
    "default_learner",
    "open_store",
]

_HOME = {
    "CardFilter": "repo",
    "DeckSummary": "summaries",
    "Repo": "repo",
    "StoredCard": "repo",
    "Store": "store",
    "default_learner": "store",
    "open_store": "store",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"quiz.store.{_HOME[name]}"), name)
    globals()[name] = value
    return value
