"""Statements compiled once per dialect and run on the driver: the writes a learner waits
for between two cards.

`Session.execute` builds a cache key, finds the compiled form and processes each
parameter on every call, which costs several times what SQLite takes to run the few
statements of one answer. A `Prepared` statement is SQLAlchemy's own compiled SQL for
the connection's dialect and its parameters' own bind processors (a UTC time to the
stored form, an entry kind to its number, a boolean), kept once built, and run through
`Connection.exec_driver_sql`: the session's transaction, the engine's events and
SQLAlchemy's wrapped errors, as `Session.execute` would have. Rows come back as the
driver gives them (quiz.store.values reads their times).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, CursorResult
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # the parameters in the statement's order (positional drivers)
    positional: bool
    defaults: tuple[tuple[str, Any], ...]  # the values the statement itself holds
    processors: tuple[tuple[str, Callable[[Any], Any]], ...]


class Prepared:
    """One statement, built by `build` on first use, compiled once per dialect."""

    def __init__(self, build: Callable[[], ClauseElement]) -> None:
        self._build = build
        self._compiled: dict[str, _Compiled] = {}

    def run(self, conn: Connection, params: Mapping[str, Any]) -> CursorResult[Any]:
        """Run the statement with `params` (by name) on `conn`."""
        compiled = self._compiled.get(conn.dialect.name) or self._compile(conn)
        values = dict(compiled.defaults)
        values.update(params)
        for name, process in compiled.processors:
            values[name] = process(values[name])
        if compiled.positional:
            return conn.exec_driver_sql(compiled.sql, tuple(values[n] for n in compiled.names))
        return conn.exec_driver_sql(compiled.sql, {n: values[n] for n in compiled.names})

    def _compile(self, conn: Connection) -> _Compiled:
        dialect = conn.dialect
        statement = self._build()
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler), compiled
        named = {name: bind for bind, name in compiled.bind_names.items()}
        names = tuple(compiled.positiontup or ()) if dialect.positional else tuple(named)
        defaults = tuple(
            (name, bind.effective_value) for name, bind in named.items() if not bind.required
        )
        processors = []
        for name, bind in named.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors.append((name, process))
        done = _Compiled(
            compiled.string, names, bool(dialect.positional), defaults, tuple(processors)
        )
        self._compiled[dialect.name] = done
        return done
