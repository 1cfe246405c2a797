"""`vary:` on output cards, in the pure core: the format (errors with path:line), the
substitution, the reproducible choice of a review's variant, check's sample, and the
card's round trip through the store's JSON, the JSON Schema, `quiz fmt` and the lint."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.deck import parse_deck
from quiz.deck.lint import lint_decks
from quiz.deck.variants import (
    CHECK_ALL_UP_TO,
    MAX_VARIANTS,
    Dimension,
    Variant,
    VarySpec,
    apply,
    check_sample,
    choose,
    for_review,
    parse_pick,
    substitute,
)
from quiz.errors import DeckError
from quiz.model import card_from_dict, card_to_dict

HEAD = "deck: v\ntitle: V\nlang: en\ncards:\n"
GOOD = (
    HEAD
    + """\
  - id: aug
    type: output
    front: {en: "`{{op}}` on a {{container}} of {{n}}?", zh: "对 {{container}} 用 `{{op}}`？"}
    code: |
      a = {{container}}(range({{n}}))
      b = a
      b {{ op }} {{container}}([9])
      print(len(a), a is b, f"{{x}}")
    vary:
      n: {range: [2, 4]}
      op: ["+=", "= b +"]
      container: [list, tuple]
    explain: "`{{op}}` rebinds or mutates"
