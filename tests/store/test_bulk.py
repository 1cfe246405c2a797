"""quiz.store.bulk writes what SQLAlchemy's own executemany writes, byte for byte: the
same statement and the columns' own bind processors (JSON, a UTC time, a boolean), with
one value for every row or not, and with the columns in any order."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import create_engine, event, insert, select, text

from quiz.store.bulk import insert_rows, update_rows
from quiz.store.models import CardRow

NOW = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=timezone.utc)
LATER = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
CARDS: Any = CardRow.__table__


def _rows(engine: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT * FROM cards ORDER BY id")))


def _engine() -> Any:
    engine = create_engine("sqlite://")
    CardRow.metadata.create_all(engine, tables=[CardRow.metadata.tables["decks"], CARDS])
    return engine


def _values(i: int, changed_at: datetime) -> dict[str, Any]:
    return {
        "deck_id": 1,
        "key": f"d/c{i}",
        "note_key": f"d/c{i}",
        "kind": "basic",
        "content": {"front": f"Q{i} 问", "back": None, "tags": ["a", "b"]},
        "content_hash": f"h{i}",
        "position": i,
        "line": i * 3,
        "retired": i % 2 == 0,
        "changed_at": changed_at,
    }


def test_insert_rows_writes_what_sqlalchemy_writes() -> None:
    mine, theirs = _engine(), _engine()
    for engine in (mine, theirs):
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO decks (id, slug, title, path, file_hash, imported_at)"
                    " VALUES (1, 'd', '{}', 'p', 'h', '2026-03-01 09:00:00')"
                )
            )
    shared = [_values(i, NOW) for i in range(5)]  # one changed_at for every row
    mixed = [_values(i, NOW if i % 2 else LATER) for i in range(5, 10)]
    reordered = ("position", "key", "deck_id", "note_key", "kind", "content", "content_hash")
    odd = (10, "d/c10", 1, "d/c10", "typed", {}, "h10")
    direct: list[str] = []  # statements given to the driver as they are (the fast path)

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if context.compiled is None:
            direct.append(statement)

    event.listen(mine, "before_cursor_execute", seen)
    with mine.begin() as conn:
        for rows in (shared, mixed):
            columns = tuple(rows[0])
            insert_rows(conn, CARDS, columns, [tuple(r[c] for c in columns) for r in rows])
        insert_rows(conn, CARDS, reordered, [odd])
    with theirs.begin() as conn:
        conn.execute(insert(CARDS), shared)
        conn.execute(insert(CARDS), mixed)
        conn.execute(insert(CARDS), [dict(zip(reordered, odd, strict=True))])
    assert _rows(mine) == _rows(theirs)
    assert len(_rows(mine)) == 11
    # the two inserts in the table's order went the fast way; the reordered one (which
    # leaves `line` and `retired` to their defaults) SQLAlchemy's
    assert len(direct) == 2


def test_update_rows_changes_each_row_by_id() -> None:
    engine = _engine()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO decks (id, slug, title, path, file_hash, imported_at)"
                " VALUES (1, 'd', '{}', 'p', 'h', '2026-03-01 09:00:00')"
            )
        )
        conn.execute(insert(CARDS), [_values(i, NOW) for i in range(4)])
        ids = list(conn.scalars(select(CARDS.c.id).order_by(CARDS.c.id)))
        update_rows(
            conn,
            CARDS,
            {
                ids[0]: {"position": 7, "line": 70},
                ids[2]: {"line": 71, "position": 8},
                ids[3]: {"retired": False, "content": {"front": "new"}},
            },
        )
        got = list(
            conn.execute(
                select(CARDS.c.position, CARDS.c.line, CARDS.c.retired, CARDS.c.content).order_by(
                    CARDS.c.id
                )
            )
        )
    content = {"front": "Q{} 问", "back": None, "tags": ["a", "b"]}
    assert got == [
        (7, 70, True, {**content, "front": "Q0 问"}),
        (1, 3, False, {**content, "front": "Q1 问"}),
        (8, 71, True, {**content, "front": "Q2 问"}),
        (3, 9, False, {"front": "new"}),
    ]
