"""quiz -> Anki -> quiz with the real `anki` library: the cards come back as themselves,
with quiz's own answers once and the answers given in Anki added on top."""

from __future__ import annotations

import json
import os
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import yaml

from tests.anki.build import anki_collection  # skips without the `anki` package
from tests.conftest import write_deck

DECK = """
deck: trip
title: Round trip
lang: en
tags: [trip]
cards:
  - id: alpha
    front: Alpha?
    back: The first letter.
  - id: beta
    front: Beta?
    back: The second letter.
  - id: gaps
    type: cloze
    text: "{{c1::Paris}} is in {{c2::France}}"
"""
DAY_MS = 86_400_000


def day(n: int) -> str:
    return f"2026-03-{n:02d}T09:00:00Z"


def _history(key: str) -> list[tuple[datetime, int]]:
    from quiz.store import open_store

    with open_store(os.environ["QUIZ_DB"]) as store, store.unit("tester") as repo:
        item = repo.get_card(key)
        assert item is not None, key
        return [
            (e.reviewed_at, e.rating)
            for e in repo.history.card_history(item.row_id)
            if e.kind == "review"
        ]


def _answered_in_quiz(cli) -> dict[str, list[tuple[datetime, int]]]:
    """Three days of reviews in quiz; the history of each card."""
    assert cli("review", "--new", "10", input="3\n3\n3\n", now=day(1)).exit_code == 0
    assert cli("review", input="3\n3\n3\n", now=day(2)).exit_code == 0
    assert cli("review", input="1\n3\n3\n3\n", now=day(5)).exit_code == 0
    keys = ["trip/alpha", "trip/beta", "trip/gaps#c1", "trip/gaps#c2"]
    history = {k: _history(k) for k in keys}
    assert sum(len(v) for v in history.values()) >= 6
    return history


def _through_anki(exported: Path, tmp: Path, answers_in_anki: int) -> tuple[Path, dict]:
    """Import into a new Anki collection (with scheduling), answer there, export again."""
    from anki.collection import ExportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageOptions

    (tmp / "anki").mkdir()
    col = anki_collection.Collection(str(tmp / "anki" / "c.anki2"))
    try:
        col.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(exported),
                options=ImportAnkiPackageOptions(with_scheduling=True),
            )
        )
        seen = {
            "revlog": col.db.scalar("select count() from revlog"),
            "review_cards": col.db.scalar("select count() from cards where type = 2"),
            "memory": [col.get_card(c).memory_state for c in col.find_cards("")],
        }
        newest = col.db.scalar("select max(id) from revlog")
        cid = col.db.scalar("select min(id) from cards")
        for k in range(answers_in_anki):  # answered in Anki, later than anything in quiz
            col.db.execute(
                "insert into revlog values (?,?,?,?,?,?,?,?,?)",
                newest + (k + 3) * DAY_MS,
                cid,
                -1,
                3,
                9,
                3,
                2500,
                4000,
                1,
            )
        back = tmp / "back.apkg"
        col.export_anki_package(
            out_path=str(back),
            options=ExportAnkiPackageOptions(with_scheduling=True, with_media=True, legacy=False),
            limit=None,
        )
    finally:
        col.close()
    return back, seen


