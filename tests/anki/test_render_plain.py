"""The Anki export's shortcut for plain text gives what markdown-it gives: a text the
shortcut takes renders, through the renderer itself, to the same HTML."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.export.render import _markdown, _plain, to_html

# the shortcut's own characters, and the ones it must refuse or place with care
ALPHABET = "aZ09é中_ ,.;:?!'()/%+=#$@-*`[]<>&\\\"~|{}^\n\t\u00a0"


# code spans: backticks among the characters a span may hold or must not hold
CODE_ALPHABET = "a0 `.<>&\"'*_\\[]()#-\t\n\u00a0\u2028\u3000\x85\x00"


def _rendered(text: str) -> str:
    return _markdown().render(text).strip()


@given(st.text(alphabet=ALPHABET, max_size=12))
@settings(max_examples=3000)
def test_the_shortcut_renders_as_markdown_it_does(text):
    if _plain(text) and "`" not in text:
        assert f"<p>{text}</p>" == _rendered(text)
    assert to_html(text) == _rendered(text)


@given(st.text(alphabet=CODE_ALPHABET, max_size=16))
@settings(max_examples=3000)
def test_code_spans_render_as_markdown_it_does(text):
    assert to_html(text) == _rendered(text)


@given(
    st.lists(
        st.one_of(
            st.text(alphabet=ALPHABET, min_size=1, max_size=6),
            st.text(alphabet=CODE_ALPHABET, min_size=1, max_size=6).map(lambda c: f"`{c}`"),
        ),
        min_size=1,
        max_size=5,
    ).map("".join)
)
@settings(max_examples=3000)
def test_texts_with_code_render_as_markdown_it_does(text):
    assert to_html(text) == _rendered(text)


def test_what_the_shortcut_takes_and_refuses():
    taken = [
        "0: a range computes its length without building a list.",
        "Why? Because (it's 100%) so - see a/b.",
        "Ünïcödé and 中文 too",
        "What does `len(range(5))` return?",
        '`x` and `y` (both `<a & "b">`)',
        "`*not emphasis*` or `[a link](x)` or `\\n`",
    ]
    refused = [
        "1. a list",
        "1.5 is no list, but the shortcut leaves every number-and-dot start to markdown-it",
        "2) a list",
        "``double`` backticks",
        "`a``b` (adjacent spans)",
        "` spaced ` span",
        "`unclosed",
        "1. `x`",
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
        assert to_html(text) == _rendered(text)
        if "`" not in text:
            assert to_html(text) == f"<p>{text}</p>"
    for text in refused:
        assert not _plain(text), text
        assert to_html(text) == _rendered(text)
