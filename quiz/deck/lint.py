"""Content lint: the mistakes a careful reviewer finds in cards that load fine.

Pure core: decks in, findings out; no files, no sandbox. `quiz check` prints the
findings as warnings (`path:line: warning [rule]: ...`) and, under `--strict`, counts
them as problems. The one rule that needs a live run (a `python:` pin that an excluded
interpreter shows to be unnecessary) lives at the check edge, in quiz.verify.

Each rule is written so a machine can decide it, which means each is a proxy for what a
reviewer wants; the README ("Writing decks") states them for authors:

- `output-in-code`: an output card whose whole expected answer (output, then the
  exception), read as words with punctuation and quotes ignored, appears as one run in
  its code, at least two words and six letters long. The learner can copy the answer instead of
  predicting it (`print(["a", "b"])` -> `['a', 'b']`).
- `choice-explain`: a choice card whose `explain` does not discuss every choice, in
  every language the card has. A choice counts as discussed when the explain contains
  its text; or one of its `code spans`; or three consecutive words of it (four
  consecutive CJK characters in Chinese). Naming it by its place does not count.
- `choice-by-place`: a choice card whose `explain` names a choice by its place: by
  number or letter (`(2)`, `#2`, `choice 2`, `option 2`, `第 2`, `(b)`) or an ordinal
  (`the first`, `the last`, `第一`, `最后`), outside code spans and the choices' own
  text. Such a card cannot be shuffled (quiz.review.choices reads the same markers), so
  its explanation must name each choice by its content.
- `no-explain`, `no-source`: a card without `explain` or without `source`.
- `todo`: a card that still holds the word `TODO` in what the learner sees or is graded
  against (front, back, cloze text, choices, answers, code, output, explain): the
  placeholder text of a skeleton from `quiz new card` / `quiz new deck`, which loads fine
  and would otherwise be learnt as the answer.
- `missing-lang`: a text without one of the deck's languages, when the deck is
  multilingual (some text of it has more than one language).
- `undeclared-placeholder`: code that writes `{{name}}` for a name its card's `vary:`
  does not declare (or a card without `vary:`), and is not valid Python that way (with
  the declared names substituted): a placeholder the author forgot to declare. A
  `{{x}}` that compiles (an f-string's doubled braces) is left alone. On a card with
  `vary:`, a `{{name}}` in `front` or `explain` that it does not declare.
- `duplicate-front`: two cards (in any of the decks checked together) that ask the
  same thing: the same front (or cloze text) in some language and the same code.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from quiz.model import Card, CardKind, Deck, Text

RULES = (
    "output-in-code",
    "choice-explain",
    "choice-by-place",
    "no-explain",
    "no-source",
    "todo",
    "missing-lang",
    "duplicate-front",
    "unneeded-pin",
    "undeclared-placeholder",
)

_WORD = re.compile(r"\w+")
_TODO = re.compile(r"\bTODO\b")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CODE_SPAN = re.compile(r"`([^`]+)`")
_ORDINALS_EN = ("first", "second", "third", "fourth", "fifth", "sixth")
_ORDINALS_ZH = ("一", "二", "三", "四", "五", "六")


@dataclass(frozen=True)
class Finding:
    """One lint finding: a rule, where, and what is wrong."""

    rule: str
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: warning [{self.rule}]: {self.message}"


def lint_decks(decks: Sequence[Deck]) -> list[Finding]:
    """Every finding for `decks`, checked together (duplicates are found across them)."""
    findings: list[Finding] = []
    for deck in decks:
        findings.extend(lint_deck(deck))
    findings.extend(_duplicates(decks))
    findings.sort(key=lambda f: (f.path, f.line or 0, f.rule))
    return findings


def lint_deck(deck: Deck) -> list[Finding]:
    """The findings of one deck on its own (no duplicate check across decks)."""
    found: list[Finding] = []
    langs = _deck_languages(deck)
    if len(langs) > 1:
        for name, value in (("title", deck.title), ("description", deck.description)):
            found.extend(_missing_lang(deck, None, name, value, langs, deck.line))
    for card in _notes(deck.cards):
        found.extend(_card_findings(deck, card, langs))
    return found


def _notes(cards: Iterable[Card]) -> list[Card]:
    """One card per note: a cloze note's parts share every field the rules read."""
    return [card for card in cards if card.cloze in (None, 1)]


