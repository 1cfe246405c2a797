"""`quiz drill`: choosing cards, practice answers kept apart from the schedule, timed
and exam rounds, and the end report — through the CLI with piped answers."""

from __future__ import annotations

import random
import re
import sqlite3
from dataclasses import replace

import pytest

from quiz.model import Card, CardKind, Schedule, StoredCard
from quiz.review import drill
from quiz.stats.rows import CardTally
from tests.conftest import write_deck
from tests.screens import bilingual_deck, day, db, screen, widest


def stored(i: int, **kw) -> StoredCard:  # type: ignore[no-untyped-def]
    return StoredCard(
        row_id=i,
        card=Card(deck="d", id=f"c{i}", kind=CardKind.BASIC, tags=kw.pop("tags", ())),
        schedule=Schedule(),
        **kw,
    )


def test_pick_is_reproducible_with_a_seed_and_leaves_out_suspended_cards():
    cards = [stored(i) for i in range(1, 21)] + [
        stored(21, suspended=True),
        stored(22, suspended=True, leech=True),
    ]
    first = drill.pick(cards, {}, lambda c: None, count=10, weak=False, rng=random.Random(7))
    again = drill.pick(cards, {}, lambda c: None, count=10, weak=False, rng=random.Random(7))
    other = drill.pick(cards, {}, lambda c: None, count=10, weak=False, rng=random.Random(8))
    assert [c.row_id for c in first] == [c.row_id for c in again] != [c.row_id for c in other]
    everything = drill.pick(cards, {}, lambda c: None, count=50, weak=False, rng=random.Random(1))
    assert 21 not in {c.row_id for c in everything} and 22 in {c.row_id for c in everything}


def test_weak_picks_the_weakest_then_shuffles_them():
    cards = [stored(i) for i in range(1, 7)]

    def tally(i: int, misses: int, last_right: bool) -> CardTally:
        return CardTally(
            i,
            f"d/c{i}",
            "d",
            "basic",
            3,
            0,
            3 - misses,
            misses,
            misses,
            0,
            None,
            None,
            last_right,
            0,
        )

    tallies = {
        1: tally(1, 0, True),
        2: tally(2, 2, False),
        3: tally(3, 1, True),
        4: tally(4, 3, True),
    }
    r = {1: 0.97, 2: 0.9, 3: 0.6, 4: 0.6}
    chosen = drill.pick(
        cards, tallies, lambda c: r.get(c.row_id), count=3, weak=True, rng=random.Random(0)
    )
    assert {c.row_id for c in chosen} == {2, 3, 4}


def test_suggestion_follows_the_most_missed_tag():
    item = stored(1, tags=("gil", "threads"))
    other = stored(2, tags=("gil",))
    answers = [
        drill.DrillAnswer(1, item, False, 1000, False, None),
        drill.DrillAnswer(2, other, False, 10, True, None),
    ]
    options = drill.DrillOptions(decks=("python-gil",))
    report = drill.report(answers, 2, options)
    assert report.next_command == "quiz drill --deck python-gil --tag gil --weak"
    assert [(t.tag, t.answers, t.right) for t in report.by_tag] == [
        ("gil", 2, 0),
        ("threads", 1, 0),
    ]
    assert report.timed_out == 1 and report.average_ms == 505
    right = [replace(a, right=True) for a in answers]
    assert drill.suggest_next(right, options) == "quiz drill --deck python-gil --timed 30"
    assert "--exam" in drill.suggest_next(right, replace(options, timed=30))


def states(env) -> list[tuple]:  # type: ignore[no-untyped-def]
    with db(env) as conn:
        return conn.execute("select * from card_states order by card_id").fetchall()


def kinds(env) -> list[tuple[str, int, object]]:  # type: ignore[no-untyped-def]
    with db(env) as conn:
        return conn.execute("select kind, rating, state_after from reviews order by id").fetchall()


def test_a_drill_keeps_its_answers_but_does_not_move_the_schedule(cli, env):
    cli("import", str(bilingual_deck(env, 6)))
    cli("review", input="3\n" * 20, now=day(1))
    before = states(env)
    n_before = len(kinds(env))
    with screen(80) as buf:
        result = cli("drill", "--count", "4", "--seed", "3", input="1\n3\n1\n3\n", now=day(2))
    assert result.exit_code == 0
    assert states(env) == before
    drills = kinds(env)[n_before:]
    assert [k for k, _, _ in drills] == ["drill"] * 4  # each card asked once: no learning re-queue
    assert [r for _, r, _ in drills] == [1, 3, 1, 3]
    assert all(after in (None, "null") for _, _, after in drills)
    text = buf.getvalue()
    assert "Drill: 2/4 right (50%)" in text
    assert "by tag" in text and "next: quiz drill --tag" in text
    assert (
        text.count("✗ bi/") == 2 and "Because" in text
    )  # the missed cards, with their explanations
    assert widest(text) <= 80


def test_graded_drill_records_real_reviews(cli, env):
    cli("import", str(bilingual_deck(env, 3)))
    result = cli("drill", "--graded", "--count", "3", input="4\n4\n4\n", now=day(1))
    assert result.exit_code == 0
    assert [k for k, _, _ in kinds(env)] == ["review"] * 3
    assert all(s[2] == 2 for s in states(env))  # Easy on a new card: review state
    assert cli("rebuild", "--check", now=day(1)).exit_code == 0


