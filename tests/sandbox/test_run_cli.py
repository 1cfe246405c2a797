"""`quiz run` and `quiz doctor` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from quiz.cli import app

DECKS = Path(__file__).parent / "decks"


def test_run_path_and_id_matches() -> None:
    result = CliRunner().invoke(app, ["run", f"{DECKS / 'good.yaml'}#late-binding"])
    assert result.exit_code == 0, result.output
    assert "[2, 2, 2]" in result.stdout and "matches the deck's answer" in result.stdout


def test_run_mismatch_exits_1_and_says_why() -> None:
    result = CliRunner().invoke(app, ["run", f"{DECKS / 'bad.yaml'}#wrong-output"])
    assert result.exit_code == 1
    assert "does not match" in result.stdout and "deck says" in result.stdout


def test_run_json_and_escaped_output(tmp_path: Path) -> None:
    deck = tmp_path / "esc.yaml"
    deck.write_text(
        "deck: esc\ntitle: E\ncards:\n  - id: ansi\n    type: output\n"
        "    code: print('\\x1b[31mred')\n    output: \"\\e[31mred\\n\"\n"
    )
    result = CliRunner().invoke(app, ["run", "--json", f"{deck}#ansi"])
    data = json.loads(result.stdout)
    assert data["result"]["stdout"] == "\x1b[31mred\n" and data["matches"] is True
    shown = CliRunner().invoke(app, ["run", f"{deck}#ansi"])
    assert "\x1b[31m" not in shown.stdout and "\\x1b[31mred" in shown.stdout


def test_run_deck_slash_id_searches_deck_folders(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("QUIZ_DECKS", str(DECKS))
    assert CliRunner().invoke(app, ["run", "check-good/unhashable"]).exit_code == 0
    missing = CliRunner().invoke(app, ["run", "check-good/nope"])
    assert missing.exit_code == 4 and "no card 'nope'" in missing.output
    assert CliRunner().invoke(app, ["run", "not-a-target"]).exit_code == 2
    assert CliRunner().invoke(app, ["run", f"{DECKS / 'good.yaml'}#basic"]).exit_code == 2


def test_doctor_json_lists_layers() -> None:
    result = CliRunner().invoke(app, ["doctor", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    names = {layer["name"]: layer["status"] for layer in data["layers"]}
    assert {"bubblewrap", "landlock", "seccomp", "rlimits", "privilege-drop", "network"} <= set(
        names
    )
    assert all(status in ("active", "missing", "off", "n/a") for status in names.values())
    table = CliRunner().invoke(app, ["doctor"])
    assert "sandbox layers" in table.stdout


def test_run_deck_slash_id_reads_the_imported_card_through_the_lean_store(cli, env) -> None:  # type: ignore[no-untyped-def]
    from quiz.cli.sandbox import _lean_card
    from quiz.store import open_store

    assert cli("import", str(DECKS / "good.yaml")).exit_code == 0
    with open_store(str(env / "store.db")) as store, store.unit("tester") as repo:
        stored = repo.get_card("check-good/late-binding")
    assert stored is not None
    lean = _lean_card(env / "store.db", "check-good/late-binding")
    assert lean == (stored.card, stored.path)  # the same card, without the ORM
    assert _lean_card(env / "store.db", "check-good/nope") is None
    result = cli("run", "check-good/late-binding")
    assert result.exit_code == 0, result.output
    assert "[2, 2, 2]" in result.stdout and "matches the deck's answer" in result.stdout
