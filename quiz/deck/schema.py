"""The JSON Schema (draft 2020-12) of deck format v1, generated from `fields.py`.

Editors (VS Code's YAML extension, anything speaking yaml-language-server) use it for
completion, hover help and red squiggles while a deck is written. It is generated from
the same table the loader validates with, so the two cannot drift apart; the shipped
copy, `deck-v1.schema.json`, is checked against `json_schema()` by a test.

Regenerate the shipped file with:

    python -m quiz.deck.schema --write

What JSON Schema cannot say (the loader still checks it): duplicate ids and keys,
`correct` within the number of choices, `requires` pointing at a real card, a valid PEP
440 specifier, cloze syntax, that every `vary:` name is used and the number of
variants, and YAML 1.1 surprises such as `answer: no`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from quiz.deck import fields as F

SCHEMA_FILE = Path(__file__).with_name("deck-v1.schema.json")
DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "https://quiz.invalid/schemas/deck-v1.schema.json"

_NONEMPTY = {"type": "string", "pattern": r"\S"}


def _anchored(pattern: str) -> str:
    return f"^(?:{pattern})$"


def _string_array(item: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "array", "items": item, **extra}


def _value_schema(spec: F.Field) -> dict[str, Any]:
    """The schema of one field's value, by its kind (mirrors convert.CONVERTERS)."""
    kind = spec.kind
    if kind is F.Kind.DECK_ID:
        return {"type": "string", "pattern": _anchored(F.DECK_ID_PATTERN)}
    if kind is F.Kind.CARD_ID:
        return {"type": "string", "pattern": _anchored(F.CARD_ID_PATTERN)}
    if kind is F.Kind.TEXT:
        return {"$ref": "#/$defs/text"}
    if kind is F.Kind.STRING:
        if spec.pattern:
            return {"type": "string", "pattern": _anchored(spec.pattern)}
        return dict(_NONEMPTY) if spec.nonempty else {"type": "string"}
    if kind is F.Kind.LANG:
        return {"$ref": "#/$defs/lang"}
    if kind is F.Kind.TAGS:
        return _string_array({"type": "string", "pattern": _anchored(F.TAG_PATTERN)})
    if kind is F.Kind.REQUIRES:
        return _string_array({"type": "string", "pattern": _anchored(F.REQUIRE_PATTERN)})
    if kind is F.Kind.SPECIFIER:
        return {**_NONEMPTY, "examples": [">=3.10", ">=3.8,<3.13"]}
    if kind is F.Kind.ENUM:
        return {"type": "string", "enum": list(spec.choices)}
    if kind is F.Kind.STRINGS:
        return _string_array({"type": "string"})
    if kind is F.Kind.STRING_OR_STRINGS:
        return {"oneOf": [dict(_NONEMPTY), _string_array(dict(_NONEMPTY), minItems=1)]}
    if kind is F.Kind.TEXTS:
        return _string_array({"$ref": "#/$defs/text"}, minItems=F.MIN_CHOICES)
    if kind is F.Kind.INDICES:
        index = {"type": "integer", "minimum": 0}
        return {
            "oneOf": [index, {"type": "array", "items": index, "minItems": 1, "uniqueItems": True}]
        }
    if kind is F.Kind.TIMEOUT:
        return {"type": "number", "exclusiveMinimum": 0, "maximum": F.MAX_TIMEOUT}
    if kind is F.Kind.VARY:
        from quiz.deck.variants import MAX_VARIANTS, NAME_PATTERN

        values = {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": ["string", "number", "boolean"]},
        }
        bound = {"type": "integer", "minimum": -F.MAX_INDEX, "maximum": F.MAX_INDEX}
        span = {
            "type": "object",
            "required": ["range"],
            "additionalProperties": False,
            "properties": {
                "range": {"type": "array", "items": bound, "minItems": 2, "maxItems": 2}
            },
        }
        return {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": _anchored(NAME_PATTERN)},
            "additionalProperties": {"oneOf": [values, span]},
            "examples": [{"n": {"range": [2, 6]}, "op": ["+=", "= x +"]}],
            "$comment": f"at most {MAX_VARIANTS} combinations (checked by the loader)",
        }
    if kind is F.Kind.CARDS:
        return {"type": "array", "items": {"$ref": "#/$defs/card"}}  # `cards: []`: an empty deck
    raise AssertionError(f"no schema for field kind {kind}")  # pragma: no cover


def _property(spec: F.Field) -> dict[str, Any]:
    return {"title": spec.title, "description": spec.help, **_value_schema(spec)}


def _card_type_rule(kind: F.CardType) -> dict[str, Any]:
    """`if type is X then only X's keys, and X's required keys` (basic when `type` is absent)."""
    condition: dict[str, Any] = {"properties": {"type": {"const": kind.name}}}
    if kind.name != F.DEFAULT_TYPE:
        condition["required"] = ["type"]
    then: dict[str, Any] = {
        "description": f"{kind.name} card: {kind.help}",
        "properties": {key: True for key in kind.keys},
        "additionalProperties": False,
        "required": ["id", *kind.required],
    }
    if kind.name == "output":  # one of output/raises; neither = not recorded yet (allowed)
        then["not"] = {"required": ["output", "raises"]}
        # a card that varies has no stored answer: each variant's is its live run
        then["dependentSchemas"] = {
            "vary": {"not": {"anyOf": [{"required": [k]} for k in ("output", "raises", "accept")]}}
        }
    return {"if": condition, "then": then}


def json_schema() -> dict[str, Any]:
    """The deck format v1 as a JSON Schema document (a fresh dict on every call)."""
    card = {
        "title": "Card",
        "description": "One card. `type` decides which keys it uses: "
        + "; ".join(
            f"{t.name}: {', '.join(t.required + t.optional)}" for t in F.CARD_TYPE_DEFS.values()
        ),
        "type": "object",
        "required": ["id"],
        "properties": {name: _property(spec) for name, spec in F.CARD_FIELDS.items()},
        "additionalProperties": False,
        "allOf": [_card_type_rule(kind) for kind in F.CARD_TYPE_DEFS.values()],
    }
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID,
        "title": "quiz deck (format v1)",
        "description": "A deck of flashcards for quiz, the terminal trainer for Python learners. "
        "One deck per YAML file.",
        "type": "object",
        "required": [f.name for f in F.DECK_FIELDS if f.required],
        "properties": {f.name: _property(f) for f in F.DECK_FIELDS},
        "additionalProperties": False,
        "$defs": {
            "text": {
                "title": "Text",
                "description": "A string, or a map of language -> string (e.g. {en: ..., zh: ...}).",
                "oneOf": [
                    dict(_NONEMPTY),
                    {
                        "type": "object",
                        "minProperties": 1,
                        "propertyNames": {"$ref": "#/$defs/lang"},
                        "additionalProperties": dict(_NONEMPTY),
                    },
                ],
            },
            "lang": {
                "title": "Language",
                "description": "A language code like en, zh or zh-Hans.",
                "type": "string",
                "pattern": _anchored(F.LANG_PATTERN),
            },
            "card": card,
        },
    }


def schema_text() -> str:
    """The schema as the shipped file spells it (stable key order, trailing newline)."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--write"]:
        SCHEMA_FILE.write_text(schema_text(), encoding="utf-8")
        print(f"wrote {SCHEMA_FILE}")
    else:
        sys.stdout.write(schema_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