def test_weak_drill_asks_the_cards_missed_in_drills_first(cli, env):
    cli("import", str(bilingual_deck(env, 8)))
    cli("review", input="3\n" * 30, now=day(1))
    cli("drill", "--count", "8", "--seed", "1", input="3\n" * 8, now=day(2))
    # miss exactly the first card the next drill asks
    with screen(200) as buf:
        cli("drill", "--count", "1", "--seed", "5", input="1\n", now=day(2, 12))
    missed = re.search(r"✗ (bi/c\d+)", buf.getvalue()).group(1)  # type: ignore[union-attr]
    with screen(200) as buf:
        cli("drill", "--weak", "--count", "1", input="3\n", now=day(2, 13))
    assert f"1  {missed}" in buf.getvalue()


def test_filters_and_an_empty_drill(cli, env):
    cli("import", str(bilingual_deck(env, 4)))
    with screen(100) as buf:
        cli("drill", "--tag", "odd", "--count", "10", input="3\n" * 10, now=day(1))
    assert "Drill: 2/2 right" in buf.getvalue()
    assert "next: quiz drill --tag odd --timed 30" in buf.getvalue()
    with screen(100) as buf:
        assert cli("drill", "--type", "typed", now=day(1)).exit_code == 0
    assert "No cards match" in buf.getvalue()
    bad = cli("drill", "--type", "essay", now=day(1))
    assert bad.exit_code == 2 and "unknown card type" in bad.output
    assert cli("drill", "--deck", "nope", now=day(1)).exit_code == 4


def test_timed_answers_over_the_limit_count_as_wrong(cli, env, monkeypatch):
    cli("import", str(bilingual_deck(env, 3)))
    ticks = iter([0.0, 4.0, 100.0, 200.0, 300.0, 310.0])  # answers take 4 s, 100 s, 10 s
    monkeypatch.setattr("quiz.ui.drill_view.clock", lambda: next(ticks))
    with screen(80) as buf:
        cli("drill", "--timed", "30", "--count", "3", "--seed", "1", input="3\n3\n3\n", now=day(1))
    text = buf.getvalue()
    assert "Drill: 2/3 right" in text and "1 over time" in text
    assert "time's up: 100.0s > 30s" in text
    with db(env) as conn:
        rows = conn.execute(
            "select rating, correct, duration_ms from reviews order by id"
        ).fetchall()
    assert rows == [(3, 1, 4000), (1, 0, 100000), (3, 1, 10000)]


def test_exam_gives_no_feedback_until_the_report(cli, env):
    deck = write_deck(
        env,
        "ch.yaml",
        """
        deck: ch
        title: Choices
        cards:
          - id: q1
            type: choice
            front: Pick processes
            choices: [threads, processes]
            correct: 1
            explain: Processes have their own interpreter.
          - id: q2
            type: choice
            front: Pick threads
            choices: [threads, processes]
            correct: 0
        """,
    )
    cli("import", str(deck))
    with screen(80) as buf:
        cli("drill", "--exam", "--seed", "2", input="1\n1\n", now=day(1))
    text = buf.getvalue()
    report_at = text.index("Drill: ")
    assert "✗ wrong" not in text[:report_at] and "✓ right" not in text[:report_at]
    assert "Processes have their own interpreter." not in text[:report_at]
    assert "Drill: 1/2 right" in text
    assert (
        "✗ ch/q1" in text[report_at:]
        and "Processes have their own interpreter." in text[report_at:]
    )


def test_drill_in_chinese_fits_80_columns(cli, env):
    cli("import", str(bilingual_deck(env, 3, "zh3", "zh")))
    with screen(80) as buf:
        cli("drill", "--count", "3", input="1\n1\n1\n", now=day(1))
    text = buf.getvalue()
    assert "中文问题" in text and "因为" in text
    assert widest(text) <= 80
    with screen(80) as buf:
        cli("drill", "--count", "1", "--lang", "en", input="1\n", now=day(1))
    assert "English question" in buf.getvalue()


@pytest.mark.parametrize("answers", ["q\n", ""])
def test_quitting_a_drill_reports_what_was_answered(cli, env, answers):
    cli("import", str(bilingual_deck(env, 3)))
    with screen(80) as buf:
        assert cli("drill", input="1\n" + answers, now=day(1)).exit_code == 0
    assert "Drill: 0/1 right" in buf.getvalue() and "stopped after 1 of 3" in buf.getvalue()
    with sqlite3.connect(env / "store.db") as conn:
        assert conn.execute("select count(*) from reviews where kind = 'drill'").fetchone()[0] == 1


def test_an_exam_says_at_once_when_an_answer_ran_out_of_time(cli, env, monkeypatch):
    deck = write_deck(
        env,
        "ch.yaml",
        """
        deck: ch
        title: Choices
        cards:
          - id: q1
            type: choice
            front: Pick processes
            choices: [threads, processes]
            correct: 1
          - id: q2
            type: choice
            front: Pick threads
            choices: [threads, processes]
            correct: 0
        """,
    )
    cli("import", str(deck))
    ticks = iter([0.0, 100.0, 200.0, 210.0])  # the first answer takes 100 s, the next 10 s
    monkeypatch.setattr("quiz.ui.drill_view.clock", lambda: next(ticks))
    with screen(80) as buf:
        cli("drill", "--exam", "--timed", "30", "--seed", "2", input="2\n1\n", now=day(1))
    text = buf.getvalue()
    report_at = text.index("Drill: ")
    assert text[:report_at].count("time's up — recorded as a miss") == 1
    assert text.index("time's up — recorded as a miss") < text.index("Pick", text.index("Pick") + 1)
    assert "✗ wrong" not in text[:report_at] and "✓ right" not in text[:report_at]
    assert "Drill: 1/2 right" in text and "1 over time" in text
