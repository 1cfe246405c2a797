"""Content lint (quiz.deck.lint): one test per rule, each with a card that breaks it and
the same card fixed, plus the shipped decks, which must be clean."""

from __future__ import annotations

from deck_helpers import REPO, parse

from quiz.deck import load_paths
from quiz.deck.lint import Finding, lint_decks
from quiz.model import Deck

HEAD = """\
deck: d
title: {en: T, zh: 标题}
cards:
"""


def deck(cards: str, head: str = HEAD) -> Deck:
    return parse(head + cards)


def rules(*decks: Deck) -> list[tuple[str, int | None]]:
    return [(f.rule, f.line) for f in lint_decks(decks)]


def only(rule: str, *decks: Deck) -> list[Finding]:
    return [f for f in lint_decks(decks) if f.rule == rule]


GOOD_BASIC = """\
  - id: ok
    front: {en: Why?, zh: 为什么？}
    back: {en: Because., zh: 因为。}
    explain: {en: Reasons., zh: 理由。}
    source: "docs"
"""


def test_a_complete_bilingual_card_is_clean() -> None:
    assert rules(deck(GOOD_BASIC)) == []


def test_no_explain_and_no_source() -> None:
    bare = deck("  - id: bare\n    front: {en: Q?, zh: 问？}\n    back: {en: A., zh: 答。}\n")
    assert rules(bare) == [("no-explain", 4), ("no-source", 4)]
    assert "card 'bare'" in only("no-source", bare)[0].message


def test_missing_language_in_a_bilingual_deck() -> None:
    card = GOOD_BASIC.replace("back: {en: Because., zh: 因为。}", "back: Because.")
    found = only("missing-lang", deck(card))
    assert [(f.line, f.message) for f in found] == [
        (4, "card 'ok': `back` is in one language only (the deck is in en, zh)")
    ]
    with_lang = parse(HEAD.replace("cards:", "lang: en\ncards:") + card)
    assert [f.message for f in only("missing-lang", with_lang)] == [
        "card 'ok': `back` has no zh (the deck is in en, zh)"
    ]
    english_only = "deck: d\ntitle: T\ncards:\n" + card.replace(
        "{en: Why?, zh: 为什么？}", "Why?"
    ).replace("{en: Reasons., zh: 理由。}", "Reasons.")
    assert only("missing-lang", parse(english_only)) == []  # one language: nothing to miss


def test_missing_language_in_a_choice_and_the_title() -> None:
    head = "deck: d\ntitle: T\nlang: en\ncards:\n"
    card = """\
  - id: pick
    type: choice
    front: {en: Which?, zh: 哪个？}
    choices: [{en: one, zh: 一个}, two]
    correct: 0
    explain: {en: one is right and two is wrong, zh: 一个 对，two 错}
    source: docs
"""
    found = [f.message for f in only("missing-lang", deck(card, head))]
    assert found == [
        "`title` has no zh (the deck is in en, zh)",
        "card 'pick': `choice 2` has no zh (the deck is in en, zh)",
    ]


OUTPUT = """\
  - id: out
    type: output
    front: {en: What is printed?, zh: 输出是什么？}
    code: |
      names = [n for n in ("LOAD_GLOBAL", "STORE_GLOBAL")]
      print(names)
    output: "['LOAD_GLOBAL', 'STORE_GLOBAL']\\n"
    explain: {en: It prints the list., zh: 打印列表。}
    source: docs
"""


def test_output_readable_off_the_code() -> None:
    found = only("output-in-code", deck(OUTPUT))
    assert [f.line for f in found] == [4]
    assert "LOAD_GLOBAL" in found[0].message
    reasoned = OUTPUT.replace(
        '("LOAD_GLOBAL", "STORE_GLOBAL")]', '("LOAD_GLOBAL", "STORE_GLOBAL") if "STORE" in n]'
    ).replace("['LOAD_GLOBAL', 'STORE_GLOBAL']", "['STORE_GLOBAL']")
    assert only("output-in-code", deck(reasoned)) == []


