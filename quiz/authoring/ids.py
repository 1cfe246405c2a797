"""Ids derived from text: readable ASCII slugs, or a short stable hash when the text has
no usable ASCII (Chinese notes), always unique within what is already taken.

Ids must match the deck format's patterns (card: `[a-z0-9][a-z0-9_-]*`, deck:
`[a-z0-9][a-z0-9-]*`), and the same text must give the same id on every run so that a
re-drafted deck keeps its cards' history.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Container

_NON_SLUG = re.compile(r"[^a-z0-9]+")
# CJK ideographs, kana, hangul, full-width forms: text a slug cannot spell.
_WIDE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
MAX_SLUG = 40


def slugify(text: str, max_len: int = MAX_SLUG) -> str:
    """`What is the GIL?` -> `what-is-the-gil`; accents dropped; '' when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        cut = slug[:max_len]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[max_len // 2 :] else cut
    return slug.strip("-")


def short_hash(text: str, length: int = 4) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def text_id(text: str, taken: Container[str], prefix: str = "card") -> str:
    """An id for a card made from `text`, not in `taken`.

    ASCII text gives its slug; text with CJK gives `<ascii-part>-<hash>` or
    `<prefix>-<hash>` (a stable 4-hex hash, longer on collision); a clash with a taken id
    adds `-2`, `-3`, ...
    """
    slug = slugify(text, 24 if _WIDE.search(text) else MAX_SLUG)
    if _WIDE.search(text) or len(slug) < 2:
        head = slug or prefix
        for length in (4, 6, 8):
            candidate = f"{head}-{short_hash(text, length)}"
            if candidate not in taken:
                return candidate
        slug = candidate
    return unique(slug, taken)


def unique(base: str, taken: Container[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def deck_id(name: str) -> str:
    """A deck id from a file name or title (`My Deck.yaml` -> `my-deck`); '' if none."""
    return slugify(name.removesuffix(".yaml").removesuffix(".yml"), 60)
