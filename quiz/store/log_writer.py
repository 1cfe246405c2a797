"""Many entries into the review log at once: a store copy's whole log, an Anki
collection's history.

On SQLite they are rows of the table, inserted as they come. On PostgreSQL the log is
packed (quiz.store.log_packs): through the view's triggers each entry would rewrite its
card's pack, so here they are staged in a temporary table and appended to the packs in
one statement at the end (`log_packs.pack_from`), their ids taken from the log's
sequence up front where the caller needs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, column, insert, text
from sqlalchemy import table as table_clause

from quiz.errors import StoreError
from quiz.store.log_packs import PACKS, pack_from, packed
from quiz.store.models import ReviewRow

STAGED = "staged_reviews"


class LogWriter:
    """The entries written in one transaction on `conn` (`finish` before it commits)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.table = ReviewRow.metadata.tables["reviews"]
        self.packed = packed(conn.dialect.name)
        self.staged = 0
        if self.packed:
            conn.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {STAGED} (LIKE reviews)"))
            conn.execute(text(f"TRUNCATE {STAGED}"))
            self.into = table_clause(STAGED, *(column(c.name, c.type) for c in self.table.c))

    def clear(self) -> None:
        """Delete the whole log (a copy that replaces a store's contents)."""
        if self.packed:
            self.conn.execute(text(f"DELETE FROM {PACKS}"))
        else:
            self.conn.execute(self.table.delete())

    def write(self, rows: Sequence[dict[str, Any]], *, ids: bool = False) -> list[int]:
        """Add these entries (their columns by name); with `ids`, return their new ids
        in order (entries without one get the log's next)."""
        if not rows:
            return []
        if not self.packed:
            if ids:
                returning = insert(self.table).returning(
                    self.table.c.id, sort_by_parameter_order=True
                )
                return list(self.conn.scalars(returning, list(rows)))
            self.conn.execute(insert(self.table), list(rows))
            return []
        rows = list(rows)
        if any(r.get("id") is None for r in rows):
            fresh = iter(
                self.conn.scalars(
                    text("SELECT nextval('reviews_id_seq') FROM generate_series(1, :n)"),
                    {"n": sum(1 for r in rows if r.get("id") is None)},
                )
            )
            rows = [r if r.get("id") is not None else {**r, "id": next(fresh)} for r in rows]
        self.conn.execute(insert(self.into), rows)
        self.staged += len(rows)
        return [int(r["id"]) for r in rows] if ids else []

    def finish(self) -> None:
        """Pack what was staged (PostgreSQL); a clash with an entry's answer chain (two
        answers after one entry) is refused, as the view's trigger refuses it."""
        if not self.packed or not self.staged:
            return
        packs = self.conn.execute(
            text(f"SELECT count(*) FROM (SELECT DISTINCT card_id, learner_id FROM {STAGED}) AS g")
        ).scalar_one()
        written = len(self.conn.execute(text(pack_from(STAGED) + " RETURNING 1")).all())
        self.conn.execute(text(f"TRUNCATE {STAGED}"))
        self.staged = 0
        if written != packs:
            raise StoreError(
                "the review log refused these entries: an answer after an entry that"
                " already has one (ux_reviews_card_chain)"
            )
