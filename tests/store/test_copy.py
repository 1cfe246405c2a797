"""`quiz store copy`: a whole store, SQLite → PostgreSQL → SQLite, with nothing lost."""

from __future__ import annotations

import json

import pytest

from quiz.store.models import ReviewRow
from tests.store.helpers import answer_log, basic_deck, count, day, table_rows


def _history(cli, env) -> None:
    """Two learners, a few days of reviews, a bury and a suspend: every table has rows."""
    cli("import", str(basic_deck(env, 6, tags="    tags: [t1]\n")))
    cli("--learner", "ann", "review", input="3\n1\nb\n!\n4\n3\n3\n", now=day(1))
    cli("--learner", "bob", "review", input="4\n4\n4\n", now=day(1))
    cli("--learner", "ann", "review", input="3\n1\n3\n3\n", now=day(3))


@pytest.fixture
def pg_url(request, pg_server):
    server, why = pg_server
    if server is None:
        pytest.skip(f"PostgreSQL store tests need a server: {why}")
    from tests.pg import create_database, drop_database

    url = create_database(server)
    request.addfinalizer(lambda: drop_database(server, url))
    return url


def _analysed(url: str) -> set[str]:
    """The tables of a PostgreSQL store that the planner has statistics on."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            sql = "SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = current_schema()"
            return set(conn.execute(text(sql)).scalars())
    finally:
        engine.dispose()


def test_sqlite_to_postgresql_and_back_loses_nothing(cli, env, pg_url):
    src = f"sqlite:///{env / 'store.db'}"
    _history(cli, env)
    before = table_rows(src)
    assert before["reviews"] and before["card_states"] and before["card_tags"]

    to_pg = cli("store", "copy", str(env / "store.db"), pg_url, "--json")
    assert to_pg.exit_code == 0, to_pg.output
    report = json.loads(to_pg.stdout)
    assert report["tables"]["reviews"] == {
        "source": len(before["reviews"]),
        "dest": len(before["reviews"]),
    }
    assert table_rows(pg_url) == before  # every row, every value (JSON, booleans, UTC times)
    # the planner's statistics on what was copied, gathered by the copy (autovacuum never
    # analyses a table of a few rows, and the others only once it comes round)
    assert _analysed(pg_url) >= {"decks", "learners", "cards", "card_states", "review_packs"}

    back = env / "back.db"
    assert cli("store", "copy", pg_url, str(back)).exit_code == 0
    assert table_rows(f"sqlite:///{back}") == before

    # the copy is a working store: the same plan, and new answers get fresh ids (sequences moved on)
    mine = cli("--learner", "ann", "due", "--json", now=day(9)).stdout
    cli_pg = cli("--db", pg_url, "--learner", "ann", "due", "--json", now=day(9))
    assert json.loads(cli_pg.stdout) == json.loads(mine)
    answered = cli(
        "--db", pg_url, "--learner", "bob", "review", "--limit", "1", input="3\n", now=day(9)
    )
    assert answered.exit_code == 0, answered.output
    assert count(pg_url, ReviewRow) == len(before["reviews"]) + 1
    assert cli("--db", pg_url, "--learner", "ann", "rebuild", "--check", now=day(9)).exit_code == 0


def test_sqlite_to_sqlite_copy_and_table_output(cli, env):
    _history(cli, env)
    result = cli("store", "copy", str(env / "store.db"), str(env / "copy.db"))
    assert result.exit_code == 0, result.output
    assert "every table's count matches" in result.stdout
    assert "reviews" in result.stdout
    assert answer_log(f"sqlite:///{env / 'copy.db'}") == answer_log(f"sqlite:///{env / 'store.db'}")


def test_a_store_with_data_is_never_merged_into(cli, env, store_url):
    _history(cli, env)
    other = env / "other.db"
    cli("--db", str(other), "import", str(basic_deck(env, 2, name="other")))
    # into a non-empty destination: refused, and the destination is untouched
    refused = cli("store", "copy", str(other), store_url)
    assert refused.exit_code == 3
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    before = table_rows(store_url)
    assert before["reviews"]
    # --force replaces everything it held
    forced = cli("store", "copy", "--force", str(other), store_url)
    assert forced.exit_code == 0, forced.output
    assert "replaced what the destination held" in forced.stderr
    assert table_rows(store_url) == table_rows(f"sqlite:///{other}")


@pytest.mark.parametrize(
    "args, message",
    [
        (["store", "copy", "MISSING", "dest.db"], "no such store"),
        (["store", "copy", "SAME", "SAME"], "the same store"),
    ],
)
def test_bad_copies_are_one_line(cli, env, args, message):
    args = [
        a.replace("MISSING", str(env / "missing.db")).replace("SAME", str(env / "store.db"))
        for a in args
    ]
    result = cli(*args)
    assert result.exit_code == 3
    assert message in result.stderr and "Traceback" not in result.output
    assert not (env / "dest.db").exists()


def test_an_empty_database_is_not_a_source(cli, env, store_url):
    # the store_url database exists but holds no quiz tables yet (SQLite: a zero-byte file)
    if store_url.startswith("sqlite"):
        (env / "store.db").write_bytes(b"")
    result = cli("store", "copy", store_url, str(env / "dest.db"))
    assert result.exit_code == 3
    assert "not a quiz store" in result.stderr
