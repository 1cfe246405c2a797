"""parse_deck / load_deck: what a good deck turns into, and what every problem says."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
import yaml
from deck_helpers import GOOD, parse, problems

from quiz.deck import (
    UNRECORDED_MESSAGE,
    is_unrecorded,
    load_deck,
    parse_deck,
    unrecorded_problems,
    yaml_nodes,
)
from quiz.errors import DeckError
from quiz.model import CardKind, Text, card_from_dict, card_to_dict


@pytest.fixture(scope="module")
def gil():
    return load_deck(GOOD / "all-types.yaml")


def card(deck, card_id):
    return next(c for c in deck.cards if c.id == card_id)


# ---------------------------------------------------------------------------
# What a good deck becomes


def test_deck_fields(gil):
    assert gil.id == "python-gil"
    assert gil.title == Text((("en", "The GIL"),))
    assert gil.description.get() == "What the GIL is, what it protects, and what it does not.\n"
    assert (gil.lang, gil.tags, gil.python, gil.line) == ("en", ("python", "gil"), ">=3.10", 2)
    assert gil.path == str(GOOD / "all-types.yaml")


def test_card_keys_kinds_and_lines(gil):
    assert [(c.key, c.kind, c.line) for c in gil.cards] == [
        ("python-gil/gil-what", CardKind.BASIC, 10),
        ("python-gil/hash-list", CardKind.OUTPUT, 22),
        ("python-gil/late-binding", CardKind.OUTPUT, 28),
        ("python-gil/gil-parallel", CardKind.CHOICE, 40),
        ("python-gil/several-right", CardKind.CHOICE, 47),
        ("python-gil/switch-interval", CardKind.TYPED, 53),
        ("python-gil/single-answer", CardKind.TYPED, 58),
        ("python-gil/gil-cloze#c1", CardKind.CLOZE, 64),
        ("python-gil/gil-cloze#c2", CardKind.CLOZE, 64),
    ]


def test_basic_card(gil):
    c = card(gil, "gil-what")
    assert c.front == Text((("en", "What does the GIL protect?"),))
    assert c.back.get().startswith("CPython's interpreter state")
    assert c.explain.get().startswith("It does not make")
    assert c.tags == ("python", "gil", "internals")  # deck tags first, deduplicated
    assert c.source == "notes § Python GIL"
    assert c.requires == ("python-gil/switch-interval",)
    assert c.code == "import sys\nprint(sys.getswitchinterval())\n"
    assert c.python is None  # the deck's python is a default for output cards only


def test_output_cards(gil):
    raises = card(gil, "hash-list")
    assert raises.raises == "TypeError: unhashable type: 'list'"
    assert raises.output is None
    assert raises.python == ">=3.10"  # falls back to the deck's
    assert raises.match == "exact"
    late = card(gil, "late-binding")
    assert late.output == "[2, 2, 2]\n"
    assert late.front.get() == "What does this print?"
    assert (late.python, late.timeout, late.accept) == (">=3.8", 2.0, ())
    assert isinstance(late.timeout, float)


def test_choice_and_typed_cards(gil):
    pick = card(gil, "gil-parallel")
    assert [t.get() for t in pick.choices] == ["threads", "asyncio tasks", "processes"]
    assert pick.correct == (2,)
    assert pick.code == "# CPU-bound: sum(i * i for i in range(10**7))"
    assert card(gil, "several-right").correct == (0, 2)
    assert card(gil, "switch-interval").answers == ("0.005", "5ms")
    assert card(gil, "single-answer").answers == ("collections",)


def test_cloze_note_becomes_one_card_per_deletion(gil):
    c1, c2 = card(gil, "gil-cloze#c1"), card(gil, "gil-cloze#c2")
    assert (c1.cloze, c2.cloze) == (1, 2)
    assert c1.note == c2.note == "gil-cloze"
    assert c1.note_key == "python-gil/gil-cloze"
    assert c1.text == c2.text
    assert "{{c2::GIL::an acronym}}" in c1.text.get()
    assert c1.requires == ("python-gil/gil-what",)


def test_requires_normalise_to_full_keys():
    deck = load_deck(GOOD / "cloze.yaml")
    assert card(deck, "after-block").requires == (
        "cloze-forms/two-parts#c1",  # a cloze note means all its parts
        "cloze-forms/two-parts#c2",
        "cloze-forms/block#c2",
        "other-deck/some-card",  # another deck: kept as written
    )
    assert [c.id for c in deck.cards if c.note == "hint-and-repeat"] == ["hint-and-repeat#c1"]


def test_requires_own_deck_prefix_is_checked_like_a_bare_id():
    deck = parse("""
        deck: d
        title: T
        cards:
          - {id: a, front: Q, back: A, requires: [d/b, b]}
          - {id: b, front: Q, back: A}
    """)
    assert deck.cards[0].requires == ("d/b",)
    [problem] = problems("""
        deck: d
        title: T
        cards:
          - {id: a, front: Q, back: A, requires: [d/nope]}
    """)
    assert (problem.line, problem.message) == (5, "requires unknown card 'nope'")  # line 1 is blank


def test_requires_itself_is_an_error():
    [problem] = problems("""
        deck: d
        title: T
        cards:
          - id: a
            front: Q
            back: A
            requires: [a]
    """)
    assert (problem.line, problem.message) == (8, "card 'a' requires itself")


def test_plain_text_takes_the_deck_language_or_none():
    deck = load_deck(GOOD / "i18n.yaml")
    plain = card(deck, "plain-text")
    assert plain.front.variants == (("zh", "这是一个只有中文的问题吗？"),)
    assert plain.explain.variants == (("en", "Plain strings take the deck's language (zh)."),)
    assert deck.title.variants == (("zh", "多线程与协程"), ("en", "Threads vs coroutines"))
    assert deck.description.languages == ("zh-Hans", "en")
    assert card(deck, "who-switches").choices[1].get("en") == "The programmer"
    nolang = load_deck(GOOD / "minimal.yaml")
    assert nolang.lang is None
    assert nolang.cards[0].front.variants == (("", "What is 1 + 1?"),)


def test_strings_are_kept_exactly_as_written():
    deck = parse("""
        deck: d
        title: T
        cards:
          - id: a
            front: "  spaced out  "
            back: "tab\\there"
          - id: b
            type: output
            code: "print('x  ')"
            output: "x  \\n\\n"
    """)
    assert deck.cards[0].front.get() == "  spaced out  "
    assert deck.cards[0].back.get() == "tab\there"
    assert deck.cards[1].output == "x  \n\n"


def test_quoted_yaml_surprises_are_fine():
    deck = load_deck(GOOD / "tricky-strings.yaml")
    assert [c.id for c in deck.cards[:2]] == ["1e3", "0777"]
    assert card(deck, "1e3").front.get() == "no"
    assert card(deck, "0777").answers == ("no", "No", "false")
    assert card(deck, "prints-float").output == "1.0\n"
    assert card(deck, "prints-nothing").output == ""
    assert card(deck, "regex-match").match == "regex"
    assert card(deck, "unordered").timeout == 0.5
    assert card(deck, "dotted-raises").raises == "json.decoder.JSONDecodeError"
    assert card(deck, "explicit-str-tag").front.get() == "2024-01-01"


def test_loaded_cards_survive_the_store_round_trip():
    for path in sorted(GOOD.glob("*.yaml")):
        for c in load_deck(path).cards:
            assert card_from_dict(card_to_dict(c)) == c


# ---------------------------------------------------------------------------
# Output cards that have not been recorded yet


UNRECORDED = """
    deck: d
    title: T
    cards:
      - id: a
        type: output
        code: print(1)
