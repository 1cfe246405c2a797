"""The `--json` shape of `quiz stats` and `quiz class report`: the same figures as the
screen, as data. The one place that names the keys; changing one is a change of contract
(tests compare the output byte for byte)."""

from __future__ import annotations

from datetime import datetime

from quiz.stats.classroom import ClassReport
from quiz.stats.figures import Rate, Report, TagFigure


def _rate(r: Rate, key: str = "label") -> dict[str, object]:
    return {key: r.label, "answers": r.answers, "passed": r.passed, "retention": r.value}


def _tag(f: TagFigure) -> dict[str, object]:
    return {
        "tag": f.tag,
        "cards": f.cards,
        "answers": f.answers,
        "right": f.right,
        "right_share": f.right_share,
        "lapses": f.lapses,
        "misses": f.misses,
    }


def report_to_dict(report: Report) -> dict[str, object]:
    """`quiz stats --json`: the same figures as the screen, as data."""
    days = {d.day: d for d in report.heatmap}
    return {
        "today": report.today.isoformat(),
        "since": report.since.isoformat() if report.since else None,
        "answers": {
            "total": report.answers,
            "reviews": report.reviews,
            "drills": report.drills,
            "right": report.right,
            "right_share": report.right_share,
            "average_ms": report.average_ms,
        },
        "streak": {
            "current": report.streaks.current,
            "longest": report.streaks.longest,
            "active_days": report.streaks.active_days,
        },
        "heatmap": [
            {"day": d.isoformat(), "answers": a.answers, "reviews": a.reviews, "drills": a.drills}
            for d, a in days.items()
            if a.answers
        ],
        "retention": {
            "desired": report.desired_retention,
            "true": report.true_retention.value,
            "answers": report.true_retention.answers,
            "passed": report.true_retention.passed,
            "by_day": [_rate(r, "day") for r in report.retention_by_day],
            "by_week": [_rate(r, "week") for r in report.retention_by_week],
            "by_age": [_rate(r, "age") for r in report.retention_by_age],
        },
        "forecast": [{"day": d.isoformat(), "due": n} for d, n in report.forecast],
        "states": dict(report.states),
        "weakest_tags": [_tag(f) for f in report.weak_tags],
        "weakest_cards": [
            {
                "card": c.key,
                "deck": c.deck,
                "lapses": c.lapses,
                "misses": c.misses,
                "answers": c.answers,
                "retrievability": None if c.retrievability is None else round(c.retrievability, 4),
                "last_miss": c.last_miss.isoformat() if c.last_miss else None,
                "front": report.fronts.get(c.key),
            }
            for c in report.weak_cards
        ],
        "output_accuracy_by_tag": [_tag(f) for f in report.output_by_tag],
        # cards the learner overruled ("I was right"): their grading may be too strict
        "strict_grading": [
            {"card": c.key, "overruled": c.overruled, "answers": c.answers}
            for c in report.strict_grading
        ],
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def class_report_to_dict(report: ClassReport) -> dict[str, object]:
    """`quiz class report --json`: every learner, and every card someone answered."""
    return {
        "today": report.today.isoformat(),
        "decks": list(report.decks),
        "learners": [
            {
                "learner": f.learner,
                "cards_seen": f.cards_seen,
                "answers": f.answers,
                "reviews": f.reviews,
                "true_retention": f.retention,
                "retention_answers": f.retention_answers,
                "streak": f.streak,
                "last_answer": _iso(f.last_answer),
                "weakest_tags": [
                    {
                        "tag": t.tag,
                        "answers": t.answers,
                        "misses": t.misses,
                        "miss_share": t.miss_share,
                    }
                    for t in f.weakest_tags
                ],
            }
            for f in report.learners
        ],
        "cards": [
            {
                "card": c.card,
                "deck": c.deck,
                "learners": c.learners,
                "missed_by": c.missed_by,
                "miss_share": c.miss_share,
                "answers": c.answers,
                "agains": c.agains,
            }
            for c in report.cards
        ],
    }