def test_output_in_code_ignores_short_answers_and_counts_exceptions() -> None:
    short = OUTPUT.replace("['LOAD_GLOBAL', 'STORE_GLOBAL']\\n", "a b\\n").replace(
        '("LOAD_GLOBAL", "STORE_GLOBAL")', '("a", "b")'
    )
    assert only("output-in-code", deck(short)) == []  # two letters are not an answer to copy
    raised = OUTPUT.replace("print(names)", 'raise ValueError("bad value here")').replace(
        "output: \"['LOAD_GLOBAL', 'STORE_GLOBAL']\\n\"", 'raises: "ValueError: bad value here"'
    )
    assert [f.line for f in only("output-in-code", deck(raised))] == [4]


CHOICE = """\
  - id: pick
    type: choice
    front: {en: Which runs on several cores?, zh: 哪个能用多个核？}
    choices:
      - {en: "`multiprocessing` worker processes", zh: "`multiprocessing` 的工作进程"}
      - {en: threads running pure Python, zh: 运行纯 Python 代码的线程}
      - {en: asyncio tasks, zh: asyncio 任务}
    correct: 0
    explain:
      en: Each process has its own GIL, so `multiprocessing` uses every core; threads running pure Python take turns.
      zh: 每个进程有自己的 GIL，`multiprocessing` 能用满所有核；运行纯 Python 代码的线程只能轮流执行。
    source: docs
"""


def test_choice_explain_must_discuss_every_choice() -> None:
    found = only("choice-explain", deck(CHOICE))
    assert [f.message for f in found] == [
        "card 'pick': `explain` (en) does not discuss choice 3",
        "card 'pick': `explain` (zh) does not discuss choice 3",
    ]
    fixed = CHOICE.replace("take turns.", "take turns; asyncio tasks share one thread.").replace(
        "只能轮流执行。", "只能轮流执行；asyncio 任务共用一个线程。"
    )
    assert only("choice-explain", deck(fixed)) == []


def test_a_place_does_not_discuss_a_choice() -> None:
    by_number = CHOICE.replace("take turns.", "take turns; (3) has one thread.").replace(
        "只能轮流执行。", "只能轮流执行；第 3 项只有一个线程。"
    )
    assert [f.message for f in only("choice-explain", deck(by_number))] == [
        "card 'pick': `explain` (en) does not discuss choice 3",
        "card 'pick': `explain` (zh) does not discuss choice 3",
    ]
    by_ordinal = CHOICE.replace("take turns.", "take turns; the last has one thread.").replace(
        "只能轮流执行。", "只能轮流执行；最后一项只有一个线程。"
    )
    assert len(only("choice-explain", deck(by_ordinal))) == 2


def test_choice_by_place() -> None:
    by_place = CHOICE.replace(
        "Each process has its own GIL, so `multiprocessing` uses every core; threads running "
        "pure Python take turns.",
        "The first is right, as each process has its own GIL. (2) take turns; option 3 has one "
        "thread.",
    ).replace(
        "每个进程有自己的 GIL，`multiprocessing` 能用满所有核；运行纯 Python 代码的线程只能轮流执行。",
        "第一项对：每个进程有自己的 GIL。运行纯 Python 代码的线程只能轮流执行；最后一项只有一个线程。",
    )
    found = only("choice-by-place", deck(by_place))
    assert [str(f) for f in found] == [
        "t.yaml:4: warning [choice-by-place]: card 'pick': `explain` (en) names choices 1, 2, 3 "
        "by their place; it cannot be shuffled: name them by their content",
        "t.yaml:4: warning [choice-by-place]: card 'pick': `explain` (zh) names choices 1, 3 "
        "by their place; it cannot be shuffled: name them by their content",
    ]
    one = CHOICE.replace("take turns.", "take turns, and so does the last.")
    assert [f.message for f in only("choice-by-place", deck(one))] == [
        "card 'pick': `explain` (en) names choice 3 by its place; it cannot be shuffled: "
        "name it by its content"
    ]
    fixed = CHOICE.replace("take turns.", "take turns; asyncio tasks share one thread.").replace(
        "只能轮流执行。", "只能轮流执行；asyncio 任务共用一个线程。"
    )
    assert only("choice-by-place", deck(fixed)) == []


