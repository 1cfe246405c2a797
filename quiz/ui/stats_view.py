"""`quiz stats` on screen: a year's heatmap, streaks, retention, forecast, weak spots.

Everything is built as rich renderables sized to the console, so the same report
renders in an 80-column terminal, a wide one, the tests' in-memory consoles, and the
SVG/HTML export (rich's recording console). Charts (forecast, retention by day) are
text column charts drawn with rich alone.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from quiz.errors import UsageError
from quiz.safe_text import escape
from quiz.stats.figures import Report, heat_level, percent, seconds
from quiz.ui.plural import counted
from quiz.ui.safe import text as safe

SHADES = ("grey23", "dark_green", "green4", "green3", "bright_green")
CELLS = ("·", "░", "▒", "▓", "█")  # readable without colour too (pipes, exports, tests)
DAY_LABELS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


def heatmap(report: Report, width: int) -> RenderableType:
    """Weeks as columns (oldest left), Monday..Sunday as rows, like a contribution graph."""
    days = list(report.heatmap)
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
    cell = 2 if width >= 4 + 2 * len(weeks) + 2 else 1
    if 4 + cell * len(weeks) > width:  # very narrow: the most recent weeks that fit
        weeks = weeks[-max(1, (width - 4) // cell) :]
    peak = max((d.answers for d in days), default=0)
    months = Text("    ")
    last_month = None
    for week in weeks:
        first = week[0].day
        label = first.strftime("%b") if first.month != last_month and first.day <= 7 else ""
        last_month = first.month if label else last_month
        months.append(
            (label + " " * cell)[:cell] if cell > 1 or not label else label[0], style="dim"
        )
    lines = [months]
    for row in range(7):
        line = Text(f"{DAY_LABELS[row]:<4}", style="dim")
        for week in weeks:
            if row < len(week):
                level = heat_level(week[row].answers, peak)
                line.append(
                    CELLS[level] * cell if cell == 1 else CELLS[level] + " ", style=SHADES[level]
                )
            else:
                line.append(" " * cell)
        lines.append(line)
    legend = Text("    less ", style="dim")
    for char, shade in zip(CELLS, SHADES, strict=False):
        legend.append(char, style=shade)
    legend.append(f" more · busiest day: {counted(peak, 'answer')}", style="dim")
    lines.append(legend)
    return Group(*lines)


def summary(report: Report, decks: tuple[str, ...]) -> RenderableType:
    scope = escape(", ".join(decks)) if decks else "all decks"
    since = f" since {report.since.isoformat()}" if report.since else ""
    head = Text(f"quiz stats · {scope}{since} · {report.today.isoformat()}", style="bold")
    s = report.streaks
    facts = Text()
    facts.append(counted(report.answers, "answer"), style="bold")
    facts.append(
        f" ({counted(report.reviews, 'review')}, {counted(report.drills, 'drill')}) · {percent(report.right_share)} right · "
        f"{seconds(report.average_ms)} per answer\n"
    )
    facts.append(f"streak: {counted(s.current, 'day')}", style="bold green")
    facts.append(f" · longest {s.longest} · {counted(s.active_days, 'active day')}")
    return Group(head, facts)


def retention(report: Report, width: int) -> RenderableType:
    t = report.true_retention
    line = Text("true retention ", style="bold")
    colour = (
        "green" if t.value is not None and t.value >= report.desired_retention - 0.02 else "yellow"
    )
    line.append(percent(t.value), style=f"bold {colour}")
    line.append(f" of {counted(t.answers, 'review')} · desired {percent(report.desired_retention)}")
    parts: list[RenderableType] = [line]
    recent = [r for r in report.retention_by_day if r.answers][-30:]
    if len(recent) >= 2:
        parts.append(
            _line_chart(
                [r.label[5:] for r in recent],
                [100 * (r.value or 0) for r in recent],
                100 * report.desired_retention,
                width,
            )
        )
    tables = Table.grid(padding=(0, 3))
    weeks = Table(
        title="by week", title_justify="left", box=None, header_style="bold", pad_edge=False
    )
    for name in ("week of", "reviews", "retention"):
        weeks.add_column(name, justify="right" if name != "week of" else "left")
    for r in report.retention_by_week[-8:]:
        weeks.add_row(r.label, str(r.answers), percent(r.value))
    ages = Table(
        title="by card age", title_justify="left", box=None, header_style="bold", pad_edge=False
    )
    for name in ("age", "reviews", "retention"):
        ages.add_column(name, justify="right" if name != "age" else "left")
    for r in report.retention_by_age:
        ages.add_row(r.label, str(r.answers), percent(r.value))
    if width >= 70:
        tables.add_row(weeks, ages)
        parts.append(tables)
    else:
        parts.extend([weeks, ages])
    return Group(*parts)


def forecast(report: Report, width: int) -> RenderableType:
    labels = [d.strftime("%m-%d") for d, _ in report.forecast]
    values = [n for _, n in report.forecast]
    head = Text(
        f"due in the next 30 days: {sum(values)} (today {values[0] if values else 0})", style="bold"
    )
    if not any(values):
        return head
    return Group(head, _bar_chart(labels, values, width))


def states(report: Report) -> RenderableType:
    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in report.states:
        table.add_column(name, justify="right")
    table.add_row(*(str(n) for n in report.states.values()))
    return table


def weak_spots(report: Report, width: int) -> RenderableType:
    parts: list[RenderableType] = []
    tags = [t for t in report.weak_tags if t.misses][:5]
    if tags:
        table = Table(
            title="weakest tags",
            title_justify="left",
            box=None,
            header_style="bold",
            pad_edge=False,
        )
        for name in ("tag", "right", "answers", "lapses", "misses"):
            table.add_column(name, justify="left" if name == "tag" else "right")
        for t in tags:
            table.add_row(
                safe(t.tag), percent(t.right_share), str(t.answers), str(t.lapses), str(t.misses)
            )
        parts.append(table)
    if report.weak_cards:
        table = Table(
            title="weakest cards",
            title_justify="left",
            box=None,
            header_style="bold",
            pad_edge=False,
            expand=width >= 70,
        )
        table.add_column("card", no_wrap=True, overflow="ellipsis", max_width=32)
        for name in ("recall", "lapses", "misses"):
            table.add_column(name, justify="right", no_wrap=True, min_width=len(name))
        if width >= 70:
            table.add_column("question", no_wrap=True, overflow="ellipsis", ratio=1)
        for c in report.weak_cards[:8]:
            row: list[RenderableType] = [
                safe(c.key),
                percent(c.retrievability),
                str(c.lapses),
                str(c.misses),
            ]
            if width >= 70:
                row.append(safe(" ".join((report.fronts.get(c.key) or "").split())))
            table.add_row(*row)
        parts.append(table)
    if report.output_by_tag:
        table = Table(
            title="predict-the-output accuracy",
            title_justify="left",
            box=None,
            header_style="bold",
            pad_edge=False,
        )
        for name in ("tag", "right", "answers"):
            table.add_column(name, justify="left" if name == "tag" else "right")
        for t in sorted(
            report.output_by_tag, key=lambda f: (f.right_share is None, f.right_share or 0, f.tag)
        ):
            table.add_row(safe(t.tag), percent(t.right_share), str(t.answers))
        parts.append(table)
    if not parts:
        parts.append(Text("no misses yet: nothing weak to show", style="dim"))
    return Group(*parts)


def render(report: Report, console: Console, decks: tuple[str, ...] = ()) -> None:
    width = console.width
    rule = Text("─" * min(width, 100), style="dim")
    for part in (
        summary(report, decks),
        heatmap(report, width),
        rule,
        retention(report, width),
        rule,
        forecast(report, width),
        rule,
        states(report),
        rule,
        weak_spots(report, width),
    ):
        console.print(part)


def export(report: Report, path: Path, decks: tuple[str, ...] = (), width: int = 100) -> None:
    """Write the report as SVG or HTML (rich's recording console). PNG would need a
    rasteriser (cairosvg and its C libraries), which quiz does not depend on."""
    import io

    suffix = path.suffix.lower()
    if suffix not in (".svg", ".html", ".htm"):
        if suffix == ".png":
            raise UsageError(
                f"{path}: PNG export is not supported (it needs a rasteriser); use .svg or .html"
            )
        raise UsageError(f"{path}: unknown export format {suffix or '(none)'!r}; use .svg or .html")
    from quiz.ui.safe import guard

    console = guard(
        Console(
            record=True,
            width=width,
            file=io.StringIO(),
            force_terminal=True,
            color_system="truecolor",
        )
    )
    render(report, console, decks)
    try:
        if suffix == ".svg":
            console.save_svg(str(path), title="quiz stats")
        else:
            console.save_html(str(path))
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror}") from None


# ---- charts ---------------------------------------------------------------------------


def _bar_chart(labels: list[str], values: list[int], width: int) -> RenderableType:
    return _columns(
        labels,
        [float(v) for v in values],
        width,
        height=6,
        top=float(max(values, default=0) or 1),
        axis=lambda v: str(round(v)),
    )


def _line_chart(
    labels: list[str], values: list[float], target: float, width: int
) -> RenderableType:
    """Retention per day as columns, from a floor 10 points under the lowest value (or the
    desired level) to 100%, with the desired level drawn across."""
    floor = max(0.0, 10 * ((min([*values, target]) - 5) // 10))
    return _columns(
        labels,
        values,
        width,
        height=6,
        top=100.0,
        bottom=floor,
        mark=target,
        axis=lambda v: f"{v:.0f}%",
    )


EIGHTHS = " ▁▂▃▄▅▆▇█"


def _columns(
    labels: list[str],
    values: list[float],
    width: int,
    *,
    height: int,
    top: float,
    axis: Callable[[float], str],
    bottom: float = 0.0,
    mark: float | None = None,
) -> RenderableType:
    """A column chart in text (eighth blocks, so a cell shows 8 levels): one column per
    value, every few labels under it, the scale on the left. Drawn with rich alone —
    plotext's import alone cost a large share of `quiz stats`' budget (tests/bench)."""
    gutter = max(len(axis(top)), len(axis(bottom))) + 1
    step = 2 if gutter + 2 * len(values) <= min(width, 100) else 1
    span = (top - bottom) or 1.0
    levels = [max(0, min(height * 8, round(height * 8 * (v - bottom) / span))) for v in values]
    mark_row = (
        None if mark is None else max(0, min(height - 1, int(height * (mark - bottom) / span)))
    )
    out = Text()
    for row in range(height - 1, -1, -1):
        label = axis(top) if row == height - 1 else axis(bottom) if row == 0 else ""
        out.append(label.rjust(gutter - 1) + " ", style="dim")
        for level in levels:
            fill = min(8, max(0, level - row * 8))
            if fill == 0 and row == mark_row:
                out.append("┈", style="yellow")
            else:
                out.append(EIGHTHS[fill], style="cyan")
            if step == 2:
                out.append("┈" if row == mark_row else " ", style="yellow")
        out.append("\n")
    ticks = [" "] * (step * len(values))
    every = max(1, 6 // step + 1)
    for i in range(0, len(values), every):
        if step * i + len(labels[i]) <= len(ticks):  # whole labels only
            ticks[step * i : step * i + len(labels[i])] = labels[i]
    out.append(" " * gutter + "".join(ticks).rstrip(), style="dim")
    return out
