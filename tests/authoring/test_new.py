"""`quiz new deck` and `quiz new card`: skeletons that load, and appends that leave every
other byte of the file as it was."""

from __future__ import annotations

import pytest

from quiz.authoring.insert import append_card, card_ids
from quiz.authoring.schema_line import PREFIX
from quiz.authoring.skeleton import card_skeleton
from quiz.deck import load_deck, parse_deck
from quiz.deck.fields import CARD_TYPES
from quiz.model import CardKind
from tests.authoring.helpers import require_check

COMMENTED = """\
# yaml-language-server: $schema=../quiz/deck/deck-v1.schema.json
# A deck with comments everywhere.
deck: demo   # the id
title: Demo
cards:
    # first card, indented by four
    -   id: one        # eol comment
        front: "Quoted?"
        back: |
            A block
            of two lines.

    # a comment between cards
    -   id: two
        type: typed
        front: Two?
        answer: ["2", "two"]   # a list
        # a comment at the end of the last card

# a comment after the cards
"""


def new_part(before: str, after: str) -> tuple[str, str, str]:
    """Split `after` into (prefix, inserted, suffix) with prefix + suffix == before, where
    `inserted` is the whole lines of the new card (from its dash line, or the blank line
    that spaces it from the card before, to the next line that `before` has at that place)."""
    lines = after.splitlines(keepends=True)
    ids = [
        i
        for i, line in enumerate(lines)
        if line.lstrip(" -").startswith("id: ") and line.strip().startswith("-")
    ]
    first = next(
        i
        for i in ids
        if "".join(lines[:i]) == before[: len("".join(lines[:i]))]
        and not before[len("".join(lines[:i])) :].startswith(lines[i])
    )
    if (
        first
        and not lines[first - 1].strip()
        and "".join(lines[: first - 1]) == before[: len("".join(lines[: first - 1]))]
    ):
        first -= 1  # the blank line that spaces the new card, as the file spaces its cards
    prefix = "".join(lines[:first])
    for end in range(first + 1, len(lines) + 1):
        if prefix + "".join(lines[end:]) == before:
            return prefix, "".join(lines[first:end]), "".join(lines[end:])
    raise AssertionError("the file's other bytes changed")


@pytest.mark.parametrize("kind", CARD_TYPES)
def test_append_keeps_every_other_byte_of_a_commented_deck(kind):
    card = card_skeleton(kind, set(card_ids(COMMENTED)))
    after = append_card(COMMENTED, card)
    prefix, inserted, suffix = new_part(COMMENTED, after)
    assert prefix + suffix == COMMENTED
    # the file's own indentation, after a blank line as the file spaces its cards
    assert inserted.startswith("\n    -   id: ")
    assert prefix.endswith("        # a comment at the end of the last card\n")
    assert suffix == "\n# a comment after the cards\n"
    deck = parse_deck(after.encode(), "t.yaml", allow_unrecorded=True)
    assert [c.note or c.id for c in deck.cards][:2] == ["one", "two"]
    assert deck.cards[-1].kind is CardKind(kind)


def test_crlf_file_gets_crlf_lines_and_keeps_its_bytes():
    before = COMMENTED.replace("\n", "\r\n")
    after = append_card(before, card_skeleton("choice", set()))
    prefix, inserted, suffix = new_part(before, after)
    assert prefix + suffix == before
    assert inserted.count("\r\n") == inserted.count("\n") > 3
    assert [c.id for c in parse_deck(after.encode(), "t").cards][-1] == "choice-1"


def test_file_without_final_newline():
    before = "deck: d\ntitle: T\ncards:\n  - id: a\n    front: q\n    back: b"
    after = append_card(before, card_skeleton("basic", {"a"}))
    assert after.startswith(before + "\n  - id: basic-1\n")
    assert after.endswith("\n")
    assert [c.id for c in parse_deck(after.encode(), "t").cards] == ["a", "basic-1"]


def test_flow_style_empty_list_becomes_a_block_list():
    before = "deck: d   # x\ntitle: T\ncards: []   # none yet\ntags: [t]\n"
    after = append_card(before, card_skeleton("basic", set(), front="What is it?"))
    assert after == (
        "deck: d   # x\ntitle: T\ncards:   # none yet\n  - id: what-is-it\n    front: What is it?\n"
        '    back: "TODO: the answer."\ntags: [t]\n'
    )
    assert parse_deck(after.encode(), "t").cards[0].tags == ("t",)