"""


def test_unrecorded_output_card_is_a_problem_by_default():
    [problem] = problems(UNRECORDED)
    assert (problem.line, problem.message) == (5, UNRECORDED_MESSAGE)


def test_unrecorded_output_card_is_allowed_on_request():
    deck = parse(UNRECORDED, allow_unrecorded=True)
    [c] = deck.cards
    assert (c.output, c.raises) == (None, None)
    assert is_unrecorded(c)
    assert [str(p) for p in unrecorded_problems(deck)] == [f"t.yaml:5: {UNRECORDED_MESSAGE}"]
    recorded = load_deck(GOOD / "all-types.yaml")
    assert not any(is_unrecorded(c) for c in recorded.cards)
    assert unrecorded_problems(recorded) == []


# ---------------------------------------------------------------------------
# Problems


def test_every_problem_of_a_file_is_reported_in_line_order():
    found = problems("""
        deck: Bad Deck
        title: T
        cards:
          - id: a
            type: typed
            front: Q
            answer: yes
          - id: b
            type: choice
            front: Q
            choices: [x, y]
            correct: true
          - id: c
            type: output
            code: "1/0"
            raises: ZeroDivisionError
            timeout: yes
          - id: d
            type: cloze
            text: "{{c0::zero}}"
    """)
    assert [(p.line, p.message) for p in found] == [
        (
            2,
            "'deck' \"Bad Deck\" may only use lowercase letters, digits and '-' (and must start with a letter or digit)",
        ),
        (8, "'answer' was read as a boolean (true); quote it: \"yes\""),
        (13, "'correct' must be a whole number (found a boolean (true))"),
        (18, "'timeout' must be a number of seconds (found a boolean (true))"),
        (21, "cloze deletions are numbered from c1 (found c0)"),
    ]


def test_empty_and_blank_files():
    for data in (b"", b"\n\n   \n"):
        with pytest.raises(DeckError) as info:
            parse_deck(data, "e.yaml")
        assert [str(p) for p in info.value.problems] == [
            "e.yaml:1: file is empty (a deck needs 'deck', 'title' and 'cards')"
        ]


def test_utf8_bom_is_accepted_and_bad_bytes_name_their_line():
    deck = parse_deck(
        "\ufeffdeck: d\ntitle: T\ncards: [{id: a, front: Q, back: A}]\n".encode(), "b.yaml"
    )
    assert deck.id == "d"
    with pytest.raises(DeckError) as info:
        parse_deck(b"deck: d\ntitle: T\n# \xff\n", "b.yaml")
    [problem] = info.value.problems
    assert problem.line == 3 and "not UTF-8 (byte 0xff at column 3)" in problem.message


def test_duplicate_keys_anywhere_name_both_lines():
    found = problems("""
        deck: d
        title:
          en: One
          en: Two
        cards:
          - id: a
            front: Q
            back: A
        deck: again
    """)
    assert [(p.line, p.message) for p in found] == [
        (5, "duplicate key 'en' (first defined at line 4)"),
        (10, "duplicate key 'deck' (first defined at line 2)"),
    ]


def test_unknown_key_hints():
    found = problems("""
        deck: d
        title: T
        cards:
          - id: a
            Front: Q
            back: A
            explian: E
            zzz: 1
    """)
    messages = [p.message for p in found]
    assert "unknown key 'Front' (did you mean 'front'?)" in messages
    assert "unknown key 'explian' (did you mean 'explain'?)" in messages
    assert "unknown key 'zzz'" in messages


def test_output_card_keys_are_not_for_basic_cards():
    found = problems("""
        deck: d
        title: T
        cards:
          - id: a
            front: Q
            back: A
            output: "1"
            timeout: 2
    """)
    assert [p.message for p in found] == [
        "key 'output' is not used by basic cards (it is for output cards: `type: output`)",
        "key 'timeout' is not used by basic cards (it is for output cards: `type: output`)",
    ]


def test_folded_key_is_only_suspected_when_that_key_is_missing():
    deck = load_deck(GOOD / "tricky-strings.yaml")  # has 'back: int = 5' lines, and a back
    assert card(deck, "code-with-keylike-lines").back.get() == "back: int = 5   <- this one\n"
    found = problems("""
        deck: d
        title: T
        cards:
          - id: a
            type: output
            code: |
              print("hi")
            explain: >
              Folded text joins its lines,
              output: "hi"
    """)
    assert [(p.line, p.message) for p in found] == [
        (9, "looks like key 'output' folded into the text of 'explain' (check its indentation)"),
    ]


def test_folded_key_in_deck_description():
    [problem] = problems("""
        deck: d
        title: T
        description: |
          A deck.
          cards:
            - id: a
    """)
    assert (problem.line, problem.message) == (
        6,
        "looks like key 'cards' folded into the text of 'description' (check its indentation)",
    )


def test_python_tag_is_never_constructed(capsys):
    found = problems("""
        deck: d
        title: !!python/object/apply:builtins.print ["CONSTRUCTED"]
        cards:
          - id: a
            front: !!python/name:os.system
            back: !!binary aGVsbG8=
    """)
    assert [p.line for p in found] == [3, 6, 7]
    assert all("is not allowed in decks" in p.message for p in found)
    assert "CONSTRUCTED" not in capsys.readouterr().out


def test_c_loader_is_used_when_pyyaml_has_it():
    if getattr(yaml, "__with_libyaml__", False):
        assert issubclass(yaml_nodes._Loader, yaml.CSafeLoader)
    else:  # pragma: no cover
        assert issubclass(yaml_nodes._Loader, yaml.SafeLoader)


def _tags(node):  # type: ignore[no-untyped-def]
    """Every node's class, tag, value and line, depth first."""
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        out.append((n.__class__.__name__, n.tag, n.start_mark.line))
        if isinstance(n, yaml.MappingNode):
            stack.extend(x for pair in n.value for x in pair)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        else:
            out.append(n.value)
    return out


