"""quiz beside Anki, step by step (issue #19's table): `python -m tests.bench --only versus`.

For each step a learner takes, the median wall time of the whole `quiz` process on the
benchmark store (100k cards, 1M reviews: fixtures.big_store) and, measured in the same
run, the median of one whole Python process that imports the `anki` library, opens a
collection of the same size (tests/bench/anki_side.py, built once under the bench dir)
and does Anki's equivalent of the step; then quiz ÷ Anki. A step Anki has no
equivalent of shows quiz alone; without the `anki` package every Anki cell says why.

Pairs (quiz | Anki):
- review: start to the first question on stdout, then `q` | open, the first queued
  card's question rendered, close;
- decks: `quiz decks` | `sched.deck_due_tree()`; due: `quiz due` | `sched.counts()`;
- stats, --deck, --since (the last 31 days) | the graphs of 365 days, of one deck's
  search, of 31 days;
- drill, drill --weak (20 cards, start to the first question) | 20 random unsuspended
  cards, the first one's question | the card with the most lapses;
- cards (the listing's first screen: 50 rows), --sort lapses, --text | the browser's
  search in that order and its first 50 rows built; --sort recall: quiz alone; cards
  show | `card_stats_data` of one card; cards suspend, bury, set-due, forget of one
  card | `sched.suspend_cards`, `bury_cards`, `set_due_date`, `schedule_cards_as_new`
  (both on copies of the benchmark data);
- import: a new 10k-card deck into an empty store | a 10k-note CSV into an empty
  collection (both copied from an empty template before each run, outside the timing);
- export apkg (with the learner's history, and --no-history) / csv of one 10k-card
  deck | `export_anki_package` / `export_note_csv` of one 10k-note deck, without
  scheduling or media; export yaml: quiz only; import: quiz alone also takes the same
  deck into a copy of the benchmark store (issue #19's target);
- learners, goal --json, run (one output card of a deck file), fmt --check and
  check --no-run of a 10k-card deck: quiz only.

The machine is shared and timings move with its load: read the ratio of one run, and
the CPU figures (user + system seconds of the child, also medians) beside the wall.

The first run builds and keeps, under the bench dir (QUIZ_BENCH_DIR, default
/tmp/quiz-bench): the quiz store (a few minutes), the Anki collection (minutes: 1M
revlog rows through SQLite), an empty collection and a 10k-note CSV for the import, and
a copy of the 10k-card deck in fmt's layout (one `quiz fmt`, ~20 s). `quiz fmt --check`
keeps the texts it found unchanged (quiz.authoring.fmt), so its plain step is the kept
answer; the "first run" step points XDG_CACHE_HOME at a file, where no record can be
read or kept, so every run is the first on that text (quiz.authoring.fmt_layout).
"""

from __future__ import annotations

import shutil
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from tests.bench import anki_side, fixtures
from tests.bench.measure import Sample, run_once

OUTPUT_DECK = """deck: bench-run
title: One snippet
cards:
  - id: hello
    type: output
    front: What does this print?
    code: |
      print(sum(range(10)))
    output: "45"
"""


@dataclass(frozen=True)
class Pair:
    step: str
    quiz: float | None
    anki: float | None
    quiz_cpu: float | None = None
    anki_cpu: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.quiz / self.anki if self.quiz and self.anki else None


def _median(runs: int, once: Callable[[], Sample]) -> tuple[float, float]:
    """(median wall, median CPU) seconds after one warm-up run."""
    once()
    samples = [once() for _ in range(runs)]
    return (
        statistics.median(s.seconds for s in samples),
        statistics.median(s.cpu_seconds for s in samples),
    )


def _try(runs: int, once: Callable[[], Sample] | None) -> tuple[float | None, float | None, str]:
    if once is None:
        return None, None, ""
    try:
        wall, cpu = _median(runs, once)
        return wall, cpu, ""
    except RuntimeError as exc:
        lines = [line for line in str(exc).splitlines() if line.strip()]
        return None, None, f"failed: {lines[-1][:80] if lines else exc}"


