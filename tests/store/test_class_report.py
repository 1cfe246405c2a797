"""The class view: pure aggregates (quiz.classroom) and `quiz class report` end to end."""

from __future__ import annotations

import ast
import io
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from quiz.classroom import Answer, class_report, streak
from tests.store.helpers import basic_deck, day

T0 = datetime(2026, 3, 10, 9, tzinfo=timezone.utc)


def _a(
    learner: str,
    card: str,
    rating: int,
    prev_state: int = 2,
    days_ago: int = 0,
    kind: str = "review",
) -> Answer:
    return Answer(
        learner, f"d/{card}", "d", kind, rating, prev_state, T0 - timedelta(days=days_ago)
    )


def _day_of(at: datetime) -> date:
    return at.date()


@pytest.mark.parametrize(
    "days, today, expected",
    [
        ([], date(2026, 3, 10), 0),
        ([date(2026, 3, 10)], date(2026, 3, 10), 1),
        ([date(2026, 3, 8), date(2026, 3, 9)], date(2026, 3, 10), 2),  # today still open
        ([date(2026, 3, 7), date(2026, 3, 8)], date(2026, 3, 10), 0),  # a whole day missed
        (
            [date(2026, 3, 6), date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 10)],
            date(2026, 3, 10),
            3,
        ),
    ],
)
def test_streak_ends_today_or_yesterday(days, today, expected):
    assert streak(days, today) == expected


def test_figures_per_learner_and_per_card():
    answers = [
        _a("ann", "x", 3, prev_state=0, days_ago=2),  # a new card: not in true retention
        _a("ann", "x", 3, days_ago=1),
        _a("ann", "y", 1, days_ago=1),
        _a("ann", "y", 3),
        _a("ann", "z", 1, kind="drill"),  # drills: seen and streak, not retention or misses
        _a("bob", "x", 1, days_ago=5),
        _a("bob", "y", 1, days_ago=5),
        _a("bob", "y", 4, days_ago=4),
    ]
    tags = {"d/x": ("easy",), "d/y": ("hard", "gil"), "d/z": ("gil",)}
    report = class_report(
        ["ann", "bob", "cid"], answers, tags, _day_of, date(2026, 3, 10), min_tag_answers=2
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
    assert [t.tag for t in bob.weakest_tags] == [
        "gil",
        "hard",
    ]  # x (easy) has 1 answer: under the minimum
    assert (cid.cards_seen, cid.retention, cid.streak, cid.last_answer) == (0, None, 0, None)
    cards = {c.card: c for c in report.cards}
    assert (cards["d/y"].learners, cards["d/y"].missed_by, cards["d/y"].agains) == (2, 2, 2)
    assert (cards["d/x"].learners, cards["d/x"].missed_by, cards["d/x"].miss_share) == (2, 1, 0.5)
    assert "d/z" not in cards  # only drilled
    assert [c.card for c in report.cards] == ["d/y", "d/x"]  # most missed first


def test_deck_filter_keeps_every_learner():
    answers = [_a("ann", "x", 1), Answer("bob", "e/q", "e", "review", 1, 2, T0)]
    report = class_report(["ann", "bob"], answers, {}, _day_of, date(2026, 3, 10), decks=("e",))
    assert [(f.learner, f.answers) for f in report.learners] == [("ann", 0), ("bob", 1)]
    assert [c.card for c in report.cards] == ["e/q"]


def test_the_class_view_is_pure():
    path = Path(__file__).resolve().parents[2] / "quiz" / "classroom.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not {
        m
        for m in names
        if m.split(".")[0] in ("sqlalchemy", "rich", "typer") or m.startswith("quiz.")
    }


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
