"""In-process: from an answer to the next card, on a copy of the big store.

A scripted prompter rates every card Good the instant it is asked; the time from its
rating leaving the prompter to the next `ask` is quiz's own work per answer (schedule
the card, append to the log and commit, pick the next card) without the learner: issue
#19 asks for at most 0.5 ms (Anki's answer_card: 0.34 ms).
"""

from __future__ import annotations

import shutil
import statistics
import time
from datetime import timedelta
from pathlib import Path

from tests.bench import fixtures
from tests.bench.measure import Row


class _Instant:
    """Answers at once and notes when each answer left and the next question came."""

    def __init__(self) -> None:
        self.left_at: float | None = None
        self.gaps: list[float] = []

    def ask(self, item, progress):  # type: ignore[no-untyped-def]
        from quiz.review.session import Action, Response

        if self.left_at is not None:
            self.gaps.append(time.perf_counter() - self.left_at)
            self.left_at = None
        return Response(Action.ANSWER)

    def rate(self, item, suggested, previews=None, why=""):  # type: ignore[no-untyped-def]
        from quiz.model import Rating
        from quiz.review.session import Action, Response

        self.left_at = time.perf_counter()
        return Response(Action.RATE, rating=Rating.GOOD)

    def reveal(self, item) -> None:  # type: ignore[no-untyped-def]
        pass

    def verdict(self, item, verdict, result) -> None:  # type: ignore[no-untyped-def]
        pass

    def explain(self, item) -> None:  # type: ignore[no-untyped-def]
        pass

    def notice(self, message: str) -> None:
        pass

    def running(self, item) -> None:  # type: ignore[no-untyped-def]
        pass


def answer_gaps(store: Path, answers: int = 300) -> list[float]:
    from quiz.clock import DayClock
    from quiz.config import load_config
    from quiz.review.plan import plan_day
    from quiz.review.recorder import CardGrader, StoreRecorder
    from quiz.review.session import ReviewSession
    from quiz.review.settings import scheduling
    from quiz.store import open_store

    cfg = load_config(fixtures.config_file())
    day = DayClock.from_settings(cfg.timezone, cfg.day_starts_at)
    now = [fixtures.NOW]

    def clock():  # type: ignore[no-untyped-def]
        now[0] = now[0] + timedelta(seconds=5)
        return now[0]

    prompter = _Instant()
    with open_store(str(store)) as s, s.unit(fixtures.LEARNER) as repo:
        settings = scheduling(cfg, repo, day, fixtures.NOW)
        schedulers = settings.schedulers
        plan = plan_day(repo, settings, day, fixtures.NOW, limit=answers)
        session = ReviewSession(
            queue=plan.queue,
            recorder=StoreRecorder(repo, day),
            prompter=prompter,
            grader=CardGrader(),
            scheduler_for=schedulers.for_card,
            runner=lambda item: None,  # type: ignore[arg-type,return-value]
            clock=clock,
            next_day=day.next_day_start,
            leech_lapses=cfg.leech_lapses,
            limit=answers,
        )
        session.run()
    return prompter.gaps


def bench_answer_next(ctx, store: Path) -> Row:  # type: ignore[no-untyped-def]
    copy = ctx.work / "session.db"
    shutil.copyfile(store, copy)
    gaps = answer_gaps(copy)
    median = statistics.median(gaps)
    p95 = sorted(gaps)[int(len(gaps) * 0.95)]
    return Row(
        "answer -> next card (in process)",
        "<= 0.5 ms median",
        median,
        None,
        0.0005,
        None,
        note=f"{len(gaps)} answers, p95 {p95 * 1000:.1f} ms",
        runs=len(gaps),
    )
