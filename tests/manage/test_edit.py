"""`e` during review opens the learner's editor at the card's line and re-reads the deck."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.review.test_review_cli import basic_deck, day, log

FAKE_EDITOR = """#!{python}
import json, pathlib, sys
pathlib.Path({record!r}).write_text(json.dumps(sys.argv[1:]))
path = pathlib.Path(sys.argv[-1].rsplit(":", 1)[0] if ":" in sys.argv[-1] else sys.argv[-1])
text = path.read_text()
path.write_text(text.replace({old!r}, {new!r}))
"""


def fake_editor(folder: Path, name: str, old: str, new: str) -> tuple[Path, Path]:
    """An executable called `name` that records its arguments and edits the deck."""
    record = folder / "argv.json"
    script = folder / "bin" / name
    script.parent.mkdir(exist_ok=True)
    script.write_text(
        FAKE_EDITOR.format(python=sys.executable, record=str(record), old=old, new=new)
    )
    script.chmod(0o755)
    return script, record


def content(env: Path, key: str) -> str:
    with sqlite3.connect(env / "store.db") as conn:
        [(text,)] = conn.execute("select content from cards where key = ?", (key,))
    return text


@pytest.fixture(autouse=True)
def no_editor(monkeypatch, env):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(env / "data"))


def test_e_opens_a_vi_like_editor_at_the_line_and_rereads_the_card(cli, env, monkeypatch):
    path = basic_deck(env, 2)
    cli("import", str(path))
    editor, record = fake_editor(env, "vi", "Q1?", "Q1, edited?")
    monkeypatch.setenv("EDITOR", str(editor))
    result = cli("review", input="e\n3\n3\n", now=day(1))
    assert result.exit_code == 0, result.output
    assert json.loads(record.read_text()) == ["+5", str(path.resolve())]
    assert "Q1, edited?" in content(env, "basics/c1")
    assert f"re-read {path.resolve()}: basics/c1" in " ".join(result.stdout.split())
    assert "Q1, edited?" in result.stdout  # the card shown again is the edited one
    assert [k for k, _, _ in log(env)] == ["basics/c1", "basics/c2"]


def test_visual_wins_and_other_editors_get_the_path(cli, env, monkeypatch):
    path = basic_deck(env, 1)
    cli("import", str(path))
    editor, record = fake_editor(env, "myeditor", "A1.", "A1, better.")
    monkeypatch.setenv("EDITOR", "/nonexistent/vi")
    monkeypatch.setenv("VISUAL", f"{editor} --wait")
    assert cli("review", input="e\n3\n", now=day(1)).exit_code == 0
    assert json.loads(record.read_text()) == ["--wait", str(path.resolve())]
    assert "A1, better." in content(env, "basics/c1")


def test_an_edit_that_breaks_the_deck_keeps_the_store(cli, env, monkeypatch):
    path = basic_deck(env, 1)
    cli("import", str(path))
    editor, _ = fake_editor(env, "nano", "    front: Q1?\n", "    front: [oops\n")
    monkeypatch.setenv("EDITOR", str(editor))
    result = cli("review", input="e\n3\n", now=day(1))
    assert result.exit_code == 0, result.output
    assert "not re-read: " in result.stdout
    assert "Q1?" in content(env, "basics/c1")
    assert [k for k, _, _ in log(env)] == ["basics/c1"]


def test_without_an_editor_e_shows_the_file_and_line(cli, env):
    path = basic_deck(env, 1)
    cli("import", str(path))
    result = cli("review", input="e\n3\n", now=day(1))
    assert f"{path.resolve()}:5: basics/c1" in " ".join(result.stdout.split())


def test_a_bundled_deck_is_copied_to_the_learners_folder_first(cli, env, monkeypatch):
    bundled = env / "bundled"
    bundled.mkdir()
    monkeypatch.setenv("QUIZ_BUNDLED", "1")
    monkeypatch.setattr("quiz.cli.context.bundled_decks_dir", lambda: bundled)
    shipped = basic_deck(bundled, 1, name="shipped")
    text = shipped.read_text()
    shipped.write_text("# yaml-language-server: $schema=../quiz/deck/deck-v1.schema.json\n" + text)
    assert "shipped" in cli("decks", now=day(1)).output
    cli("review", input="3\n", now=day(1))
    editor, record = fake_editor(env, "vim", "Q1?", "Q1, mine?")
    monkeypatch.setenv("EDITOR", str(editor))
    result = cli("review", input="e\ny\n3\n", now=day(30))
    assert result.exit_code == 0, result.output
    copy = env / "data" / "quiz" / "decks" / "shipped.yaml"
    assert json.loads(record.read_text()) == ["+6", str(copy)]
    assert "Q1, mine?" in copy.read_text()
    assert "Q1?" in shipped.read_text()  # the bundled file is untouched
    assert not copy.read_text().startswith("# yaml-language-server: $schema=../quiz/")
    with sqlite3.connect(env / "store.db") as conn:
        [(stored,)] = conn.execute("select path from decks where slug = 'shipped'")
    assert stored == str(copy.resolve())
    assert len(log(env)) == 2  # the history came along
    # declined: nothing is copied, the location is shown
    other = basic_deck(bundled, 1, name="second")
    cli("import", str(other))
    declined = cli("review", "--deck", "second", input="e\nn\n3\n", now=day(30))
    assert "bundled, not copied" in declined.stdout
    assert not (env / "data" / "quiz" / "decks" / "second.yaml").exists()
