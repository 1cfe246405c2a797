"""Generated decks of every card type, sound and broken, read as they were read when
their readings were recorded: every card's every field and line, or every problem in
its order (issue #19: the loader made faster must read the same).

`readings.txt` holds one digest per deck: of `sound_deck` below, then of
`tests.fuzz.inputs.structured_deck` (seed 19 each), recorded before the loader's speed work of issue #19. A deliberate change to what
the loader reads, to `Card` or to that generator is recorded again with

    python -m tests.deck.test_deck_readings > tests/deck/readings.txt

after checking, deck by deck, that each changed reading is the one intended.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from quiz.deck import parse_deck
from quiz.errors import DeckError
from tests.fuzz.inputs import structured_deck

READINGS = Path(__file__).parent / "readings.txt"
DECKS = 600
# `re`'s own words for a pattern it refuses change between Python versions
_REGEX = "is not a valid regular expression (match: regex): "


def reading(data: bytes) -> str:
    """The deck as `repr` shows it (each card, all fields), or its problems."""
    try:
        return repr(parse_deck(data, "fuzz.yaml"))
    except DeckError as exc:
        return "\n".join(f"{p.line}: {p.message.partition(_REGEX)[0]}" for p in exc.problems)


_TEXTS = ("Q?", "'quoted: text'", '"x \\" y"', "|\n      block\n      text", ">\n      folded")
_MAPS = ("\n      en: One\n      zh: 一", "{en: A, fr: B}")
_BAD_TEXTS = ("yes", "1.5", "{en: ''}", "{}", "''")


def _text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.02:
        return rng.choice(_BAD_TEXTS)
    return rng.choice(_MAPS) if roll < 0.2 else rng.choice(_TEXTS)


def sound_deck(rng: random.Random) -> bytes:
    """A deck of every card type with optional keys drawn at random, most cards sound,
    a few with one thing wrong (a value, a key, a reference)."""
    out = [
        "deck: gen",
        f"title: {_text(rng)}",
        rng.choice(["", "lang: en", "lang: zh-Hans"]),
        rng.choice(["", "tags: [a, b, a]", "tags: []"]),
        rng.choice(["", "python: '>=3.10'"]),
        "cards:",
    ]
    count = rng.randint(1, 8)
    for n in range(count):
        kind = rng.choice(("basic", "typed", "choice", "cloze", "output"))
        card = [f"  - id: c{n}" if rng.random() < 0.95 else f"  - id: c{n - 1}"]
        if kind != "basic" or rng.random() < 0.5:
            card.append(f"    type: {kind}")
        if kind == "basic":
            card += [f"    front: {_text(rng)}", f"    back: {_text(rng)}"]
        elif kind == "typed":
            card += [
                f"    front: {_text(rng)}",
                rng.choice(["    answer: '4'", "    answer: [a, b]"]),
            ]
        elif kind == "choice":
            card += [f"    front: {_text(rng)}", "    choices: [x, {en: y}, z]"]
            card.append(
                rng.choice(["    correct: 1", "    correct: [0, 2]"] * 9 + ["    correct: 3"])
            )
        elif kind == "cloze":
            card.append(
                rng.choice(
                    [
                        "    text: '{{c1::a}} and {{c2::b::hint}}'",
                        "    text: '{{c1::a}} {{c1::b}}'",
                        "    text: {en: '{{c1::a}}', zh: '{{c1::甲}}'}",
                    ]
                )
            )
        else:
            card.append(
                rng.choice(["    code: print(1)", "    code: |\n      x = 1\n      print(x)"])
            )
            if rng.random() < 0.2:
                card += ["    vary: {n: {range: [1, 3]}}", "    front: 'n is {{n}}'"]
            else:
                card.append(
                    rng.choice(
                        ["    output: '1'", "    raises: TypeError", "    output: |\n      1\n"]
                    )
                )
                if rng.random() < 0.3:
                    card.append("    accept: ['1.0', '']")
                card.append(rng.choice(["", "    match: literal", "    match: regex"]))
            card.append(
                rng.choice(["", "    python: '>=3.11'", "    timeout: 2", "    timeout: 0.5"])
            )
        card.append(rng.choice(["", f"    explain: {_text(rng)}", "    source: notes §1"]))
        card.append(rng.choice(["", "    tags: [b, c]", "    tags: [x]"]))
        if n and rng.random() < 0.3:
            card.append(
                rng.choice([f"    requires: [c{rng.randrange(n)}]", "    requires: [other/x]"])
            )
        if rng.random() < 0.05:
            card.append(rng.choice(["    fronts: x", "    back: y", "    requires: [nowhere]"]))
        out += [line for line in card if line]
    return ("\n".join(line for line in out if line) + "\n").encode()


def readings() -> list[str]:
    sound, broken = random.Random(19), random.Random(19)
    decks = [sound_deck(sound) for _ in range(DECKS)] + [
        structured_deck(broken) for _ in range(DECKS)
    ]
    return [
        f"{i} {hashlib.sha256(reading(data).encode()).hexdigest()[:16]}"
        for i, data in enumerate(decks)
    ]


def test_generated_decks_read_as_recorded():
    recorded = READINGS.read_text().splitlines()
    now = readings()
    changed = [line.split()[0] for line, was in zip(now, recorded, strict=True) if line != was]
    assert not changed, f"decks read differently than recorded: {', '.join(changed[:20])}"


def test_the_recording_has_decks_and_problems():
    """The decks recorded are a mix: many load, many are refused, for varied reasons."""
    rng = random.Random(19)
    outcomes = [reading(sound_deck(rng)) for _ in range(DECKS)]
    loaded = sum(text.startswith("Deck(") for text in outcomes)
    assert DECKS // 3 < loaded < DECKS - 50
    assert len(set(outcomes)) > DECKS * 9 // 10


if __name__ == "__main__":
    print("\n".join(readings()))
