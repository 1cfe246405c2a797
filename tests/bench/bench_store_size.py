"""How many bytes one stored review costs, indexes included, and the store's file size.

    python -m tests.bench.bench_store_size                 # the big SQLite store (fixtures)
    python -m tests.bench.bench_store_size --pg URL        # also copied into PostgreSQL
    python -m tests.bench.bench_store_size --store FILE    # another SQLite store

SQLite's figures come from `dbstat` (every page of the review table and of each of its
indexes, counted whole: a page's unused bytes are paid for on disk all the same);
PostgreSQL's from `pg_table_size` (the heap with its TOAST) and `pg_relation_size` of
each index of the table that holds the log there (since migration 0017 the packs,
`review_packs`: a row per learner and card, quiz.store.log_packs), after a VACUUM so
that the copy's dead space is not counted: once as `quiz store copy` leaves them (it
rebuilds the indexes it filled, as migrations 0014 and 0017 do), once after another
REINDEX (the two agree unless the copy stops rebuilding them). Issue #20's targets: at
most 110 bytes per review, the 100k-card / 1M-review SQLite store at most 170 MB.
Anki's collection with the same rows: 72 bytes per review-log row, 112 MB.

`python -m tests.bench` runs the SQLite part (the `bench(ctx)` hook); PostgreSQL when
`QUIZ_BENCH_PG_URL` names a server (a database is created and dropped there).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BYTES_TARGET = 110
FILE_TARGET_MB = 170


@dataclass(frozen=True)
class Size:
    backend: str
    reviews: int
    table_bytes: int
    index_bytes: dict[str, int]
    file_bytes: int | None  # SQLite: the file (and its WAL); PostgreSQL: the database

    @property
    def per_review(self) -> float:
        return (self.table_bytes + sum(self.index_bytes.values())) / max(1, self.reviews)

    def lines(self) -> list[str]:
        n = max(1, self.reviews)
        out = [
            f"{self.backend}: {self.reviews:,} reviews, {self.per_review:.1f} bytes per review"
            f" with indexes (target <= {BYTES_TARGET})",
            f"  table {self.table_bytes / 1e6:8.1f} MB  {self.table_bytes / n:6.1f} B/review",
        ]
        for name, size in sorted(self.index_bytes.items()):
            out.append(f"  {name:<28} {size / 1e6:8.1f} MB  {size / n:6.1f} B/review")
        if self.file_bytes is not None:
            what = "file" if self.backend == "sqlite" else "database"
            target = f" (target <= {FILE_TARGET_MB} MB)" if self.backend == "sqlite" else ""
            out.append(f"  {what} {self.file_bytes / 1e6:.1f} MB{target}")
        return out


def sqlite_size(path: Path) -> Size:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (reviews,) = conn.execute("SELECT count(*) FROM reviews").fetchone()
        indexes = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reviews'"
            )
        ]
        pages = dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
    finally:
        conn.close()
    wal = Path(f"{path}-wal")
    file_bytes = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    return Size(
        "sqlite",
        reviews,
        int(pages.get("reviews", 0)),
        {name: int(pages.get(name, 0)) for name in indexes},
        file_bytes,
    )


def pg_size(url: str, *, reindex: bool = False) -> Size:
    """The log's table's sizes; with `reindex`, after its indexes are built anew (as a
    migration builds them, after the copy) rather than grown a row at a time."""
    from sqlalchemy import create_engine, text

    from quiz.store.log_packs import log_table

    table = log_table("postgresql")  # the packs that hold the log (0017)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if reindex:
                conn.execute(text(f"REINDEX TABLE {table}"))
            conn.execute(text(f"VACUUM ANALYZE {table}"))
            reviews = conn.execute(text("SELECT count(*) FROM reviews")).scalar_one()
            heap = conn.execute(  # the heap, its TOAST and free-space maps
                text("SELECT pg_table_size(CAST(:t AS regclass))"), {"t": table}
            ).scalar_one()
            indexes = dict(
                conn.execute(
                    text(
                        "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid)"
                        " FROM pg_index WHERE indrelid = CAST(:t AS regclass)"
                    ),
                    {"t": table},
                ).all()
            )
            database = conn.execute(
                text("SELECT pg_database_size(current_database())")
            ).scalar_one()
    finally:
        engine.dispose()
    backend = "postgresql, indexes rebuilt" if reindex else "postgresql, as copied"
    return Size(backend, int(reviews), int(heap), indexes, int(database))


def pg_copy(store: Path, server_url: str, log: Any = print) -> tuple[str, Any]:
    """A fresh PostgreSQL database holding a copy of the SQLite store (`quiz store copy`);
    returns its URL and a function that drops it."""
    from quiz.store.copy import copy_store
    from tests.pg import create_database, drop_database

    url = create_database(server_url)
    log(f"copying {store} into PostgreSQL (a few minutes) ...")
    copy_store(str(store), url)
    return url, lambda: drop_database(server_url, url)


def measure(store: Path, pg_server: str | None, log: Any = print) -> list[Size]:
    sizes = [sqlite_size(store)]
    if pg_server:
        url, drop = pg_copy(store, pg_server, log)
        try:
            sizes.append(pg_size(url))
            sizes.append(pg_size(url, reindex=True))
        finally:
            drop()
    return sizes


def bench(ctx: Any) -> list[Any]:
    """The `python -m tests.bench` hook: sizes reported as rows (no time measured)."""
    from tests.bench import fixtures
    from tests.bench.measure import Row

    store = fixtures.big_store(log=ctx.log)
    rows = []
    for size in measure(store, os.environ.get("QUIZ_BENCH_PG_URL"), ctx.log):
        ok = size.per_review <= BYTES_TARGET
        note = f"{size.per_review:.1f} B/review incl. indexes (<= {BYTES_TARGET})"
        if size.file_bytes is not None and size.backend == "sqlite":
            ok = ok and size.file_bytes <= FILE_TARGET_MB * 1e6
            note += f"; file {size.file_bytes / 1e6:.0f} MB (<= {FILE_TARGET_MB})"
        elif size.file_bytes is not None:
            note += f"; database {size.file_bytes / 1e6:.0f} MB"
        rows.append(
            Row(
                f"store size ({size.backend}, 1M reviews)",
                f"<= {BYTES_TARGET} B/review",
                None,
                note=("ok: " if ok else "MISS: ") + note,
            )
        )
        for line in size.lines():
            ctx.log(line)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_store_size")
    parser.add_argument("--store", type=Path, help="a SQLite store (default: the big fixture)")
    parser.add_argument("--pg", help="a PostgreSQL server URL to copy the store into")
    args = parser.parse_args(argv)
    if args.store is None:
        from tests.bench import fixtures

        args.store = fixtures.big_store(log=lambda m: print(m, file=sys.stderr))
    for size in measure(args.store, args.pg, lambda m: print(m, file=sys.stderr)):
        print("\n".join(size.lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
