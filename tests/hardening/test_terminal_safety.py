"""A hostile deck on every screen: deck text is shown, never obeyed.

The deck passes `quiz check`, and every text in it carries an OSC 52 clipboard write,
a CSI 2J screen clear, an OSC 0 window title, an OSC 8 hyperlink, a U+202E override, a
C1 CSI, a carriage-return overwrite and rich markup (`[red]`, `[link=...]`). Through
review (piped, in a subprocess, and through CliRunner), drill, run, decks, check,
stats and import errors, nothing of it may reach the output raw, and the visible text
must still be there. Plain output has no styling, so any ESC at all would come from the
deck; on a forced colour terminal, rich's own SGR colours are allowed but no OSC, no
screen clear and no hyperlink.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

ESC = "\x1b"
ATTACK = (
    f"{ESC}]52;c;ZXZpbA=={ESC}\\"  # OSC 52: write the clipboard
    f"{ESC}[2J"  # CSI 2J: clear the screen
    f"{ESC}]0;pwned\x07"  # OSC 0: window title
    f"{ESC}]8;;http://evil.example/{ESC}\\click{ESC}]8;;{ESC}\\"  # OSC 8 hyperlink
    " \u202eabc"  # right-to-left override
    " \u2066iso\u2069"  # an isolate
    " \x9b2J"  # C1 CSI
    " over\rwrite"  # a carriage return that overwrites the line
    " [red]RED[/red] [link=http://x.example]L[/link]"  # rich markup
)
# what must never reach a screen: ESC, every C1 control, CR, the bidi embeddings,
# overrides and isolates
FORBIDDEN = re.compile("[\x1b\x80-\x9f\r\u202a-\u202e\u2066-\u2069]")
# on a colour terminal rich's own SGR colour codes are fine; anything else is not
NOT_SGR = re.compile(r"\x1b(?!\[[0-9;]*m)|[\x80-\x9f\r\u202a-\u202e\u2066-\u2069]")


def hostile(tag: str) -> str:
    return f"{tag}-VISIBLE {ATTACK}"


def comment_safe(text: str) -> str:
    """`text` without what would end a Python comment (CR) or fail to compile (C1)."""
    return text.replace("\x9b", "").replace("\r", "")


def q(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def hostile_deck(folder: Path) -> Path:
    lines = [
        "deck: hostile",
        f"title: {q(hostile('TITLE'))}",
        f"description: {q(hostile('DESC'))}",
        "lang: en",
        f"tags: [{q('evil' + ESC + ']0;t' + chr(7) + '[red]x')}]",
        "cards:",
        "  - id: b1",
        f"    front: {q(hostile('FRONT'))}",
        f"    back: {q(hostile('BACK'))}",
        f"    explain: {q(hostile('EXPLAIN'))}",
        f"    code: {q('print(1)  # ' + hostile('CODE'))}",
        "  - id: t1",
        "    type: typed",
        f"    front: {q(hostile('TFRONT'))}",
        f"    answer: [{q(hostile('ANSWER'))}]",
        f"    explain: {q(hostile('TEXPLAIN'))}",
        "  - id: c1",
        "    type: choice",
        f"    front: {q(hostile('CFRONT'))}",
        f"    choices: [{q(hostile('CHOICE0'))}, {q(hostile('CHOICE1'))}]",
        "    correct: 1",
        "  - id: z1",
        "    type: cloze",
        f"    text: {q('Only {{c1::' + hostile('CLOZE') + '}} here ' + hostile('CLZTEXT'))}",
        "  - id: o1",
        "    type: output",
        f"    front: {q(hostile('OFRONT'))}",
        f"    code: {q('x = 1  # ' + comment_safe(hostile('OCODE')) + chr(10) + 'print(x)' + chr(10))}",
        '    output: "1\\n"',
        f"    explain: {q(hostile('OEXPLAIN'))}",
    ]
    path = folder / "hostile.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def assert_inert(output: str, *visible: str, pattern: re.Pattern[str] = FORBIDDEN) -> None:
    found = pattern.search(output)
    assert found is None, (
        f"{found.group()!r} reached the output near {output[max(0, found.start() - 60) : found.end() + 20]!r}"
    )
    for tag in visible:
        assert f"{tag}-VISIBLE" in output, f"{tag} text is missing from the output"


@pytest.fixture
def deck(cli, env: Path) -> Path:
    path = hostile_deck(env)
    checked = cli("check", "--no-run", str(path))
    assert checked.exit_code == 0, checked.output  # a deck that passes `quiz check`
    imported = cli("import", str(path))
    assert imported.exit_code == 0, imported.output
    assert_inert(imported.output)
    return path


@contextlib.contextmanager
def colour_terminal(width: int = 100) -> Iterator[io.StringIO]:
    """quiz's consoles as a 256-colour terminal (where rich would emit OSC 8 links)."""
    from quiz.ui import console

    buf = io.StringIO()
    console.use(
        Console(file=buf, width=width, force_terminal=True, color_system="256"),
        Console(file=io.StringIO(), width=width, force_terminal=True),
    )
    try:
        yield buf
    finally:
        console.use(None, None)


