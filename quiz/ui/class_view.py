"""Tables for a shared store: its learners, the class report, and a store copy."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from quiz.ui.console import err, out, print_json
from quiz.ui.plural import counted
from quiz.ui.safe import text as safe

if TYPE_CHECKING:
    from quiz.stats.classroom import ClassReport
    from quiz.store.classroom import LearnerOverview
    from quiz.store.copy import CopyReport


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def render_learners(rows: Sequence[LearnerOverview], as_json: bool) -> None:
    if as_json:
        print_json(
            [
                {
                    "learner": r.learner,
                    "cards_seen": r.cards_seen,
                    "reviews": r.reviews,
                    "drills": r.drills,
                    "last_review": _iso(r.last_review),
                    "since": _iso(r.since),
                }
                for r in rows
            ]
        )
        return
    if not rows:
        out().print("No learners yet: the first `quiz review` on this store adds you.")
        return
    from rich.table import Table

    table = Table(box=None, header_style="bold")
    for name, justify in (
        ("learner", "left"),
        ("cards seen", "right"),
        ("reviews", "right"),
        ("drills", "right"),
        ("last review", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]  # a plain str from the column table; rich wants its JustifyMethod literal
    for r in rows:
        table.add_row(
            safe(r.learner), str(r.cards_seen), str(r.reviews), str(r.drills), _when(r.last_review)
        )
    out().print(table)


def render_class_report(report: ClassReport, as_json: bool, top: int) -> None:
    if as_json:
        from quiz.stats.shape import class_report_to_dict

        print_json(class_report_to_dict(report))
        return
    from rich.table import Table

    if not report.learners:
        out().print("No learners on this store yet.")
        return
    people = Table(title="Learners", title_justify="left", box=None, header_style="bold")
    for name, justify in (
        ("learner", "left"),
        ("cards seen", "right"),
        ("reviews", "right"),
        ("true retention", "right"),
        ("streak", "right"),
        ("weakest tags (missed)", "left"),
    ):
        people.add_column(name, justify=justify)  # type: ignore[arg-type]  # a plain str from the column table; rich wants its JustifyMethod literal
    for f in report.learners:
        weak = ", ".join(f"{t.tag} {t.miss_share:.0%}" for t in f.weakest_tags) or "–"
        days = f"{f.streak} day" + ("" if f.streak == 1 else "s")
        people.add_row(
            safe(f.learner), str(f.cards_seen), str(f.reviews), _pct(f.retention), days, safe(weak)
        )
    out().print(people)
    missed = [c for c in report.cards if c.missed_by][:top]
    if not missed:
        out().print("No card has been missed yet.")
        return
    cards = Table(
        title="Cards the class misses most", title_justify="left", box=None, header_style="bold"
    )
    for name, justify in (
        ("card", "left"),
        ("missed by", "right"),
        ("of", "right"),
        ("share", "right"),
        ("agains", "right"),
    ):
        cards.add_column(name, justify=justify)  # type: ignore[arg-type]  # a plain str from the column table; rich wants its JustifyMethod literal
    for c in missed:
        cards.add_row(
            safe(c.card), str(c.missed_by), str(c.learners), f"{c.miss_share:.0%}", str(c.agains)
        )
    out().print(cards)


def render_copy(report: CopyReport, as_json: bool) -> None:
    if as_json:
        out().print_json(
            json.dumps(
                {
                    "source": report.source,
                    "dest": report.dest,
                    "rows": report.rows,
                    "tables": {
                        t.table: {"source": t.source, "dest": t.dest} for t in report.tables
                    },
                    "replaced": {t.table: t.source for t in report.replaced},
                },
                ensure_ascii=False,
            )
        )
        return
    if report.replaced:
        what = ", ".join(f"{t.source} {t.table}" for t in report.replaced)
        err().print(f"replaced what the destination held: {what}")
    from rich.table import Table

    table = Table(box=None, header_style="bold")
    for name in ("table", "source", "copied"):
        table.add_column(name, justify="left" if name == "table" else "right")
    for t in report.tables:
        table.add_row(t.table, str(t.source), str(t.dest))
    out().print(table)
    out().print(f"copied {counted(report.rows, 'row')}; every table's count matches")
    out().print(f"from {report.source}", soft_wrap=True)
    out().print(f"to   {report.dest}", soft_wrap=True)
