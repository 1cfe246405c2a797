"""Property-based fuzzing in the test suite: every parser holds the contract of
`tests.fuzz.contract` on structured and mutated inputs, on a small budget.

`QUIZ_FUZZ_EXAMPLES` raises the budget (examples per target) for a deeper run; the long
run is `python -m tests.fuzz`. A failure found here is shrunk by hypothesis: keep the
shrunk input as an explicit case in test_regressions.py when fixing it.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import contract, inputs

EXAMPLES = int(os.environ.get("QUIZ_FUZZ_EXAMPLES", "100"))
budget = settings(
    max_examples=EXAMPLES,
    deadline=None,  # no timed assertions: a slow machine is not a failure
    database=None,  # nothing written into the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

line_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r"), max_size=30
)
scalar = st.one_of(st.sampled_from(inputs.SCALARS), line_text)


@pytest.fixture(scope="module")
def folder() -> Iterator[contract.TableFolder]:
    made = contract.TableFolder()
    yield made
    made.close()


# ---------------------------------------------------------------------------
# Decks


@st.composite
def structured_decks(draw: st.DrawFn) -> bytes:
    """A deck of the right shape whose keys and values come from the pools and text."""
    lines = ["deck: " + draw(st.sampled_from(["fuzz", "fuzz", "Fuzz", "1e3"])), "title: T"]
    for key in draw(
        st.lists(st.sampled_from(["lang", "tags", "python", "description"]), max_size=2)
    ):
        lines.append(f"{key}: {draw(scalar)}")
    lines.append("cards:")
    cards = draw(st.integers(min_value=1, max_value=3))
    for n in range(cards):
        kind = draw(st.sampled_from(["basic", "typed", "choice", "cloze", "output"]))
        lines += [f"  - id: c{n}", f"    type: {kind}"]
        for key in draw(st.lists(st.sampled_from(inputs.CARD_KEYS[2:]), min_size=1, max_size=5)):
            value = draw(scalar).replace("\n", "\n      ")
            lines.append(f"    {key}: {value}")
    return ("\n".join(lines) + "\n").encode("utf-8")


@budget
@given(data=structured_decks(), unrecorded=st.booleans())
def test_structured_decks_hold_the_contract(data: bytes, unrecorded: bool):
    assert contract.check_deck(data, allow_unrecorded=unrecorded) in ("ok", "refused")


@budget
@given(
    original=st.sampled_from(inputs.deck_corpus()),
    rng=st.randoms(use_true_random=False),
)
def test_mutated_real_decks_hold_the_contract(original: bytes, rng: random.Random):
    data = inputs.mutate(original, rng, inputs.deck_corpus())
    assert contract.check_deck(data) in ("ok", "refused")


@budget
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_hold_the_contract(data: bytes):
    assert contract.check_deck(data) in ("ok", "refused")


def test_the_corpus_has_decks_that_load():
    """Mutation starts from real decks: most of them must load unmutated."""
    loaded = sum(
        contract.check_deck(d, allow_unrecorded=True) == "ok" for d in inputs.deck_corpus()
    )
    assert loaded >= 30


# ---------------------------------------------------------------------------
# Tables


cell = st.one_of(st.sampled_from(inputs.CELLS), line_text)
header = st.one_of(
    st.builds(
        "#separator:{}".format, st.one_of(st.sampled_from(inputs.SEPARATOR_NAMES), line_text)
    ),
    st.builds(
        "#{}:{}".format,
        st.sampled_from(["tags column", "guid column", "notetype column", "deck column"]),
        st.one_of(st.sampled_from(inputs.COLUMN_NUMBERS), line_text),
    ),
    st.builds("#html:{}".format, st.sampled_from(["true", "false", "x"])),
    st.builds("#columns:{}".format, st.lists(cell, max_size=4).map("\t".join)),
)


@budget
@given(
    headers=st.lists(header, max_size=3),
    rows=st.lists(st.lists(cell, min_size=1, max_size=4), max_size=4),
    separator=st.sampled_from(["\t", ",", ";", "|"]),
    suffix=st.sampled_from([".csv", ".tsv", ".txt"]),
)
def test_tables_hold_the_contract(
    folder: contract.TableFolder,
    headers: list[str],
    rows: list[list[str]],
    separator: str,
    suffix: str,
):
    text = "\n".join(headers + [separator.join(r) for r in rows])
    outcome = contract.check_table(text.encode("utf-8"), suffix, folder)
    assert outcome in ("ok", "refused", "refused-after-convert")


@budget
@given(rng=st.randoms(use_true_random=False))
def test_generated_tables_hold_the_contract(folder: contract.TableFolder, rng: random.Random):
    data, suffix = inputs.table_input(rng)
    assert contract.check_table(data, suffix, folder) in ("ok", "refused", "refused-after-convert")


# ---------------------------------------------------------------------------
# config.toml


toml_value = st.one_of(
    st.sampled_from(inputs.TOML_VALUES),
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    line_text.map(lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'),
)


@budget
@given(
    settings_=st.lists(st.tuples(st.sampled_from(inputs.CONFIG_KEYS), toml_value), max_size=5),
    deck_settings=st.lists(st.tuples(st.sampled_from(inputs.CONFIG_KEYS), toml_value), max_size=3),
)
def test_configs_hold_the_contract(
    folder: contract.TableFolder,
    settings_: list[tuple[str, str]],
    deck_settings: list[tuple[str, str]],
):
    lines = [f"{k} = {v}" for k, v in dict(settings_).items()]
    if deck_settings:
        lines.append("[decks.python-gil]")
        lines += [f"{k} = {v}" for k, v in dict(deck_settings).items()]
    assert contract.check_config("\n".join(lines).encode(), folder) in ("ok", "refused")


@budget
@given(data=st.binary(max_size=200))
def test_config_bytes_hold_the_contract(folder: contract.TableFolder, data: bytes):
    assert contract.check_config(data, folder) in ("ok", "refused")


# ---------------------------------------------------------------------------
# The answer matcher


text = st.one_of(st.sampled_from(inputs.OUTPUTS + inputs.PREDICTIONS), st.text(max_size=40))
pattern = st.one_of(
    st.sampled_from(inputs.PATTERNS), st.text(alphabet="()[]{}*+?|\\^$.a1,:", max_size=12)
)


@budget
@given(
    case=st.fixed_dictionaries(
        {
            "output": st.one_of(st.none(), pattern),
            "raises": st.one_of(st.none(), st.sampled_from(inputs.EXCEPTIONS[2:])),
            "accept": st.lists(pattern, max_size=2).map(tuple),
            "match": st.sampled_from(["exact", "literal", "unordered-lines", "regex", "bogus"]),
            "answers": st.lists(text, max_size=3).map(tuple),
            "correct": st.lists(st.integers(-3, 6), max_size=3).map(tuple),
            "stdout": text,
            "exception": st.sampled_from(inputs.EXCEPTIONS),
            "timed_out": st.booleans(),
            "prediction": text,
        }
    )
)
def test_matcher_holds_the_contract(case: dict[str, object]):
    assert contract.check_matcher(case) == "ok"
