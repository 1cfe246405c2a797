"""`fmt_layout.in_layout`: a text it vouches for is one `format_text` leaves as it is.

The proof lets `quiz fmt` and `quiz fmt --check` skip the ruamel round trip; it must never
vouch for a text the round trip would change (then `--check` would pass a file `quiz fmt`
rewrites). So: on the bundled decks, on the fmt test corpus, on generated decks (comments,
blocks, Chinese, flow collections, anchors, odd indentation) and on one-line edits of
formatted decks, `in_layout(t)` implies `format_text(t) == t`.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.authoring.fmt import FormatError, format_text
from quiz.authoring.fmt_layout import in_layout
from tests.authoring.helpers import REPO
from tests.authoring.test_fmt import MESSY
from tests.manage.test_fmt_comments import AFTER, BEFORE, DEEP

DECKS = sorted((REPO / "decks").glob("*.yaml")) + sorted(
    (REPO / "quiz" / "bundled_decks").glob("*.yaml")
)
CORPUS = {"messy": MESSY, "before": BEFORE, "after": AFTER, "deep": DEEP}


def formatted(text: str) -> str | None:
    try:
        return format_text(text, "t.yaml")
    except FormatError:
        return None


def assert_sound(text: str) -> None:
    """Where the proof vouches for a text, the round trip leaves it alone."""
    if in_layout(text):
        assert formatted(text) == text


@pytest.mark.parametrize("path", DECKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bundled_decks(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert_sound(text)
    once = formatted(text)
    assert once is not None
    assert_sound(once)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_fmt_corpus(name: str) -> None:
    text = CORPUS[name]
    assert_sound(text)
    once = formatted(text)
    assert once is not None
    assert_sound(once)
    assert_sound(once.replace("\n", "\r\n"))
    assert_sound("\ufeff" + once)


def test_a_leading_empty_line_is_left_to_the_round_trip() -> None:
    """ruamel drops it (found by the edits below)."""
    text = "# c\n\ndeck: d\ntitle: T\n"
    assert in_layout(text) and formatted(text) == text
    assert not in_layout("\n" + text) and formatted("\n" + text) == text


def test_it_vouches_for_fmt_own_layout() -> None:
    """Not a proof that says no to everything: fmt's output of the common shapes passes."""
    proved = [p.name for p in DECKS if in_layout(formatted(p.read_text("utf-8")) or "")]
    assert len(proved) >= len(DECKS) // 3, proved
    assert in_layout(formatted(AFTER) or "")


# ---- generated decks --------------------------------------------------------------------

WORDS = [
    "What?", "a b", "no", "yes", "1e3", "0777", "2024-01-02", "-1", "~", "null", "x: y",
    "x #y", "...x", "---", "a,b", "[a]", "{a}", "it's", 'say "hi"', "back\\slash", "中文",
    "蟒蛇 3 中", "é", "tab\there", "", " lead", "trail ", "#", "&a", "*a", "!t", "a:b",
    "@x", "`x`", "%x", "?", "- x", "x\u2028y", "\u00a0nbsp", "a" * 120, "-x", "-1", "--",
    "-[a", "-:", "-#", "-a #b", "-...", "-",
]  # fmt: skip
KEYS = ["id", "type", "front", "back", "text", "answer", "choices", "correct", "vary",
        "explain", "tags", "source", "zeta", "timeout"]  # fmt: skip


@st.composite
def scalars(draw: st.DrawFn, in_flow: bool = False) -> str:
    word = draw(st.sampled_from(WORDS))
    style = draw(st.sampled_from(["plain", "single", "double", "double-escaped"]))
    if style == "plain":
        return word
    if style == "single":
        return "'" + word.replace("'", "''") + "'"
    if style == "double-escaped":
        word += draw(st.sampled_from(["\\n", "\\t", "\\x07", "\\u00e9", "\\\\", '\\"', "\\n\\n"]))
    return '"' + word.replace('"', '\\"') + '"'