def test_choice_by_place_reads_no_code_no_quoted_choice_and_no_counts() -> None:
    """What only looks like a place: code (`f(2)`, `open(a)`), a complexity (O(1)), a
    choice's own words quoted ("the first exception"), "第一次" (the first time) and
    "第三方" (third-party)."""
    choices = """    choices:
      - {en: "`gather` raises the first exception", zh: "`gather` 抛出第一个异常"}
      - {en: "`f(2)` is O(1)", zh: "`f(2)` 是 O(1)"}
      - {en: "third-party code", zh: 第三方代码}
    correct: 0
"""
    explain = """    explain:
      en: "`gather` raises the first exception: right. `f(2)` is O(1): no, a call `open(a)` is. Third-party code: it caches the answer of its first call."
      zh: "`gather` 抛出第一个异常：对。`f(2)` 是 O(1)：不对，`open(a)` 才是 O(1)。第三方代码：缓存会永远返回第一次的结果。"
"""
    card = CHOICE[: CHOICE.index("    choices:")] + choices + explain + "    source: docs\n"
    assert only("choice-by-place", deck(card)) == []
    assert only("choice-by-place", deck(card.replace("right.", "right, (a) too."))) != []


def test_every_bundled_choice_card_can_be_shuffled() -> None:
    """No bundled choice card names its choices by place, so each is shown in a new
    order: 59 of 70 once kept the deck's order because their explain said "(2)"."""
    import random

    from quiz.model import CardKind
    from quiz.review.choices import choice_order, deck_order, names_choices_by_place

    decks, problems = load_paths([REPO / "decks"])
    assert not problems
    cards = [c for d in decks for c in d.cards if c.kind is CardKind.CHOICE]
    assert cards
    assert [f"{c.deck}/{c.id}" for c in cards if names_choices_by_place(c)] == []
    for c in cards:
        orders = {choice_order(c, random.Random(seed)) for seed in range(20)}
        assert orders - {deck_order(c)}, f"{c.deck}/{c.id} is never shuffled"


def test_duplicate_fronts_within_and_across_decks() -> None:
    twice = GOOD_BASIC + GOOD_BASIC.replace("id: ok", "id: again")
    assert [(f.line, f.message) for f in only("duplicate-front", deck(twice))] == [
        (9, "card 'again' asks the same as 'd/ok' (t.yaml:4)")
    ]
    other = parse(
        (HEAD + GOOD_BASIC.replace("id: ok", "id: elsewhere")).replace("deck: d", "deck: e"),
        "u.yaml",
    )
    assert [f.path for f in only("duplicate-front", deck(GOOD_BASIC), other)] == ["u.yaml"]


def test_output_cards_with_one_front_but_different_code_are_not_duplicates() -> None:
    second = OUTPUT.replace("id: out", "id: out2").replace("print(names)", "print(len(names))")
    assert only("duplicate-front", deck(OUTPUT + second)) == []
    assert len(only("duplicate-front", deck(OUTPUT + OUTPUT.replace("id: out", "id: o2")))) == 1


def test_cloze_parts_are_linted_once() -> None:
    cloze = """\
  - id: cz
    type: cloze
    text: {en: "{{c1::a}} and {{c2::b}}", zh: "{{c1::甲}} 和 {{c2::乙}}"}
    explain: {en: E., zh: 解。}
"""
    assert rules(deck(cloze)) == [("no-source", 4)]


def test_the_shipped_decks_are_lint_clean() -> None:
    decks, problems = load_paths([REPO / "decks"])
    assert not problems
    assert [str(f) for f in lint_decks(decks)] == []
