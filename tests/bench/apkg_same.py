"""Two Anki packages compared table by table: what a change to `quiz export --format apkg`
must leave as it was (issue #19's export work: a faster package, the same package).

    python -m tests.bench.apkg_same BEFORE.apkg AFTER.apkg

Compares the zip's entries (names in order, every entry but the collection byte for
byte), the collection's schema rows, and every row of every table in rowid order; says
which differ and exits 1 if any does. The pages the rows sit on, and the deflate
stream, are free to differ.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

COLLECTION = "collection.anki2"


def _opened(package: Path, folder: Path) -> tuple[list[str], dict[str, bytes], sqlite3.Connection]:
    with zipfile.ZipFile(package) as z:
        names = z.namelist()
        others = {n: z.read(n) for n in names if n != COLLECTION}
        z.extract(COLLECTION, folder)
    return names, others, sqlite3.connect(folder / COLLECTION)


def differences(before: Path, after: Path) -> list[str]:
    """One line per difference (none: the packages hold the same entries and rows);
    prints what it compared."""
    out: list[str] = []
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        names_a, others_a, conn_a = _opened(before, Path(a))
        names_b, others_b, conn_b = _opened(after, Path(b))
        try:
            if names_a != names_b:
                out.append(f"zip entries: {names_a} / {names_b}")
            out += [f"zip entry {n}" for n in others_a if others_a[n] != others_b.get(n)]
            schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
            rows_a, rows_b = conn_a.execute(schema).fetchall(), conn_b.execute(schema).fetchall()
            print(f"schema: {len(rows_a)} rows", "same" if rows_a == rows_b else "DIFFER")
            if rows_a != rows_b:
                out.append("schema rows")
            for kind, table, _, _ in rows_a:
                if kind != "table":
                    continue
                read = f'SELECT * FROM "{table}" ORDER BY rowid'
                got_a, got_b = conn_a.execute(read).fetchall(), conn_b.execute(read).fetchall()
                print(f"table {table}: {len(got_a)} rows", "same" if got_a == got_b else "DIFFER")
                if got_a != got_b:
                    out.append(f"table {table}")
        finally:
            conn_a.close()
            conn_b.close()
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    found = differences(Path(argv[0]), Path(argv[1]))
    print("identical" if not found else "differ: " + "; ".join(found))
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
