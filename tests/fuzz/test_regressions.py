"""Inputs that broke a parser (issue #14 §5, and what the fuzzer found), kept as explicit
cases: each must now be one clear `path:line: message` problem, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz.authoring.csv_import import ConvertError, convert, table_rows
from quiz.config import ConfigError, load_config
from quiz.deck import parse_deck
from quiz.errors import DeckError
from tests.fuzz import contract

BIG = "9" * 400
HUGE = "1" * 5000
HEAD = "deck: d\ntitle: T\ncards:\n  - id: a\n"


def deck_problems(body: str) -> list[str]:
    data = (HEAD + body).encode()
    with pytest.raises(DeckError) as info:
        parse_deck(data, "t.yaml")
    lines = [str(p) for p in info.value.problems]
    for line in lines:
        assert "\n" not in line and "\r" not in line
        assert line.startswith("t.yaml:")
    return lines


# (name, card body after `- id: a`, line of the problem, words in the message)
DECK_CASES = [
    ("400-digit front", f"    front: {BIG}\n    back: b\n", 5, "'front' was read as a number"),
    (
        "400-digit timeout",
        f"    type: output\n    code: x\n    output: '1'\n    timeout: {BIG}\n",
        8,
        "'timeout' must be more than 0",
    ),
    (
        "5,000-digit correct",
        f"    type: choice\n    front: q\n    choices: [a, b]\n    correct: {HUGE}\n",
        8,
        "'correct' must be a whole number below 10000",
    ),
    (
        "5,000-digit correct in a list",
        f"    type: choice\n    front: q\n    choices: [a, b]\n    correct: [0, {HUGE}]\n",
        8,
        "'correct' item 2 must be a whole number",
    ),
    (
        "5,000-digit cloze number",
        f"    type: cloze\n    text: '{{{{c{HUGE}::x}}}}'\n",
        6,
        "cloze deletion number is too long",
    ),
    (
        "non-ASCII cloze number",
        "    type: cloze\n    text: '{{c١::x}} {{c1::y}}'\n",
        6,
        "malformed cloze deletion",
    ),
    (
        "sexagesimal front",
        "    front: 1:59:59:" + ":".join(["59"] * 3000) + "\n    back: b\n",
        5,
        "'front' was read as a number (1:59:59",
    ),
    (
        "1,000-deep regex",
        "    type: output\n    code: x\n    match: regex\n    output: '"
        + "(" * 1000
        + "a"
        + ")" * 1000
        + "'\n",
        8,
        "not a valid regular expression (match: regex): it is nested too deeply",
    ),
    (
        "regex repetition too large",
        "    type: output\n    code: x\n    match: regex\n    output: 'a{99999999999}'\n",
        8,
        "not a valid regular expression",
    ),
    (
        "an exponential regex",
        "    type: output\n    code: x\n    match: regex\n    output: 'a+'\n"
        "    accept: ['(x|y)', '(\\w+\\s?)+$']\n",
        9,
        "'accept' item 2 is not a valid regular expression (match: regex): a repetition inside",
    ),
    ("!!bool maybe", "    front: !!bool maybe\n    back: b\n", 5, "invalid !!bool value (maybe)"),
    ("!!timestamp nope", "    front: q\n    back: !!timestamp nope\n", 6, "!!timestamp"),
    (
        "!!int x",
        "    type: choice\n    front: q\n    choices: [a, b]\n    correct: !!int x\n",
        8,
        "invalid !!int value (x)",
    ),
    (
        "!!float y timeout",
        "    type: output\n    code: x\n    output: '1'\n    timeout: !!float y\n",
        8,
        "'timeout' must be more than 0",
    ),
    (
        "5,000-digit YAML 1.2 number",
        f"    front: q\n    back: b\n    tags: [{HUGE}.5e1]\n",
        7,
        "",
    ),
    (
        "cloze part of 5,000 digits in requires",
        f"    front: q\n    back: b\n    requires: [b#c{HUGE}]\n",
        7,
        "is not a card reference",
    ),
    (
        "a newline in a quoted value",
        '    type: output\n    code: x\n    output: "1"\n    match: "regex\\nx"\n',
        8,
        '"regex\\nx"',
    ),
    (
        "an invalid !!timestamp over two lines",
        '    front: q\n    back: !!timestamp "nope\\nreturn x"\n',
        6,
        "invalid !!timestamp value (nope\\nreturn x)",
    ),
    (
        "a !!float timeout over two lines",
        '    type: output\n    code: x\n    output: "1"\n    timeout: !!float "1\\n2"\n',
        8,
        "(found 1\\n2)",
    ),
    (
        "a key with a newline",
        '    front: q\n    back: b\n    "x\\ny": 1\n',
        7,
        "unknown key 'x\\ny'",
    ),
    (
        "a language key with a newline",
        '    front: {"e\\nn": x}\n    back: b\n',
        5,
        "'e\\nn' is not a language code",
    ),
    (
        "a key with a terminal escape",
        '    front: q\n    back: b\n    "\\e]0;x": 1\n',
        7,
        "unknown key '\\x1b]0;x'",
    ),
    (
        "a 70 KB value",
        "    type: output\n    code: x\n    output: '1'\n    match: " + "a" * 70000 + "\n",
        8,
        "unknown 'match' value",
    ),
]


@pytest.mark.parametrize(
    ("body", "line", "words"), [c[1:] for c in DECK_CASES], ids=[c[0] for c in DECK_CASES]
)
def test_deck_regression_is_one_problem(body: str, line: int, words: str):
    [problem] = deck_problems(body)
    assert problem.startswith(f"t.yaml:{line}: ")
    assert words in problem
    assert len(problem) < 400


def test_exponential_output_regex_is_refused():
    [problem] = deck_problems(
        "    type: output\n    code: x\n    match: regex\n    output: '(a*)*b'\n"
    )
    assert problem.startswith("t.yaml:8: 'output' is not a valid regular expression")


def test_folded_key_under_a_key_with_a_newline_is_one_line():
    """Found by the confirmation fuzz run (seed 7, input 106069)."""
    body = '    type: output\n    code: x\n    "fr\\nont": |\n      text\n      output: "1"\n'
    problems = deck_problems(body)
    assert (
        "t.yaml:9: looks like key 'output' folded into the text of 'fr\\nont' (check its indentation)"
        in problems
    )


def test_duplicate_key_with_a_newline_is_one_line():
    problems = deck_problems('    front: q\n    back: b\n    "x\\ny": 1\n    "x\\ny": 2\n')
    assert "t.yaml:8: duplicate key 'x\\ny' (first defined at line 7)" in problems


def test_deck_regressions_hold_the_fuzz_contract():
    for _name, body, _line, _words in DECK_CASES:
        assert contract.check_deck((HEAD + body).encode()) == "refused"


# ---------------------------------------------------------------------------
# Tables


def convert_error(tmp_path: Path, name: str, text: str) -> str:
    table = tmp_path / name
    table.write_text(text, encoding="utf-8")
    with pytest.raises(ConvertError) as info:
        convert(table)
    [line] = info.value.lines()
    assert line.startswith(f"{table}: ")
    assert not table.with_suffix(".yaml").exists()
    return line


def test_header_only_table_is_refused(tmp_path: Path):
    line = convert_error(tmp_path, "cards.csv", "front,back,tags\n")
    assert "no rows with a front side" in line


@pytest.mark.parametrize("value", ["١", "²", "①", "0", BIG, "-1", "x"])
def test_column_number_must_be_ascii_digits(tmp_path: Path, value: str):
    text = f"#separator:tab\n#tags column:{value}\nQ\tA\tt\n"
    line = convert_error(tmp_path, "cards.txt", text)
    assert "#tags column:" in line and "is not a column number" in line


@pytest.mark.parametrize("value", ["\\t", '"', "ab", "newline", "١"])
def test_unknown_separator_is_refused(tmp_path: Path, value: str):
    line = convert_error(tmp_path, "cards.txt", f"#separator:{value}\nQ\tA\n")
    assert "is not a separator quiz knows" in line and "tab, comma" in line


def test_separator_by_name_or_character(tmp_path: Path):
    assert table_rows("#separator:Semicolon\nWhy;Yes\n", ".txt")[0]["back"] == "Yes"
    assert table_rows("#separator:|\nWhy|Yes\n", ".txt")[0]["back"] == "Yes"


def test_cell_over_128_kb_is_refused(tmp_path: Path):
    line = convert_error(tmp_path, "cards.csv", "front,back\nq," + "x" * 131073 + "\n")
    assert "row 2: a cell is larger than 128 KB" in line


def test_html_charref_of_thousands_of_digits(tmp_path: Path):
    rows = table_rows("#html:true\nWhy&#" + "9" * 5400 + ";\tYes &#65;\n", ".txt")
    assert [{k: r[k] for k in ("front", "back", "tags")} for r in rows] == [
        {"front": "Why\ufffd", "back": "Yes A", "tags": ""}
    ]


def test_table_regressions_hold_the_fuzz_contract():
    folder = contract.TableFolder()
    try:
        for data, suffix in [
            (b"front,back,tags\n", ".csv"),
            ("#guid column:²\nq\ta\n".encode(), ".txt"),
            (b"#separator:\x00\nq\x00a\n", ".txt"),
            (b'#separator:"\nq"a\n', ".txt"),
        ]:
            assert contract.check_table(data, suffix, folder) == "refused"
    finally:
        folder.close()


# ---------------------------------------------------------------------------
# config.toml


CONFIG_CASES = [
    ('desired_retention = "high"', 1, "desired_retention must be a number from 0.5", '"high"'),
    ('fuzz = false\nlearning_steps = "x"', 2, "learning_steps must be a list of minutes", '"x"'),
    ("new_per_day = " + "9" * 30, 1, "new_per_day must be a whole number from 0", "31 digits"),
    ("reviews_per_day = -1", 1, "reviews_per_day must be a whole number", "-1"),
    ("day_starts_at = 24", 1, "day_starts_at must be an hour", "24"),
    ("maximum_interval = 1e308", 1, "maximum_interval must be a whole number of days", "1e+308"),
    ("learning_steps = [1e308]", 1, "learning_steps must be a list of minutes", "a list"),
    ("relearning_steps = [nan]", 1, "relearning_steps must be a list", "a list"),
    ("fuzz = 1", 1, "fuzz must be true or false", "1"),
    ("leech_lapses = 0", 1, "leech_lapses must be a whole number from 1", "0"),
    ('lang = ""', 1, "lang must be a language code", '""'),
    ('timezone = "Nowhere/Zone"', 1, "timezone is not a known time zone", '"Nowhere/Zone"'),
    ('timezone = "../../etc/passwd"', 1, "timezone is not a known time zone", "passwd"),
    ("parameters = [0.2, 0.2]", 1, "parameters must have 21 numbers", "2"),
    ("new_per_dya = 3", 1, "new_per_dya is not a setting (did you mean new_per_day?)", ""),
    (
        'fuzz = false\n\n[decks.python-gil]\ndesired_retention = "high"',
        4,
        "[decks.python-gil] desired_retention",
        "high",
    ),
    ("[decks]\npython-gil = 3", 2, "[decks] python-gil must be a table of settings", ""),
    ("decks = 3", 1, "decks must be a table of deck ids", ""),
    ("new_per_day = " + "9" * 5000, None, "not valid TOML: a number is too long", ""),
    ("x = " + "[" * 5000, None, "not valid TOML", ""),
    ("x = ", None, "not valid TOML", ""),
]


@pytest.mark.parametrize(
    ("text", "line", "words", "found"), CONFIG_CASES, ids=[c[2][:40] for c in CONFIG_CASES]
)
def test_bad_config_is_one_line_with_its_line(
    tmp_path: Path, text: str, line: int | None, words: str, found: str
):
    path = tmp_path / "config.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    [message] = info.value.lines()
    where = f"{path}:{line}: " if line else f"{path}: "
    assert message.startswith(where), message
    assert words in message and found in message
    assert info.value.exit_code == 1


def test_good_config_values_are_kept(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text(
        "desired_retention = 0.85\nlearning-steps = [1, 10.5]\nmaximum_interval = 3650\n"
        'timezone = "Europe/Berlin"\nlang = "zh-Hans"\nnew_per_day = 0\n'
        "[decks.python-gil]\ndesired_retention = 0.95\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.scheduler.learning_steps == (1, 10.5)
    assert config.for_deck("python-gil").scheduler.desired_retention == 0.95
    assert config.for_deck("other").scheduler.desired_retention == 0.85
    assert contract.check_config(path.read_bytes(), _folder(tmp_path)) == "ok"


def _folder(tmp_path: Path) -> contract.TableFolder:
    folder = contract.TableFolder()
    folder.path = tmp_path  # the checker writes config.toml there
    return folder


# ---------------------------------------------------------------------------
# The answer matcher


@pytest.mark.parametrize(
    "pattern",
    [
        "(" * 1000 + "a" + ")" * 1000,
        "a{99999999999}",
        "a{" + BIG + "}",
    ],
    ids=["deep", "repetition", "400-digit repetition"],
)
def test_hostile_regex_in_a_card_grades_as_wrong_not_a_crash(pattern: str):
    case = {
        "output": pattern,
        "raises": None,
        "accept": (pattern,),
        "match": "regex",
        "answers": (),
        "correct": (),
        "stdout": "a",
        "exception": None,
        "timed_out": False,
        "prediction": "b",
    }
    assert contract.check_matcher(case) == "ok"
    from quiz.grading import same_output

    assert same_output(pattern, "a", "regex") is False
