"""The JSON Schema: shipped file == generated, valid 2020-12, and it agrees with the
loader on every deck of the corpus (good decks pass; broken decks marked `# schema:
fails` are rejected by the schema too)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from deck_helpers import BROKEN, GOOD, REPO

from quiz.deck import fields as F
from quiz.deck.schema import SCHEMA_FILE, json_schema, main, schema_text

VALIDATOR = jsonschema.Draft202012Validator(json_schema())


def load_yaml(path: Path) -> object:
    return yaml.load(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def schema_mark(path: Path) -> str:
    found = re.search(rb"^# schema: (fails|n/a)\s*$", path.read_bytes(), re.M)
    assert found, f"{path.name} has no '# schema: fails|n/a' header"
    return found.group(1).decode()


def test_shipped_file_is_the_generated_schema():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "quiz/deck/deck-v1.schema.json is stale: run `python -m quiz.deck.schema --write`"
    )


def test_schema_is_valid_draft_2020_12():
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_comes_from_the_field_table():
    schema = json_schema()
    assert list(schema["properties"]) == [f.name for f in F.DECK_FIELDS]
    assert schema["additionalProperties"] is False
    card = schema["$defs"]["card"]
    assert set(card["properties"]) == set(F.CARD_FIELDS)
    assert card["properties"]["type"]["enum"] == list(F.CARD_TYPES)
    assert card["properties"]["match"]["enum"] == list(F.MATCH_MODES)
    timeout = card["properties"]["timeout"]
    assert (timeout["exclusiveMinimum"], timeout["maximum"]) == (0, 30)
    rules = {rule["if"]["properties"]["type"]["const"]: rule["then"] for rule in card["allOf"]}
    assert set(rules) == set(F.CARD_TYPES)
    for name, kind in F.CARD_TYPE_DEFS.items():
        assert set(rules[name]["properties"]) == set(kind.keys)
        assert rules[name]["additionalProperties"] is False
        assert set(rules[name]["required"]) == {"id", *kind.required}


def test_every_property_has_help_for_editors():
    schema = json_schema()
    props = list(schema["properties"].values()) + list(
        schema["$defs"]["card"]["properties"].values()
    )
    for prop in props:
        assert prop["title"] and prop["description"], prop


def test_main_prints_the_schema(capsys):
    assert main([]) == 0
    assert json.loads(capsys.readouterr().out) == json_schema()


SHIPPED_DECKS = sorted((REPO / "decks").glob("*.y*ml"))


@pytest.mark.parametrize("path", sorted(GOOD.glob("*.yaml")) + SHIPPED_DECKS, ids=lambda p: p.name)
def test_good_and_shipped_decks_validate(path: Path):
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(load_yaml(path))
    ]
    assert not errors, "\n".join(errors)


BROKEN_FILES = sorted(BROKEN.glob("*.yaml"))


@pytest.mark.parametrize(
    "path", [p for p in BROKEN_FILES if schema_mark(p) == "fails"], ids=lambda p: p.stem
)
def test_schema_rejects_broken_decks_it_can_express(path: Path):
    assert list(VALIDATOR.iter_errors(load_yaml(path))), f"the schema accepts {path.name}"


def test_every_broken_deck_says_whether_the_schema_catches_it():
    marks = [schema_mark(p) for p in BROKEN_FILES]
    assert marks.count("fails") >= 20
