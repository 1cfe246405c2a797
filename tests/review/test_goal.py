"""Goals: the pure settings override and daily share, and `quiz goal` / `quiz review`
across simulated days."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

from quiz.config import Config, SchedulerSettings
from quiz.review import goal
from tests.screens import bilingual_deck, day, db, screen
from tests.store.helpers import micros

MARCH_2 = micros(datetime(2026, 3, 2, tzinfo=timezone.utc))  # as the log keeps it (0012)

NOW = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)


def test_goal_raises_retention_and_caps_the_interval_at_the_days_left():
    aim = goal.Goal("gil", date(2026, 3, 21), NOW)
    cfg = goal.goal_config(Config(), aim, date(2026, 3, 1))
    assert cfg.scheduler.desired_retention == goal.GOAL_RETENTION
    assert cfg.scheduler.maximum_interval == 20
    # a stricter deck setting is kept; on the date itself the cap is one day
    strict = Config(scheduler=SchedulerSettings(desired_retention=0.97, maximum_interval=10))
    assert goal.goal_config(strict, aim, date(2026, 3, 1)).scheduler.desired_retention == 0.97
    assert goal.goal_config(strict, aim, date(2026, 3, 1)).scheduler.maximum_interval == 10
    assert goal.goal_config(Config(), aim, date(2026, 3, 21)).scheduler.maximum_interval == 1


def test_overrides_only_for_active_goals_and_per_deck_settings_apply():
    cfg = Config(deck_overrides={"gil": {"desired_retention": 0.8, "learning_steps": [2]}})
    goals = [goal.Goal("gil", date(2026, 3, 10), NOW), goal.Goal("old", date(2026, 2, 1), NOW)]
    over = goal.overrides(cfg, goals, date(2026, 3, 1))
    assert set(over) == {"gil"}
    assert over["gil"].scheduler.learning_steps == (2,)
    assert over["gil"].scheduler.desired_retention == 0.95


def test_daily_share_and_description():
    assert goal.share(30, 14) == 3 and goal.share(0, 5) == 0 and goal.share(5, 0) == 5
    assert (
        goal.quota_today(remaining=20, done_today=2, days=10) == 1
    )  # 22 over 10 days: 3 today, 2 done
    assert goal.quota_today(remaining=0, done_today=4, days=10) == 0
    aim = goal.Goal("python-gil", date(2026, 12, 15), NOW)
    load = goal.GoalLoad(new=20, pending=5, scheduled=3, late=4)
    assert goal.cards_per_day(load, aim, date(2026, 12, 13)) == 14
    assert (
        goal.describe(aim, date(2026, 12, 13), 14)
        == "goal python-gil by 2026-12-15: ~14 cards/day (in 2 days)"
    )
    assert "has passed" in goal.describe(aim, date(2026, 12, 16), None)


def test_goal_command_sets_lists_and_clears(cli, env):
    cli("import", str(bilingual_deck(env, 30, "gil")))
    set_ = cli("goal", "--deck", "gil", "--by", "2026-03-11", now=day(1))
    assert set_.exit_code == 0, set_.output
    assert "goal gil by 2026-03-11: ~3 cards/day (in 10 days)" in set_.stdout
    listed = json.loads(cli("goal", "--json", now=day(1)).stdout)
    assert listed == [
        {
            "deck": "gil",
            "by": "2026-03-11",
            "line": "goal gil by 2026-03-11: ~3 cards/day (in 10 days)",
        }
    ]
    with db(env) as conn:
        assert conn.execute("select count(*) from goals").fetchone()[0] == 1
    assert "cleared" in cli("goal", "--deck", "gil", "--clear", now=day(1)).stdout
    assert "No goals" in cli("goal", now=day(1)).stdout
    for args, code, text in (
        (("goal", "--deck", "nope", "--by", "2026-04-01"), 4, "no deck 'nope'"),
        (("goal", "--deck", "gil", "--by", "15/12/2026"), 2, "not a date"),
        (("goal", "--deck", "gil", "--by", "2026-02-01"), 2, "in the past"),
        (("goal", "--deck", "gil"), 2, "needs --by"),
        (("goal", "--by", "2026-04-01"), 2, "need --deck"),
    ):
        result = cli(*args, now=day(1))
        assert result.exit_code == code and text in result.output, (args, result.output)
        assert "Traceback" not in result.output


def test_review_introduces_the_goal_decks_share_and_keeps_intervals_before_the_date(cli, env):
    (env / "config.toml").write_text('timezone = "UTC"\nfuzz = false\nnew_per_day = 2\n')
    cli("import", str(bilingual_deck(env, 24, "gil")))
    cli("goal", "--deck", "gil", "--by", "2026-03-09", now=day(1))  # 8 days: 24 new cards → 3 a day
    with screen(100) as buf:
        cli("review", input="4\n" * 10, now=day(1))
    assert "goal gil by 2026-03-09: ~3 cards/day (in 8 days)" in buf.getvalue()
    with db(env) as conn:
        introduced = conn.execute("select count(*) from reviews where prev_state = 0").fetchone()[0]
        dues = [d for (d,) in conn.execute("select due from card_states")]
    assert introduced == 3  # the goal's share, above the daily new limit of 2
    # Easy on a new card is 8+ days normally; capped at the days left, nothing falls due after the date
    assert dues and all(d <= "2026-03-09 04:00:00.000000" for d in dues)

    # every day up to the date introduces its share: all 24 are seen in time
    for n in range(2, 9):
        cli("review", input="4\n" * 40, now=day(n))
    with db(env) as conn:
        seen = conn.execute("select count(distinct card_id) from reviews").fetchone()[0]
    assert seen == 24


def test_cards_due_after_the_date_are_pulled_forward_and_clearing_restores(cli, env):
    cli("import", str(bilingual_deck(env, 6, "gil")))
    cli("review", input="4\n" * 10, now=day(1))  # all Easy: due in 8+ days
    with db(env) as conn:
        first_due = sorted(d for (d,) in conn.execute("select due from card_states"))
    assert all(d >= "2026-03-09" for d in first_due)
    cli(
        "goal", "--deck", "gil", "--by", "2026-03-05", now=day(2)
    )  # 3 days left, 6 cards due after it
    with screen(100) as buf:
        cli("review", input="3\n" * 10, now=day(2))
    assert "goal gil by 2026-03-05: ~2 cards/day (in 3 days)" in buf.getvalue()
    with db(env) as conn:
        pulled = conn.execute(
            "select count(*) from reviews where reviewed_at >= ?", (MARCH_2,)
        ).fetchone()[0]
    assert pulled == 2
    again = cli(
        "review", input="3\n" * 10, now=day(2, 15)
    )  # a second session the same day: share already met
    assert "Nothing to review" in again.stdout
    for n in (3, 4):
        cli("review", input="3\n" * 10, now=day(n))
    with db(env) as conn:
        late = conn.execute(
            "select count(*) from card_states where due > '2026-03-05 04:00:00.000000'"
        ).fetchone()[0]
        looked = conn.execute(
            "select count(distinct card_id) from reviews where reviewed_at >= ?", (MARCH_2,)
        ).fetchone()[0]
    assert late == 0 and looked == 6

    cli("goal", "--deck", "gil", "--clear", now=day(4, 12))
    with screen(100) as buf:
        cli("review", input="3\n" * 10, now=day(5))
    assert "goal" not in buf.getvalue()
    with db(env) as conn:
        cards = conn.execute(
            "select count(*) from card_states where due > '2026-03-20'"
        ).fetchone()[0]
    assert cards >= 1  # intervals are free again once the goal is gone
