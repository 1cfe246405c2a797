"""Planner statistics for SQLite's small catalogue tables (decks, cards).

Without statistics SQLite guesses every table holds about a million rows, and for
today's new cards ("ORDER BY deck slug, position LIMIT n") it then reads and sorts
every card of every deck instead of walking the few decks in
slug order and stopping after n cards. `ANALYZE decks; ANALYZE cards` tells it
the shapes. The review log is left out on purpose: its
statistics make the planner scan all cards for "notes answered today" rather than
read today's reviews by time.
"""

from __future__ import annotations

from typing import Any

# the statements, as the sqlite3 writer of `quiz import` runs them too (quiz.store.lean_write)
CATALOGUE_STATS = ("ANALYZE decks", "ANALYZE cards")


def refresh_catalogue_stats(conn: Any) -> None:
    """Run on a SQLAlchemy Connection or Session after decks or cards changed in bulk."""
    from sqlalchemy import text

    dialect = conn.get_bind().dialect if hasattr(conn, "get_bind") else conn.dialect
    if dialect.name != "sqlite":
        return
    for sql in CATALOGUE_STATS:
        conn.execute(text(sql))
