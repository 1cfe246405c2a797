"""`quiz fmt`: canonical layout, same meaning, comments kept, idempotent, `--check`."""

from __future__ import annotations

import pytest

from quiz.authoring.fmt import deck_value, format_checked, format_text
from quiz.errors import DeckError
from tests.authoring.helpers import REPO

MESSY = """\
# yaml-language-server: $schema=../quiz/deck/deck-v1.schema.json
# Header comment.
title: Messy   # the title
cards:
- back: "line one\\nline two\\n"
  front: Why?    # eol on front
  id: why
  tags: [a]

# Between cards.
- answer: [no, "yes", 0777]
  type: typed
  id: traps
  front: 'Which words?'
  explain: >
    Folded
    text.
deck: messy
lang: en
"""

SHIPPED = sorted((REPO / "decks").glob("*.yaml"))


def test_key_order_quoting_blocks_and_comments():
    result = format_checked(MESSY, "messy.yaml")
    assert result.fixed  # `no` and `0777` made it fail to load before
    after = result.after
    assert after.splitlines()[:4] == [
        "# yaml-language-server: $schema=../quiz/deck/deck-v1.schema.json",
        "# Header comment.",
        "deck: messy",
        "title: Messy   # the title",
    ]
    assert after.index("lang: en") < after.index("cards:")
    assert (
        "  - id: why\n    front: Why?  # eol on front\n    back: |\n      line one\n      line two\n"
        in after
    )
    assert "# Between cards." in after
    assert 'answer: ["no", "yes", "0777"]' in after
    assert "front: 'Which words?'" in after  # the author's quotes are kept
    card = after[after.index("  - id: traps") :]
    assert (
        card.index("type:") < card.index("front:") < card.index("answer:") < card.index("explain:")
    )
    assert format_text(after, "messy.yaml") == after


def test_meaning_is_kept_for_a_deck_that_loads():
    clean = MESSY.replace('[no, "yes", 0777]', '["no", "yes", "0777"]')
    result = format_checked(clean, "clean.yaml")
    assert not result.fixed and result.changed
    assert deck_value(result.after, "x") == deck_value(clean, "x")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_decks_keep_their_meaning_and_fmt_is_idempotent(path):
    text = path.read_text(encoding="utf-8")
    once = format_checked(text, path.name).after
    assert deck_value(once, "x") == deck_value(text, "x")
    assert format_text(once, path.name) == once
    assert once.count("#") >= text.count("\n#")  # comments survive


def test_crlf_and_bom_are_kept():
    text = "\ufeff" + MESSY.replace("\n", "\r\n")
    after = format_checked(text, "crlf.yaml").after
    assert after.startswith("\ufeff# yaml-language-server")
    assert "\r\n" in after and "\n" not in after.replace("\r\n", "")


def test_a_deck_that_stays_broken_is_reported_and_not_formatted():
    with pytest.raises(DeckError) as info:
        format_checked("deck: d\ntitle: T\ncards:\n  - id: a\n    frnt: q\n    back: b\n", "b.yaml")
    assert "unknown key 'frnt'" in str(info.value)


def test_fmt_cli_check_then_write(cli, env):
    messy = env / "messy.yaml"
    messy.write_text(MESSY, encoding="utf-8")
    tidy = env / "tidy.yaml"
    tidy.write_text(format_text(MESSY), encoding="utf-8")
    check = cli("fmt", "--check", str(env))
    assert check.exit_code == 1
    assert f"would reformat {messy}" in check.stdout and "tidy.yaml" not in check.stdout
    assert messy.read_text(encoding="utf-8") == MESSY
    write = cli("fmt", str(env))
    assert write.exit_code == 0, write.output
    assert messy.read_text(encoding="utf-8") == tidy.read_text(encoding="utf-8")
    assert cli("fmt", "--check", str(env)).exit_code == 0


def test_fmt_cli_reports_a_broken_file_and_leaves_it(cli, env):
    bad = env / "bad.yaml"
    bad.write_text("deck: d\ntitle: [unclosed\n", encoding="utf-8")
    result = cli("fmt", str(bad))
    assert result.exit_code == 1
    assert "bad.yaml" in result.stderr and "Traceback" not in result.output
    assert bad.read_text(encoding="utf-8") == "deck: d\ntitle: [unclosed\n"


def test_fmt_keeps_which_texts_it_found_unchanged(cli, env, monkeypatch):
    tidy = env / "tidy.yaml"
    tidy.write_text(format_text(MESSY), encoding="utf-8")
    assert cli("fmt", "--check", str(tidy)).exit_code == 0  # formatted once, and recorded

    def never(text: str, path: str) -> object:
        raise AssertionError(f"{path} was formatted again")

    monkeypatch.setattr("quiz.authoring.fmt.format_checked", never)
    again = cli("fmt", "--check", str(tidy))
    assert again.exit_code == 0 and "0 of 1 file would change" in again.stderr
    tidy.write_text(MESSY, encoding="utf-8")  # a changed text is formatted again
    with pytest.raises(AssertionError, match="formatted again"):
        cli("fmt", "--check", str(tidy))
    monkeypatch.setattr("quiz.authoring.fmt.format_checked", format_checked)
    monkeypatch.setenv("XDG_CACHE_HOME", str(env / "not-a-folder"))
    (env / "not-a-folder").write_text("a file where the cache would go")
    tidy.write_text(format_text(MESSY), encoding="utf-8")
    assert cli("fmt", "--check", str(tidy)).exit_code == 0  # an unwritable cache is no error


def test_a_big_cards_list_is_dumped_in_chunks_with_the_same_text(monkeypatch):
    """fmt dumps a long cards list a chunk of cards at a time (its peak memory on a 10k-card
    deck, issue #19): the text is the one a whole dump writes, comments and all."""
    cards = "".join(
        f"- front: 'Card {i}?'   # eol {i}\n  id: c{i}\n  back: |\n    line {i}\n    more\n"
        + (f"\n# Section after card {i}.\n" if i % 3 == 0 else "")
        + (f"  # deeper, after {i}\n" if i % 4 == 0 else "")
        for i in range(9)
    )
    text = f"---\n# Header.\ntitle: Big  # the title\ncards:  # the cards\n{cards}# The end.\ndeck: big\n"
    whole = format_text(text, "big.yaml")
    monkeypatch.setattr("quiz.authoring.fmt.CHUNK", 2)
    dumps = []
    monkeypatch.setattr("ruamel.yaml.YAML.dump", _counted(dumps))
    assert format_text(text, "big.yaml") == whole
    assert len(dumps) == 5  # the deck with its first 2 cards, then 4 chunks
    assert whole.count("# Section after card") == 3 and whole.rstrip().endswith("# The end.")
    shared = text.replace("id: c1\n", "id: c1\n  tags: &t [x]\n").replace(
        "id: c7\n", "id: c7\n  tags: *t\n"
    )
    assert format_text(shared, "big.yaml").count("*t") == 1  # an alias meets its anchor

    from ruamel.yaml import YAML

    dump = YAML.dump

    def odd(self, data, stream):  # type: ignore[no-untyped-def]
        if list(data) == ["cards"]:  # a chunk that would not start with its `cards:` line
            stream.write("# odd\n")
        return dump(self, data, stream)

    monkeypatch.setattr("ruamel.yaml.YAML.dump", odd)
    assert format_text(text, "big.yaml") == whole  # then the whole document, as before


def _counted(calls: list) -> object:
    from ruamel.yaml import YAML

    dump = YAML.dump

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return dump(self, *args, **kwargs)

    return counted
