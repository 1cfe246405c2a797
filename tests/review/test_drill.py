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
from tests.conftest import write_deck
from tests.screens import bilingual_deck, day, db, screen, widest


def stored(i: int, **kw) -> StoredCard:  # type: ignore[no-untyped-def]
    return StoredCard(
        row_id=i,
        card=Card(deck="d", id=f"c{i}", kind=CardKind.BASIC, tags=kw.pop("tags", ())),
        schedule=Schedule(),
        **kw,
    )


def test_sample_ids_draws_distinct_pool_members_and_lists_a_sparse_pool():
    pool = list(range(1000, 100_000, 7))  # one id in seven of the range is in the pool
    asked: list[int] = []

    def members(among):  # type: ignore[no-untyped-def]
        if among is None:
            asked.append(-1)
            return pool
        asked.append(len(among))
        return sorted(set(among) & set(pool))

    got = drill.sample_ids(members, (1, 100_000), 20, random.Random(3))
    assert len(got) == 20 == len(set(got)) and set(got) <= set(pool)
    assert -1 not in asked and sum(asked) < 2000  # primary-key lookups, never the whole pool
    assert got == drill.sample_ids(members, (1, 100_000), 20, random.Random(3))
    assert got != drill.sample_ids(members, (1, 100_000), 20, random.Random(4))
    sparse = [5, 99_000]
    found = drill.sample_ids(
        lambda among: sparse if among is None else sorted(set(among) & set(sparse)),
        (1, 100_000),
        10,
        random.Random(1),
    )
    assert sorted(found) == sparse  # fewer members than asked for: every one, once
    assert drill.sample_ids(members, None, 5, random.Random(1)) == []


def drilled(cli, *args: str, n: int, now: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The keys a drill asked (every answer wrong, so the report lists each one)."""
    with screen(200) as buf:
        assert cli("drill", *args, input="1\n" * n, now=now).exit_code == 0
    return re.findall(r"✗ (bi/c\d+)", buf.getvalue())


def hold_back(store_url: str, suspended: list[str], leeches: list[str]) -> None:
    """Suspend these cards (and mark the leeches) in any back end."""
    from sqlalchemy import create_engine, text

    engine = create_engine(store_url)
    with engine.begin() as conn:
        for key in suspended + leeches:
            conn.execute(
                text(
                    "UPDATE card_states SET suspended = :t, leech = :leech WHERE card_id ="
                    " (SELECT id FROM cards WHERE key = :key)"
                ),
                {"t": True, "leech": key in leeches, "key": key},
            )
    engine.dispose()


@pytest.mark.parametrize("span", [0, drill.SAMPLE_SPAN])
def test_a_drill_asks_count_cards_at_random_without_the_suspended_ones(
    cli, env, store_url, monkeypatch, span
):
    monkeypatch.setattr(drill, "SAMPLE_SPAN", span)  # 0: drawn by primary key even here
    cli("import", str(bilingual_deck(env, 12)))
    cli("review", input="3\n" * 12, now=day(1))
    hold_back(store_url, ["bi/c1", "bi/c2", "bi/c3"], ["bi/c3"])
    first = drilled(cli, "--count", "5", "--seed", "9", n=5, now=day(2))
    assert len(first) == 5 == len(set(first))
    assert first == drilled(cli, "--count", "5", "--seed", "9", n=5, now=day(2))
    every = drilled(cli, "--count", "50", n=50, now=day(2))
    assert sorted(every) == sorted(f"bi/c{i}" for i in range(3, 13))  # c3: a leech stays in
    odd = drilled(cli, "--tag", "odd", "--count", "50", n=50, now=day(2))
    assert sorted(odd) == sorted(f"bi/c{i}" for i in range(3, 13, 2))


def test_a_weak_drill_asks_the_weakest_first_without_the_suspended_ones(cli, env, store_url):
    cli("import", str(bilingual_deck(env, 10)))
    cli("review", input="3\n" * 10, now=day(1))
    missed: list[str] = []
    for k in range(8):  # miss whichever card each one-card drill asks, an hour apart
        missed += drilled(cli, "--count", "1", "--seed", str(k), n=1, now=day(2, 1 + k))
    counts = {key: missed.count(key) for key in missed}
    assert len(counts) >= 3
    suspended, leech = sorted(counts)[:2]
    hold_back(store_url, [suspended, leech], [leech])
    left = {k: n for k, n in counts.items() if k != suspended}
    # the most misses first, then the latest miss
    weakest = max(left, key=lambda k: (left[k], max(i for i, m in enumerate(missed) if m == k)))
    assert drilled(cli, "--weak", "--count", "1", n=1, now=day(2, 12)) == [weakest]
    left[weakest] += 1
    chosen = drilled(cli, "--weak", "--count", str(len(left)), n=len(left), now=day(2, 13))
    assert sorted(chosen) == sorted(left)  # every missed card, the leech too, not c-suspended
    more = drilled(cli, "--weak", "--count", "50", n=50, now=day(2, 14))
    assert len(more) == 9 and suspended not in more  # then the rest fill up the count


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
        return conn.execute(  # kind: 0 review, 1 drill, 2 manual; state: the schedule after
            "select case kind when 0 then 'review' when 1 then 'drill' else 'manual' end,"
            " rating, state from reviews order by id"
        ).fetchall()


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
        drills = conn.execute("select count(*) from reviews where kind = 1").fetchone()[0]
        assert drills == 1  # kind 1: a drill (0012)


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


def test_an_output_card_out_of_time_shows_the_recorded_output_as_the_answer(cli, env, monkeypatch):
    deck = write_deck(
        env,
        "out.yaml",
        """
        deck: out
        title: Output
        cards:
          - id: o1
            type: output
            front: What is printed?
            code: |
              print([1] * 2)
              print("done")
            output: "[1, 1]\\ndone\\n"
        """,
    )
    cli("import", str(deck))
    ticks = iter([0.0, 100.0])  # the prediction takes 100 s of 30
    monkeypatch.setattr("quiz.ui.drill_view.clock", lambda: next(ticks))
    with screen(80) as buf:
        cli("drill", "--timed", "30", input="[1]\n\n3\n", now=day(1))
    text = buf.getvalue()
    assert "time's up" in text
    shown = text[text.index("answer:") :]
    assert shown.splitlines()[1:3] == ["[1, 1]", "done"]