@st.composite
def values(draw: st.DrawFn, indent: int) -> list[str]:
    """The lines of one value, the first one continuing `key:`."""
    kind = draw(st.sampled_from(["scalar", "scalar", "flow", "map", "block", "list", "anchor"]))
    pad = " " * indent
    if kind == "scalar":
        return [" " + draw(scalars())]
    if kind == "anchor":
        return [" &a " + draw(scalars())]
    if kind == "flow":
        items = draw(st.lists(scalars(in_flow=True), max_size=3))
        if draw(st.booleans()):
            return [" {" + ", ".join(f"k{i}: {v}" for i, v in enumerate(items)) + "}"]
        sep = draw(st.sampled_from([", ", ",", " , "]))
        return [" [" + sep.join(items) + "]"]
    if kind == "map":
        step = draw(st.sampled_from([2, 3, 4]))
        lines = [""]
        for lang in draw(
            st.lists(st.sampled_from(["en", "zh", "fr"]), min_size=1, max_size=3, unique=True)
        ):
            lines.append(f"{pad}{' ' * step}{lang}: {draw(scalars())}")
        return lines
    if kind == "list":
        dash = " " * draw(st.sampled_from([0, 2, 4]))
        return [""] + [f"{pad}{dash}- {draw(scalars())}" for _ in range(draw(st.integers(1, 3)))]
    header = draw(st.sampled_from(["|", "|-", "|+", ">", "|2"]))
    step = draw(st.sampled_from([2, 3]))
    body = draw(
        st.lists(
            st.sampled_from(["line", "中文行", "", "  indented", "# not a comment", "x  ", "  "]),
            min_size=1,
            max_size=4,
        )
    )
    lines = [" " + header] + [(pad + " " * step + b) if b else "" for b in body]
    return lines


@st.composite
def decks(draw: st.DrawFn) -> str:
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append("# yaml-language-server: $schema=x.json")
    top = draw(st.permutations(["deck: d", "title: T", "lang: en", "CARDS", "zeta: z"]))
    dash = draw(st.sampled_from([0, 2, 2, 2, 4]))
    key_col = dash + draw(st.sampled_from([2, 2, 2, 3]))
    for entry in top:
        if entry != "CARDS":
            lines.append(entry + draw(st.sampled_from(["", "", "  # eol"])))
            continue
        lines.append("cards:")
        if draw(st.booleans()):
            lines.append(" " * draw(st.sampled_from([0, 2, 4])) + "# the first cards")
        for _ in range(draw(st.integers(1, 3))):
            keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=5, unique=True))
            for i, key in enumerate(keys):
                head = (" " * dash + "- ") + " " * (key_col - dash - 2) if i == 0 else " " * key_col
                value = draw(values(key_col))
                eol = draw(st.sampled_from(["", "", "", "  # note", " # 注"]))
                lines.append(head + key + ":" + value[0] + (eol if len(value) == 1 else ""))
                lines.extend(value[1:])
                extra = draw(st.sampled_from(["", "", "", "blank", "comment"]))
                if extra == "blank":
                    lines.append("")
                elif extra == "comment":
                    col = draw(st.sampled_from([0, 1, 2, 3, 4, 6]))
                    lines.append(" " * col + "# c")
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["# the end", "  # the end", "", "..."])))
    return "\n".join(lines) + "\n"


@pytest.mark.filterwarnings("ignore::ruamel.yaml.error.ReusedAnchorWarning")  # `&a` twice
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(decks())
def test_generated_decks(text: str) -> None:
    assert_sound(text)
    once = formatted(text)
    if once is not None:
        assert_sound(once)


# ---- one-line edits of formatted decks ---------------------------------------------------

EDITS = [
    lambda line: " " + line,
    lambda line: line[1:] if line.startswith(" ") else line,
    lambda line: line + " ",
    lambda line: line + "  # note",
    lambda line: line.replace(": ", ":  ", 1),
    lambda line: line.replace(", ", ",", 1),
    lambda line: line.replace('"', "'", 2),
    lambda line: line.replace("|", "|-", 1),
    lambda line: line.replace("- ", "-   ", 1),
    lambda line: "#" + line,
    lambda line: line.replace("en:", "zh:", 1),
    lambda line: line.replace("id:", "tags:", 1),
    lambda line: "\n" + line,
    lambda line: line + "\n  # c",
]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_edits_of_formatted_decks(data: st.DataObject) -> None:
    text = _formatted_samples()[data.draw(st.integers(0, len(_formatted_samples()) - 1))]
    lines = text.split("\n")
    for _ in range(data.draw(st.integers(1, 2))):
        number = data.draw(st.integers(0, len(lines) - 1))
        edit = data.draw(st.sampled_from(EDITS))
        lines[number] = edit(lines[number])
        if data.draw(st.booleans()):
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[number], lines[other] = lines[other], lines[number]
    assert_sound("\n".join(lines))


_SAMPLES: list[str] = []


