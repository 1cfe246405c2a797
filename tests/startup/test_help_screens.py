"""Help screens written once and kept (quiz.cli.help_screens): the kept text is the full
app's text byte for byte, it is printed without loading typer, and anything the text
depends on (the command line, the terminal's width, the code) gives a text of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from quiz.cli import help_screens

# prints what `quiz ARGS` prints, then (on stderr) whether typer was loaded
PROBE = (
    "import sys\n"
    "from quiz.cli.lean import main\n"
    "sys.argv = ['quiz', *sys.argv[1:]]\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    print('typer loaded' if 'typer' in sys.modules else 'no typer', file=sys.stderr)\n"
)


def quiz(cache: Path | str, *args: str, columns: int = 100) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), COLUMNS=str(columns))
    env.pop("QUIZ_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=60
    )


def commands() -> list[list[str]]:
    from quiz.cli import app

    lines = [[c.name] for c in app.registered_commands if c.name]
    for group in app.registered_groups:
        assert group.name and group.typer_instance
        lines.append([group.name])
        lines += [[group.name, c.name] for c in group.typer_instance.registered_commands if c.name]
    return lines


def test_every_help_screen_is_kept_and_shown_again_without_typer(tmp_path):
    lines = [[], *commands()]
    assert len(lines) > 20  # every command and every group's commands
    for words in lines:
        first = quiz(tmp_path, *words, "--help")
        assert first.returncode == 0, (words, first.stderr)
        assert first.stderr.strip() == "typer loaded"
        again = quiz(tmp_path, *words, "--help")
        assert again.returncode == 0
        assert again.stdout == first.stdout, words
        assert again.stderr.strip() == "no typer", words


def test_the_short_option_is_kept_too(tmp_path):
    first = quiz(tmp_path, "due", "-h")
    again = quiz(tmp_path, "due", "-h")
    assert first.stderr.strip() == "typer loaded" and again.stderr.strip() == "no typer"
    assert again.stdout == first.stdout == quiz(tmp_path, "due", "--help").stdout


def test_a_kept_screen_is_what_the_full_app_prints_without_a_cache(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    fresh = quiz(blocked, "review", "--help", columns=80)
    quiz(tmp_path, "review", "--help", columns=80)
    kept = quiz(tmp_path, "review", "--help", columns=80)
    assert (fresh.stderr.strip(), kept.stderr.strip()) == ("typer loaded", "no typer")
    assert kept.stdout == fresh.stdout
    assert "Example:" in kept.stdout and "Usage: quiz review" in kept.stdout


def test_another_width_is_another_screen(tmp_path):
    narrow = quiz(tmp_path, "import", "--help", columns=60)
    wide = quiz(tmp_path, "import", "--help", columns=100)
    assert narrow.stdout != wide.stdout
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 60
    assert quiz(tmp_path, "import", "--help", columns=60).stdout == narrow.stdout
    assert quiz(tmp_path, "import", "--help", columns=100).stdout == wide.stdout
    assert len(list((tmp_path / "quiz" / "help").iterdir())) == 2


def test_changed_code_is_a_new_key(tmp_path, monkeypatch):
    library = tmp_path / "lib"
    library.mkdir()
    module = library / "__init__.py"
    module.write_text("x = 1\n")
    monkeypatch.setattr(help_screens, "_library_dirs", lambda: [str(library)])
    before = help_screens._key(["--help"])
    os.utime(module, ns=(0, 10**9))
    assert help_screens._key(["--help"]) != before
    before = help_screens._key(["--help"])
    module.write_text("x = 22\n")
    os.utime(module, ns=(0, 10**9))  # same time, another size
    assert help_screens._key(["--help"]) != before


def test_the_libraries_are_found_where_they_import_from():
    import importlib
    import importlib.util

    present = [n for n in help_screens.LIBRARIES if importlib.util.find_spec(n) is not None]
    assert "typer" in present and "rich" in present  # click may be typer's own copy
    found = help_screens._library_dirs()
    assert found == [os.path.dirname(importlib.import_module(n).__file__ or "") for n in present]


def test_a_cache_that_cannot_be_written_still_shows_help(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    for _ in range(2):
        result = quiz(blocked, "--help")
        assert result.returncode == 0 and "Commands:" in result.stdout
        assert result.stderr.strip() == "typer loaded"


def test_a_failed_help_line_is_not_kept(tmp_path):
    result = quiz(tmp_path, "no-such-command", "--help")
    assert result.returncode == 2
    assert not (tmp_path / "quiz" / "help").exists()


@pytest.mark.parametrize(
    "argv",
    [[], ["review"], ["--db", "x", "--help"], ["review", "--deck", "a", "--help"], ["--help", "x"]],
)
def test_only_plain_help_lines_are_kept(argv):
    assert not help_screens.wanted(argv)


def test_a_damaged_kept_text_is_not_served(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = Path(help_screens._path(["--help"]))
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff\xfe not utf-8")
    assert not help_screens.serve(["--help"])
