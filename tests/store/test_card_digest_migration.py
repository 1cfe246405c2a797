"""Migration 0016 (cards' content digests as orjson encodes them) on a store written by an
older program (tests/store/data/store_0011.json, whose digests are the old encoding's):
every digest becomes the one an import computes today, so importing the same deck files
again finds every card unchanged (nothing rewritten, no change time moved); a downgrade
gives back the old digests exactly. A kill in the middle of it is in test_migration_kill.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, text

from quiz.model import card_from_dict
from quiz.store.content import full_content
from tests.store.helpers import upgrade_to
from tests.store.test_lean_migration import load_0011, recorded


def _down(url: str, revision: str) -> None:
    from alembic import command

    from quiz.store.migrate import _alembic_config

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            command.downgrade(_alembic_config(conn), revision)
    finally:
        engine.dispose()


def _cards(url: str) -> dict[str, tuple[str, object, object]]:
    """key -> (content digest, change time, content) of every card."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text('SELECT "key", content_hash, changed_at, content, kind, line FROM cards')
            ).all()
    finally:
        engine.dispose()
    return {r[0]: (r[1], r[2], (r[3], r[4], r[5])) for r in rows}


def test_an_older_store_keeps_its_cards_unchanged_through_0016(store_url, tmp_path, cli):  # type: ignore[no-untyped-def]
    from tests.store.make_store_0011 import BASICS, TYPED

    data = recorded()
    old_digests = {row["key"]: row["content_hash"] for row in data["tables"]["cards"]}
    load_0011(store_url, data["tables"])
    upgrade_to(store_url, "0015")
    at_0015 = _cards(store_url)
    assert {k: v[0] for k, v in at_0015.items()} == old_digests

    upgrade_to(store_url, "head")
    migrated = _cards(store_url)
    assert migrated.keys() == at_0015.keys()
    for key, (digest, changed_at, (content, kind, line)) in migrated.items():
        content = content if isinstance(content, dict) else json.loads(content)
        card = card_from_dict(full_content(content, key, kind, line))
        assert digest == card.content_hash() != old_digests[key], key
        assert changed_at == at_0015[key][1] and content is not None

    # the same files, imported again (from another folder: parsed, not skipped)
    for name, deck in (("basics.yaml", BASICS), ("typed.yaml", TYPED)):
        (tmp_path / name).write_text(deck, encoding="utf-8")
    result = cli("import", str(tmp_path / "basics.yaml"), str(tmp_path / "typed.yaml"))
    assert result.exit_code == 0, result.output
    assert "added" not in result.output and "updated" not in result.output, result.output
    assert _cards(store_url) == migrated  # not a row rewritten

    _down(store_url, "0015")
    assert {k: v[0] for k, v in _cards(store_url).items()} == old_digests


def test_a_new_card_digest_is_the_one_the_migration_computes(tmp_path: Path) -> None:
    """What an import stores and what 0016 recomputes for the same card agree: both are
    `Card.content_hash` (the migration reads the compact stored content back)."""
    from quiz.deck import parse_deck
    from quiz.model import card_to_dict
    from quiz.store.content import compact_content

    deck = parse_deck(
        b"deck: d\ntitle: {en: T, zh: t}\nlang: en\ncards:\n"
        b"  - id: a\n    front: {zh: q, en: Q}\n    back: '\xc3\xa9'\n    tags: [x]\n"
        b"  - id: o\n    type: output\n    code: print(1)\n    output: '1'\n    timeout: 2.5\n",
        "d.yaml",
    )
    for card in deck.cards:
        stored = compact_content(card_to_dict(card), card.key, card.kind.value, card.line)
        again = card_from_dict(full_content(stored, card.key, card.kind.value, card.line))
        assert again.content_hash() == card.content_hash()
