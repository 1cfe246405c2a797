"""The cloze syntax helpers the review screen uses."""

from __future__ import annotations

from quiz.deck import cloze

TEXT = (
    "Only {{c1::one thread}} runs bytecode under the {{c2::GIL::acronym}}; {{c1::one}} at a time."
)


def test_numbers():
    assert cloze.numbers(TEXT) == [1, 2]
    assert cloze.numbers("{{c10::x}} {{c2::y}}") == [2, 10]
    assert cloze.numbers("no gaps") == []


def test_question_hides_its_own_deletions_and_shows_the_others():
    assert cloze.question(TEXT, 1) == "Only [...] runs bytecode under the GIL; [...] at a time."
    assert (
        cloze.question(TEXT, 2)
        == "Only one thread runs bytecode under the [acronym]; one at a time."
    )


def test_reveal_and_answers():
    assert cloze.reveal(TEXT) == "Only one thread runs bytecode under the GIL; one at a time."
    assert cloze.answers(TEXT, 1) == ["one thread", "one"]
    assert cloze.answers(TEXT, 2) == ["GIL"]


def test_multiline_answers():
    assert cloze.answers("{{c1::two\nlines}}", 1) == ["two\nlines"]


def test_problems():
    assert cloze.problems(TEXT) == []
    assert cloze.problems("plain") == [
        "cloze text has no deletions (mark them like {{c1::answer}})"
    ]
    assert cloze.problems("{{c1::}}") == ["cloze deletion c1 is empty"]
    assert cloze.problems("{{c0::x}}") == ["cloze deletions are numbered from c1 (found c0)"]
    [malformed] = cloze.problems("{{c1::ok}} and {{c2:bad}}")
    assert malformed.startswith("malformed cloze deletion '{{c2:bad}}")
    assert cloze.problems("{{c1::never closed") and cloze.problems("{{c1::never closed")[
        0
    ].startswith("malformed")
