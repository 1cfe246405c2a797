"""Tags of drafted and exported decks: topic tags from headings, and deck-wide tags.

A deck's `tags` are inherited by every card (prepended to the card's own), so tags that
start every card's list can be written once at the deck level and the cards come out
exactly the same when the deck is loaded again.
"""

from __future__ import annotations

import re

_TAG_JUNK = re.compile(r"[^\w+#-]+")


def topic_tag(heading: str) -> str | None:
    """`Python GIL 全局解释器锁` -> `python-gil-全局解释器锁` (a valid tag, or None)."""
    tag = _TAG_JUNK.sub("-", heading.lower()).strip("-")
    tag = re.sub(r"-{2,}", "-", tag)[:40].strip("-")
    return tag or None


def hoist_common_tags(cards: list[dict[str, object]]) -> tuple[list[str], list[dict[str, object]]]:
    """The longest tag prefix all cards share (as deck tags), and the cards without it."""
    lists = [list(card.get("tags", ())) for card in cards]  # type: ignore[call-overload]  # a card's tags value is a list of str
    if not lists:
        return [], cards
    common: list[str] = []
    for column in zip(*lists, strict=False):
        if all(tag == column[0] for tag in column):
            common.append(column[0])
        else:
            break
    if not common:
        return [], cards
    out = []
    for card, tags in zip(cards, lists, strict=False):
        card = dict(card)
        rest = tags[len(common) :]
        if rest:
            card["tags"] = rest
        else:
            card.pop("tags", None)
        out.append(card)
    return common, out
