"""The order a choice card's choices are shown in, and the learner's picks read back.

Choices are shuffled per showing so the learner learns the answer, not its place; the
deck's `correct` keeps naming choices in the deck's order, and a pick is turned back into
the deck's numbers before it is graded or stored (so `quiz stats` and the deck's author
see the deck's numbering whatever order a learner saw). The order is drawn from a
random generator handed in, seeded by the card and its review number in the prompter: a
card shows the same order until it is answered, and again after an undo.

A card whose `explain` names a choice by its place ("the third", "(2)", "第三项") is not
shuffled, or its explanation would point at the wrong choice; it is read the way `quiz
check`'s `choice-by-place` rule reads it (quiz.deck.lint), one list of markers for both.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass

from quiz.model import Card, CardKind, StoredCard

log = logging.getLogger("quiz.review.choices")


@dataclass(frozen=True)
class ChoiceOrder:
    """`shown[i]` is the deck index (from 0) of the choice shown as number i + 1."""

    shown: tuple[int, ...]

    @property
    def shuffled(self) -> bool:
        return self.shown != tuple(range(len(self.shown)))

    def number(self, deck_index: int) -> int:
        """The number (from 1) the learner sees the deck's choice `deck_index` under."""
        return self.shown.index(deck_index) + 1

    def to_deck(self, picks: str) -> str:
        """The learner's picks ("1 3", numbers as shown) in the deck's numbers; anything
        that is not a set of shown numbers is handed back as it is, to be refused."""
        from quiz.grading import parse_picks

        try:
            indices = parse_picks(picks, letters=False)
        except ValueError:
            return picks
        if any(i >= len(self.shown) for i in indices):
            return picks
        return " ".join(str(n) for n in sorted(self.shown[i] + 1 for i in indices))


def deck_order(card: Card) -> ChoiceOrder:
    return ChoiceOrder(tuple(range(len(card.choices))))


def names_choices_by_place(card: Card) -> bool:
    """Whether the card's explain, in any language, refers to a choice by its place."""
    if card.explain is None:
        return False
    from quiz.deck.lint import named_by_place  # the choice-by-place rule's own reading

    return any(
        named_by_place(text, [choice.get(lang) for choice in card.choices])
        for lang, text in card.explain.variants
    )


def choice_order(card: Card, rng: random.Random) -> ChoiceOrder:
    """The choices in an order drawn from `rng`; the deck's order for a card that is not
    a choice card or whose explain names its choices by place."""
    order = deck_order(card)
    if card.kind != CardKind.CHOICE or len(card.choices) < 2:
        return order
    if names_choices_by_place(card):
        log.debug("choices kept in the deck's order: %s's explain names them by place", card.key)
        return order
    shown = list(order.shown)
    rng.shuffle(shown)
    return ChoiceOrder(tuple(shown))


def seeded(item: StoredCard, salt: str = "") -> random.Random:
    """The generator for one showing of `item`: its key and review number (the same
    order until it is answered, and after an undo)."""
    return random.Random(f"{salt}{item.card.key}#{item.schedule.reps}")
