"""The revlog's ids are handed out in Anki's card order, whichever way the rows are made:
SQLite writing them into the attached package itself gives the rows that the Python
path (PostgreSQL, the full store) gives, also when Anki's card order is not the order
of the quiz cards' ids and answers share a millisecond."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from quiz.anki.revlog import REVLOG_COLUMNS
from quiz.store.export_reads import ExportReads
from quiz.store.selection import Selection
from quiz.store.values import ENTRY_KINDS

AT = 1_772_355_600_000_000  # an instant, in the log's microseconds
REVIEW = ENTRY_KINDS.index("review")


def _store(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE reviews (id INTEGER PRIMARY KEY, learner_id BIGINT, card_id BIGINT,"
        " reviewed_at BIGINT, kind SMALLINT, rating SMALLINT, duration_ms INTEGER,"
        " prev_state SMALLINT, state SMALLINT, due_lag BIGINT)"
    )
    # every card answered in the same millisecond, twice, a day apart; card 3 a third time
    rows = []
    for card in range(1, 6):
        for n, day in enumerate((0, 1) if card != 3 else (0, 1, 2)):
            at = AT + day * 86_400_000_000 + card  # a few microseconds apart: one millisecond
            rows.append((card * 10 + n, 1, card, at, REVIEW, 3, 4_000, 0 if n == 0 else 2, 2))
    conn.executemany("INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 86400000000)", rows)
    conn.commit()
    return conn


def _reads(conn: sqlite3.Connection, attached: sqlite3.Connection | None) -> ExportReads:
    def execute(sql: str, params: object) -> sqlite3.Cursor:
        return conn.execute(sql, params)  # type: ignore[arg-type]

    return ExportReads(Selection(execute, 1, True), attached)


def test_the_attached_package_gets_the_rows_the_python_path_makes(tmp_path):
    # Anki's card order runs against the quiz ids (card 5 first, card 1 last), and the
    # cards are given in neither order
    cards = [(3, 5_000), (1, 4_000), (5, 1_000), (4, 3_000), (2, 2_000)]
    conn = _store(tmp_path / "store.db")
    expected = _reads(conn, None).revlog_into(cards)
    conn.execute("ATTACH DATABASE ? AS pkg", (str(tmp_path / "collection.anki2"),))
    conn.execute(
        "CREATE TABLE pkg.revlog (id INTEGER PRIMARY KEY, cid INTEGER, usn INTEGER,"
        " ease INTEGER, ivl INTEGER, lastIvl INTEGER, factor INTEGER, time INTEGER,"
        " type INTEGER)"
    )
    conn.commit()
    reads = _reads(conn, conn)
    reads.read_answers([q for q, _ in cards])()
    assert reads.revlog_into(cards) == []
    written = conn.execute(
        f"SELECT {', '.join(REVLOG_COLUMNS)} FROM pkg.revlog ORDER BY id"
    ).fetchall()
    assert written == expected
    # the first answers all fell in one millisecond: Anki's first card has it
    first = AT // 1000
    assert [row[:2] for row in written[:5]] == [
        (first, 1_000),
        (first + 1, 2_000),
        (first + 2, 3_000),
        (first + 3, 4_000),
        (first + 4, 5_000),
    ]
    assert [row[4] for row in written if row[1] == 5_000] == [0, 1, 1]  # lastIvl