"""
)


def load(text: str, path: str = "v.yaml"):  # type: ignore[no-untyped-def]
    return parse_deck(text.encode(), path)


def problems(text: str) -> list[str]:
    with pytest.raises(DeckError) as caught:
        load(text)
    return [str(p) for p in caught.value.problems]


def card(body: str) -> str:
    return HEAD + "  - id: c\n    type: output\n" + body


def test_a_card_that_varies_loads_with_its_spec_and_no_stored_answer():
    (loaded,) = load(GOOD).cards
    assert loaded.output is None and loaded.raises is None
    assert loaded.vary is not None
    assert loaded.vary.names == ("n", "op", "container")
    assert loaded.vary.dims[0] == Dimension("n", ("2", "3", "4"), (2, 4))
    assert loaded.vary.count == 3 * 2 * 2


def test_substitution_is_textual_and_only_for_declared_names():
    (loaded,) = load(GOOD).cards
    shown = apply(loaded, Variant((("n", "3"), ("op", "= b +"), ("container", "tuple"))))
    assert shown.code == (
        "a = tuple(range(3))\nb = a\nb = b + tuple([9])\n"
        'print(len(a), a is b, f"{{x}}")\n'  # an f-string's braces are the author's Python
    )
    assert shown.front is not None and dict(shown.front.variants) == {
        "en": "`= b +` on a tuple of 3?",
        "zh": "对 tuple 用 `= b +`？",
    }
    assert shown.explain is not None and shown.explain.get() == "`= b +` rebinds or mutates"
    assert shown.vary is None and shown.variant == (
        ("n", "3"),
        ("op", "= b +"),
        ("container", "tuple"),
    )
    assert substitute("{{n}} {{ n }} {{m}} {n}", Variant((("n", "7"),))) == "7 7 {{m}} {n}"


def test_values_are_inserted_as_written():
    deck = load(
        card('    code: print({{a}}, {{b}})\n    vary: {a: [2.50, 0x10, "+="], b: [yes, "1e3"]}\n')
    )
    spec = deck.cards[0].vary
    assert spec is not None and spec.dims[0].values == ("2.50", "0x10", "+=")
    assert spec.dims[1].values == ("yes", "1e3")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "    code: print({{m}})\n    vary:\n      m: []\n",
            "v.yaml:9: 'vary: m' is an empty list; give at least one value",
        ),
        (
            "    code: print({{k}})\n    vary:\n      k: {range: [5, 2]}\n",
            "v.yaml:9: 'vary: k': range [5, 2] is empty (lo > hi)",
        ),
        (
            "    code: print({{k}})\n    vary:\n      k: {range: [1]}\n",
            "v.yaml:9: 'vary: k': range must be two whole numbers [lo, hi]",
        ),
        (
            "    code: print({{k}})\n    vary:\n      k: {range: [1, x]}\n",
            "v.yaml:9: 'vary: k' range must be a whole number",
        ),
        (
            "    code: print(1)\n    vary:\n      q: [a, b]\n",
            "v.yaml:8: 'vary' declares 'q', but code, front and explain never write {{q}}",
        ),
        (
            "    code: print({{a}})\n    vary:\n      a: [x, x]\n",
            "v.yaml:9: 'vary: a' lists \"x\" twice",
        ),
        (
            "    code: print({{a}})\n    vary:\n      2a: [x]\n",
            "v.yaml:9: 'vary': \"2a\" is not a name",
        ),
        (
            "    code: print({{a}})\n    vary: [a]\n",
            "v.yaml:8: 'vary' must be a map of names to values",
        ),
        (
            '    code: print({{a}})\n    vary: {a: [1, 2]}\n    output: "1\\n"\n',
            "v.yaml:9: a card with 'vary' has no 'output'",
        ),
        (
            "    code: print({{a}})\n    vary: {a: [1, 2]}\n    match: regex\n",
            "v.yaml:9: 'match: regex' needs a stored pattern",
        ),
        (
            "    code: print({{a}}, {{b}}, {{c}})\n"
            "    vary: {a: {range: [1, 10]}, b: {range: [1, 10]}, c: {range: [1, 3]}}\n",
            f"v.yaml:8: 'vary' makes 300 variants (10 x 10 x 3); at most {MAX_VARIANTS} are allowed",
        ),
    ],
)
def test_bad_vary_is_one_line_with_path_and_line(body: str, message: str):
    found = problems(card(body))
    assert any(p.startswith(message) for p in found), found


def test_vary_is_for_output_cards_only():
    found = problems(HEAD + "  - id: c\n    front: q {{a}}\n    back: a\n    vary: {a: [1]}\n")
    assert any("'vary'" in p and p.startswith("v.yaml:") for p in found), found


def test_choice_is_a_pure_function_of_key_reps_and_spec():
    spec = VarySpec((Dimension.of_range("n", 2, 6), Dimension("op", ("+=", "-="))))
    first = [choose("d/c", reps, spec) for reps in range(30)]
    assert first == [choose("d/c", reps, spec) for reps in range(30)]  # replay, undo
    # each round of `count` reviews shows every variant once
    for start in range(0, 30, spec.count):
        assert sorted(v.values for v in first[start : start + spec.count]) == sorted(
            v.values for v in spec.all()
        )
    other = [choose("d/other", reps, spec) for reps in range(30)]
    assert other != first  # cards do not walk through their variants in step


@given(
    key=st.text(min_size=1, max_size=20),
    reps=st.integers(min_value=0, max_value=10_000),
    sizes=st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=3),
)
def test_choice_always_gives_a_variant_of_the_spec(key: str, reps: int, sizes: list[int]):
    spec = VarySpec(
        tuple(Dimension(f"n{i}", tuple(map(str, range(s)))) for i, s in enumerate(sizes))
    )
    assert choose(key, reps, spec) in spec.all()


def test_check_sample_is_every_variant_up_to_the_cap_else_first_and_last_and_more():
    small = VarySpec((Dimension.of_range("n", 1, CHECK_ALL_UP_TO),))
    assert check_sample(small, "k") == small.all()
    big = VarySpec((Dimension.of_range("n", 1, 9), Dimension("op", ("a", "b", "c"))))
    sample = check_sample(big, "k")
    assert len(sample) == CHECK_ALL_UP_TO
    assert sample[0] == big.first() == Variant((("n", "1"), ("op", "a")))
    assert Variant((("n", "9"), ("op", "c"))) in sample
    assert len(set(sample)) == len(sample)
    assert sample == check_sample(big, "k")


def test_a_variant_is_picked_by_name_and_value():
    spec = VarySpec((Dimension.of_range("n", 2, 4), Dimension("op", ("+=", "= b +, c"))))
    assert parse_pick(spec, "") == spec.first()
    assert parse_pick(spec, "op== b +, c, n=3").values == (("n", "3"), ("op", "= b +, c"))
    with pytest.raises(ValueError, match="n=9 is not one of the card's values"):
        parse_pick(spec, "n=9")
    with pytest.raises(ValueError, match="does not pick a value"):
        parse_pick(spec, "m=1")


def test_the_card_round_trips_through_the_store_json():
    (loaded,) = load(GOOD).cards
    data = json.loads(json.dumps(card_to_dict(loaded)))
    assert card_from_dict(data) == loaded
    # a card that does not vary keeps the JSON (and content hash) it had
    fixed = load(HEAD + '  - id: f\n    type: output\n    code: print(1)\n    output: "1\\n"\n')
    assert "vary" not in card_to_dict(fixed.cards[0])
    shown = for_review(loaded, 0)
    assert card_from_dict(json.loads(json.dumps(card_to_dict(shown)))) == shown


def test_the_json_schema_knows_vary():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    from quiz.deck.schema import json_schema

    validator = jsonschema.Draft202012Validator(json_schema())
    assert not list(validator.iter_errors(yaml.safe_load(GOOD)))
    stored = yaml.safe_load(GOOD)
    stored["cards"][0]["output"] = "1\n"
    assert list(validator.iter_errors(stored))  # vary and output together
    empty = yaml.safe_load(GOOD)
    empty["cards"][0]["vary"] = {"n": []}
    assert list(validator.iter_errors(empty))
    shipped = json.loads(
        (Path(__file__).parents[2] / "quiz" / "deck" / "deck-v1.schema.json").read_text()
    )
    assert shipped == json_schema()


def test_fmt_puts_vary_after_code_and_round_trips(tmp_path: Path):
    from quiz.authoring.fmt import format_checked

    text = (
        HEAD
        + """\
  - id: c
    vary:
      n: {range: [2, 4]}
      v: [1, 2.50, "+="]
    explain: "{{n}} and {{v}}"
    type: output
    code: print({{n}}, {{v}})
