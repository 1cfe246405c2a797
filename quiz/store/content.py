"""A card's content as the store keeps it: compact, without the fields at their defaults
nor those its row's columns hold (migration 0012).

Its own module, free of SQLAlchemy, because the lean read path (`quiz.store.lean`, for
`quiz run DECK/ID`) reads stored content with the standard library's sqlite3 and must
put it back together by the same rule as the full store.
"""

from __future__ import annotations

from typing import Any

from quiz.model import card_defaults

__all__ = ["CONTENT_DEFAULTS", "compact_content", "full_content", "without_columns"]


# each Card field's default, as `card_to_dict` writes it (tuples as lists)
CONTENT_DEFAULTS = card_defaults()


def compact_content(
    content: dict[str, Any],
    key: str | None = None,
    kind: str | None = None,
    line: int | None = None,
) -> dict[str, Any]:
    """A card's stored content without the fields at their defaults, which
    `card_from_dict` fills in again, nor the ones its row's columns hold (`key`: deck and
    id, `kind`, `line`) where they agree; `full_content` puts them back (migration 0012: a
    generated card's 480 bytes of JSON were two-thirds nulls, empty lists and copies)."""
    out: dict[str, Any] = {}
    for k, v in content.items():
        default = _DEFAULTS.get(k)
        if default is not None and type(v) is default[1] and v == default[0]:
            continue  # at its default, of the default's type
        out[k] = v
    return out if key is None else without_columns(out, key, kind, line)


def without_columns(
    content: dict[str, Any], key: str, kind: str | None, line: int | None
) -> dict[str, Any]:
    """`content` without the fields its row's columns hold where they agree: the second
    half of `compact_content`, for content already without its defaults
    (`card_to_dict(card, defaults=False)`, which an import hashes first). Changes and
    returns `content` itself, which the caller hands over."""
    for k, v in _from_columns(key, kind, line).items():
        if k in content and content[k] == v:
            del content[k]
    return content


# each default with its type, looked up once per field (an import compacts every card)
_DEFAULTS = {k: (v, type(v)) for k, v in CONTENT_DEFAULTS.items()}


def full_content(content: dict[str, Any], key: str, kind: str, line: int) -> dict[str, Any]:
    """A card's content as `card_to_dict` wrote it, from its compact form and its row."""
    return {**_from_columns(key, kind, line), **content}


def _from_columns(key: str | None, kind: str | None, line: int | None) -> dict[str, Any]:
    deck, _, card_id = (key or "").partition("/")
    return {"deck": deck, "id": card_id, "kind": kind, "line": line}
