"""`quiz schema` prints the shipped schema; the shipped decks point editors at it."""

from __future__ import annotations

import json

from quiz.authoring.schema_line import PREFIX, has_schema_line, schema_ref
from quiz.deck.schema import SCHEMA_FILE
from tests.authoring.helpers import REPO


def test_schema_output_is_the_shipped_file_and_valid_json(cli):
    result = cli("schema")
    assert result.exit_code == 0
    assert result.stdout == SCHEMA_FILE.read_text(encoding="utf-8")
    data = json.loads(result.stdout)
    assert data["$schema"].startswith("https://json-schema.org/")
    assert "cards" in data["properties"]


def test_schema_to_a_file(cli, env):
    target = env / "deck.schema.json"
    result = cli("schema", "-o", str(target))
    assert result.exit_code == 0
    assert target.read_bytes() == SCHEMA_FILE.read_bytes()


def test_every_shipped_deck_carries_the_schema_line_and_it_resolves():
    decks = sorted((REPO / "decks").glob("*.yaml"))
    assert decks
    for deck in decks:
        first = deck.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith(PREFIX), f"{deck.name} has no schema line first"
        target = (deck.parent / first[len(PREFIX) :]).resolve()
        assert target == SCHEMA_FILE.resolve(), f"{deck.name} points at {target}"


def test_schema_ref_is_relative_near_the_package_and_absolute_far_away(tmp_path):
    assert schema_ref(REPO / "decks" / "x.yaml") == "../quiz/deck/deck-v1.schema.json"
    far = schema_ref(tmp_path / "x.yaml")
    assert (tmp_path / far).resolve() == SCHEMA_FILE.resolve()


def test_has_schema_line_only_in_the_leading_comments():
    assert has_schema_line(f"# hello\n{PREFIX}x.json\ndeck: d\n")
    assert not has_schema_line(f"deck: d\n{PREFIX}x.json\n")
