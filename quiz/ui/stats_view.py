"""`quiz stats` on screen: a year's heatmap, streaks, retention, forecast, weak spots.

Everything is built as rich renderables sized to the console, so the same report
renders in an 80-column terminal, a wide one, the tests' in-memory consoles, and the
SVG/HTML export (rich's recording console). Charts (forecast, retention by day) are
drawn by plotext when it is installed, else as rich bars; plotext is imported only
here, only when a chart is drawn (it costs ~0.2 s to import).
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from quiz.errors import UsageError
from quiz.stats import Report, heat_level, percent, seconds

SHADES = ("grey23", "dark_green", "green4", "green3", "bright_green")
CELLS = ("·", "░", "▒", "▓", "█")  # readable without colour too (pipes, exports, tests)
DAY_LABELS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


def heatmap(report: Report, width: int) -> RenderableType:
    """Weeks as columns (oldest left), Monday..Sunday as rows, like a contribution graph."""
    days = list(report.heatmap)
    weeks = [days[i:i + 7] for i in range(0, len(days), 7)]
    cell = 2 if width >= 4 + 2 * len(weeks) + 2 else 1
    if 4 + cell * len(weeks) > width:  # very narrow: the most recent weeks that fit
        weeks = weeks[-max(1, (width - 4) // cell):]
    peak = max((d.answers for d in days), default=0)
    months = Text("    ")
    last_month = None
    for week in weeks:
        first = week[0].day
        label = first.strftime("%b") if first.month != last_month and first.day <= 7 else ""
        last_month = first.month if label else last_month
        months.append((label + " " * cell)[:cell] if cell > 1 or not label else label[0], style="dim")
    lines = [months]
    for row in range(7):
        line = Text(f"{DAY_LABELS[row]:<4}", style="dim")
        for week in weeks:
            if row < len(week):
                level = heat_level(week[row].answers, peak)
                line.append(CELLS[level] * cell if cell == 1 else CELLS[level] + " ", style=SHADES[level])
            else:
                line.append(" " * cell)
        lines.append(line)
    legend = Text("    less ", style="dim")
    for char, shade in zip(CELLS, SHADES):
        legend.append(char, style=shade)
    legend.append(f" more · busiest day: {peak} answers", style="dim")
    lines.append(legend)
    return Group(*lines)


def summary(report: Report, decks: tuple[str, ...]) -> RenderableType:
    scope = ", ".join(decks) if decks else "all decks"
    since = f" since {report.since.isoformat()}" if report.since else ""
    head = Text(f"quiz stats · {scope}{since} · {report.today.isoformat()}", style="bold")
    s = report.streaks
    facts = Text()
    facts.append(f"{report.answers} answers", style="bold")
    facts.append(f" ({report.reviews} reviews, {report.drills} drill) · {percent(report.right_share)} right · "
                 f"{seconds(report.average_ms)} per answer\n")
    facts.append(f"streak: {s.current} day{'s' if s.current != 1 else ''}", style="bold green")
    facts.append(f" · longest {s.longest} · {s.active_days} active days")
    return Group(head, facts)


def retention(report: Report, width: int) -> RenderableType:
    t = report.true_retention
    line = Text("true retention ", style="bold")
    colour = "green" if t.value is not None and t.value >= report.desired_retention - 0.02 else "yellow"
    line.append(percent(t.value), style=f"bold {colour}")
    line.append(f" of {t.answers} reviews · desired {percent(report.desired_retention)}")
    parts: list[RenderableType] = [line]
    recent = [r for r in report.retention_by_day if r.answers][-30:]
    if len(recent) >= 2:
        parts.append(_line_chart([r.label[5:] for r in recent], [100 * (r.value or 0) for r in recent],
                                 100 * report.desired_retention, width))
    tables = Table.grid(padding=(0, 3))
    weeks = Table(title="by week", title_justify="left", box=None, header_style="bold", pad_edge=False)
    for name in ("week of", "reviews", "retention"):
        weeks.add_column(name, justify="right" if name != "week of" else "left")
    for r in report.retention_by_week[-8:]:
        weeks.add_row(r.label, str(r.answers), percent(r.value))
    ages = Table(title="by card age", title_justify="left", box=None, header_style="bold", pad_edge=False)
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
    head = Text(f"due in the next 30 days: {sum(values)} (today {values[0] if values else 0})", style="bold")
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
        table = Table(title="weakest tags", title_justify="left", box=None, header_style="bold", pad_edge=False)
        for name in ("tag", "right", "answers", "lapses", "misses"):
            table.add_column(name, justify="left" if name == "tag" else "right")
        for t in tags:
            table.add_row(t.tag, percent(t.right_share), str(t.answers), str(t.lapses), str(t.misses))
        parts.append(table)
    if report.weak_cards:
        table = Table(title="weakest cards", title_justify="left", box=None, header_style="bold", pad_edge=False,
                      expand=width >= 70)
        table.add_column("card", no_wrap=True, overflow="ellipsis", max_width=32)
        for name in ("recall", "lapses", "misses"):
            table.add_column(name, justify="right", no_wrap=True, min_width=len(name))
        if width >= 70:
            table.add_column("question", no_wrap=True, overflow="ellipsis", ratio=1)
        for c in report.weak_cards[:8]:
            row = [c.key, percent(c.retrievability), str(c.lapses), str(c.misses)]
            if width >= 70:
                row.append(" ".join((report.fronts.get(c.key) or "").split()))
            table.add_row(*row)
        parts.append(table)
    if report.output_by_tag:
        table = Table(title="predict-the-output accuracy", title_justify="left", box=None, header_style="bold",
                      pad_edge=False)
        for name in ("tag", "right", "answers"):
            table.add_column(name, justify="left" if name == "tag" else "right")
        for t in sorted(report.output_by_tag, key=lambda f: (f.right_share is None, f.right_share or 0, f.tag)):
            table.add_row(t.tag, percent(t.right_share), str(t.answers))
        parts.append(table)
    if not parts:
        parts.append(Text("no misses yet: nothing weak to show", style="dim"))
    return Group(*parts)


def render(report: Report, console: Console, decks: tuple[str, ...] = ()) -> None:
    width = console.width
    rule = Text("─" * min(width, 100), style="dim")
    for part in (summary(report, decks), heatmap(report, width), rule, retention(report, width), rule,
                 forecast(report, width), rule, states(report), rule, weak_spots(report, width)):
        console.print(part)


def export(report: Report, path: Path, decks: tuple[str, ...] = (), width: int = 100) -> None:
    """Write the report as SVG or HTML (rich's recording console). PNG would need a
    rasteriser (cairosvg and its C libraries), which quiz does not depend on."""
    import io

    suffix = path.suffix.lower()
    if suffix not in (".svg", ".html", ".htm"):
        if suffix == ".png":
            raise UsageError(f"{path}: PNG export is not supported (it needs a rasteriser); use .svg or .html")
        raise UsageError(f"{path}: unknown export format {suffix or '(none)'!r}; use .svg or .html")
    console = Console(record=True, width=width, file=io.StringIO(), force_terminal=True, color_system="truecolor")
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
    fig = _figure(width, 12)
    if fig is not None:
        try:
            fig.draw(fig.bar(labels, values, width=0.6))
            return Text.from_ansi(fig.build().string())
        except Exception:  # noqa: BLE001 - a chart library's quirk must not cost the report
            pass
    return _rich_bars(labels, values, width)


def _line_chart(labels: list[str], values: list[float], target: float, width: int) -> RenderableType:
    fig = _figure(width, 10)
    if fig is not None:
        try:
            xs = list(range(1, len(values) + 1))
            got = fig.signal(xs, values)
            got.lines()
            got.label("retention %")
            aim = fig.signal(xs, [target] * len(xs))
            aim.lines()
            aim.label("desired")
            fig.draw(got)
            fig.draw(aim)
            step = max(1, len(labels) // max(1, min(width, 100) // 8))
            ticks = xs[::step]
            fig.ruler("x").ticks(ticks, [labels[i - 1] for i in ticks])
            return Text.from_ansi(fig.build().string())
        except Exception:  # noqa: BLE001
            pass
    return _rich_bars(labels, [round(v) for v in values], width, suffix="%")


def _figure(width: int, height: int):  # type: ignore[no-untyped-def]
    """plotext's (global) figure, cleared and sized; None without plotext >= 6."""
    try:
        import plotext
    except ImportError:
        return None
    fig = getattr(plotext, "figure", None)
    if fig is None or not hasattr(fig, "plot_size"):
        return None
    fig.clear()
    fig.plot_size(min(width, 100), height)
    fig.theme("simple")
    return fig


def _rich_bars(labels: list[str], values: list[int], width: int, suffix: str = "") -> RenderableType:
    peak = max(values, default=0) or 1
    room = max(10, min(width, 100) - 16)
    table = Table.grid(padding=(0, 1))
    for label, n in zip(labels, values):
        table.add_row(Text(label, style="dim"), Text("█" * round(room * n / peak), style="cyan"), f"{n}{suffix}")
    return table