def _card_findings(deck: Deck, card: Card, langs: tuple[str, ...]) -> list[Finding]:
    out: list[Finding] = []
    name = card.note or card.id

    def add(rule: str, message: str) -> None:
        out.append(Finding(rule, deck.path, card.line, f"card '{name}': {message}"))

    if card.explain is None:
        add("no-explain", "no `explain` (say why the answer is right)")
    if not card.source:
        add("no-source", "no `source` (point to the docs, a PEP or the notes)")
    todo = _todo_fields(card)
    if todo:
        add("todo", f"placeholder `TODO` text left in {', '.join(todo)} (write the card)")
    if len(langs) > 1:
        texts: list[tuple[str, Text | None]] = [
            ("front", card.front),
            ("back", card.back),
            ("explain", card.explain),
            ("text", card.text),
        ]
        texts += [(f"choice {i + 1}", choice) for i, choice in enumerate(card.choices)]
        for label, value in texts:
            for finding in _missing_lang(deck, card, label, value, langs, card.line):
                out.append(finding)
    if card.code is not None:
        stray = _stray_placeholders(card)
        if stray:
            names = ", ".join(f"{{{{{n}}}}}" for n in stray)
            declared = (
                f"`vary:` declares only {', '.join(card.vary.names)}"
                if card.vary is not None
                else "the card has no `vary:`"
            )
            add(
                "undeclared-placeholder",
                f"the code writes {names}, which is not Python and not substituted "
                f"({declared}); declare it under `vary:` or fix the code",
            )
    if card.vary is not None:
        from quiz.deck.variants import undeclared

        for label, value in (("front", card.front), ("explain", card.explain)):
            for lang, text in value.variants if value is not None else ():
                stray = undeclared(text, card.vary.names)
                if stray:
                    where = f"`{label}`" + (f" ({lang})" if lang else "")
                    names = ", ".join(f"{{{{{n}}}}}" for n in stray)
                    add(
                        "undeclared-placeholder",
                        f"{where} writes {names}, which `vary:` does not declare "
                        "(it would be shown as written)",
                    )
    if card.kind is CardKind.OUTPUT:
        copied = _copied_answer(card)
        if copied:
            add("output-in-code", f"the expected answer {copied!r} can be read off the code")
    if card.kind is CardKind.CHOICE and card.explain is not None:
        for lang, numbers in _undiscussed(card).items():
            shown = ", ".join(str(n) for n in numbers)
            plural = "s" if len(numbers) > 1 else ""
            where = f" ({lang})" if lang else ""
            add("choice-explain", f"`explain`{where} does not discuss choice{plural} {shown}")
        for lang, explain in card.explain.variants:
            numbers = named_by_place(explain, [choice.get(lang) for choice in card.choices])
            if numbers:
                shown = ", ".join(str(n) for n in numbers)
                one = len(numbers) == 1
                where = f" ({lang})" if lang else ""
                add(
                    "choice-by-place",
                    f"`explain`{where} names choice{'' if one else 's'} {shown} by "
                    f"{'its' if one else 'their'} place; it cannot be shuffled: name "
                    f"{'it' if one else 'them'} by {'its' if one else 'their'} content",
                )
    return out


