"""Many rows of one table at once: one statement run over all of them (executemany),
not one statement per row.

New rows: SQLAlchemy's own INSERT and the columns' own types, without its bookkeeping
for every row.

`Connection.execute(insert(table), rows)` builds and processes a parameter dictionary
per row, which on a big deck cost more than SQLite's inserts themselves (issue #19). On SQLite the statement is compiled once for the connection's
dialect, each column's bind processor (its type's: JSON to text, a UTC time to the
stored form) runs down that column, and the driver's executemany gets plain tuples: the
same statement and the same bytes. Other databases keep SQLAlchemy's path, which on
PostgreSQL batches the rows into multi-row INSERTs (insertmanyvalues) that the driver's
executemany would not.

Changed rows: one UPDATE by id for each set of columns changed, run over every row that
changes those columns: one card inserted at the top of a big deck moves every later
card, and a statement per row made that import many times slower than a new deck's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, update


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT `rows` (one value per name of `columns`, in that order) into `table`."""
    if not rows:
        return
    dialect = conn.dialect
    statement = insert(table)
    if dialect.name == "sqlite" and dialect.positional:
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
        # the statement binds exactly these columns, in this order (no default of the
        # table's added as a parameter): else SQLAlchemy's own path below
        if tuple(compiled.positiontup or ()) == tuple(columns):
            processors = [
                table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
            ]
            values = list(zip(*rows, strict=True))
            for index, process in enumerate(processors):
                if process is None:
                    continue
                column = values[index]
                first = column[0]
                if all(value is first for value in column):  # one value for every row
                    values[index] = (process(first),) * len(column)
                else:
                    values[index] = tuple(map(process, column))
            conn.exec_driver_sql(compiled.string, list(zip(*values, strict=True)))
            return
    conn.execute(statement, [dict(zip(columns, row, strict=True)) for row in rows])


def update_rows(conn: Connection, table: Table, changes: Mapping[int, Mapping[str, Any]]) -> None:
    """UPDATE rows of `table` by their `id`: `changes` maps an id to its new values."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row_id, values in changes.items():
        groups.setdefault(tuple(sorted(values)), []).append({"row_id": row_id, **values})
    statement = update(table).where(table.c.id == bindparam("row_id"))
    for params in groups.values():
        conn.execute(statement, params)
