"""The review screen's promises in piped (scripted) sessions: slips are asked again,
unknown decks and tags are errors, a snippet that times out is not the learner's miss,
interval previews and overruled verdicts."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.conftest import write_deck

NOW = "2026-03-01T09:00:00+00:00"

DECK = """
deck: slips
title: Slips
lang: en
tags: [basics]
cards:
  - id: a-typed
    type: typed
    front: Which keyword rebinds a module-level name inside a function?
    answer: [global]
  - id: b-choice
    type: choice
    front: Which runs CPU-bound code on several cores?
    choices: [threads, asyncio tasks, processes, coroutines]
    correct: 2
"""


def reviews(env: Path) -> list[tuple[str, int, str | None, bool | None]]:
    with sqlite3.connect(env / "store.db") as conn:
        return conn.execute(
            "select c.key, r.rating, r.answer, r.correct from reviews r"
            " join cards c on c.id = r.card_id order by r.id"
        ).fetchall()


def load(cli, env: Path, body: str = DECK, name: str = "slips.yaml") -> Path:
    path = write_deck(env, name, body)
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_piped_slips_are_asked_again_not_graded(cli, env):
    load(cli, env)
    script = "\n   \nglobal\n\n5\nabc\n0\n3\n"
    result = cli("review", input=script, now=NOW)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "no answer given" in out
    assert "no choice given" in out
    assert "no choice 5: pick from 1 to 4" in out
    assert "not a choice: 'abc'" in out
    assert "not a choice: '0'" in out
    assert reviews(env) == [
        ("slips/a-typed", 3, "global", True),
        ("slips/b-choice", 3, "3", True),
    ]


def test_piped_commands_still_work_on_every_card(cli, env):
    load(cli, env)
    result = cli("review", input=":s\nq\n", now=NOW)
    assert result.exit_code == 0, result.output
    assert reviews(env) == []


def test_unknown_deck_or_tag_is_an_error_with_a_suggestion(cli, env):
    load(cli, env)
    cases = [
        (("review", "--deck", "slipz"), "no deck 'slipz' in the store; did you mean 'slips'?"),
        (("review", "--tag", "basix"), "no tag 'basix' in the store; did you mean 'basics'?"),
        (("drill", "--deck", "slipz"), "did you mean 'slips'?"),
        (("drill", "--tag", "nosuchtag"), "no tag 'nosuchtag' in the store (see: quiz cards)"),
    ]
    for args, message in cases:
        result = cli(*args, input="3\n", now=NOW)
        assert result.exit_code == 4, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Nothing to review" not in result.output
    assert reviews(env) == []
    known = cli("review", "--deck", "slips", "--tag", "basics", input="global\n", now=NOW)
    assert known.exit_code == 0, known.output
    assert reviews(env)[0][:2] == ("slips/a-typed", 3)


SLOW = """
deck: slow
title: Slow
lang: en
cards:
  - id: loop
    type: output
    code: |
      while True:
          pass
    output: "done\\n"
    timeout: 0.5
  - id: fine
    type: typed
    front: Which keyword rebinds a module-level name inside a function?
    answer: [global]
"""


def test_a_snippet_that_times_out_is_not_charged_to_the_learner(cli, env):
    path = load(cli, env, SLOW, "slow.yaml")
    result = cli("review", input="done\n\nglobal\n", now=NOW)
    assert result.exit_code == 0, result.output
    assert "the snippet did not finish in time: not graded, not your miss" in result.stdout
    assert f"quiz check {path.resolve()}" in result.stdout
    assert "✗" not in result.stdout
    # only the typed card was recorded; the broken card keeps its (new) schedule
    assert reviews(env) == [("slow/fine", 3, "global", True)]


def test_import_tells_the_author_to_check_output_cards(cli, env):
    path = write_deck(env, "slow.yaml", SLOW)
    first = cli("import", str(path))
    assert first.exit_code == 0, first.output
    assert "note: slow has 1 output card, not run on import; verify them with: quiz check" in (
        first.stderr
    )
    again = cli("import", str(path))  # nothing changed: no note
    assert "note:" not in again.stderr


OVERRULE = """
deck: strict
title: Strict
lang: en
cards:
  - id: a-typed
    type: typed
    front: How long is CPython's default switch interval?
    answer: ["0.005"]
  - id: b-typed
    type: typed
    front: Which keyword rebinds a module-level name inside a function?
    answer: [global]
  - id: c-choice
    type: choice
    front: Which runs CPU-bound code on several cores?
    choices: [threads, asyncio tasks, processes, coroutines]
    correct: 2
