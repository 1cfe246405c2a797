"""The `$schema` line of new decks survives a reinstall: an installed quiz's decks point
at a copy of the schema in the learner's data folder, not into site-packages."""

from __future__ import annotations

from pathlib import Path

from quiz.deck.schema import SCHEMA_FILE


def test_an_installed_quiz_points_new_decks_at_a_stable_schema_copy(cli, env, monkeypatch):
    installed = env / "venv" / "lib" / "site-packages" / "quiz" / "deck" / SCHEMA_FILE.name
    installed.parent.mkdir(parents=True)
    installed.write_bytes(SCHEMA_FILE.read_bytes())
    monkeypatch.setattr("quiz.authoring.schema_line.schema_file", lambda: installed)
    monkeypatch.setenv("XDG_DATA_HOME", str(env / "data"))
    work = env / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert cli("new", "deck", "mine").exit_code == 0
    first = (work / "mine.yaml").read_text().splitlines()[0]
    copy = env / "data" / "quiz" / SCHEMA_FILE.name
    assert first.startswith("# yaml-language-server: $schema=")
    assert "site-packages" not in first
    assert (work / first.split("=", 1)[1]).resolve() == copy.resolve()
    assert copy.read_bytes() == SCHEMA_FILE.read_bytes()
    # the venv goes away (a reinstall): the deck's schema is still there
    installed.unlink()
    assert Path(copy).is_file()


def test_a_source_checkout_keeps_pointing_at_its_own_schema(cli, env, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(env / "data"))
    monkeypatch.chdir(env)
    assert cli("new", "deck", "mine").exit_code == 0
    first = (env / "mine.yaml").read_text().splitlines()[0]
    ref = first.split("=", 1)[1]  # relative when the checkout is near the deck, else absolute
    assert (env / ref).resolve() == SCHEMA_FILE.resolve()
    assert not (env / "data" / "quiz").exists()
