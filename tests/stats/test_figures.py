"""Pure figures of quiz.stats (figures, ranking, shape) on hand-made aggregate rows."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from quiz.clock import DayClock
from quiz.stats import figures, ranking, shape
from quiz.stats import rows as r

UTC = timezone.utc
CLOCK = DayClock(UTC, 4)


def hour(d: int, h: int = 9) -> datetime:
    return datetime(2026, 3, d, h, tzinfo=UTC)


def tally(card_id: int, **kw) -> r.CardTally:  # type: ignore[no-untyped-def]
    base = dict(
        card_id=card_id,
        key=f"d/c{card_id}",
        deck="d",
        kind="basic",
        reviews=1,
        drills=0,
        right=1,
        lapses=0,
        misses=0,
        drill_misses=0,
        last_miss=None,
        last_answer=hour(1),
        last_right=True,
        duration_ms=1000,
        tags=(),
    )
    base.update(kw)
    return r.CardTally(**base)  # type: ignore[arg-type]


def test_streaks_count_learner_days_and_survive_an_unfinished_today():
    active = [date(2026, 3, d) for d in (1, 2, 3, 5, 6)]
    assert figures.streaks(active, date(2026, 3, 6)) == figures.Streaks(
        current=2, longest=3, active_days=5
    )
    # today (the 7th) has no answer yet: yesterday's run still counts
    assert figures.streaks(active, date(2026, 3, 7)).current == 2
    # a whole day missed ends it
    assert figures.streaks(active, date(2026, 3, 8)).current == 0
    assert figures.streaks([], date(2026, 3, 8)) == figures.Streaks(0, 0, 0)


def test_an_answer_before_the_day_boundary_belongs_to_the_day_before():
    rows = [
        r.HourCount(hour(2, 3), 2, 0, 2, 0, 0, 0),
        r.HourCount(hour(2, 4), 1, 1, 1, 0, 0, 0),
    ]
    by_day = figures.activity_by_day(rows, CLOCK.day_of)
    assert by_day[date(2026, 3, 1)] == figures.DayActivity(date(2026, 3, 1), 2, 0)
    assert by_day[date(2026, 3, 2)] == figures.DayActivity(date(2026, 3, 2), 0, 1)


def test_heatmap_covers_whole_weeks_from_a_monday_up_to_today():
    today = date(2026, 3, 11)  # a Wednesday
    days = figures.heatmap_days({}, today)
    assert days[0].day.weekday() == 0
    assert days[-1].day == today
    assert len(days) == 52 * 7 + 3
    assert [figures.heat_level(n, 8) for n in (0, 1, 4, 8)] == [0, 1, 2, 4]


def test_retention_by_week_and_by_age():
    rows = [
        # 20 answers, 6 of them drills; 10 review-state reviews, 8 of them passed
        r.HourCount(hour(2), 20, 6, 9, 10, 8, 0),
        r.HourCount(hour(9), 5, 0, 5, 5, 5, 0),  # next week
        r.HourCount(hour(10), 4, 0, 1, 0, 0, 0),  # only new cards: no retention sample
    ]
    by_week = figures.retention_by(rows, lambda at: figures.week_of(CLOCK.day_of(at)))
    assert [(r.label, r.answers, r.passed) for r in by_week] == [
        ("2026-03-02", 10, 8),
        ("2026-03-09", 5, 5),
    ]
    assert [r.value for r in figures.retention_by_age([r.AgeCount(7, 4, 3)])][:2] == [None, 0.75]
    assert (
        figures.age_bucket(0) == 0
        and figures.age_bucket(29.9) == 7
        and figures.age_bucket(400) == 365
    )


def test_forecast_folds_overdue_cards_into_today():
    today = date(2026, 3, 10)
    due = [
        r.DueHour(hour(1), 3),
        r.DueHour(hour(10, 12), 1),
        r.DueHour(hour(12), 2),
        r.DueHour(datetime(2026, 5, 1, tzinfo=UTC), 9),
    ]
    f = figures.forecast(due, CLOCK.day_of, today)
    assert len(f) == 30
    assert f[0] == (today, 4)
    assert f[2] == (today + timedelta(days=2), 2)
    assert sum(n for _, n in f) == 6


def test_state_counts_add_up_and_leeches_are_apart():
    counts = figures.state_counts(
        [
            r.StateCount(0, False, False, 5),
            r.StateCount(2, False, False, 3),
            r.StateCount(2, True, False, 1),
            r.StateCount(3, True, True, 2),
        ]
    )
    assert counts == {
        "new": 5,
        "learning": 0,
        "review": 3,
        "relearning": 0,
        "suspended": 1,
        "leech": 2,
    }


def test_weakness_puts_a_recent_drill_miss_before_a_good_card():
    strong = tally(1)
    missed = tally(2, drills=1, misses=1, drill_misses=1, last_miss=hour(3), last_right=False)
    fresh = tally(3, reviews=0, right=0)
    keys = {t.card_id: ranking.weakness_key(t, 0.95) for t in (strong, missed, fresh)}
    assert sorted(keys, key=keys.get) == [2, 1, 3]
    # same retrievability: more misses first, then the most recent miss
    a = tally(4, lapses=2, misses=2, last_miss=hour(1))
    b = tally(5, lapses=2, misses=2, last_miss=hour(5))
    c = tally(6, lapses=1, misses=1, last_miss=hour(9))
    keys = {t.card_id: ranking.weakness_key(t, 0.5) for t in (a, b, c)}
    assert sorted(keys, key=keys.get) == [5, 4, 6]


def test_tag_figures_and_output_accuracy():
    tallies = [
        tally(1, kind="output", reviews=4, right=1, misses=3, tags=("gil",)),
        tally(2, kind="output", reviews=2, right=2, tags=("gil", "closures")),
        tally(3, reviews=3, right=3),
    ]
    by_tag = {f.tag: f for f in figures.tag_figures(tallies)}
    assert by_tag["gil"].answers == 6 and by_tag["gil"].right == 3 and by_tag["gil"].cards == 2
    assert by_tag["(untagged)"].right_share == 1.0
    assert figures.weakest_tags(by_tag.values())[0].tag == "gil"
    keys = {t.card_id: t.key for t in tallies}
    weak, ids = ranking.weakest(
        ranking.coarse(ranking.candidates(tallies, {}), lambda c: None),
        lambda c: None,
        lambda _ids: keys,
    )
    assert ids == {"d/c1": 1}
    report = figures.build_report(
        days=[],
        ages=[],
        due=[],
        states=[],
        tags=figures.tag_figures(tallies),
        output_tags=figures.tag_figures(t for t in tallies if t.kind == "output"),
        weak_cards=weak,
        fronts={},
        day_of=CLOCK.day_of,
        today=date(2026, 3, 10),
        since=None,
        desired_retention=0.9,
    )
    assert [(f.tag, f.answers, f.right) for f in report.output_by_tag] == [
        ("closures", 2, 2),
        ("gil", 6, 3),
    ]
    data = shape.report_to_dict(report)
    assert data["retention"]["true"] is None
    assert data["weakest_cards"][0]["card"] == "d/c1"
