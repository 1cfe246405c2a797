"""quiz.safe_text, the one place that makes untrusted text terminal-safe."""

from __future__ import annotations

import json
import sys
import unicodedata

import pytest

from quiz import safe_text


def test_the_fast_class_covers_every_unsafe_code_point():
    """The regex used for speed refuses everything the definition refuses; it may also
    refuse code points unassigned in this Python's Unicode (format characters of a
    newer version), and nothing else."""
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        unsafe = safe_text._unsafe(ch)
        matched = safe_text._unsafe_pattern().match(ch) is not None
        if unsafe != matched:
            assert matched and unicodedata.category(ch) == "Cn", hex(code)


@pytest.mark.parametrize(
    "text",
    [
        "组合与继承: 组合优于继承。\n\t缩进",
        "héllo — ✓ 🐍 👩\u200d💻",
        "ordinary ASCII [red]markup[/red] stays",
    ],
)
def test_ordinary_text_is_untouched_on_screen(text):
    expected = text.replace("\u200d", "\\u200d")  # a joiner is an invisible character
    assert safe_text.escape(text) == expected


def test_one_line_escapes_line_breaks_and_controls():
    assert safe_text.one_line("a\nb\tc\x1b[2J\u202e") == "a\\nb\\tc\\x1b[2J\\u202e"
    assert "\n" not in safe_text.one_line("x\u2028y\u2029z\r\n")


def test_quote_is_short_escaped_and_pasteable():
    value = 'say "hi"\\ \x1b]52;c;evil\x07' + "z" * 200
    quoted = safe_text.quote(value)
    assert quoted.startswith('"say \\"hi\\"\\\\ \\x1b]52') and quoted.endswith('…"')
    assert len(quoted) <= safe_text.QUOTE_LIMIT + 2
    assert safe_text.is_safe(quoted)
    assert safe_text.quote("short") == '"short"'
    assert safe_text.shown("k" * 100, 10) == "k" * 9 + "…"


def test_json_text_is_the_same_data_and_inert():
    data = {"title": "a\x1b]0;t\x07b\x9b2J\u202e\u2066x\U000e0041 组合", "n": [1, 2]}
    dumped = safe_text.json_text(json.dumps(data, ensure_ascii=False, indent=2))
    assert safe_text.is_safe(dumped)
    assert json.loads(dumped) == data
    assert "组合" in dumped  # readable text stays readable


def test_indented_ascii_json_is_checked_too():
    """Indented JSON is never printable (its newlines), and ASCII JSON with nothing but
    printable characters and newlines is passed as it is: DEL, which JSON leaves raw, is
    still written as an escape."""
    dumped = safe_text.json_text(json.dumps({"a": "x\x7fy"}, ensure_ascii=False, indent=2))
    assert "\x7f" not in dumped and json.loads(dumped) == {"a": "x\x7fy"}


@pytest.mark.parametrize("block", [1, 7, 1 << 16])
def test_json_written_in_blocks_is_the_one_text(block, capsys):
    """print_json to a pipe writes the report as it is encoded: the same bytes as one
    json.dumps escaped by json_text, whatever the blocks (a control character or an
    astral one on either side of a block's end included)."""
    from quiz.ui import console

    data = {
        "cards": [
            {"card": f"d/c{i}\u0085\u202e{'😀' * (i % 3)}", "share": i / 7} for i in range(50)
        ],
        "empty": [],
        "none": None,
        "nested": {"a": [1, {"b": "\x9b31m"}]},
    }
    console._write_json(data, block_chars=block)
    written = capsys.readouterr().out
    assert written == safe_text.json_text(json.dumps(data, ensure_ascii=False, indent=2)) + "\n"
    assert json.loads(written) == data
    assert "\x9b" not in written and "\u202e" not in written