def test_flow_style_list_with_cards_gets_one_more_flow_item():
    before = "deck: d\ntitle: T\ncards: [{id: a, front: q, back: b}]  # flow\n"
    after = append_card(before, card_skeleton("typed", {"a"}))
    at = before.index("]  # flow")
    assert after[:at] == before[:at] and after.endswith(before[at:])
    assert after[at : len(after) - len(before[at:])].startswith(", {id: typed-1")
    assert [c.id for c in parse_deck(after.encode(), "t").cards] == ["a", "typed-1"]


def test_keep_chomped_block_keeps_its_trailing_lines():
    before = "deck: d\ntitle: T\ncards:\n  - id: a\n    front: q\n    back: |+\n      b\n\n\n"
    after = append_card(before, card_skeleton("basic", {"a"}))
    assert after.startswith(before)
    assert parse_deck(after.encode(), "t").cards[0].back.get() == "b\n\n\n"


def test_bom_is_kept():
    before = "\ufeffdeck: d\ntitle: T\ncards:\n  - id: a\n    front: q\n    back: b\n"
    after = append_card(before, card_skeleton("basic", {"a"}))
    assert after.startswith(before) and after.count("\ufeff") == 1


def test_ids_are_unique_and_derived_from_front():
    taken = {"basic-1", "what-is-x"}
    assert card_skeleton("basic", taken)["id"] == "basic-2"
    assert card_skeleton("basic", taken, front="What is X?")["id"] == "what-is-x-2"
    assert card_skeleton("basic", set(), front="什么是闭包？")["id"].startswith("card-")


# ---- through the CLI ---------------------------------------------------------------------


def test_new_deck_loads_has_schema_line_and_one_card_of_each_type(cli, env):
    result = cli("new", "deck", str(env / "python-basics"), "--title", "Python basics")
    assert result.exit_code == 0, result.output
    path = env / "python-basics.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(PREFIX)
    deck = load_deck(path)
    assert deck.id == "python-basics" and deck.title.get() == "Python basics"
    assert {c.kind for c in deck.cards} == set(CardKind)
    again = cli("new", "deck", str(path))
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert path.read_text(encoding="utf-8") == text


def test_new_deck_passes_quiz_check(cli, env):
    require_check()
    cli("new", "deck", str(env / "fresh"))
    result = cli("check", str(env / "fresh.yaml"))
    assert result.exit_code == 0, result.output


def test_new_card_cli_appends_and_refuses_duplicates(cli, env):
    path = env / "demo.yaml"
    path.write_bytes(COMMENTED.replace("\n", "\r\n").encode())
    result = cli("new", "card", str(path), "--type", "output", "--front", "What is printed?")
    assert result.exit_code == 0, result.output
    assert "quiz check --record" in result.stdout
    after = path.read_bytes().decode()
    _prefix, inserted, _suffix = new_part(COMMENTED.replace("\n", "\r\n"), after)
    assert "id: what-is-printed" in inserted
    deck = load_deck(path, allow_unrecorded=True)
    assert deck.cards[-1].id == "what-is-printed" and deck.cards[-1].output is None
    dup = cli("new", "card", str(path), "--id", "one")
    assert dup.exit_code == 2 and "already used" in dup.stderr
    bad = cli("new", "card", str(path), "--type", "essay")
    assert bad.exit_code == 2 and "unknown card type" in bad.stderr
    assert path.read_bytes().decode() == after
    missing = cli("new", "card", str(env / "nope.yaml"))
    assert missing.exit_code != 0 and "Traceback" not in missing.output


def test_new_card_on_a_broken_deck_reports_its_problems_and_writes_nothing(cli, env):
    path = env / "broken.yaml"
    path.write_text("deck: d\ntitle: T\ncards:\n  - id: a\n    frnt: q\n    back: b\n")
    result = cli("new", "card", str(path))
    assert result.exit_code == 1
    assert "broken.yaml:5: unknown key 'frnt'" in result.stderr
    assert path.read_text() == "deck: d\ntitle: T\ncards:\n  - id: a\n    frnt: q\n    back: b\n"