def test_the_export_carries_the_history_and_comes_back_onto_the_same_cards(cli, env, tmp_path):
    deck = write_deck(env, "trip.yaml", DECK)
    assert cli("import", str(deck)).exit_code == 0
    before = _answered_in_quiz(cli)
    answers = sum(len(v) for v in before.values())

    exported = env / "trip.apkg"
    result = cli("export", "--format", "apkg", "-o", str(exported))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(exported) as zf:
        assert "collection.anki2" in zf.namelist()

    back, seen = _through_anki(exported, tmp_path, answers_in_anki=2)
    assert seen["revlog"] == answers  # every quiz answer, once
    assert seen["review_cards"] >= 1  # Anki shows the cards where quiz left them
    assert any(m is not None for m in seen["memory"])  # with FSRS's memory state

    result = cli("import", str(back))
    assert result.exit_code == 0, result.output
    assert "went back onto their cards in: trip" in result.output
    assert "2 Anki answers imported for 1 card" in result.output
    assert f"{answers} already imported" in result.output
    assert not (tmp_path / "back").exists()  # no copy of the deck was written
    listed = [d["deck"] for d in json.loads(cli("decks", "--json").stdout)]
    assert listed == ["trip"]

    after = {k: _history(k) for k in before}
    grown = [k for k in before if len(after[k]) != len(before[k])]
    assert len(grown) == 1  # the card answered in Anki, nothing duplicated elsewhere
    (key,) = grown
    assert after[key][: len(before[key])] == before[key]
    assert [r for _, r in after[key][len(before[key]) :]] == [3, 3]
    assert cli("rebuild", "--check").stdout.strip().endswith("would change 0")

    again = cli("import", str(back))
    assert again.exit_code == 0, again.output
    assert "0 Anki answers imported" in again.output
    assert {k: _history(k) for k in before} == after


def test_into_a_fresh_store_the_deck_keeps_its_ids_tags_and_history(
    cli, env, tmp_path, monkeypatch
):
    deck = write_deck(env, "trip.yaml", DECK)
    assert cli("import", str(deck)).exit_code == 0
    before = _answered_in_quiz(cli)
    answers = sum(len(v) for v in before.values())
    exported = env / "trip.apkg"
    assert cli("export", "--format", "apkg", "-o", str(exported)).exit_code == 0
    back, _ = _through_anki(exported, tmp_path, answers_in_anki=0)

    monkeypatch.setenv("QUIZ_DB", str(tmp_path / "second.db"))
    result = cli("import", str(back))
    assert result.exit_code == 0, result.output
    assert f"{answers} Anki answers imported for 4 cards" in result.output
    data = yaml.safe_load((tmp_path / "back" / "trip.yaml").read_text())
    assert data["deck"] == "trip" and data.get("tags") == ["trip"]
    assert {c["id"] for c in data["cards"]} == {"alpha", "beta", "gaps"}
    for key, history in before.items():
        moved = _history(key)
        # the same ratings at the same instants (Anki keys an answer by its millisecond:
        # answers given in one millisecond are moved apart by one)
        assert [r for _, r in moved] == [r for _, r in history]
        assert all(
            abs((a - b).total_seconds()) < 0.01
            for (a, _), (b, _) in zip(moved, history, strict=True)
        )
    assert cli("rebuild", "--check").stdout.strip().endswith("would change 0")


def test_no_history_shares_the_cards_alone(cli, env, tmp_path):
    deck = write_deck(env, "trip.yaml", DECK)
    assert cli("import", str(deck)).exit_code == 0
    _answered_in_quiz(cli)
    exported = env / "cards-only.apkg"
    result = cli("export", "--format", "apkg", "--no-history", "-o", str(exported))
    assert result.exit_code == 0, result.output
    _, seen = _through_anki(exported, tmp_path, answers_in_anki=0)
    assert seen["revlog"] == 0 and seen["review_cards"] == 0


