"""Small authoring fixes of issue 18: `new card` spacing, the `todo` lint, the YAML
export's description."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_deck

PACKED = """
deck: packed
title: Packed
cards:
  - id: a
    front: A?
    back: A.
  - id: b
    front: B?
    back: B.
"""

SPACED = """
deck: spaced
title: Spaced
description: What the spaced deck is about.
cards:
  - id: a
    front: A?
    back: A.

  - id: b
    front: B?
    back: B.
    explain: Because.
    source: https://docs.python.org/3/
"""


def test_new_card_follows_the_files_blank_lines(cli, env):
    spaced = write_deck(env, "spaced.yaml", SPACED)
    packed = write_deck(env, "packed.yaml", PACKED)
    assert cli("new", "card", str(spaced), "--front", "C?", "--id", "c").exit_code == 0
    assert cli("new", "card", str(packed), "--front", "C?", "--id", "c").exit_code == 0
    assert "    source: https://docs.python.org/3/\n\n  - id: c\n" in spaced.read_text()
    assert "    back: B.\n  - id: c\n" in packed.read_text()
    assert cli("check", str(spaced), str(packed)).exit_code == 0


def test_check_flags_the_todo_of_a_fresh_skeleton(cli, env):
    deck = write_deck(env, "spaced.yaml", SPACED)
    clean = cli("check", str(deck))
    assert "[todo]" not in clean.output
    assert cli("new", "card", str(deck), "--front", "C?", "--id", "c").exit_code == 0
    warned = cli("check", str(deck))
    assert warned.exit_code == 0, warned.output
    assert "warning [todo]: card 'c': placeholder `TODO` text left in back" in warned.output
    strict = cli("check", "--strict", str(deck))
    assert strict.exit_code != 0
    assert "error [todo]" in strict.output


def test_yaml_export_keeps_the_description(cli, env):
    deck = write_deck(env, "spaced.yaml", SPACED)
    assert cli("import", str(deck)).exit_code == 0
    out = env / "out"
    result = cli("export", "--format", "yaml", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = (out / "spaced.yaml").read_text(encoding="utf-8")
    assert "description: What the spaced deck is about.\n" in text
    # and it loads back to the same description
    from quiz.deck import load_deck

    assert load_deck(Path(out / "spaced.yaml")).description.get("en", "en") == (
        "What the spaced deck is about."
    )
