"""Whole-process benchmarks of the commands a learner runs, on the big fixtures.

Each command is started the way a shell starts it (the `quiz` console script of this
interpreter's environment), several times; the table shows the median wall time, its
ratio to `python -c pass` measured in the same run, and the peak memory of the child.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from tests.bench import fixtures
from tests.bench.measure import Row, median_of, run_once


class Context:
    """What every benchmark needs: the command to run, an environment, the baseline."""

    def __init__(self, runs: int, log=print) -> None:  # type: ignore[no-untyped-def]
        self.runs = runs
        self.log = log
        script = Path(sys.executable).with_name("quiz")
        self.quiz = [str(script)] if script.exists() else [sys.executable, "-m", "quiz"]
        self.python = sys.executable
        self.baseline: float | None = None
        self.work = fixtures.bench_dir() / f"work-{os.getpid()}"
        self.work.mkdir(parents=True, exist_ok=True)

    def env(self, db: Path, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZ_")}
        env.update(
            QUIZ_DB=str(db),
            QUIZ_CONFIG=str(fixtures.config_file()),
            QUIZ_LEARNER=fixtures.LEARNER,
            QUIZ_BUNDLED="0",
            QUIZ_NOW=fixtures.NOW.isoformat(),
            COLUMNS="100",
        )
        env.update(extra)
        return env

    def ratio(self, seconds: float) -> float | None:
        return seconds / self.baseline if self.baseline else None

    def close(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


def _row(
    ctx: Context,
    name: str,
    target: str,
    limit: float | None,
    once,
    runs: int | None = None,  # type: ignore[no-untyped-def]
    note: str = "",
) -> Row:
    try:
        median, peak, _times = median_of(runs or ctx.runs, once)
    except RuntimeError as exc:  # a broken command is a row that says so, not a dead suite
        last = [line for line in str(exc).splitlines() if line.strip()][-1:]
        return Row(name, target, None, note=f"failed: {last[0][:90] if last else exc}")
    ctx.log(f"  {name}: {median * 1000:.1f} ms")
    return Row(name, target, median, peak, limit, ctx.ratio(median), note, runs or ctx.runs)


def bench_baseline(ctx: Context) -> Row:
    median, peak, _ = median_of(
        ctx.runs, lambda: run_once([ctx.python, "-c", "pass"], dict(os.environ))
    )
    ctx.baseline = median
    return Row("python -c pass", "(baseline)", median, peak, None, 1.0, runs=ctx.runs)


def bench_help(ctx: Context) -> list[Row]:
    """`quiz --help` as a learner meets it (the screen kept by its first run: issue #19's
    3x the interpreter's floor), and the first run itself (a cache that cannot be
    written: typer builds the screen every time)."""
    kept = ctx.env(ctx.work / "none.db", XDG_CACHE_HOME=str(ctx.work / "cache"))
    blocked = ctx.work / "no-cache"
    blocked.write_text("")
    first = ctx.env(ctx.work / "none.db", XDG_CACHE_HOME=str(blocked))
    floor = 3 * ctx.baseline if ctx.baseline else None
    return [
        _row(
            ctx,
            "quiz --help",
            "<= 3x python -c pass",
            floor,
            lambda: run_once([*ctx.quiz, "--help"], kept),
        ),
        _row(
            ctx,
            "quiz --help, first run (nothing kept)",
            "<= 150 ms",
            0.150,
            lambda: run_once([*ctx.quiz, "--help"], first),
        ),
    ]


def bench_due(ctx: Context, store: Path) -> list[Row]:
    env = ctx.env(store)
    return [
        _row(
            ctx,
            "quiz due (100k cards, 1M reviews)",
            "<= 100 ms",
            0.100,
            lambda: run_once([*ctx.quiz, "due"], env),
        ),
        _row(
            ctx,
            "quiz due --json",
            "<= 100 ms",
            0.100,
            lambda: run_once([*ctx.quiz, "due", "--json"], env),
        ),
    ]


def bench_decks(ctx: Context, store: Path) -> Row:
    env = ctx.env(store)
    return _row(
        ctx,
        "quiz decks (100k cards)",
        "<= 250 ms",
        0.250,
        lambda: run_once([*ctx.quiz, "decks"], env),
    )


def bench_cards(ctx: Context, store: Path) -> list[Row]:
    """`quiz cards`: a page of the listing, and every card of the store written to a pipe
    as the table and as JSON (issue #19: seconds for a whole collection, at most 200 MB)."""
    env = ctx.env(store)
    runs = max(3, ctx.runs // 2)
    return [
        _row(
            ctx,
            "quiz cards (a page: 50 of 100k cards)",
            "(unchanged)",
            None,
            lambda: run_once([*ctx.quiz, "cards"], env),
        ),
        _row(
            ctx,
            "quiz cards --all (100k cards, to a pipe)",
            "<= 3 s, peak <= 200 MB",
            3.0,
            lambda: run_once([*ctx.quiz, "cards", "--all"], env),
            runs=runs,
        ),
        _row(
            ctx,
            "quiz cards --all --json (100k cards)",
            "<= 2 s, peak <= 200 MB",
            2.0,
            lambda: run_once([*ctx.quiz, "cards", "--all", "--json"], env),
            runs=runs,
        ),
    ]


def bench_review_first_card(ctx: Context, store: Path) -> Row:
    """From start to the first question on stdout; then `q` quits (nothing is written)."""
    env = ctx.env(store)
    return _row(
        ctx,
        "quiz review: first card on screen",
        "<= 500 ms",
        0.500,
        lambda: run_once([*ctx.quiz, "review"], env, until=b"return?", then=b"q\n"),
    )


def moved_deck(deck: Path, folder: Path) -> Path:
    """`deck` with one card inserted at its top (every later card moves), as a copy."""
    text = deck.read_text(encoding="utf-8")
    path = folder / f"{deck.stem}.moved.yaml"
    path.write_text(
        text.replace(
            "cards:\n", "cards:\n  - id: inserted-first\n    front: New?\n    back: Yes.\n", 1
        ),
        encoding="utf-8",
    )
    return path


def bench_import(ctx: Context, deck: Path, store: Path | None = None) -> list[Row]:
    """Import a new 10k-card deck into an empty store (copied from a template each run),
    then the same file again (unchanged: skipped by its hash), then the deck with one card
    inserted at its top (changed: every later card moves); with the big store, the new
    deck into a copy of it (issue #19's targets)."""
    template = ctx.work / "empty.db"
    if not template.exists():
        from quiz.store import open_store

        with open_store(str(template)) as s, s.unit(fixtures.LEARNER):
            pass
    target = ctx.work / "import.db"

    def fresh(source: Path = template, path: Path = deck):  # type: ignore[no-untyped-def]
        fixtures.fresh_copy(source, target)
        return run_once([*ctx.quiz, "import", str(path)], ctx.env(target))

    runs = max(3, ctx.runs // 2)
    rows = [
        _row(ctx, "quiz import: new 10k-card deck (12k cards)", "<= 600 ms", 0.6, fresh, runs=runs)
    ]
    fresh()
    rows.append(
        _row(
            ctx,
            "quiz import: same deck again (unchanged)",
            "<= 80 ms",
            0.08,
            lambda: run_once([*ctx.quiz, "import", str(deck)], ctx.env(target)),
        )
    )
    imported = ctx.work / "imported.db"
    shutil.copyfile(target, imported)
    moved = moved_deck(deck, ctx.work)
    rows.append(
        _row(
            ctx,
            "quiz import: the deck with a card inserted first",
            "(changed; no target)",
            None,
            lambda: fresh(imported, moved),
            runs=runs,
        )
    )
    if store is not None:
        rows.append(
            _row(
                ctx,
                "quiz import: new 10k-card deck into the 100k-card store",
                "<= 600 ms",
                0.6,
                lambda: fresh(store),
                runs=runs,
            )
        )
    return rows


def bench_authoring(ctx: Context, deck: Path) -> list[Row]:
    """`quiz check --no-run` of the 10k-card deck, and `quiz fmt` of it as generated (keys
    out of fmt's order: the whole ruamel round trip, slow, so once) for its peak memory
    (issue #19: <= 200 MB for every command)."""
    env = ctx.env(ctx.work / "unused.db")
    rows = [
        _row(
            ctx,
            "quiz check --no-run: 10k-card deck",
            "<= 1 s",
            1.0,
            lambda: run_once([*ctx.quiz, "check", "--no-run", str(deck)], env),
        )
    ]
    copy = ctx.work / "fmt-unformatted.yaml"

    def fmt_fresh():  # type: ignore[no-untyped-def]
        shutil.copyfile(deck, copy)
        return run_once([*ctx.quiz, "fmt", str(copy)], env)

    rows.append(
        _row(
            ctx, "quiz fmt: 10k-card deck, keys out of order", "peak <= 200 MB", None, fmt_fresh, 1
        )
    )
    return rows


def bench_stats(ctx: Context, store: Path) -> Row:
    env = ctx.env(store)
    try:
        run_once([*ctx.quiz, "stats", "--help"], env)
    except RuntimeError:
        return Row("quiz stats (1M reviews)", "<= 1 s", None, note="no `quiz stats` command yet")
    runs = max(3, ctx.runs // 2)
    return _row(
        ctx,
        "quiz stats (1M reviews)",
        "<= 1 s",
        1.0,
        lambda: run_once([*ctx.quiz, "stats"], env),
        runs=runs,
    )
