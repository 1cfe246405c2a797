"""An import writes a deck's cards in a few statements however many of them change
(issue #19): one card inserted at the top of a deck moves every later card, and one
UPDATE per moved card cost a 10k-card deck seconds. Counted, not timed."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, event, text

from quiz.collection import import_paths
from quiz.store import open_store
from tests.store.helpers import basic_deck

NOW = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)


def _keys_in_order(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT key FROM cards WHERE NOT retired ORDER BY position"))
            return [key for (key,) in rows]
    finally:
        engine.dispose()


def test_cards_moved_by_an_insert_at_the_top_are_written_in_a_few_statements(
    store_url: str, tmp_path: Path
) -> None:
    deck = basic_deck(tmp_path, 60)
    with open_store(store_url) as store:
        with store.unit("ann") as repo:
            import_paths(repo, [deck], NOW)
            repo.commit()
        deck.write_text(
            deck.read_text(encoding="utf-8").replace(
                "cards:\n", "cards:\n  - id: first\n    front: New?\n    back: Yes.\n", 1
            ),
            encoding="utf-8",
        )
        statements: list[str] = []

        def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
            statements.append(statement)

        event.listen(store.engine, "before_cursor_execute", seen)
        with store.unit("ann") as repo:
            report = import_paths(repo, [deck], NOW)
            repo.commit()
    (result,) = report.decks
    assert (result.added, result.updated, result.unchanged) == (1, 0, 0)
    assert _keys_in_order(store_url) == ["basics/first"] + [f"basics/c{i}" for i in range(1, 61)]
    card_writes = [
        s
        for s in statements
        if s.lstrip().upper().startswith(("UPDATE CARDS", "INSERT INTO CARDS"))
    ]
    assert len(card_writes) <= 2, card_writes
