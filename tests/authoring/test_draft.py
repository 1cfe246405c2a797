"""`quiz draft`: notes -> a deck that loads and passes `quiz check`, on Markdown and on the
plain-text Chinese notes of the repository."""

from __future__ import annotations

import textwrap

from quiz.authoring.draft import draft, guess_lang
from quiz.authoring.notes import Heading, blocks
from quiz.deck import load_deck, parse_deck
from quiz.model import CardKind, RunResult
from tests.authoring.helpers import NOTES_TXT, require_check

MARKDOWN = textwrap.dedent("""\
    # Python basics

    ## Lists

    A list is a mutable sequence.
    It grows as needed.

    What does `len([])` return?
    Zero.

    Q: Is a tuple mutable?
    A: No, tuples are immutable.

    - **dict**: a mapping from keys to values
    - set: an unordered collection of unique items

    ## Errors

    ```python
    xs = [3, 1, 2]
    print(sorted(xs))
    ```

    ```python
    {}["missing"]
    ```

    ```bash
    ls -la
    ```
    """)


def fake_run(code: str) -> RunResult:
    if "missing" in code:
        return RunResult(stdout="", exception="KeyError: 'missing'", exit_code=1)
    return RunResult(stdout="[1, 2, 3]\n")


def test_markdown_draft_finds_each_kind_of_card_and_loads():
    result = draft(MARKDOWN, "basics.md", fake_run)
    deck = parse_deck(result.text().encode(), "basics.yaml")
    assert deck.id == "basics" and deck.title.get() == "Python basics" and deck.lang == "en"
    fronts = {c.front.get() for c in deck.cards if c.front is not None}
    assert {"Lists", "What does `len([])` return?", "Is a tuple mutable?", "dict", "set"} <= fronts
    by_front = {c.front.get(): c for c in deck.cards if c.front is not None}
    assert by_front["Is a tuple mutable?"].back.get() == "No, tuples are immutable."
    assert by_front["Lists"].back.get() == "A list is a mutable sequence.\nIt grows as needed."
    outputs = [c for c in deck.cards if c.kind is CardKind.OUTPUT]
    assert [(c.output, c.raises) for c in outputs] == [
        ("[1, 2, 3]\n", None),
        (None, "KeyError: 'missing'"),
    ]
    assert deck.tags == ("python-basics",)
    assert by_front["dict"].tags == ("python-basics", "lists")
    assert outputs[0].tags == ("python-basics", "errors")
    assert all(c.source and c.source.startswith("basics.md:") for c in deck.cards)
    assert result.counts == {"heading": 1, "question": 1, "qa": 1, "definition": 2, "code": 2}


def test_ids_are_unique_and_stable():
    one = draft(MARKDOWN, "basics.md", fake_run).text()
    two = draft(MARKDOWN, "basics.md", fake_run).text()
    assert one == two
    ids = [
        c["id"]
        for c in draft(
            MARKDOWN + "\nWhat does `len([])` return?\nStill zero.\n", "b.md", fake_run
        ).deck["cards"]
    ]
    assert len(ids) == len(set(ids))


def test_a_snippet_that_times_out_gets_no_card_but_a_warning():
    result = draft(
        "```python\nwhile True: pass\n```\n",
        "loop.md",
        lambda code: RunResult(timed_out=True, exit_code=None),
    )
    assert any("timed out" in w for w in result.warnings)
    assert all(c.get("type") != "output" for c in result.deck["cards"])  # type: ignore[union-attr]


def test_chinese_plain_text_notes():
    text = NOTES_TXT.read_text(encoding="utf-8")
    headings = [b.text for b in blocks(text) if isinstance(b, Heading)]
    for expected in ("Python GIL 全局解释器锁", "组合与继承", "Python闭包", "并发与并行的区别"):
        assert expected in headings
    result = draft(text, NOTES_TXT.name, None)
    deck = parse_deck(result.text().encode(), "notes.yaml")
    assert deck.lang == "zh"
    assert 15 <= len(deck.cards) <= 60
    by_front = {c.front.get(): c for c in deck.cards}
    assert by_front["并发"].back.get().startswith("通过线程与任务之间的互相切换")
    assert "python-gil-全局解释器锁" in by_front["Python GIL 全局解释器锁"].tags
    assert "并发与并行的区别" in by_front["并行"].tags
    assert all(c.id.startswith("note-") or c.id[0].isascii() for c in deck.cards)
    tagged = [c for c in deck.cards if c.tags]
    assert len(tagged) >= len(deck.cards) - 3


def test_guess_lang():
    assert guess_lang("并发与并行的区别 threads") == "zh"
    assert guess_lang("Threads and coroutines 线程") == "en"


# ---- through the CLI, with the real sandbox ---------------------------------------------


def test_draft_cli_writes_a_deck_that_loads_and_passes_check(cli, env):
    notes = env / "basics.md"
    notes.write_text(MARKDOWN, encoding="utf-8")
    target = env / "basics.yaml"
    result = cli("draft", str(notes), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "2 code" in result.stdout
    deck = load_deck(target)
    outputs = {c.code: (c.output, c.raises) for c in deck.cards if c.kind is CardKind.OUTPUT}
    assert outputs == {
        "xs = [3, 1, 2]\nprint(sorted(xs))\n": ("[1, 2, 3]\n", None),
        '{}["missing"]\n': (None, "KeyError: 'missing'"),
    }
    again = cli("draft", str(notes), "-o", str(target))
    assert again.exit_code == 2 and "already exists" in again.stderr
    require_check()
    checked = cli("check", str(target))
    assert checked.exit_code == 0, checked.output


def test_draft_cli_to_stdout_on_the_chinese_notes(cli):
    result = cli("draft", str(NOTES_TXT), "--no-run", "--deck", "notes", "--title", "笔记")
    assert result.exit_code == 0, result.output
    deck = parse_deck(result.stdout.encode(), "stdout.yaml")
    assert deck.id == "notes" and deck.title.get() == "笔记"
    assert "drafted" in result.stderr
