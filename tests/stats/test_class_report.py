"""The class view: pure figures (quiz.stats.classroom) over the rows the store groups in
SQL (quiz.store.classroom), and `quiz class report` end to end on both back ends."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import text

from quiz.stats.classroom import (
    CardMisses,
    LearnerHour,
    LearnerTag,
    LearnerTotals,
    class_report,
)
from quiz.stats.figures import streaks
from tests.store.helpers import basic_deck, day

T0 = datetime(2026, 3, 10, 9, tzinfo=timezone.utc)


def _day_of(at: datetime) -> date:
    return at.date()


def test_figures_per_learner_and_per_card():
    totals = [
        LearnerTotals("ann", 3, 5, 4, 3, 2, T0),
        LearnerTotals("bob", 2, 3, 3, 3, 1, T0 - timedelta(days=4)),
    ]
    hours = [LearnerHour("ann", T0 - timedelta(days=d)) for d in (0, 1, 2)] + [
        LearnerHour("bob", T0 - timedelta(days=d)) for d in (4, 5)
    ]
    tags = [
        LearnerTag("ann", "easy", 2, 0),  # no miss: not weak
        LearnerTag("ann", "gil", 2, 1),
        LearnerTag("ann", "hard", 2, 1),
        LearnerTag("bob", "easy", 1, 1),  # one answer: under the minimum
        LearnerTag("bob", "gil", 2, 2),
        LearnerTag("bob", "hard", 2, 2),
    ]
    cards = [CardMisses("d/x", "d", 2, 1, 3, 1), CardMisses("d/y", "d", 2, 2, 4, 2)]
    report = class_report(
        ["ann", "bob", "cid"],
        totals,
        hours,
        tags,
        cards,
        _day_of,
        date(2026, 3, 10),
        min_tag_answers=2,
    )
    ann, bob, cid = report.learners
    assert (ann.learner, ann.cards_seen, ann.answers, ann.reviews) == ("ann", 3, 5, 4)
    assert (ann.retention_passed, ann.retention_answers) == (2, 3)
    assert ann.streak == 3 and ann.last_answer == T0
    assert [(t.tag, t.answers, t.misses) for t in ann.weakest_tags] == [
        ("gil", 2, 1),
        ("hard", 2, 1),
    ]
    assert bob.streak == 0 and bob.retention == pytest.approx(1 / 3)
    assert [t.tag for t in bob.weakest_tags] == ["gil", "hard"]
    assert (cid.cards_seen, cid.retention, cid.streak, cid.last_answer) == (0, None, 0, None)
    assert [c.card for c in report.cards] == ["d/y", "d/x"]  # most missed first
    assert report.cards[1].miss_share == 0.5


def test_the_streak_is_the_one_quiz_stats_shows():
    today = date(2026, 3, 10)
    for days in ([], [today], [today - timedelta(days=2), today - timedelta(days=1)]):
        hours = [
            LearnerHour("ann", datetime.combine(d, datetime.min.time(), timezone.utc)) for d in days
        ]
        report = class_report(["ann"], [], hours, [], [], _day_of, today)
        assert report.learners[0].streak == streaks(days, today).current


def _class(cli, env) -> None:
    cli("import", str(basic_deck(env, 3, tags="    tags: [t1]\n")))
    # day 1: everyone learns the three cards; day 3+: reviews; c2 is the class's trouble card
    for name in ("ann", "bob", "cid"):
        cli("--learner", name, "review", input="4\n4\n4\n", now=day(1))
    cli("--learner", "ann", "review", input="4\n1\n4\n3\n", now=day(10))
    cli("--learner", "bob", "review", input="4\n1\n4\n3\n", now=day(11))


def test_class_report_json_end_to_end(cli, env, store_url):
    _class(cli, env)
    result = cli("--learner", "cid", "class", "report", "--json", now=day(11, 20))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    people = {p["learner"]: p for p in data["learners"]}
    assert set(people) >= {"ann", "bob", "cid"}
    assert people["ann"]["cards_seen"] == 3 and people["ann"]["reviews"] == 7
    assert people["ann"]["true_retention"] == pytest.approx(
        2 / 3
    )  # 3 review-state answers, 1 Again
    # day 11: bob answered today, ann yesterday (still a streak), cid not since day 1
    assert [people[n]["streak"] for n in ("ann", "bob", "cid")] == [1, 1, 0]
    assert people["cid"]["true_retention"] is None and people["cid"]["cards_seen"] == 3
    assert [(t["tag"], t["answers"], t["misses"]) for t in people["bob"]["weakest_tags"]] == [
        ("basics", 7, 1),
        ("t1", 7, 1),
    ]
    first = data["cards"][0]
    assert first["card"] == "basics/c2" and first["missed_by"] == 2 and first["learners"] == 3
    assert first["miss_share"] == pytest.approx(2 / 3)


def test_class_report_table_and_deck_filter(cli, env, store_url):
    from rich.console import Console

    from quiz.ui import console

    _class(cli, env)
    buffer = io.StringIO()
    console.use(Console(file=buffer, width=100, highlight=False))
    try:
        result = cli("class", "report", "--deck", "basics", now=day(11, 20))
    finally:
        console.use(None, None)
    assert result.exit_code == 0, result.output
    text = buffer.getvalue()
    assert "Cards the class misses most" in text
    assert "basics/c2" in text and "67%" in text
    missing = cli("class", "report", "--deck", "nope")
    assert missing.exit_code == 4 and "no deck 'nope'" in missing.stderr


def _naive(
    url: str, today: date, decks: tuple[str, ...] = ()
) -> tuple[dict[str, dict[str, Any]], dict[str, tuple[int, int, int, int]]]:
    """The class report worked out from every row of the log, read with plain SQL: what
    the grouped queries must agree with."""
    from sqlalchemy import create_engine, select

    from quiz.store.models import CardRow, DeckRow, Learner, ReviewRow

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            r = ReviewRow
            log = conn.execute(
                select(
                    Learner.name,
                    CardRow.key,
                    DeckRow.slug,
                    r.kind,
                    r.rating,
                    r.prev_state,
                    r.reviewed_at,
                    r.card_id,
                )
                .join(Learner, Learner.id == r.learner_id)
                .join(CardRow, CardRow.id == r.card_id)
                .join(DeckRow, DeckRow.id == CardRow.deck_id)
            ).all()
            tags: dict[int, list[str]] = defaultdict(list)
            for card_id, tag in conn.execute(text("SELECT card_id, tag FROM card_tags")):
                tags[card_id].append(tag)
            names = sorted(n for (n,) in conn.execute(text("SELECT name FROM learners")))
    finally:
        engine.dispose()
    rows = [r for r in log if not decks or r[2] in decks]
    people: dict[str, dict[str, Any]] = {}
    for name in names:
        mine = [r for r in rows if r[0] == name]
        reviews = [r for r in mine if r[3] == "review"]
        graded = [r for r in reviews if r[5] == 2]
        asked: dict[str, int] = defaultdict(int)
        missed: dict[str, int] = defaultdict(int)
        for r in reviews:
            for tag in tags[r[7]]:
                asked[tag] += 1
                missed[tag] += r[4] == 1
        when = [r[6] for r in mine]
        active = {w.date() for w in when}  # the test's day clock: UTC, midnight
        people[name] = {
            "cards_seen": len({r[1] for r in mine}),
            "answers": len(mine),
            "reviews": len(reviews),
            "retention_answers": len(graded),
            "true_retention": (sum(r[4] != 1 for r in graded) / len(graded) if graded else None),
            "streak": streaks(active, today).current,
            "last_answer": max(when).isoformat() if when else None,
            "tags": {t: (asked[t], missed[t]) for t in asked},
        }
    who: dict[str, set[str]] = defaultdict(set)
    missed_by: dict[str, set[str]] = defaultdict(set)
    answers: dict[str, int] = defaultdict(int)
    agains: dict[str, int] = defaultdict(int)
    for r in rows:
        if r[3] != "review":
            continue
        who[r[1]].add(r[0])
        answers[r[1]] += 1
        if r[4] == 1:
            missed_by[r[1]].add(r[0])
            agains[r[1]] += 1
    cards = {k: (len(who[k]), len(missed_by[k]), answers[k], agains[k]) for k in who}
    return people, cards


@pytest.mark.parametrize("decks", [(), ("basics",), ("other",)])
def test_grouped_in_sql_equals_the_log_row_by_row(cli, env, store_url, decks):
    """The report's figures, grouped in the database, equal those worked out from every
    answer of every learner (drills, two decks, a deck filter)."""
    (env / "config.toml").write_text('timezone = "UTC"\nday_starts_at = 0\nfuzz = false\n')
    _class(cli, env)
    cli("import", str(basic_deck(env, 2, name="other", title="Other", tags="    tags: [t2]\n")))
    cli("--learner", "ann", "review", "--deck", "other", input="1\n4\n", now=day(11, 8))
    drill = cli("--learner", "cid", "drill", "--count", "2", input="1\n3\n", now=day(11, 10))
    assert drill.exit_code == 0, drill.output
    args = [a for d in decks for a in ("--deck", d)]
    result = cli("class", "report", "--json", *args, now=day(11, 20))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    expected, expected_cards = _naive(store_url, date(2026, 3, 11), decks)
    people = {p["learner"]: p for p in data["learners"]}
    assert set(people) == set(expected)
    for name, want in expected.items():
        got = people[name]
        for key in (
            "cards_seen",
            "answers",
            "reviews",
            "retention_answers",
            "true_retention",
            "streak",
            "last_answer",
        ):
            assert got[key] == want[key], (name, key)
        weak = [(t["tag"], t["answers"], t["misses"]) for t in got["weakest_tags"]]
        assert all(want["tags"][tag] == (n, m) for tag, n, m in weak), (name, weak)
        assert all(n >= 3 and m for _tag, n, m in weak)
    got_cards = {
        c["card"]: (c["learners"], c["missed_by"], c["answers"], c["agains"]) for c in data["cards"]
    }
    assert got_cards == expected_cards
    assert sum(p["answers"] for p in data["learners"]) > 0
