"""Cards that vary, end to end through the CLI: review over simulated days (the learner
is graded against the variant shown), drill, `quiz run --variant`, `quiz check` on
variants (a nondeterministic or raising variant, in the sandbox), `quiz new card --vary`."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from quiz.deck import load_deck
from quiz.deck.variants import choose
from tests.conftest import write_deck
from tests.screens import day

DECK = """
deck: vr
title: {en: Variants, zh: 变体}
lang: en
cards:
  - id: size
    type: output
    front: {en: "How long is the list for n = {{n}}?", zh: "n = {{n}} 时列表有多长？"}
    code: |
      xs = [0] * {{n}}
      print(len(xs) * 10)
    vary:
      n: {range: [2, 6]}
    explain: {en: "{{n}} zeros, times ten.", zh: "{{n}} 个零，乘以十。"}
    source: test
"""


def answers(env: Path) -> list[tuple[str, int, str]]:
    with sqlite3.connect(env / "store.db") as conn:
        return conn.execute("select answer, correct, rating from reviews order by id").fetchall()


def the_n(path: Path, reps: int) -> int:
    (card,) = load_deck(path).cards
    assert card.vary is not None
    return int(dict(choose(card.key, reps, card.vary).values)["n"])


def test_review_grades_against_the_variant_shown_over_two_days(cli, env):
    path = write_deck(env, "vr.yaml", DECK)
    assert cli("import", str(path)).exit_code == 0
    first, second = the_n(path, 0), the_n(path, 1)
    assert first != second  # one round shows every variant once

    day1 = cli("review", input=f"{first * 10}\n\n=4\n", now=day(1))
    assert day1.exit_code == 0, day1.output
    assert f"xs = [0] * {first}" in day1.stdout
    assert f"How long is the list for n = {first}?" in day1.stdout
    assert f"{first} zeros, times ten." in day1.stdout  # explain substituted too
    assert "{{n}}" not in day1.stdout

    # Easy on a new card: due again days later, the second review shows the next variant;
    # the answer that was right yesterday is wrong today
    day2 = cli("review", input=f"{first * 10}\n\n", now=day(12))
    assert day2.exit_code == 0, day2.output
    assert f"xs = [0] * {second}" in day2.stdout
    assert "wrong" in day2.stdout and str(second * 10) in day2.stdout
    given = f"{first * 10}\n"  # a predicted output, as typed
    assert answers(env) == [(given, 1, 4), (given, 0, 1)]


def test_review_in_chinese_shows_the_variant(cli, env):
    path = write_deck(env, "vr.yaml", DECK)
    cli("import", str(path))
    n = the_n(path, 0)
    result = cli("review", "--lang", "zh", input=f"{n * 10}\n\n=4\n", now=day(1))
    assert result.exit_code == 0, result.output
    assert f"n = {n} 时列表有多长？" in result.stdout
    assert f"{n} 个零，乘以十。" in result.stdout
    assert answers(env)[0][1] == 1


def test_a_learning_step_shows_the_next_variant_and_undo_the_same_again(cli, env):
    path = write_deck(env, "vr.yaml", DECK)
    cli("import", str(path))
    n, following = the_n(path, 0), the_n(path, 1)
    # a miss (Again) brings the card back within the session as its next review; undo
    # takes the miss back, and the card is shown as it was
    result = cli("review", input=f"0\n\nu\n{n * 10}\n\n=4\n", now=day(1))
    assert result.exit_code == 0, result.output
    shown = re.findall(r"xs = \[0\] \* (\d)", result.stdout)
    assert shown == [str(n), str(following), str(n)]
    assert answers(env) == [(f"{n * 10}\n", 1, 4)]


def test_drill_shows_a_variant_graded_against_its_run(cli, env):
    path = write_deck(env, "vr.yaml", DECK)
    cli("import", str(path))
    result = cli("drill", "--count", "1", input="0\n\n", now=day(1))
    assert result.exit_code == 0, result.output
    (n,) = re.findall(r"xs = \[0\] \* (\d)", result.stdout)
    assert n == str(the_n(path, 0))  # no drills yet: the drill count is 0
    assert str(int(n) * 10) in result.stdout
    again = cli("drill", "--count", "1", input="0\n\n", now=day(1, 10))
    (n2,) = re.findall(r"xs = \[0\] \* (\d)", again.stdout)
    assert n2 == str(the_n(path, 1))  # one drill of it in the log now


def test_run_picks_a_variant_and_says_which(cli, env):
    path = write_deck(env, "vr.yaml", DECK)
    first = cli("run", f"{path}#size")
    assert first.exit_code == 0, first.output
    assert "variant n=2 (the first of 5" in first.stdout and "20" in first.stdout
    picked = cli("run", f"{path}#size", "--variant", "n=5", "--json")
    assert picked.exit_code == 0, picked.output
    assert (
        '"variant": {\n    "n": "5"\n  }' in picked.stdout and '"stdout": "50\\n"' in picked.stdout
    )
    bad = cli("run", f"{path}#size", "--variant", "n=9")
    assert bad.exit_code == 2 and "n=9 is not one of the card's values (2 to 6)" in bad.output


def test_check_runs_every_variant_and_names_the_one_that_fails(cli, env):
    path = write_deck(
        env,
        "check.yaml",
        """
        deck: ck
        title: Check
        cards:
          - id: fine
            type: output
            code: print({{n}} * 2)
            vary: {n: {range: [1, 3]}}
          - id: seeds
            type: output
            code: print(list({"a{{k}}", "b", "c", "d", "e"}))
            vary: {k: [x, y]}
          - id: boom
            type: output
            code: print(10 // {{d}})
            vary: {d: [2, 0]}
        """,
    )
    result = cli("check", str(path))
    assert result.exit_code == 1
    out = result.stdout
    assert f"{path}:8: card seeds variant {{k=x}}: output depends on the hash seed" in out
    assert f"{path}:8: card seeds variant {{k=y}}: output depends on the hash seed" in out
    assert (
        f"{path}:12: card boom variant {{d=0}}: raises ZeroDivisionError: integer division or "
        "modulo by zero, but a card with `vary` must print"
    ) in out
    assert "card fine" not in out and "variant {d=2}" not in out
    assert "3 output cards, 14 runs: 3 problems" in result.output


def test_check_samples_a_big_card_with_its_first_and_last_variant(cli, env):
    path = write_deck(
        env,
        "big.yaml",
        """
        deck: big
        title: Big
        cards:
          - id: many
            type: output
            code: print({{a}} + {{b}}, 1 // ({{a}} - 9) if {{a}} < 9 else "last")
            vary: {a: {range: [1, 9]}, b: {range: [1, 9]}}
        """,
    )
    result = cli("check", "--json", str(path))
    assert result.exit_code == 0, result.output
    assert '"runs": 12' in result.stdout  # 6 of the 81 variants, two seeds each


def test_new_card_vary_writes_a_checkable_card(cli, env):
    path = write_deck(env, "n.yaml", "deck: n\ntitle: N\ncards: []\n")
    result = cli("new", "card", str(path), "--type", "output", "--vary")
    assert result.exit_code == 0, result.output
    (card,) = load_deck(path).cards
    assert card.vary is not None and card.vary.names == ("n", "container")
    checked = cli("check", str(path))
    assert checked.exit_code == 0, checked.output
    refused = cli("new", "card", str(path), "--type", "basic", "--vary")
    assert refused.exit_code == 2 and "--vary is for output cards" in refused.output


def test_the_step_through_traces_the_variant_picked(cli, env):
    path = write_deck(env, "vr.yaml", DECK)
    result = cli("run", f"{path}#size", "--variant", "n=4", "--trace", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["code"] == "xs = [0] * 4\nprint(len(xs) * 10)\n"
    first = data["trace"]["steps"][0]
    assert first["line"] == 1 and first["changed"] == [["xs", "[0, 0, 0, 0]"]]


def test_yaml_export_keeps_vary_and_anki_text_shows_the_first_variant(cli, env):
    path = write_deck(env, "vr.yaml", DECK)
    cli("import", str(path))
    out = env / "out"
    assert cli("export", "--format", "yaml", "-o", str(out)).exit_code == 0
    (exported,) = load_deck(out / "vr.yaml").cards
    (original,) = load_deck(path).cards
    assert exported.vary == original.vary and exported.code == original.code
    csv_file = env / "cards.csv"
    assert cli("export", "--format", "csv", "-o", str(csv_file)).exit_code == 0
    text = csv_file.read_text()
    assert "xs = [0] * 2" in text and "{{n}}" not in text and "quiz run vr/size" in text
