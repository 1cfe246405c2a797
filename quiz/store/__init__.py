"""The store: SQLAlchemy models, engine, migrations and queries (the only SQL code)."""

from quiz.store.repo import CardFilter, DeckSummary, Repo, StoredCard
from quiz.store.store import Store, default_learner, open_store

__all__ = ["CardFilter", "DeckSummary", "Repo", "Store", "StoredCard", "default_learner", "open_store"]