def test_the_loader_makes_its_own_nodes_and_leaves_pyyaml_as_it_was():
    """The deck loader's nodes are yaml_nodes' slotted classes (what validate tells
    apart by class); PyYAML's loaders still make PyYAML's, after a good compose and
    after one that failed."""
    text = "a: [b, {c: d}]\n"
    ours = (yaml_nodes.ScalarNode, yaml_nodes.SequenceNode, yaml_nodes.MappingNode)
    pyyamls = (yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode)
    for mine, theirs in zip(ours, pyyamls, strict=True):
        assert issubclass(mine, theirs) and mine is not theirs and "__slots__" in vars(mine)
    got = yaml.compose(text, Loader=yaml_nodes._Loader)
    assert _classes(got) == set(ours)
    with pytest.raises(yaml.YAMLError):
        yaml.compose("a: [b\n", Loader=yaml_nodes._Loader)
    for loader in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        assert _classes(yaml.compose(text, Loader=loader)) == set(pyyamls)


def _nodes(node):  # type: ignore[no-untyped-def]
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        out.append(n)
        if isinstance(n, yaml.MappingNode):
            stack.extend(x for pair in n.value for x in pair)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return out


def _classes(node):  # type: ignore[no-untyped-def]
    return {n.__class__ for n in _nodes(node)}


