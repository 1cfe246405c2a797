"""Copy a whole store to another one (SQLite → PostgreSQL and back), history and all.

So a learner can move laptop progress onto a class server, or take a server's store
home. Every table of the schema is copied row by row with its ids (the review log,
scheduling state, learners, decks, cards, goals, settings), through the models' column
types, so JSON, booleans and UTC times come out the same on either back end.

Rules:
- both stores are brought to the schema this quiz ships first (the source must already
  be a quiz store: an empty database is refused rather than initialised);
- the source is read in one snapshot (REPEATABLE READ on PostgreSQL, one read
  transaction on SQLite), so reviews answered meanwhile do not tear the copy;
- the destination must hold no rows at all; `force` replaces everything in it. Never a
  merge: two stores' learner and card ids would collide and history would interleave;
- all of it is one transaction on the destination, verified by counting every table on
  both sides before it commits; a mismatch rolls it back and leaves the destination
  as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Integer, Table, func, select, text

from quiz.errors import StoreError
from quiz.store.engine import (
    locate_store,
    make_engine,
    resolve_url,
    sqlite_path,
    translate_errors,
)
from quiz.store.log_packs import log_table
from quiz.store.log_writer import LogWriter
from quiz.store.migrate import current_revision, ensure_schema
from quiz.store.models import Base

BATCH = 2000


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    dest: int

    @property
    def ok(self) -> bool:
        return self.source == self.dest


@dataclass(frozen=True)
class CopyReport:
    source: str  # redacted URLs
    dest: str
    tables: tuple[TableCount, ...]
    replaced: tuple[
        TableCount, ...
    ] = ()  # with force: what the destination held before (in `source`)

    @property
    def rows(self) -> int:
        return sum(t.dest for t in self.tables)


def _label(url: str) -> str:
    from quiz.store.engine import _redact

    path = sqlite_path(url)
    return str(path) if path is not None else _redact(url)


def _tables() -> list[Table]:
    """Every table of the schema, parents before children (foreign-key order)."""
    return list(Base.metadata.sorted_tables)


def _count(conn: Connection, table: Table) -> int:
    return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _snapshot(conn: Connection) -> Connection:
    """Make every read on `conn` see one moment of the source."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")  # pysqlite starts no transaction for reads by itself
    return conn


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """PostgreSQL: ids were copied explicitly, so move each id sequence past them."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        col = pk[0].name
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :col), COALESCE(MAX({col}), 1), MAX({col}) IS NOT NULL) "
                f"FROM {table.name}"
            ),
            {"table": table.name, "col": col},
        )


def _settle(conn: Connection, tables: list[Table]) -> None:
    """PostgreSQL: the copy's indexes built anew and its tables' planner statistics
    gathered. The indexes packed, as migration 0014 leaves a store's, rather than as they
    grew a row at a time during the copy (in the source's key order, which is not
    theirs). The statistics now: otherwise the first commands on the copy planned from
    the empty tables' (the migrations analyse some before the copy fills them) until
    autovacuum came round, which never analyses a table of a few rows such as the decks:
    a first `quiz stats` took nearly twice its time. SQLite's indexes are left as they
    grew, its statistics as its migrations tune them (quiz.store.tuning)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        name = log_table(conn.dialect.name) if table.name == "reviews" else table.name
        conn.execute(text(f"REINDEX TABLE {name}"))
        conn.execute(text(f"ANALYZE {name}"))


def _open(url: str, create: bool, role: str) -> Engine:
    engine = make_engine(url, create=create)
    with translate_errors(url):
        if role == "source":
            with engine.connect() as conn:
                if current_revision(conn) is None:
                    engine.dispose()
                    raise StoreError(f"{_label(url)}: not a quiz store (it has no quiz tables)")
        ensure_schema(engine)
    return engine


def copy_store(
    src: str,
    dest: str,
    *,
    force: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> CopyReport:
    """Copy the store at `src` (path or URL) into the store at `dest`; see the module doc."""
    if resolve_url(src) == resolve_url(dest):
        raise StoreError("the source and the destination are the same store")
    src_url = locate_store(src, create=False).url
    dest_url = locate_store(dest, create=True).url  # never another program's database
    source = _open(src_url, create=False, role="source")
    try:
        target = _open(dest_url, create=True, role="dest")
        try:
            return _copy(source, target, src_url, dest_url, force, progress)
        finally:
            target.dispose()
    finally:
        source.dispose()


def _copy(
    source: Engine,
    target: Engine,
    src_url: str,
    dest_url: str,
    force: bool,
    progress: Callable[[str, int], None] | None,
) -> CopyReport:
    tables = _tables()
    read_options = (
        {"isolation_level": "REPEATABLE READ"} if source.dialect.name == "postgresql" else {}
    )
    with translate_errors(src_url), source.connect().execution_options(**read_options) as rconn:
        _snapshot(rconn)
        with translate_errors(dest_url), target.connect() as wconn, wconn.begin():
            before = [TableCount(t.name, _count(wconn, t), 0) for t in tables]
            held = [b for b in before if b.source]
            if held and not force:
                what = ", ".join(f"{b.source} {b.table}" for b in held)
                raise StoreError(
                    f"{_label(dest_url)}: the destination is not empty ({what}); "
                    "copying never merges stores: pass --force to replace everything in it"
                )
            log = LogWriter(wconn)
            for table in reversed(tables):
                if table.name == "reviews":
                    log.clear()
                else:
                    wconn.execute(table.delete())
            for table in tables:
                copied = 0
                pk = list(table.primary_key.columns)
                result = rconn.execute(
                    select(table).order_by(*pk).execution_options(yield_per=BATCH)
                )
                for rows in result.partitions():
                    batch = [dict(r._mapping) for r in rows]
                    if table.name == "reviews":
                        log.write(batch)
                    else:
                        wconn.execute(table.insert(), batch)
                    copied += len(rows)
                    if progress is not None:
                        progress(table.name, copied)
                if table.name == "reviews":
                    log.finish()
            _reset_sequences(wconn, tables)
            _settle(wconn, tables)
            counts = tuple(TableCount(t.name, _count(rconn, t), _count(wconn, t)) for t in tables)
            wrong = [c for c in counts if not c.ok]
            if wrong:
                detail = ", ".join(f"{c.table} {c.source} → {c.dest}" for c in wrong)
                raise StoreError(
                    f"the copy does not match the source ({detail}); nothing was written"
                )
        rconn.rollback()
    return CopyReport(_label(src_url), _label(dest_url), counts, tuple(held) if force else ())
