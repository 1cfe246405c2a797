"""Notes -> a deck for the author to edit (`quiz draft`).

Every flashcard-like piece that `notes.mine` finds becomes a card: questions, Q/A pairs,
definitions and heading + paragraph become basic cards; a fenced Python block becomes
an output card whose expected `output` (or `raises`) is what the snippet really did when
run through `run` (the sandbox, handed in by the CLI; this module starts no process).
Each card is tagged with the heading it sits under and points back at its line in the
notes (`source`). Ids come from the text (`ids.text_id`), so drafting the same notes
twice gives the same ids. A snippet that times out, is killed or prints too much gets no
card, only a warning: its expected output would not be reproducible.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from quiz.authoring import notes as N
from quiz.authoring.ids import deck_id as make_deck_id
from quiz.authoring.ids import slugify, text_id
from quiz.authoring.tags import hoist_common_tags, topic_tag
from quiz.authoring.yaml_text import deck_text
from quiz.model import RunResult

Runner = Callable[[str], RunResult]
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Draft:
    deck: dict[str, object]
    warnings: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    def text(self, header: tuple[str, ...] = ()) -> str:
        return deck_text(self.deck, header)


def guess_lang(text: str) -> str:
    letters = _LETTER.findall(text)
    cjk = sum(1 for ch in letters if _CJK.match(ch))
    return "zh" if letters and cjk / len(letters) > 0.3 else "en"


def draft(
    text: str,
    source_name: str,
    run: Runner | None,
    *,
    deck: str | None = None,
    title: str | None = None,
    lang: str | None = None,
) -> Draft:
    """A deck (as data, in canonical key order) drafted from the notes `text`."""
    all_blocks = N.blocks(text)
    markdown = N.is_markdown(text)
    stem = source_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    first_h1 = next((b.text for b in all_blocks if isinstance(b, N.Heading) and b.level == 1), None)
    deck_title = title or (first_h1 if markdown and first_h1 else stem)
    cards: list[dict[str, object]] = []
    taken: set[str] = set()
    warnings: list[str] = []
    counts: dict[str, int] = {}
    for found in N.mine(all_blocks):
        tags = [t for t in (topic_tag(h) for h in found.headings[-1:]) if t]
        if markdown and found.headings:
            tags = [t for t in (topic_tag(h) for h in found.headings) if t]
        card: dict[str, object]
        if found.how == "code":
            if found.lang not in N.PYTHON_LANGS:
                continue
            card = _output_card(found, run, taken, source_name, warnings)
            if not card:
                continue
        else:
            if not found.front.strip() or not found.back.strip():
                continue
            card = {
                "id": text_id(found.front, taken, prefix="note"),
                "front": found.front,
                "back": found.back,
            }
        if tags:
            card["tags"] = list(dict.fromkeys(tags))
        card["source"] = f"{source_name}:{found.line}"
        taken.add(str(card["id"]))
        cards.append(card)
        counts[found.how] = counts.get(found.how, 0) + 1
    if not cards:
        warnings.append(
            "found nothing card-like in the notes; wrote one example card to start from"
        )
        cards.append({"id": "example", "front": "TODO: a question?", "back": "TODO: its answer."})
    deck_tags, cards = hoist_common_tags(cards)
    data: dict[str, object] = {
        "deck": deck or make_deck_id(stem) or "notes",
        "title": deck_title,
        "lang": lang or guess_lang(text),
    }
    if deck_tags:
        data["tags"] = deck_tags
    data["cards"] = cards
    return Draft(data, tuple(warnings), counts)


def _output_card(
    found: N.Found, run: Runner | None, taken: set[str], source_name: str, warnings: list[str]
) -> dict[str, object]:
    where = f"{source_name}:{found.line}"
    if run is None:
        warnings.append(f"{where}: code block not run (no sandbox); skipped")
        return {}
    result = run(found.code)
    if result.timed_out or result.signal or result.truncated:
        why = (
            "timed out"
            if result.timed_out
            else ("printed too much" if result.truncated else "was killed")
        )
        warnings.append(f"{where}: the snippet {why}; no card made for it")
        return {}
    first = next((line.strip() for line in found.code.splitlines() if line.strip()), "snippet")
    card: dict[str, object] = {
        "id": text_id(f"out {first}", taken)
        if slugify(first)
        else text_id(found.code, taken, "out"),
        "type": "output",
        "code": found.code,
    }
    if result.exception:
        card["raises"] = result.exception
    else:
        card["output"] = result.stdout
    return card
