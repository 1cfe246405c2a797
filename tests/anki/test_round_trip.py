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
            (e.reviewed_at, e.rating) for e in repo.card_history(item.row_id) if e.kind == "review"
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
    assert "2 Anki answers imported for 1 cards" in result.output
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


def test_anki_revlog_rows_of_a_learning_and_a_review_answer():
    """The pure mapping: Anki's ivl is days for a card in review, negative seconds while
    learning; the revlog type is the state the card was answered in; the id is the
    answer's millisecond as `int(at.timestamp() * 1000)` gives it."""
    from datetime import timedelta

    from quiz.anki.revlog import (
        REVLOG_COLUMNS,
        LoggedAnswer,
        already_logged,
        epoch_ms,
        revlog_rows,
    )
    from quiz.model import CardState, Rating
    from quiz.store.values import micros_of as micros

    at = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
    later = at + timedelta(minutes=10)
    minutes_10, days_3 = 600 * 10**6, 3 * 86_400 * 10**6
    answers = [
        LoggedAnswer(
            1, micros(at), Rating.GOOD, 70_000, CardState.NEW, CardState.LEARNING, minutes_10
        ),
        LoggedAnswer(
            1, micros(later), Rating.GOOD, 5_000, CardState.LEARNING, CardState.REVIEW, days_3
        ),
    ]
    taken = {int(at.timestamp() * 1000)}  # another card answered in the same millisecond
    rows = [dict(zip(REVLOG_COLUMNS, r, strict=True)) for r in revlog_rows(7, answers, taken)]
    assert [r["ivl"] for r in rows] == [-600, 3]
    assert [r["lastIvl"] for r in rows] == [0, -600]
    assert [r["type"] for r in rows] == [0, 0]
    assert [r["cid"] for r in rows] == [7, 7]
    assert [r["ease"] for r in rows] == [3, 3]
    assert rows[0]["time"] == 60_000  # Anki's cap
    assert rows[0]["id"] == int(at.timestamp() * 1000) + 1
    assert already_logged(rows[0]["id"], 3, [(int(at.timestamp() * 1000), 3)])
    assert not already_logged(rows[0]["id"], 1, [(int(at.timestamp() * 1000), 3)])
    # the float arithmetic of a datetime's timestamp, to the millisecond, on awkward instants
    for us in (1_234_567_891_000, 1_700_000_000_123_999, 1_772_355_600_000_001, 999, 0):
        instant = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=us)
        assert epoch_ms(us) == int(instant.timestamp() * 1000)
