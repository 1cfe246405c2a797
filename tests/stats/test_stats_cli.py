"""`quiz stats` on a store filled by weeks of scripted reviews and drills (QUIZ_NOW).

The --json figures are checked against figures computed here straight from the review
log with plain sqlite3 (UTC, day boundary 04:00, as the `env` fixture configures).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest

from tests.screens import bilingual_deck, day, db, screen, widest
from tests.store.helpers import kind_sql, micros, reviewed_at_sql

RATINGS = "3\n1\n3\n4\n3\n3\n2\n1\n3\n3\n" * 6  # more answers than any day asks for
SKIPPED = {6, 7, 15, 16, 17, 25}
LAST = 40
TODAY = day(LAST, 10)


@pytest.fixture(scope="module")
def filled(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Weeks of daily reviews (with gaps) and a few drills, shared by the tests below."""
    from typer.testing import CliRunner

    from quiz.cli import app

    env = tmp_path_factory.mktemp("stats")
    (env / "config.toml").write_text('timezone = "UTC"\nfuzz = false\nnew_per_day = 4\n')
    runner = CliRunner()
    base = {
        "QUIZ_DB": str(env / "store.db"),
        "QUIZ_CONFIG": str(env / "config.toml"),
        "QUIZ_LEARNER": "tester",
        "QUIZ_BUNDLED": "0",
    }

    def run(*args: str, input: str | None = None, now: str | None = None):
        result = runner.invoke(
            app,
            list(args),
            input=input,
            env={**base, "QUIZ_NOW": now or TODAY},
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        return result

    run("import", str(bilingual_deck(env, 16, "bi", "en")))
    run("import", str(bilingual_deck(env, 6, "zhdeck", "zh")))
    for n in range(1, LAST):
        if n in SKIPPED:
            continue
        hour = 3 if n % 5 == 0 else 9  # 03:00 still belongs to the day before
        run("review", input=RATINGS, now=day(n, hour))
        if n % 7 == 0:
            run("drill", "--count", "4", "--seed", str(n), input="1\n3\n1\n3\n", now=day(n, 20))
    return env, run


def learner_day(stamp: str) -> date:
    return (datetime.fromisoformat(stamp) - timedelta(hours=4)).date()


def test_json_matches_the_review_log(filled):  # type: ignore[no-untyped-def]
    env, run = filled
    data = json.loads(run("stats", "--json").stdout)
    with db(env) as conn:
        rows = conn.execute(
            f"select {reviewed_at_sql()}, {kind_sql()}, prev_state, rating, correct, card_id"
            " from reviews"
        ).fetchall()
        states = conn.execute(
            "select c.id, s.state, s.suspended, s.leech, s.due from cards c "
            "left join card_states s on s.card_id = c.id where c.retired = 0"
        ).fetchall()
    assert len(rows) > 150
    per_day = Counter(learner_day(r[0]) for r in rows)
    drills = Counter(learner_day(r[0]) for r in rows if r[1] == "drill")
    assert {d["day"]: (d["answers"], d["drills"]) for d in data["heatmap"]} == {
        k.isoformat(): (v, drills.get(k, 0)) for k, v in per_day.items()
    }
    assert data["answers"]["total"] == len(rows)
    assert data["answers"]["drills"] == sum(drills.values()) > 0
    assert data["answers"]["right"] == sum(
        1 for r in rows if (r[4] if r[4] is not None else r[3] > 1)
    )

    # streaks over learner days
    active = sorted(per_day)
    longest = run_ = 0
    for i, d in enumerate(active):
        run_ = run_ + 1 if i and (d - active[i - 1]).days == 1 else 1
        longest = max(longest, run_)
    today = learner_day(TODAY.replace("T", " ")[:19])
    current, cursor = 0, today if today in per_day else today - timedelta(days=1)
    while cursor in per_day:
        current, cursor = current + 1, cursor - timedelta(days=1)
    assert data["streak"] == {"current": current, "longest": longest, "active_days": len(active)}
    assert data["streak"]["longest"] >= 7

    # true retention: review-kind answers on review-state cards, not Again
    graded = [r for r in rows if r[1] == "review" and r[2] == 2]
    assert data["retention"]["answers"] == len(graded) > 0
    assert data["retention"]["passed"] == sum(1 for r in graded if r[3] > 1)
    weeks: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in graded:
        d = learner_day(r[0])
        w = weeks[(d - timedelta(days=d.weekday())).isoformat()]
        w[0] += 1
        w[1] += r[3] > 1
    assert {w["week"]: [w["answers"], w["passed"]] for w in data["retention"]["by_week"]} == dict(
        weeks
    )
    assert data["retention"]["desired"] == 0.9

    # card states and the 30-day forecast
    counts = Counter()
    for _id, state, susp, leech, _due in states:
        counts[
            "leech"
            if leech
            else "suspended"
            if susp
            else ("new", "learning", "review", "relearning")[state or 0]
        ] += 1
    assert data["states"] == {k: counts.get(k, 0) for k in data["states"]}
    horizon = today + timedelta(days=30)
    due = Counter(
        max(today, learner_day(s[4]))
        for s in states
        if s[1] in (1, 2, 3) and not s[2] and learner_day(s[4]) < horizon
    )
    assert {f["day"]: f["due"] for f in data["forecast"] if f["due"]} == {
        k.isoformat(): v for k, v in due.items()
    }


def test_retention_by_card_age_matches_the_log(filled):  # type: ignore[no-untyped-def]
    env, run = filled
    data = json.loads(run("stats", "--json").stdout)
    with db(env) as conn:
        rows = conn.execute(
            f"select card_id, {reviewed_at_sql()}, {kind_sql()}, prev_state, rating from reviews"
            " order by id"
        ).fetchall()
    first: dict[int, datetime] = {}
    for card, at, kind, _p, _r in rows:
        if kind == "review":
            first.setdefault(card, datetime.fromisoformat(at))
    ages = Counter()
    passed = Counter()
    for card, at, kind, prev, rating in rows:
        if kind == "review" and prev == 2:
            age = (datetime.fromisoformat(at) - first[card]).total_seconds() / 86400
            bucket = next(
                label
                for lo, hi, label in (
                    (0, 7, "< 1 week"),
                    (7, 30, "1-4 weeks"),
                    (30, 90, "1-3 months"),
                    (90, 365, "3-12 months"),
                    (365, None, "> 1 year"),
                )
                if hi is None or age < hi
            )
            ages[bucket] += 1
            passed[bucket] += rating > 1
    got = {a["age"]: (a["answers"], a["passed"]) for a in data["retention"]["by_age"]}
    assert {k: v for k, v in got.items() if v[0]} == {k: (ages[k], passed[k]) for k in ages}


def test_since_and_deck_limit_the_figures(filled):  # type: ignore[no-untyped-def]
    env, run = filled
    since = (date(2026, 3, 1) + timedelta(days=19)).isoformat()
    data = json.loads(run("stats", "--json", "--since", since, "--deck", "zhdeck").stdout)
    with db(env) as conn:
        n = conn.execute(
            "select count(*) from reviews r join cards c on c.id = r.card_id join decks d on d.id = c.deck_id "
            "where d.slug = 'zhdeck' and r.reviewed_at >= ?",
            (micros(datetime.fromisoformat(f"{since}T04:00:00+00:00")),),
        ).fetchone()[0]
        tags = conn.execute(
            "select t.tag, count(*), sum(case when r.correct = 1 or (r.correct is null and r.rating > 1) "
            "then 1 else 0 end) from reviews r join card_tags t on t.card_id = r.card_id "
            "join cards c on c.id = r.card_id join decks d on d.id = c.deck_id "
            "where d.slug = 'zhdeck' and r.reviewed_at >= ? group by t.tag",
            (micros(datetime.fromisoformat(f"{since}T04:00:00+00:00")),),
        ).fetchall()
        cards = conn.execute(
            "select count(*) from cards c join decks d on d.id = c.deck_id where d.slug = 'zhdeck'"
        ).fetchone()[0]
    assert 0 < data["answers"]["total"] == n
    assert data["since"] == since
    assert {t["tag"]: (t["answers"], t["right"]) for t in data["weakest_tags"]} == {
        t: (a, r) for t, a, r in tags
    }
    assert sum(data["states"].values()) == cards == 6
    # the heatmap and streaks still cover the deck's whole log
    assert min(d["day"] for d in data["heatmap"]) < since


@pytest.mark.parametrize("width", [80, 160])
def test_screen_fits_the_terminal_in_en_and_zh(filled, width):  # type: ignore[no-untyped-def]
    _env, run = filled
    for lang, question in (("en", "English question"), ("zh", "中文问题")):
        with screen(width) as buf:
            run("stats", "--lang", lang)
        text = buf.getvalue()
        assert widest(text) <= width, text
        for needle in (
            "quiz stats · all decks",
            "streak:",
            "true retention",
            "due in the next 30 days",
            "weakest tags",
            "weakest cards",
            "Mon",
            "less",
        ):
            assert needle in text, needle
        assert question in text
    assert "█" in text and "·" in text  # the busiest day and empty days, told apart without colour


def test_zh_deck_shows_its_own_language_by_default(filled):  # type: ignore[no-untyped-def]
    _env, run = filled
    with screen(100) as buf:
        run("stats", "--deck", "zhdeck")
    assert "中文问题" in buf.getvalue()
    assert "English question" not in buf.getvalue()


def test_export_svg_and_html_and_a_clear_error_for_png(filled, tmp_path):  # type: ignore[no-untyped-def]
    env, run = filled
    for name in ("report.svg", "report.html"):
        run("stats", "--export", str(tmp_path / name))
        body = (tmp_path / name).read_text(encoding="utf-8")
        assert "retention" in body and "weakest" in body
    from typer.testing import CliRunner

    from quiz.cli import app

    result = CliRunner().invoke(
        app,
        ["stats", "--export", str(tmp_path / "r.png")],
        env={
            "QUIZ_DB": str(env / "store.db"),
            "QUIZ_CONFIG": str(env / "config.toml"),
            "QUIZ_LEARNER": "tester",
            "QUIZ_NOW": TODAY,
        },
    )
    assert result.exit_code == 2
    assert "PNG export is not supported" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "r.png").exists()


def test_empty_store_and_unknown_deck(cli):  # type: ignore[no-untyped-def]
    empty = cli("stats", "--json")
    assert empty.exit_code == 0
    data = json.loads(empty.stdout)
    assert data["answers"]["total"] == 0 and data["streak"]["current"] == 0
    with screen(80) as buf:
        assert cli("stats").exit_code == 0
    assert "0 answers" in buf.getvalue()
    missing = cli("stats", "--deck", "nope")
    assert missing.exit_code == 4 and "no deck 'nope'" in missing.output
    bad = cli("stats", "--since", "yesterday")
    assert bad.exit_code == 2 and "not a date" in bad.output
