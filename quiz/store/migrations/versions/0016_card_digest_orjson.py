"""cards' content digests as quiz.model.content_digest now encodes them

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 15:10:00

A card's `content_hash` is what `quiz import` compares to tell a changed card from an
unchanged one. It was the SHA-256 of the card's JSON (keys sorted) as the standard
library's encoder writes it; it is now of the same JSON as orjson writes it (issue #19:
that encode was the largest part of an import's cost after parsing). Same content,
other bytes: every stored digest is recomputed here from the card's stored content, by
the one rule an import uses (`Card.content_hash`), so that importing an unchanged deck
after the upgrade still finds every card unchanged. Nothing else changes.

In batches, in the migration's one transaction (quiz.store.migrate): a kill in the
middle leaves the store at 0015 with its old digests, whole. A downgrade writes the
digests of the old encoding back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

from quiz.model import Card, card_from_dict, card_to_dict
from quiz.store.content import full_content

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BATCH = 20_000

CARDS = sa.table(
    "cards",
    sa.column("id", sa.Integer),
    sa.column("content", sa.JSON),
    sa.column("content_hash", sa.String),
    sa.column("key", sa.String),
    sa.column("kind", sa.String),
    sa.column("line", sa.Integer),
)


def _old_digest(card: Card) -> str:
    """The digest of revisions up to 0015 (json.dumps, sorted keys, UTF-8), for the
    downgrade: kept here as it was, not a rule anyone else runs."""
    data = card_to_dict(card, with_line=False)
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()[:16]


def _rehash(conn: sa.Connection, digest: Callable[[Card], str]) -> None:
    """Every card's `content_hash` recomputed from its stored content by `digest`."""
    top = -1
    while True:
        rows = conn.execute(
            sa.select(CARDS).where(CARDS.c.id > top).order_by(CARDS.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        changed: list[dict[str, Any]] = []
        for r in rows:
            if not r.content:
                continue
            try:
                card = card_from_dict(full_content(r.content, r.key, r.kind, r.line))
            except (TypeError, ValueError, KeyError, AttributeError):
                # content this program cannot read back: its old digest stays, and the
                # next import of its deck finds it changed and rewrites it, as it would
                continue
            new = digest(card)
            if new != r.content_hash:
                changed.append({"card": r.id, "digest": new})
        if changed:
            conn.execute(
                sa.update(CARDS)
                .where(CARDS.c.id == sa.bindparam("card"))
                .values(content_hash=sa.bindparam("digest")),
                changed,
            )
        top = rows[-1].id


def upgrade() -> None:
    _rehash(op.get_bind(), Card.content_hash)


def downgrade() -> None:
    _rehash(op.get_bind(), _old_digest)
