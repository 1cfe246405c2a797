"""`quiz.model.make_card` (what the deck builder and `card_from_dict` make cards with) gives
the value `Card(**values)` gives: equal, with the same hash, the same defaults and the same
refusals, for every card of the repository's decks and of the generated big deck."""

from __future__ import annotations

import dataclasses
import pickle
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from quiz.deck import load_paths, parse_deck
from quiz.model import (
    Card,
    CardKind,
    CardState,
    Schedule,
    StoredCard,
    Text,
    frozen_maker,
    kept,
    make_card,
)

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(Path(__file__).parent))
from make_big_deck import make_deck_text  # type: ignore[import-not-found]  # noqa: E402


def _cards() -> list[Card]:
    decks, _problems = load_paths([ROOT / "decks", ROOT / "tests" / "deck" / "good"])
    big = parse_deck(make_deck_text(200).encode(), "big.yaml")
    return [card for deck in [*decks, big] for card in deck.cards]


def test_make_card_is_the_dataclass_value() -> None:
    cards = _cards()
    assert len(cards) > 200
    for card in cards:
        values = {f.name: getattr(card, f.name) for f in dataclasses.fields(Card)}
        built, made = Card(**values), make_card(values)
        assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
        assert made.key == built.key and made.note_key == built.note_key
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.id = "other"  # type: ignore[misc]  # frozen: the point of the test


def test_make_card_fills_defaults_and_refuses_what_card_refuses() -> None:
    assert make_card({"deck": "d", "id": "a", "kind": CardKind.BASIC}) == Card(
        deck="d", id="a", kind=CardKind.BASIC
    )
    with pytest.raises(TypeError):
        make_card({"deck": "d", "id": "a"})  # no kind
    with pytest.raises(TypeError):
        make_card({"deck": "d", "id": "a", "kind": CardKind.BASIC, "colour": "red"})


def test_frozen_maker_makes_what_init_makes() -> None:
    """With and without slots: equal, the same hash, repr and pickle, still frozen, the
    same defaults and the same refusals."""
    when = datetime(2026, 6, 1, 9, 30, 0, 123456, tzinfo=timezone.utc)
    card = make_card({"deck": "d", "id": "a", "kind": CardKind.BASIC, "front": Text.plain("q")})
    schedule = Schedule(CardState.REVIEW, None, 3.5, 5.0, when, when, 4, 1)
    cases: list[tuple[type, tuple[object, ...], dict[str, object]]] = [
        (Schedule, (CardState.REVIEW, None, 3.5, 5.0, when, when, 4, 1), {}),
        (Schedule, (), {}),
        (Text, ((("en", "x"), ("zh", "y")),), {}),
        (StoredCard, (7, card, schedule), {}),
        (StoredCard, (7, card, schedule, "p.yaml", True, False, "en", when), {}),
        (StoredCard, (7,), {"card": card, "schedule": schedule, "lang": "zh"}),
    ]
    for cls, args, kwargs in cases:
        built, made = cls(*args, **kwargs), frozen_maker(cls)(*args, **kwargs)
        assert type(made) is cls
        assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
        assert pickle.loads(pickle.dumps(made)) == built
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(made, dataclasses.fields(cls)[0].name, None)
    make_stored = frozen_maker(StoredCard)
    with pytest.raises(TypeError):
        make_stored(7, card)  # no schedule
    with pytest.raises(TypeError):
        make_stored(7, card, schedule, colour="red")


def test_frozen_maker_refuses_what_it_cannot_make_the_same_way() -> None:
    @dataclasses.dataclass(frozen=True)
    class Listed:
        items: list[int] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True)
    class Checked:
        n: int

        def __post_init__(self) -> None:
            assert self.n > 0

    @dataclasses.dataclass(frozen=True)
    class Derived:
        n: int
        twice: int = dataclasses.field(init=False, default=0)

    for cls in (Listed, Checked, Derived):
        with pytest.raises(TypeError, match="frozen_maker"):
            frozen_maker(cls)


def test_card_keys_are_kept_without_changing_the_card() -> None:
    """The keys are kept in the card's dict on first read (no lock): the card stays
    equal, hashed, shown and pickled as one never read, and frozen."""
    values = {"deck": "d", "id": "c#c1", "kind": CardKind.CLOZE, "note": "c", "cloze": 1}
    card, fresh = make_card(values), Card(**values)  # type: ignore[arg-type]  # Card's own fields
    assert isinstance(Card.__dict__["key"], kept) and isinstance(Card.__dict__["note_key"], kept)
    assert (card.key, card.note_key) == ("d/c#c1", "d/c")
    assert card.__dict__["key"] == "d/c#c1" and card.__dict__["note_key"] == "d/c"
    assert card == fresh and hash(card) == hash(fresh) and repr(card) == repr(fresh)
    again = pickle.loads(pickle.dumps(card))
    assert again == fresh and (again.key, again.note_key) == ("d/c#c1", "d/c")
    with pytest.raises(dataclasses.FrozenInstanceError):
        card.key = "other"  # type: ignore[misc]  # frozen: the point of the test