def _formatted_samples() -> list[str]:
    """Formatted decks the proof vouches for: bundled ones and the fmt corpus, cut to the
    first cards (the edits stay near the interesting lines)."""
    if not _SAMPLES:
        rng = random.Random(19)
        texts = [p.read_text("utf-8") for p in DECKS[:8]] + list(CORPUS.values())
        for text in texts:
            once = formatted(text)
            if once is not None and in_layout(once):
                _SAMPLES.append(_first_cards(once, rng.randint(2, 4)))
    return _SAMPLES


def _first_cards(text: str, count: int) -> str:
    cut = [i for i, line in enumerate(text.split("\n")) if line.startswith("  - ")]
    if len(cut) <= count:
        return text
    return "\n".join(text.split("\n")[: cut[count]]) + "\n"


# ---- the command ----------------------------------------------------------------------------


def test_check_lists_exactly_the_files_fmt_writes(cli, env: Path) -> None:
    """`--check` and writing agree file by file, over generated, corpus and bundled decks."""
    folder = env / "decks"
    folder.mkdir()
    texts = dict(CORPUS)
    texts.update({p.stem: p.read_text("utf-8") for p in DECKS[:6]})
    for name, text in list(texts.items()):
        once = formatted(text)
        if once is not None:
            texts[f"{name}-formatted"] = once
            texts[f"{name}-eol"] = once.replace("\ndeck: ", "\ndeck:  ", 1)
    for name, text in texts.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    check = cli("fmt", "--check", str(folder))
    would = {line.removeprefix("would reformat ") for line in check.stdout.splitlines()}
    cli("fmt", str(folder))
    changed = {
        str(folder / f"{name}.yaml")
        for name, text in texts.items()
        if (folder / f"{name}.yaml").read_text("utf-8") != text
    }
    assert would == changed
    assert any(name.endswith("-formatted") for name in texts)
    assert cli("fmt", "--check", str(folder)).exit_code in (0, 1)  # broken decks stay broken


def test_first_check_of_a_formatted_deck_skips_the_round_trip(cli, env: Path, monkeypatch) -> None:
    """Fails on the code before: a text never seen went through ruamel."""
    deck = env / "tidy.yaml"
    deck.write_text(formatted(AFTER) or "", encoding="utf-8")
    big = env / "big.yaml"
    big.write_text(formatted(DECKS[0].read_text("utf-8")) or "", encoding="utf-8")

    def never(text: str, path: str = "") -> str:
        raise AssertionError(f"{path}: round trip")

    monkeypatch.setattr("quiz.authoring.fmt.format_text", never)
    monkeypatch.setenv("XDG_CACHE_HOME", str(env / "fresh-cache"))
    result = cli("fmt", "--check", str(deck), str(big))
    assert result.exit_code == 0, result.output
    assert "0 of 2 files would change" in result.stderr
    assert cli("fmt", str(deck)).exit_code == 0
    assert deck.read_text("utf-8") == formatted(AFTER)


# ---- the proof's read is the loader's --------------------------------------------------


def test_a_proved_text_gives_the_loader_problems_from_the_same_read(cli, env) -> None:  # type: ignore[no-untyped-def]
    """`quiz fmt --check` of a deck in fmt's layout reads it once: the proof's tree goes
    on to the loader, whose problems are those of `parse_deck`; an aliased tree (a graph)
    is never walked, and the round trip decides."""
    from quiz.authoring.fmt_layout import layout_problems
    from quiz.deck import parse_deck
    from quiz.errors import DeckError

    good = "deck: d\ntitle: T\ncards:\n  - id: a\n    front: Q\n    back: A\n"
    assert layout_problems(good, "d.yaml") == []
    bad = good.replace("back: A", "bakc: A")
    with pytest.raises(DeckError) as caught:
        parse_deck(bad.encode(), "d.yaml", allow_unrecorded=True)
    assert caught.value.problems  # an unknown key, and the card has no back
    assert layout_problems(bad, "d.yaml") == caught.value.problems
    aliased = "deck: d\ntitle: &t T\ncards:\n  - id: a\n    front: *t\n    back: A\n"
    assert layout_problems(aliased, "d.yaml") is None
    assert layout_problems(good.replace("\n", "\r\n"), "d.yaml") is None

    deck = env / "d.yaml"
    deck.write_text(bad, encoding="utf-8")
    result = cli("fmt", "--check", str(deck))
    assert result.exit_code == 1
    assert "bakc" in result.stderr and "Traceback" not in result.output
    assert deck.read_text(encoding="utf-8") == bad