def test_the_loader_resolves_every_scalar_as_pyyaml_does():
    """yaml_nodes resolves each distinct plain scalar once per file (issue #19): the
    tags are PyYAML's own, for every good and broken deck and for plain scalars that
    look like numbers, booleans, nulls and dates, quoted or not."""
    files = sorted(GOOD.parent.glob("*/*.yaml"))
    texts = [p.read_bytes().decode("utf-8", errors="replace") for p in files]
    texts.append(
        "a: [1, 1, '1', 1.5, 1e3, 0x1f, 0o17, yes, 'yes', no, ~, null, '', 2026-03-01, =]\n"
        "b: [yes, \"no\", 1, x, 2026-03-01, ~, 'null', on, off, .inf, -.nan, +12]\n"
        # first characters the resolver files its patterns under, and others
        "c: [True, FALSE, Off, ON, Null, NULL, N, Y, y, n, T, F, O, ~x, .5, -1, -x, 1_0]\n"
        "d: [Z, zero, x1, '', _1, é, 中, '1:2', 1:20, 3.0e+5, <, '=', <<x, '*x', '&x']\n"
    )
    for text in texts:
        try:
            want = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            continue
        got = yaml.compose(text, Loader=yaml_nodes._Loader)
        assert (got is None and want is None) or _tags(got) == _tags(want)