"""
    )
    done = format_checked(text, "v.yaml")
    after = done.after
    assert after.index("code:") < after.index("vary:") < after.index("explain:")
    assert "n: {range: [2, 4]}" in after and 'v: [1, 2.50, "+="]' in after
    assert format_checked(after, "v.yaml").after == after  # stable
    assert load(after).cards[0].vary == load(text).cards[0].vary


def test_lint_flags_an_undeclared_placeholder_that_is_not_python():
    deck = load(
        HEAD
        + """\
  - id: c
    type: output
    code: "x = {{n}}\\nprint(f'{{x}}', x)\\n"
    vary: {n: [1, 2]}
    front: "What for {{n}} and {{m}}?"
    explain: ok
    source: s
"""
    )
    found = [f for f in lint_decks([deck]) if f.rule == "undeclared-placeholder"]
    assert [f.message for f in found] == [
        "card 'c': `front` (en) writes {{m}}, which `vary:` does not declare (it would be shown "
        "as written)"
    ]
    broken = load(
        HEAD
        + '  - id: c\n    type: output\n    code: "print({{m}} +)\\n"\n    vary: {n: [1]}\n'
        + "    front: q {{n}}\n    explain: e\n    source: s\n"
    )
    (finding,) = [f for f in lint_decks([broken]) if f.rule == "undeclared-placeholder"]
    assert "the code writes {{m}}" in finding.message and "declares only n" in finding.message


def test_bundled_decks_have_at_least_40_cards_that_vary_in_both_languages():
    from quiz.deck import load_paths

    decks, found = load_paths([Path(__file__).parents[2] / "decks"])
    assert not found
    varying = [c for d in decks for c in d.cards if c.vary is not None]
    assert len(varying) >= 40
    assert Counter(c.kind.value for c in varying) == {"output": len(varying)}
    for c in varying:
        assert c.explain is not None and set(c.explain.languages) >= {"en", "zh"}, c.key
