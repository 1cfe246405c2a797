"""Migration 0015 (the day and tag rollups by deck) on a store of the previous schema
with a recorded log: the tables start empty, and every figure quiz prints about the
store (`stats --json` of each learner, `class report`, `due`, `rebuild --check`, card
pages) is the one recorded before, the first `quiz stats` building the new rollups
(tests/store/data, tests/store/make_store_0011.py). A kill in the middle of it is in
test_migration_kill."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.store.helpers import upgrade_to
from tests.store.test_lean_migration import load_0011, recorded

NEW = ("review_day_marks", "review_day_rollups", "review_tag_marks", "review_tag_rollups")


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in NEW
            }
    finally:
        engine.dispose()


def test_a_0014_store_migrates_with_every_figure_the_same(store_url, tmp_path):  # type: ignore[no-untyped-def]
    from tests.store.make_store_0011 import figures, runner

    data = recorded()
    load_0011(store_url, data["tables"])
    upgrade_to(store_url, "0014")
    upgrade_to(store_url, "head")
    assert set(_counts(store_url).values()) == {0}  # derived data: built on first use
    got = figures(runner(tmp_path, store_url))
    expected = data["figures"]["sqlite" if store_url.startswith("sqlite") else "postgresql"]
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], name
    counts = _counts(store_url)
    assert counts["review_day_rollups"] > 0 and counts["review_tag_rollups"] > 0
    assert figures(runner(tmp_path, store_url)) == got  # and again, from the rollups