def run(ctx, log=print) -> list[Pair]:  # type: ignore[no-untyped-def]
    folder = fixtures.bench_dir()
    store = fixtures.big_store(log=log)
    deck = fixtures.big_deck()
    why_not = anki_side.available()
    col = anki_side.build(folder, log) if why_not is None else None
    env = ctx.env(store)
    work = Path(ctx.work)
    quiz = ctx.quiz

    def q(*argv: str, until: bytes | None = None, e: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return lambda: run_once(
            [*quiz, *argv], e or env, until=until, then=b"q\n" if until else b""
        )

    def anki(step: str, *args: str, before: Callable[[], object] | None = None):  # type: ignore[no-untyped-def]
        if col is None:
            return None
        script = anki_side.STEPS[step]
        target = col

        def once() -> Sample:
            nonlocal target
            if before is not None:
                target = Path(str(before()))
            return run_once([ctx.python, "-c", script, str(target), *args], dict(env))

        return once

    # import: fresh empty targets before each run
    quiz_empty = work / "versus-empty.db"
    if not quiz_empty.exists():
        from quiz.store import open_store

        with open_store(str(quiz_empty)) as s, s.unit(fixtures.LEARNER):
            pass
    quiz_target = work / "versus-import.db"

    def fresh_quiz() -> Sample:
        fixtures.fresh_copy(quiz_empty, quiz_target)
        return run_once([*quiz, "import", str(deck)], ctx.env(quiz_target))

    # ... and into a copy of the benchmark store (100k cards, 1M reviews: issue #19's target)
    def copy_store(target: Path) -> None:
        fixtures.fresh_copy(store, target)

    quiz_big_target = work / "versus-import-big.db"

    def fresh_big() -> Sample:
        copy_store(quiz_big_target)
        return run_once([*quiz, "import", str(deck)], ctx.env(quiz_big_target))

    # the card actions write: into a copy of the benchmark store (and of Anki's), made
    # once; `forget` into a fresh copy before each run (a card forgotten stays new)
    acted = work / "versus-actions.db"
    acted_env = ctx.env(acted)

    copy_store(acted)
    action_card = "bench-06/card-2066"

    def fresh_forget() -> Sample:
        copy_store(acted)
        return run_once([*quiz, "cards", "forget", action_card], acted_env)

    anki_acted = (
        fixtures.fresh_copy(col, work / "versus-actions.anki2") if col is not None else None
    )

    def anki_act(step: str):  # type: ignore[no-untyped-def]
        if anki_acted is None:
            return None
        return lambda: run_once([ctx.python, "-c", anki_side.STEPS[step], str(anki_acted)], env)

    anki_csv = anki_side.csv_deck(folder) if col is not None else None
    anki_empty = anki_side.empty(folder) if col is not None else None

    def fresh_anki() -> Path:
        assert anki_empty is not None
        return fixtures.fresh_copy(anki_empty, work / "versus-import.anki2")

    # fmt --check needs a deck already in fmt's layout (formatted once, kept)
    formatted = folder / "big-deck-10000.formatted.yaml"
    if not formatted.exists() or formatted.stat().st_mtime < deck.stat().st_mtime:
        log("formatting the 10k-card deck once for fmt --check ...")
        copy = work / "fmt-copy.yaml"
        shutil.copyfile(deck, copy)
        run_once([*quiz, "fmt", str(copy)], env)
        shutil.copyfile(copy, formatted)
    no_record = work / "no-fmt-record"  # a file where fmt's record folder would go
    no_record.write_text("fmt --check keeps no record here\n", encoding="utf-8")
    snippet = work / "bench-run.yaml"
    snippet.write_text(OUTPUT_DECK, encoding="utf-8")
    since = (fixtures.NOW - timedelta(days=31)).date().isoformat()
    out_apkg, out_csv, out_yaml = work / "out.apkg", work / "out.csv", work / "out.yaml"
    steps: list[tuple[str, Callable[[], Sample], Callable[[], Sample] | None, str]] = [
        ("first card on screen (review)", q("review", until=b"return?"), anki("review"), ""),
        ("due counts per deck (decks)", q("decks"), anki("decks"), ""),
        ("due", q("due"), anki("due"), ""),
        ("stats, all decks", q("stats"), anki("stats"), ""),
        ("stats --deck", q("stats", "--deck", "bench-00"), anki("stats --deck"), ""),
        ("stats --since (31 days)", q("stats", "--since", since), anki("stats --since"), ""),
        (
            "drill --count 20 (first question)",
            q("drill", "--count", "20", until=b"return?"),
            anki("drill"),
            "",
        ),
        (
            "drill --weak --count 20 (first question)",
            q("drill", "--weak", "--count", "20", until=b"return?"),
            anki("drill --weak"),
            "",
        ),
        ("cards (a screen of the listing)", q("cards"), anki("cards"), ""),
        ("cards --sort lapses", q("cards", "--sort", "lapses"), anki("cards --sort lapses"), ""),
        (
            "cards --sort recall",
            q("cards", "--sort", "recall"),
            None,
            "Anki: no search sorted by recall in one call",
        ),
        ("cards --text", q("cards", "--text", "range(2066)"), anki("cards --text"), ""),
        (
            "cards show (one card's history)",
            q("cards", "show", "bench-06/card-2066"),
            anki("cards show"),
            "",
        ),
        (
            "cards suspend (one card)",
            q("cards", "suspend", action_card, e=acted_env),
            anki_act("cards suspend"),
            "",
        ),
        (
            "cards bury (one card)",
            q("cards", "bury", action_card, e=acted_env),
            anki_act("cards bury"),
            "",
        ),
        (
            "cards set-due (one card)",
            q("cards", "set-due", action_card, "--on", "2026-07-01", e=acted_env),
            anki_act("cards set-due"),
            "",
        ),
        (
            "cards forget (one card)",
            fresh_forget,
            anki_act("cards forget"),
            "quiz: the store copied before each run",
        ),
        (
            "import a new 10k-card deck",
            fresh_quiz,
            anki("import csv", str(anki_csv), before=fresh_anki) if anki_csv else None,
            "Anki: CSV",
        ),
        (
            "import a new 10k-card deck, 100k-card store",
            fresh_big,
            None,
            "quiz only (the store copied before each run)",
        ),
        (
            "export apkg, 10k notes",
            q("export", "--format", "apkg", "--deck", "bench-00", "-o", str(out_apkg), "--force"),
            anki("export apkg", str(out_apkg.with_suffix(".anki.apkg"))),
            "",
        ),
        (
            "export apkg --no-history, 10k notes",
            q(
                "export",
                "--format",
                "apkg",
                "--no-history",
                "--deck",
                "bench-00",
                "-o",
                str(out_apkg),
                "--force",
            ),
            anki("export apkg", str(out_apkg.with_suffix(".anki.apkg"))),
            "Anki's export is without scheduling too",
        ),
        (
            "export csv, 10k notes",
            q("export", "--format", "csv", "--deck", "bench-00", "-o", str(out_csv), "--force"),
            anki("export csv", str(out_csv.with_suffix(".anki.csv"))),
            "",
        ),
        (
            "export yaml, 10k cards",
            q("export", "--format", "yaml", "--deck", "bench-00", "-o", str(out_yaml), "--force"),
            None,
            "no Anki equivalent",
        ),
        ("learners", q("learners"), None, "no Anki equivalent"),
        ("goal --json", q("goal", "--json"), None, "no Anki equivalent"),
        ("run one snippet", q("run", f"{snippet}#hello"), None, "no Anki equivalent"),
        ("fmt --check, 10k cards", q("fmt", "--check", str(formatted)), None, ""),
        (
            "fmt --check, 10k cards, first run",
            q("fmt", "--check", str(formatted), e={**env, "XDG_CACHE_HOME": str(no_record)}),
            None,
            "no record of texts found unchanged",
        ),
        ("check --no-run, 10k cards", q("check", "--no-run", str(deck)), None, ""),
    ]
    pairs = []
    for name, mine, theirs, note in steps:
        qw, qc, qnote = _try(ctx.runs, mine)
        aw, ac, anote = _try(ctx.runs, theirs)
        if theirs is not None and why_not:
            anote = why_not
        pair = Pair(name, qw, aw, qc, ac, "; ".join(n for n in (note, qnote, anote) if n))
        log(f"  {name}: quiz {_ms(qw)}, Anki {_ms(aw)}")
        pairs.append(pair)
    return pairs


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:,.0f} ms"


def table(pairs: list[Pair]) -> str:
    head = ("step", "quiz", "Anki", "quiz ÷ Anki", "quiz CPU", "Anki CPU", "note")
    body = [
        (
            p.step,
            _ms(p.quiz),
            _ms(p.anki),
            f"{p.ratio:.2f}x" if p.ratio else "-",
            _ms(p.quiz_cpu),
            _ms(p.anki_cpu),
            p.note,
        )
        for p in pairs
    ]
    widths = [max(len(str(line[i])) for line in [head, *body]) for i in range(len(head))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
        for line in [head, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
