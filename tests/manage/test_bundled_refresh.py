"""Bundled decks corrected by an upgrade reach existing stores, history kept."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.conftest import write_deck
from tests.review.test_review_cli import day, log

DECK = """
deck: shipped
title: Shipped
cards:
  - id: one
    front: One?
    back: {back}
  - id: two
    front: Two?
    back: Two.
"""


@pytest.fixture
def bundled(env, monkeypatch):
    folder = env / "bundled"
    folder.mkdir()
    monkeypatch.setenv("QUIZ_BUNDLED", "1")
    monkeypatch.setattr("quiz.cli.context.bundled_decks_dir", lambda: folder)
    write_deck(folder, "shipped.yaml", DECK.format(back="Wrong."))
    return folder


def test_a_changed_bundled_deck_is_reimported_and_reported_once(cli, env, bundled):
    first = cli("decks", now=day(1))
    assert "Loaded the bundled decks into your new store: shipped" in first.output
    cli("review", input="3\n3\n", now=day(1))
    assert len(log(env)) == 2
    write_deck(bundled, "shipped.yaml", DECK.format(back="Right."))  # the upgrade
    cli("review", input="q\n", now=day(2))  # any command that uses decks picks it up
    with sqlite3.connect(env / "store.db") as conn:
        [(content,)] = conn.execute("select content from cards where key = 'shipped/one'")
    assert "Right." in content and "Wrong." not in content
    assert len(log(env)) == 2  # history kept
    said = cli("decks", now=day(2))
    assert "Updated bundled decks" in said.output and "shipped" in said.output
    again = cli("decks", now=day(2))
    assert "Updated bundled decks" not in again.output
    assert cli("rebuild", "--check", now=day(2)).exit_code == 0


def test_a_removed_bundled_deck_stays_removed(cli, env, bundled):
    cli("decks", now=day(1))
    assert cli("decks", "remove", "shipped", "--yes", now=day(1)).exit_code == 0
    write_deck(bundled, "shipped.yaml", DECK.format(back="Right."))
    assert json.loads(cli("decks", "--json", now=day(2)).stdout) == []


def test_a_bundled_file_that_no_longer_loads_is_left_alone(cli, env, bundled):
    cli("decks", now=day(1))
    (bundled / "shipped.yaml").write_text("deck: shipped\ncards: [\n", encoding="utf-8")
    result = cli("decks", "--json", now=day(2))
    assert result.exit_code == 0, result.output
    assert [d["deck"] for d in json.loads(result.stdout)] == ["shipped"]