def test_pure_python_fallback_gives_the_same_decks(monkeypatch):
    fast = [load_deck(p) for p in sorted(GOOD.glob("*.yaml"))]
    # the deck loader as it is where PyYAML was built without libyaml
    python_loader = type("PythonLoader", (yaml_nodes._Lean, yaml.SafeLoader), {})
    monkeypatch.setattr(yaml_nodes, "_Loader", python_loader)
    slow = [load_deck(p) for p in sorted(GOOD.glob("*.yaml"))]
    assert slow == fast


@pytest.mark.parametrize("enabled", [True, False])
def test_garbage_collector_state_is_restored(enabled):
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        load_deck(GOOD / "minimal.yaml")
        assert gc.isenabled() is enabled
        with pytest.raises(DeckError):
            parse_deck(b"deck: [", "x.yaml")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_load_deck_missing_or_folder(tmp_path: Path):
    with pytest.raises(DeckError) as info:
        load_deck(tmp_path / "nope.yaml")
    assert [str(p) for p in info.value.problems] == [f"{tmp_path / 'nope.yaml'}: no such file"]
    with pytest.raises(DeckError) as info:
        load_deck(tmp_path)
    assert info.value.problems[0].message == "is a folder, not a deck file"


def test_deck_error_lines_are_file_line_message():
    with pytest.raises(DeckError) as info:
        parse_deck(b"deck: d\ntitle: T\ncards:\n  - id: a\n    front: Q\n", "decks/x.yaml")
    assert info.value.lines() == ["decks/x.yaml:4: basic card 'a' has no 'back'"]
    assert str(info.value) == "decks/x.yaml:4: basic card 'a' has no 'back'"


def test_requires_cycles_are_reported_once():
    found = problems("""
        deck: d
        title: T
        cards:
          - {id: a, front: Q, back: A, requires: [b]}
          - {id: b, front: Q, back: A, requires: [c]}
          - {id: c, type: cloze, text: "{{c1::x}}", requires: [a]}
          - {id: e, front: Q, back: A, requires: [a, other/a]}
    """)
    assert [(p.line, p.message) for p in found] == [(5, "requires form a cycle: a -> b -> c -> a")]


def test_scalar_values_are_what_pyyaml_constructs():
    """yaml_nodes.scalar_value reads the commonest numbers itself (decimal digits, with
    a point for a float): the same value and type as PyYAML's constructors give, for
    those and for the YAML 1.1 forms it leaves to them."""
    import math

    texts = ["0", "00", "05", "010", "7", "123", "1_0", "-1", "+1", "0x1f", "0o7", "0b1", "1:30"]
    texts += ["1.5", "1.", "5", ".5", "1.5.5", "1e3", "1.0e+3", "٣", "１２", ".inf", "-.inf"]
    texts += [".nan", "1.5_0", "0.0", "00.5", "9" * 100, "x", ""]
    constructor = yaml.constructor.SafeConstructor()
    for tag in (yaml_nodes.INT_TAG, yaml_nodes.FLOAT_TAG):
        for text in texts:
            node = yaml.ScalarNode(tag, text)
            got = yaml_nodes.scalar_value(node)
            try:
                want = constructor.construct_object(node)
            except Exception:
                assert isinstance(got, yaml_nodes.BadScalar), (tag, text)
                continue
            assert type(got) is type(want), (tag, text)
            assert got == want or (math.isnan(got) and math.isnan(want)), (tag, text)
