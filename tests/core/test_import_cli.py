"""quiz import / decks / due, end to end through the CLI on a real SQLite store."""

from __future__ import annotations

import json
import sqlite3

from tests.conftest import BASIC_DECK, write_deck


def decks_json(cli) -> list[dict]:
    result = cli("decks", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_import_then_decks_and_due(cli, env):
    deck = write_deck(env, "demo.yaml", BASIC_DECK)
    result = cli("import", str(deck))
    assert result.exit_code == 0, result.output
    assert "demo: 4 added" in result.stdout
    [row] = decks_json(cli)
    assert row == {
        "deck": "demo",
        "title": "Demo deck",
        "cards": 4,
        "new": 4,
        "learning": 0,
        "due": 0,
        "suspended": 0,
        "buried": 0,
    }
    due = cli("due")
    assert due.stdout.strip() == "0"
    data = json.loads(cli("due", "--json").stdout)
    assert data["new"] == 4 and data["decks"]["demo"]["new"] == 4


def test_import_twice_changes_nothing_and_says_so(cli, env):
    deck = write_deck(env, "demo.yaml", BASIC_DECK)
    cli("import", str(deck))
    again = cli("import", str(deck))
    assert again.exit_code == 0
    assert "nothing changed" in again.stdout
    assert "unchanged" in again.stdout


def test_folder_import_and_two_files_claiming_one_deck(cli, env):
    folder = env / "decks"
    folder.mkdir()
    write_deck(folder, "a.yaml", BASIC_DECK)
    write_deck(folder, "b.yaml", BASIC_DECK)
    result = cli("import", str(folder))
    assert result.exit_code == 1
    assert "b.yaml:1: deck id 'demo' is also defined in" in result.stderr
    assert "a.yaml" in result.stderr
    assert decks_json(cli) == [] or all(d["deck"] != "demo" for d in decks_json(cli))


def test_broken_file_imports_nothing_from_the_run(cli, env):
    good = write_deck(env, "good.yaml", BASIC_DECK.replace("deck: demo", "deck: good"))
    cli("import", str(good))
    before = decks_json(cli)
    other = write_deck(env, "other.yaml", BASIC_DECK.replace("deck: demo", "deck: other"))
    broken = write_deck(
        env,
        "broken.yaml",
        """
        deck: broken
        title: Broken
        cards:
          - id: x
            frnt: typo
            back: b
        """,
    )
    changed = write_deck(
        env,
        "good.yaml",
        BASIC_DECK.replace("deck: demo", "deck: good").replace("First answer.", "Changed answer."),
    )
    result = cli("import", str(other), str(broken), str(changed))
    assert result.exit_code == 1
    assert "broken.yaml:5:" in result.stderr
    assert "Traceback" not in result.output
    assert decks_json(cli) == before


def test_edit_keeps_history_and_removed_card_is_retired_then_restored(cli, env):
    deck = write_deck(env, "demo.yaml", BASIC_DECK)
    cli("import", str(deck))
    review = cli("review", "--deck", "demo", input="3\n3\n", now="2026-01-05T09:00:00Z")
    assert review.exit_code == 0, review.output
    db = env / "store.db"

    def log_count(key: str) -> int:
        with sqlite3.connect(db) as conn:
            return conn.execute(
                "select count(*) from reviews r join cards c on c.id = r.card_id where c.key = ?",
                (key,),
            ).fetchone()[0]

    assert log_count("demo/one") == 1
    edited = BASIC_DECK.replace("First question?", "First question, reworded?")
    write_deck(env, "demo.yaml", edited)
    result = cli("import", str(deck))
    assert "1 updated" in result.stdout
    assert log_count("demo/one") == 1
    with sqlite3.connect(db) as conn:
        reps = conn.execute(
            "select s.reps from card_states s join cards c on c.id = s.card_id where c.key = 'demo/one'"
        ).fetchone()[0]
    assert reps == 1

    without_one = edited.replace(
        "  - id: one\n    front: First question, reworded?\n    back: First answer.\n"
        "    explain: Because one comes first.\n",
        "",
    )
    write_deck(env, "demo.yaml", without_one)
    result = cli("import", str(deck))
    assert "1 retired" in result.stdout
    assert decks_json(cli)[0]["cards"] == 3
    write_deck(env, "demo.yaml", edited)
    result = cli("import", str(deck))
    assert "1 restored" in result.stdout
    assert log_count("demo/one") == 1
    assert decks_json(cli)[0]["cards"] == 4


def test_missing_path_is_one_line(cli, env):
    result = cli("import", str(env / "nope.yaml"))
    assert result.exit_code != 0
    assert result.stderr.count("\n") == 1
    assert "nope.yaml" in result.stderr


def test_corrupt_store_is_one_line_and_untouched(cli, env):
    db = env / "store.db"
    db.write_bytes(b"this is not a database at all" * 100)
    result = cli("decks")
    assert result.exit_code == 3
    assert "not a quiz store" in result.stderr
    assert db.read_bytes() == b"this is not a database at all" * 100


def test_store_tables_and_pragmas(cli, env):
    cli("decks")
    with sqlite3.connect(env / "store.db") as conn:
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        version = conn.execute("select version_num from alembic_version").fetchone()[0]
    assert {"decks", "cards", "card_states", "reviews", "learners", "alembic_version"} <= tables
    from quiz.store.migrate import HEAD

    assert version == HEAD
