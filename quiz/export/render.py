"""One card as the two sides of a flashcard, as plain text (CSV) or HTML (Anki).

Text fields are Markdown: for Anki they are rendered to HTML with markdown-it (it comes
with rich) and code is highlighted by pygments with inline styles, so the colours show
in Anki without a stylesheet. Each kind maps onto question/answer:

- basic / typed: the question (and its code) / the answer(s);
- choice: the question and its numbered choices / the right choice(s), by number;
- output: the question ("What does this print?") and the code / the output, or the
  exception it raises; a card that varies shows its first variant, and its answer is the
  live run, which an Anki card cannot make: the back says how to run it;
- cloze: the text with its {{cN::...}} deletions as written (Anki's own syntax).

Every answer ends with the card's explanation when it has one.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from quiz.model import Card, CardKind, Text

OUTPUT_QUESTION = "What does this print?"


@dataclass(frozen=True)
class Sides:
    front: str
    back: str


def _t(text: Text | None, lang: str | None, deck_lang: str | None) -> str:
    return text.get(lang, deck_lang) if text is not None else ""


def _fence(code: str) -> str:
    ticks = "```" if "```" not in code else "~~~~"
    return f"{ticks}python\n{code.rstrip()}\n{ticks}"


def markdown_sides(card: Card, lang: str | None, deck_lang: str | None) -> Sides:
    """Both sides as Markdown (the CSV export; also the source of the HTML)."""
    t = lambda text: _t(text, lang, deck_lang)  # noqa: E731
    front: list[str] = []
    back: list[str] = []
    kind = card.kind
    varies = card.vary is not None
    if card.vary is not None:
        from quiz.deck.variants import apply

        card = apply(card, card.vary.first())
    if kind is CardKind.CLOZE:
        front.append(t(card.text))
    else:
        question = t(card.front) or (OUTPUT_QUESTION if kind is CardKind.OUTPUT else "")
        if question:
            front.append(question)
        if card.code:
            front.append(_fence(card.code))
    if kind is CardKind.BASIC:
        back.append(t(card.back))
    elif kind is CardKind.TYPED:
        back.append(" / ".join(f"`{a}`" if "`" not in a else a for a in card.answers))
    elif kind is CardKind.CHOICE:
        front.append("\n".join(f"{i + 1}. {t(choice)}" for i, choice in enumerate(card.choices)))
        back.append(
            "\n".join(
                f"- ({i + 1}) {t(card.choices[i])}" for i in card.correct if i < len(card.choices)
            )
        )
    elif kind is CardKind.OUTPUT:
        if varies:
            back.append(f"A new variant each review in quiz; run this one: `quiz run {card.key}`")
        elif card.raises is not None:
            back.append(f"Raises `{card.raises}`")
        elif card.output is not None:
            back.append(_fence(card.output) if card.output else "(prints nothing)")
    if card.explain is not None:
        back.append(t(card.explain))
    return Sides("\n\n".join(p for p in front if p), "\n\n".join(p for p in back if p))


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "highlight": highlight})


def highlight(code: str, lang: str, _attrs: object = None) -> str:
    """Code as HTML with inline colours (pygments); unknown languages as plain <pre>."""
    from pygments import highlight as pyg_highlight

    return pyg_highlight(code, _lexer(lang), _formatter())


@cache
def _lexer(lang: str):  # a pygments lexer, made once per language
    from pygments.lexers import PythonLexer, TextLexer, get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(lang) if lang else TextLexer()
    except ClassNotFound:
        return PythonLexer() if lang in ("py", "python3") else TextLexer()


@lru_cache(maxsize=1)
def _formatter():  # made once: its style table costs more than a card
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(noclasses=True, nowrap=False, style="friendly")


# Text CommonMark reads as one paragraph of its literal characters and code spans, which
# markdown-it renders as `<p>text <code>code</code></p>`: one line that starts with a
# letter, a digit or a code span (so that no block begins: a heading, list, quote, fence,
# rule or indented code all start otherwise) but not with an ordered list's number, and
# holds only letters, digits, single-line spaces and punctuation that means nothing inside
# a paragraph under the commonmark preset (no emphasis, code, link, escape, entity or
# HTML character, nothing that markdown-it escapes), ending in a non-space. A code span
# here is one backtick, then printable characters other than a backtick that neither
# start nor end with a space (which CommonMark would strip), then one backtick; two spans
# are never adjacent (a run of two backticks opens no single-backtick span). Everything
# inside a span is literal, so that only `<code>` and markdown-it's escaping of & < > "
# are added. tests/anki/test_render_plain.py holds it to the renderer.
# The characters outside code spans come in runs and the repeats are possessive: a text
# splits into runs and spans one way only (a backtick starts a span, which ends at the
# next one), so no other split is worth backtracking into, and the test of every card
# costs less.
_CHARS = r"[^\W_]++|[ ,.;:?!'()/%+=#$@-]++"
_SPAN = r"`(?! )[^`\x00-\x1f\x7f-\x9f]+(?<! )`"
_PLAIN = re.compile(rf"(?![0-9]+[.)])(?:[^\W_]|{_SPAN})(?:{_CHARS}|(?<!`){_SPAN})*+(?<! )")
_CODE_SPAN = re.compile(r"`([^`]+)`")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def _plain(markdown: str) -> bool:
    return _PLAIN.fullmatch(markdown) is not None


def _code(match: re.Match[str]) -> str:
    return f"<code>{match.group(1).translate(_ESCAPES)}</code>"


@lru_cache(maxsize=4096)  # a deck repeats some texts (explanations, answers)
def to_html(markdown: str) -> str:
    """A field's Markdown as HTML: markdown-it's rendering, done without parsing where
    the text is a plain paragraph (see `_PLAIN`)."""
    if _plain(markdown):
        return f"<p>{_CODE_SPAN.sub(_code, markdown)}</p>"
    return _markdown().render(markdown).strip()


def html_sides(card: Card, lang: str | None, deck_lang: str | None) -> Sides:
    """Both sides as HTML for Anki (cloze deletions survive: markdown leaves {{...}} alone)."""
    sides = markdown_sides(card, lang, deck_lang)
    if (
        card.kind is CardKind.OUTPUT
        and card.output is not None
        and card.raises is None
        and card.output
    ):
        back = highlight(card.output, "text")
        if card.explain is not None:
            back += to_html(_t(card.explain, lang, deck_lang))
        return Sides(to_html(sides.front), back)
    return Sides(to_html(sides.front), to_html(sides.back))


def escape(text: str) -> str:
    return html.escape(text, quote=False)