# every answer wrong, so every screen shows: question, verdict, answer, explanation
WRONG = "1\nnope\n1\n1\nwrong\n\n" * 3


def test_review_through_clirunner(cli, deck):
    result = cli("review", input=WRONG, now="2026-03-01T09:00:00Z")
    assert result.exit_code == 0, result.output
    assert_inert(
        result.output,
        *("FRONT", "CODE", "BACK", "EXPLAIN", "TFRONT", "ANSWER", "CFRONT", "CHOICE0"),
        *("CHOICE1", "CLOZE", "CLZTEXT", "OFRONT", "OCODE", "OEXPLAIN"),
    )
    assert "[red]RED[/red]" in result.output and "[link=http://x.example]L[/link]" in result.output
    assert "\\x1b]52;c;ZXZpbA==" in result.output  # shown, escaped, as the deck holds it
    assert "\\u202eabc" in result.output


def test_review_piped_in_a_subprocess(deck, env):
    environ = dict(os.environ, QUIZ_NOW="2026-03-01T09:00:00Z", COLUMNS="100")
    done = subprocess.run(
        [sys.executable, "-m", "quiz", "review"],
        input=WRONG,
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert_inert(done.stdout + done.stderr, "FRONT", "BACK", "EXPLAIN", "ANSWER", "CHOICE1")
    assert "[red]RED[/red]" in done.stdout


def test_review_on_a_colour_terminal_plants_no_link_and_clears_nothing(cli, deck):
    with colour_terminal() as screen:
        result = cli("review", input=WRONG, now="2026-03-01T09:00:00Z")
    assert result.exit_code == 0, result.output
    shown = screen.getvalue()
    assert "\x1b[" in shown  # it is a colour terminal: rich styles the screen
    assert_inert(shown, "FRONT", "BACK", "ANSWER", "CHOICE1", "CLOZE", pattern=NOT_SGR)
    assert "\x1b]8;" not in shown and "\x1b[2J" not in shown  # no hyperlink, no clear


def test_drill_and_its_report(cli, deck):
    result = cli("drill", "--deck", "hostile", "--count", "6", "--seed", "1", input=WRONG)
    assert result.exit_code == 0, result.output
    assert "Drill:" in result.output
    assert_inert(result.output, "EXPLAIN", "ANSWER", "CHOICE1", "CLOZE")
    exam = cli("drill", "--deck", "hostile", "--count", "6", "--exam", input=WRONG)
    assert exam.exit_code == 0, exam.output
    assert_inert(exam.output, "ANSWER", "CHOICE1")
    with colour_terminal() as screen:
        cli("drill", "--deck", "hostile", "--count", "6", input=WRONG)
    assert_inert(screen.getvalue(), "ANSWER", pattern=NOT_SGR)


def test_decks_table_and_json(cli, deck):
    table = cli("decks")
    assert_inert(table.output, "TITLE")
    assert "[red]RED[/red]" in table.output
    with colour_terminal(200) as screen:
        cli("decks")
    assert_inert(screen.getvalue(), "TITLE", pattern=NOT_SGR)
    assert "\x1b]8;" not in screen.getvalue()  # `[link=...]` in a title is not a link
    data = cli("decks", "--json")
    assert_inert(data.output)
    assert json.loads(data.output)[0]["title"] == hostile("TITLE")  # the data stays exact


def test_decks_through_the_lean_path(deck):
    """The console entry answers `quiz decks` through sqlite3 (quiz.cli.lean): the same
    renderer, so the same escaping, plain, on a colour terminal and as JSON."""
    from quiz.cli.lean import _decks

    assert _decks(["decks"]) is not None  # the lean path serves this store
    environ = {k: v for k, v in os.environ.items() if k != "QUIZ_DEBUG"}

    def lean(*args: str, **extra: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "quiz", "decks", *args],
            capture_output=True,
            text=True,
            env=dict(environ, **extra),
            timeout=60,
        )
        assert done.returncode == 0 and done.stderr == "", done.stderr
        return done.stdout

    plain = lean()
    assert_inert(plain, "TITLE")
    assert "[red]RED[/red]" in plain
    coloured = lean(FORCE_COLOR="1", COLUMNS="200", TERM="xterm-256color")
    assert "\x1b[" in coloured  # it is a colour terminal
    assert_inert(coloured, "TITLE", pattern=NOT_SGR)
    assert "\x1b]8;" not in coloured
    data = lean("--json")
    assert_inert(data)
    assert json.loads(data)[0]["title"] == hostile("TITLE")


