"""Choice order (quiz.review.choices): a seeded shuffle, picks read back in the deck's
numbers, the deck's order kept where the explain names choices by place; and on a
fixed-width screen, choices as inline Markdown with a hanging indent."""

from __future__ import annotations

import random

from quiz.model import Card, CardKind, Schedule, StoredCard, Text
from quiz.review.choices import ChoiceOrder, choice_order, names_choices_by_place, seeded
from tests.conftest import write_deck
from tests.screens import screen, widest

NOW = "2026-03-01T09:00:00+00:00"


def card(explain: str | None = None, n: int = 6, **texts: str) -> Card:
    return Card(
        deck="d",
        id="c",
        kind=CardKind.CHOICE,
        front=Text.plain("Which?"),
        choices=tuple(Text.plain(f"choice {chr(97 + i)}") for i in range(n)),
        correct=(2,),
        explain=Text(tuple(texts.items())) if texts else Text.plain(explain) if explain else None,
    )


def test_the_order_is_a_seeded_permutation():
    c = card()
    first = choice_order(c, random.Random("x"))
    assert sorted(first.shown) == list(range(6))
    assert first == choice_order(c, random.Random("x"))  # the same seed, the same order
    orders = {choice_order(c, random.Random(seed)).shown for seed in range(30)}
    assert len(orders) > 10


def test_the_seed_is_the_card_and_its_review_number():
    item = StoredCard(row_id=1, card=card(), schedule=Schedule(reps=3))
    again = StoredCard(row_id=1, card=card(), schedule=Schedule(reps=3))
    later = StoredCard(row_id=1, card=card(), schedule=Schedule(reps=4))
    assert choice_order(item.card, seeded(item)) == choice_order(again.card, seeded(again))
    shown = {
        choice_order(later.card, seeded(later)).shown,
        choice_order(item.card, seeded(item)).shown,
    }
    assert len(shown) == 2


def test_picks_are_read_back_in_the_decks_numbers():
    order = ChoiceOrder((2, 0, 1))
    assert order.to_deck("1") == "3"
    assert order.to_deck("3 1") == "2 3"
    assert order.number(2) == 1
    for slip in ("", "abc", "4", "0", "1 x"):  # not a pick: left for the refusal to name
        assert order.to_deck(slip) == slip


def test_an_explain_that_names_choices_by_place_keeps_the_decks_order():
    for explain in ("The third is right.", "(3) is right", "Choice 3, not the others."):
        c = card(explain)
        assert names_choices_by_place(c)
        assert choice_order(c, random.Random(1)).shown == tuple(range(6))
    zh = card(en="choice c is right; choice a and choice b ...", zh="第三项对。")
    assert names_choices_by_place(zh)
    assert not names_choices_by_place(card("choice c is right, because ..."))
    # code, a complexity and a count of times name no choice: such a card is shuffled
    for explain in ("`f(3)` returns choice c", "choice c is O(1)", "`open(a)`, then choice c"):
        assert not names_choices_by_place(card(explain))
    assert not names_choices_by_place(card(en="choice c, at once", zh="第一次调用时"))
    assert not names_choices_by_place(card(None))


DECK = """
deck: md
title: Markdown choices
lang: en
cards:
  - id: pick
    type: choice
    front: Which call makes a task that runs concurrently?
    choices:
      - "`asyncio.create_task(coro())`, which schedules the coroutine on the running event loop at once"
      - "**awaiting** `coro()` directly"
      - "- a dash, not a list"
    correct: 0
"""


def test_choices_are_inline_markdown_with_a_hanging_indent(cli, env):
    assert cli("import", str(write_deck(env, "md.yaml", DECK))).exit_code == 0
    with screen(40) as buf:
        result = cli("review", input="q\n", now=NOW)
    assert result.exit_code == 0, result.output
    text = buf.getvalue()
    assert "`" not in text and "**" not in text, text
    assert widest(text) <= 40
    lines = [line.rstrip() for line in text.splitlines()]
    first = next(i for i, line in enumerate(lines) if line.startswith("  1. "))
    assert lines[first] == "  1. asyncio.create_task(coro()), which"
    # the wrapped rest lines up under the choice's text, not under its number
    assert lines[first + 1].startswith("     schedules")
    assert lines[first + 1][5] != " "
    assert "  2. awaiting coro() directly" in lines
    assert "  3. - a dash, not a list" in lines  # deck text, not a Markdown list


def test_a_piped_session_keeps_the_decks_order(cli, env):
    assert cli("import", str(write_deck(env, "md.yaml", DECK))).exit_code == 0
    result = cli("review", input="1\n", now=NOW)
    assert result.exit_code == 0, result.output
    assert "✓ right" in result.stdout


def test_the_setting_is_checked_like_every_other(cli, env):
    (env / "config.toml").write_text('timezone = "UTC"\nshuffle_choices = "yes"\n')
    result = cli("review", input="", now=NOW)
    assert result.exit_code == 1
    assert 'config.toml:2: shuffle_choices must be true or false (found the string "yes")' in (
        result.output
    )


SEVERAL = """
deck: several
title: Several
lang: en
cards:
  - id: why
    type: choice
    front: Why does CPython have a GIL?
    choices:
      - "reference counting: every `incref` would need a lock or an atomic operation otherwise"
      - C extensions that are not thread-safe
      - the language reference requires it
    correct: [0, 1]
"""


def test_a_wrong_choice_shows_each_pick_and_each_right_choice_on_its_own_line(cli, env):
    assert cli("import", str(write_deck(env, "several.yaml", SEVERAL))).exit_code == 0
    with screen(50) as buf:
        result = cli("review", input="3\n", now=NOW)
    assert result.exit_code == 0, result.output
    lines = [line.rstrip() for line in buf.getvalue().splitlines()]
    start = lines.index("yours:  3. the language reference requires it")
    assert lines[start + 1 : start + 5] == [
        "answer: 1. reference counting: every incref would",
        "           need a lock or an atomic operation",
        "           otherwise",
        "        2. C extensions that are not thread-safe",
    ]
