"""The Anki export's shortcut for plain text gives what markdown-it gives: a text the
shortcut takes renders, through the renderer itself, to the same HTML."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.export.render import _markdown, _plain, to_html

# the shortcut's own characters, and the ones it must refuse or place with care
ALPHABET = "aZ09é中_ ,.;:?!'()/%+=#$@-*`[]<>&\\\"~|{}^\n\t\u00a0"


def _rendered(text: str) -> str:
    return _markdown().render(text).strip()


@given(st.text(alphabet=ALPHABET, max_size=12))
@settings(max_examples=3000)
def test_the_shortcut_renders_as_markdown_it_does(text):
    if _plain(text):
        assert f"<p>{text}</p>" == _rendered(text)
    assert to_html(text) == _rendered(text)


def test_what_the_shortcut_takes_and_refuses():
    taken = [
        "0: a range computes its length without building a list.",
        "Why? Because (it's 100%) so - see a/b.",
        "Ünïcödé and 中文 too",
    ]
    refused = [
        "1. a list",
        "1.5 is no list, but the shortcut leaves every number-and-dot start to markdown-it",
        "2) a list",
        "use `len`",
        "*bold*",
        "snake_case",
        "a & b",
        'say "hi"',
        "<b>x</b>",
        "two\nlines",
        " leading space",
        "trailing space ",
        "- item",
        "# heading",
        "",
    ]
    for text in taken:
        assert _plain(text), text
        assert to_html(text) == _rendered(text) == f"<p>{text}</p>"
    for text in refused:
        assert not _plain(text), text
        assert to_html(text) == _rendered(text)