def test_stats_names_the_weak_cards_and_tags_inertly(cli, deck):
    cli("review", input=WRONG, now="2026-03-01T09:00:00Z")
    with colour_terminal(120) as screen:
        result = cli("stats", now="2026-03-01T10:00:00Z")
    assert result.exit_code == 0, result.output
    shown = screen.getvalue()
    assert "weakest cards" in shown
    assert_inert(shown, "FRONT", pattern=NOT_SGR)
    assert "\\x1b]0;t" in shown  # the tag, escaped
    as_json = cli("stats", "--json", now="2026-03-01T10:00:00Z")
    assert_inert(as_json.output)
    json.loads(as_json.output)


def test_run_shows_code_and_explanation_inertly(cli, deck):
    result = cli("run", f"{deck}#o1")
    assert result.exit_code == 0, result.output
    assert_inert(result.output, "OCODE")
    data = cli("run", "--json", f"{deck}#o1")
    assert_inert(data.output)
    assert comment_safe(hostile("OCODE")) in json.loads(data.output)["code"]


BAD_KEY = "K" + ESC + "]52;c;ZXZpbA==" + ESC + "\\" + ESC + "[2J\u202eX" + "y" * 300


def broken_deck(folder: Path) -> Path:
    lines = [
        "deck: broken",
        "title: T",
        "cards:",
        "  - id: b1",
        "    front: F",
        "    back: B",
        f"    {q(BAD_KEY)}: 1",
        f"    type: {q('basic' + ESC + '[2J' + 'z' * 300)}",
        f"  - id: {q('bad' + ESC + '[2J' + chr(0x202E))}",
        "    front: x",
        "    back: y",
        "  - id: c2",
        "    type: choice",
        "    front: q",
        "    choices: [a, b]",
        f"    correct: {q('1' + ESC + '[31m')}",
        "  - id: c3",
        "    front: q",
        "    back: y",
        f"    requires: [{q('zz' + ESC + ']0;t' + chr(7))}]",
        "  - id: c4",
        "    front: {" + q("english" + ESC + "[2J") + ": hi}",
        "    back: y",
    ]
    path = folder / "broken.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["check", "import"])
def test_errors_quote_values_on_one_escaped_short_line(cli, env, command):
    path = broken_deck(env)
    args = ("check", "--no-run", str(path)) if command == "check" else ("import", str(path))
    result = cli(*args)
    assert result.exit_code == 1
    assert_inert(result.output)
    lines = [line for line in result.output.splitlines() if line.startswith(str(path))]
    assert len(lines) >= 6, result.output
    assert all(len(line) < len(str(path)) + 200 for line in lines), result.output
    unknown = next(line for line in lines if "unknown key" in line)
    assert "\\x1b]52" in unknown and "…" in unknown  # escaped, and cut
    assert any("\\x1b[2J" in line and "'id'" in line for line in lines)


def test_internal_error_lines_are_escaped_too():
    from typer.testing import CliRunner

    from quiz.cli.boundary import echo_line

    runner = CliRunner()
    import typer

    probe = typer.Typer()

    @probe.command()
    def say() -> None:
        echo_line(f"quiz: {ESC}]0;x\x07 two\nlines", err=True)

    result = runner.invoke(probe, [])
    assert result.stderr == "quiz: \\x1b]0;x\\x07 two\\nlines\n"