def _stray_placeholders(card: Card) -> list[str]:
    """`{{x}}`-looking names in the code that are not declared and leave the code not
    valid Python (with the declared names substituted by their first values). A `{{x}}`
    that compiles (an f-string's escaped braces, a set of a set) is the author's Python."""
    from quiz.deck.variants import apply, undeclared

    declared = card.vary.names if card.vary is not None else ()
    code = card.code or ""
    stray = undeclared(code, declared)
    if not stray:
        return []
    if card.vary is not None:
        code = apply(card, card.vary.first()).code or ""
    try:
        compile(code, "<card>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return stray
    return []


def _todo_fields(card: Card) -> list[str]:
    """The fields of `card` that still hold a skeleton's `TODO` placeholder."""
    texts: list[tuple[str, Text | None]] = [
        ("front", card.front),
        ("back", card.back),
        ("text", card.text),
        ("explain", card.explain),
    ]
    texts += [("choices", choice) for choice in card.choices]
    plain: list[tuple[str, str | None]] = [("code", card.code), ("output", card.output)]
    plain += [("answer", answer) for answer in card.answers]
    found: list[str] = []
    # `"TODO" in` first: the plain test turns away almost every text, the pattern decides
    for name, text in texts:
        if text is not None and any("TODO" in v and _TODO.search(v) for _, v in text.variants):
            found.append(name)
    for name, value in plain:
        if value and "TODO" in value and _TODO.search(value):
            found.append(name)
    return list(dict.fromkeys(found))


def _deck_languages(deck: Deck) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    texts: list[Text | None] = [deck.title, deck.description]
    for card in deck.cards:
        texts += [card.front, card.back, card.explain, card.text, *card.choices]
    for text in texts:
        if text is not None:
            for lang in text.languages:
                seen.setdefault(lang, None)
    return tuple(seen)


def _missing_lang(
    deck: Deck,
    card: Card | None,
    label: str,
    value: Text | None,
    langs: tuple[str, ...],
    line: int | None,
) -> list[Finding]:
    if value is None:
        return []
    has = value.languages
    missing = [lang for lang in langs if lang not in has]
    if not missing:
        return []
    owner = f"card '{card.note or card.id}': " if card is not None else ""
    what = f"has no {', '.join(missing)}" if has else "is in one language only"
    return [
        Finding(
            "missing-lang",
            deck.path,
            line,
            f"{owner}`{label}` {what} (the deck is in {', '.join(langs)})",
        )
    ]


# -- output-in-code ---------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text))


def _copied_answer(card: Card) -> str | None:
    answer = "\n".join(part for part in (card.output or "", card.raises or "") if part.strip())
    want = _words(answer)
    if len(want) < 2 or len("".join(want)) < 6 or not card.code:
        return None
    have = _words(card.code)
    n = len(want)
    for start in range(len(have) - n + 1):
        if have[start : start + n] == want:
            return answer.strip()
    return None


# -- choice-explain ---------------------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _ngrams(items: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(items[i : i + n]) for i in range(len(items) - n + 1)}


def _markers(index: int, count: int) -> list[str]:
    n = index + 1
    letter = chr(ord("a") + index)
    marks = [f"({n})", f"#{n}", f"choice {n}", f"option {n}", f"第 {n}", f"第{n}", f"({letter})"]
    if index < len(_ORDINALS_EN):
        marks += [f"the {_ORDINALS_EN[index]}", f"第{_ORDINALS_ZH[index]}"]
    if index == count - 1:
        marks += ["the last", "最后"]
    return marks


def named_by_place(explain: str, choices: Sequence[str]) -> list[int]:
    """The numbers (from 1) of the choices `explain` names by their place ("(2)", "the
    third", "第三项", "the last"). Code (`f(2)` in a code span) is not read, nor a
    choice's own words quoted when they hold a marker (a choice that says "the first
    exception"): they name the choice by its content. The one reading for the
    `choice-by-place` rule and for the shuffling of choices (quiz.review.choices)."""
    patterns, anywhere = _place_patterns(len(choices))

    def places(text: str) -> list[int]:
        if not anywhere.search(text):  # most texts hold no marker: one search, not dozens
            return []
        return [i + 1 for i, marks in enumerate(patterns) if any(m.search(text) for m in marks)]

    said = _fold(_CODE_SPAN.sub(" ", explain))
    for choice in sorted(choices, key=len, reverse=True):
        quoted = _fold(_CODE_SPAN.sub(" ", choice)).strip().rstrip(".。")
        if quoted and places(quoted):
            said = said.replace(quoted, " ")
    return places(said)


@functools.lru_cache(maxsize=64)
def _place_patterns(count: int) -> tuple[list[list[re.Pattern[str]]], re.Pattern[str]]:
    """Each of `count` choices' place patterns, and one pattern that finds any of their
    markers as plain text: a text without one names no choice by its place (a literal
    alternation is searched many times faster than the patterns one by one)."""
    markers = [_markers(i, count) for i in range(count)]
    patterns = [[_place_pattern(mark) for mark in marks] for marks in markers]
    anywhere = "|".join(re.escape(mark) for marks in markers for mark in marks)
    return patterns, re.compile(anywhere or "(?!)")


@functools.lru_cache(maxsize=256)
def _place_pattern(mark: str) -> re.Pattern[str]:
    """`mark` as a pattern that does not match inside a longer number or word
    ("choice 2" is not in "choice 23", "the first" is not in "the firsts"), as a call
    or a complexity ("(1)" is not in "o(1)" or "f(1)"), as a count of times ("第一次")
    or as "third-party" ("第三方")."""
    head = r"(?<![\w)\]])" if mark.startswith("(") else ""
    if mark[-1].isascii() and mark[-1].isalnum():
        tail = r"(?![0-9a-z])"
    elif mark.startswith("第"):
        tail = r"(?![0-9次方])"
    else:
        tail = ""
    return re.compile(head + re.escape(mark) + tail)


def _discusses(explain: str, choice: str) -> bool:
    folded, said = _fold(explain), _fold(choice)
    if said.rstrip(".。") in folded:
        return True
    if any(_fold(span) in folded for span in _CODE_SPAN.findall(choice) if span.strip()):
        return True
    words = [w.casefold() for w in _words(_HAN.sub(" ", choice))]
    if len(words) >= 3 and _ngrams(words, 3) & _ngrams(
        [w.casefold() for w in _words(_HAN.sub(" ", explain))], 3
    ):
        return True
    han = "".join(_HAN.findall(choice))
    return any(
        chunk[i : i + 4] in explain for chunk in _HAN.findall(choice) for i in range(len(chunk) - 3)
    ) or (0 < len(han) < 4 and han in explain)


def _undiscussed(card: Card) -> dict[str, list[int]]:
    """Per language of the explain: the 1-based numbers of the choices it never discusses."""
    assert card.explain is not None
    out: dict[str, list[int]] = {}
    for lang, explain in card.explain.variants:
        missing = [
            i + 1
            for i, choice in enumerate(card.choices)
            if not _discusses(explain, choice.get(lang))
        ]
        if missing:
            out[lang] = missing
    return out


# -- duplicate-front --------------------------------------------------------------------


def _asks(card: Card) -> list[tuple[str, str]]:
    """What a card asks, one key per language: (front or cloze text, code)."""
    question = card.text if card.kind is CardKind.CLOZE else card.front
    if question is None:
        return []
    code = "\n".join(line.rstrip() for line in (card.code or "").strip().splitlines())
    return [(_fold(value), code) for _, value in question.variants]


def _duplicates(decks: Sequence[Deck]) -> list[Finding]:
    first: dict[tuple[str, str], tuple[Deck, Card]] = {}
    found: list[Finding] = []
    for deck in decks:
        for card in _notes(deck.cards):
            for key in _asks(card):
                earlier = first.get(key)
                if earlier is None:
                    first[key] = (deck, card)
                    continue
                other_deck, other = earlier
                if other is card:
                    continue
                where = f"{other_deck.path}:{other.line}"
                found.append(
                    Finding(
                        "duplicate-front",
                        deck.path,
                        card.line,
                        f"card '{card.note or card.id}' asks the same as "
                        f"'{other_deck.id}/{other.note or other.id}' ({where})",
                    )
                )
                break
    return found