"""


def overruled_rows(env: Path) -> list[tuple[str, int, bool | None, bool | None]]:
    with sqlite3.connect(env / "store.db") as conn:
        return conn.execute(
            "select c.key, r.rating, r.correct, r.overruled from reviews r"
            " join cards c on c.id = r.card_id order by r.id"
        ).fetchall()


def test_every_verdict_can_be_overruled_in_a_script(cli, env):
    load(cli, env, OVERRULE, "strict.yaml")
    # a wrong verdict overruled ("I was right"), a right one re-rated Easy, a wrong one
    # with no second line (the old format: the suggested rating stands)
    script = "five milliseconds\n=r\nglobal\n=4\n1\n"
    result = cli("review", input=script, now=NOW)
    assert result.exit_code == 0, result.output
    assert overruled_rows(env)[:3] == [
        ("strict/a-typed", 3, 1, 1),
        ("strict/b-typed", 4, 1, None),
        ("strict/c-choice", 1, 0, None),
    ]
    stats = json.loads(cli("stats", "--json", now=NOW).stdout)
    assert stats["strict_grading"] == [{"card": "strict/a-typed", "overruled": 1, "answers": 1}]


def test_a_second_line_that_is_not_an_overrule_is_the_next_answer(cli, env):
    load(cli, env, OVERRULE, "strict.yaml")
    result = cli("review", input="0.005\nglobal\n3\n", now=NOW)
    assert result.exit_code == 0, result.output
    assert overruled_rows(env) == [
        ("strict/a-typed", 3, 1, None),
        ("strict/b-typed", 3, 1, None),
        ("strict/c-choice", 3, 1, None),
    ]


def test_wording_of_the_screen(cli, env):
    load(cli, env)
    nothing = cli("review", input="q\n", now=NOW)
    assert "Nothing answered · due tomorrow:" in nothing.stdout
    assert "Reviewed 0" not in nothing.stdout
    # --lang fr on an English deck says so, once; a wrong choice names the answer once
    wrong = cli("review", "--lang", "fr", input="global\n1\n", now=NOW)
    assert wrong.exit_code == 0, wrong.output
    assert wrong.stdout.count("no 'fr' text in deck slips: shown in 'en'") == 1
    assert "yours:  1" in wrong.stdout
    assert "answer: 3. processes" in wrong.stdout
    assert "the right choice" not in wrong.stdout


def test_run_output_notes_stand_on_their_own_lines():
    from rich.console import Console

    from quiz.model import RunResult
    from quiz.ui.card_view import run_output

    console = Console(width=60, record=True, color_system=None)
    console.print(run_output(RunResult(stdout="", timed_out=True)))
    text = console.export_text()
    assert "(no output)(timed out)" not in text
    assert "(no output)" in text and "(timed out)" in text


def _deck(name: str, n: int, requires: dict[int, int] | None = None) -> str:
    cards = ""
    for i in range(1, n + 1):
        cards += f"  - id: c{i}\n    front: {name} {i}?\n    back: A{i}.\n"
        if requires and i in requires:
            cards += f"    requires: [{name}/c{requires[i]}]\n"
    return f"deck: {name}\ntitle: {name}\nlang: en\ncards:\n{cards}"


def test_new_cards_interleave_across_decks_or_go_deck_by_deck(cli, env):
    load(cli, env, _deck("alpha", 3), "alpha.yaml")
    # beta's first card requires its third: it waits for it, the others take their turns
    load(cli, env, _deck("beta", 3, requires={1: 3}), "beta.yaml")
    result = cli("review", input="4\n" * 6, now=NOW)
    assert result.exit_code == 0, result.output
    order = [k for k, _, _, _ in reviews(env)]
    assert order == ["alpha/c1", "alpha/c2", "beta/c2", "alpha/c3", "beta/c3", "beta/c1"]

    (env / "config.toml").write_text('timezone = "UTC"\nfuzz = false\nnew_order = "deck"\n')
    (env / "store.db").unlink()
    load(cli, env, _deck("alpha", 2), "alpha.yaml")
    load(cli, env, _deck("beta", 2), "beta.yaml")
    cli("review", input="4\n" * 4, now=NOW)
    assert [k for k, _, _, _ in reviews(env)] == ["alpha/c1", "alpha/c2", "beta/c1", "beta/c2"]

    (env / "config.toml").write_text('timezone = "UTC"\nnew_order = "random"\n')
    bad = cli("review", input="", now=NOW)
    assert bad.exit_code != 0
    assert "new_order must be one of: interleave, deck" in bad.output