def test_anki_revlog_rows_of_the_log_on_both_back_ends(store_url):
    """The revlog's SQL (quiz.store.export_reads.revlog_sql) over a log of the store's
    columns, through each driver: Anki's ivl is whole days for a card left in review
    (rounded half to even, as Python's round) and minus whole seconds while learning;
    lastIvl the card's previous answer's; the type the state the card was answered in;
    the time capped at Anki's minute; drills left out; the id the answer's millisecond as
    `int(at.timestamp() * 1000)` gives it, moved on by a millisecond when an answer made
    before it (an earlier Anki card) took it."""
    from datetime import timedelta

    import sqlalchemy as sa

    from quiz.anki.revlog import REVLOG_COLUMNS, already_logged
    from quiz.model import CardState, Rating
    from quiz.store.export_reads import ExportReads
    from quiz.store.selection import Selection
    from quiz.store.values import micros_of

    sqlite = store_url.startswith("sqlite")
    at = datetime(2026, 3, 1, 10, tzinfo=timezone.utc)
    day, minutes_10 = 86_400 * 10**6, 600 * 10**6
    new, learning, review = CardState.NEW, CardState.LEARNING, CardState.REVIEW
    # (entry id, card, when, kind, rating, duration, state before, state after, due lag)
    log = [
        (1, 11, at, 0, Rating.GOOD, 70_000, new, learning, minutes_10),
        (2, 10, at, 0, Rating.GOOD, 5_000, learning, review, 5 * day // 2),
        (3, 10, at + timedelta(hours=1), 1, Rating.AGAIN, 1_000, review, review, day),
        (4, 10, at + timedelta(days=1), 0, Rating.EASY, 2_000, review, review, 7 * day // 2),
    ]
    awkward = [1_234_567_891_000, 1_700_000_000_123_999, 1_772_355_600_000_001, 999, 2_000]
    for n, us in enumerate(awkward):
        when = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=us)
        log.append((10 + n, 20 + n, when, 0, Rating.GOOD, 0, new, None, None))
    engine = sa.create_engine(store_url)
    with engine.connect() as conn:
        conn.execute(
            sa.text(
                "CREATE TEMPORARY TABLE reviews (id BIGINT, learner_id BIGINT, card_id BIGINT,"
                f" reviewed_at {'BIGINT' if sqlite else 'TIMESTAMP'}, kind SMALLINT,"
                " rating SMALLINT, duration_ms INTEGER, prev_state SMALLINT, state SMALLINT,"
                " due_lag BIGINT)"
            )
        )
        for entry, card, when, kind, rating, duration, before, after, lag in log:
            conn.execute(
                sa.text("INSERT INTO reviews VALUES (:i, 1, :c, :t, :k, :r, :d, :b, :a, :l)"),
                dict(
                    i=entry,
                    c=card,
                    t=micros_of(when) if sqlite else when.replace(tzinfo=None),
                    k=kind,
                    r=int(rating),
                    d=duration,
                    b=int(before),
                    a=None if after is None else int(after),
                    l=lag,
                ),
            )
        execute = lambda sql, params: conn.execute(sa.text(sql), params)  # noqa: E731
        reads = ExportReads(Selection(execute, 1, sqlite))
        cards = [(11, 1000), (10, 2000), *((20 + n, 3000 + n) for n in range(len(awkward)))]
        rows = [dict(zip(REVLOG_COLUMNS, r, strict=True)) for r in reads.revlog_into(cards)]
    ms = int(at.timestamp() * 1000)
    by_card = {cid: [r for r in rows if r["cid"] == cid] for cid in (1000, 2000)}
    assert [r["id"] for r in by_card[1000]] == [ms]
    assert [r["id"] for r in by_card[2000]] == [ms + 1, ms + DAY_MS]  # moved on; no drill
    assert [r["ivl"] for r in by_card[1000] + by_card[2000]] == [-600, 2, 4]
    assert [r["lastIvl"] for r in by_card[1000] + by_card[2000]] == [0, 0, 2]
    assert [r["type"] for r in by_card[1000] + by_card[2000]] == [0, 0, 1]
    assert [r["ease"] for r in by_card[1000] + by_card[2000]] == [3, 3, 4]
    assert [r["time"] for r in by_card[1000] + by_card[2000]] == [60_000, 5_000, 2_000]
    assert {r["factor"] for r in rows} == {2500}
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    for n, us in enumerate(awkward):
        instant = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=us)
        (row,) = (r for r in rows if r["cid"] == 3000 + n)
        assert row["id"] == int(instant.timestamp() * 1000)
        assert row["ivl"] == 0
    assert already_logged(ms + 1, 3, [(ms, 3)])
    assert not already_logged(ms + 1, 1, [(ms, 3)])
