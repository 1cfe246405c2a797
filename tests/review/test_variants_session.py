"""A card that varies in the review loop with the terminal prompter as a learner uses it
(keys typed, the snippet run in the real sandbox): the variant is shown, graded, and
stepped through with `t`; the log gets the card as stored; a learning step shows the
next variant."""

from __future__ import annotations

import io
from datetime import datetime, timezone

from rich.console import Console

from quiz.clock import DayClock
from quiz.config import SchedulerSettings
from quiz.deck.variants import Dimension, VarySpec, choose
from quiz.model import Card, CardKind, Rating, Schedule, StoredCard
from quiz.review.recorder import CardGrader
from quiz.review.session import ReviewSession
from quiz.scheduler import Scheduler
from quiz.ui.prompter import TerminalPrompter
from tests.review.test_session import FakeRecorder

NOW = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
DAY = DayClock(timezone.utc, 4)
SPEC = VarySpec((Dimension.of_range("n", 2, 6),))


class KeepingRecorder(FakeRecorder):
    """Keeps the items answered: the log must get the card as stored, not as shown."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[StoredCard] = []

    def record(self, answer):  # type: ignore[no-untyped-def]
        self.items.append(answer.item)
        return super().record(answer)


def varying() -> StoredCard:
    card = Card(
        deck="d",
        id="v",
        kind=CardKind.OUTPUT,
        code="xs = [0] * {{n}}\nprint(len(xs) * 10)\n",
        vary=SPEC,
    )
    return StoredCard(1, card, Schedule(), "d.yaml")


def test_the_variant_shown_is_graded_stepped_through_and_logged_as_the_stored_card():
    from quiz.sandbox import default_sandbox

    n, following = (int(dict(choose("d/v", r, SPEC).values)["n"]) for r in (0, 1))
    sink = io.StringIO()
    console = Console(file=sink, width=100, force_terminal=False, color_system=None)
    lines = iter(["99", "", f"{following * 10}", ""])
    console.input = lambda prompt="", **kw: next(lines)  # type: ignore[method-assign]  # typed lines
    keys = iter(["t", "\r", "3"])  # step through, accept Again; then Good on the next step
    prompter = TerminalPrompter(console, interactive=True, read_key=lambda: next(keys))
    recorder = KeepingRecorder()
    shown_codes: list[str] = []

    def runner(item: StoredCard):  # type: ignore[no-untyped-def]
        shown_codes.append(item.card.code or "")
        return default_sandbox().run(item.card.code or "", timeout=item.card.timeout)

    session = ReviewSession(
        queue=[varying()],
        recorder=recorder,
        prompter=prompter,
        grader=CardGrader(),
        scheduler_for=lambda item: Scheduler(SchedulerSettings(fuzz=False), DAY),
        runner=runner,
        clock=lambda: NOW,
        next_day=DAY.next_day_start,
        limit=2,
    )
    summary = session.run()
    out = sink.getvalue()
    assert shown_codes == [
        f"xs = [0] * {n}\nprint(len(xs) * 10)\n",
        f"xs = [0] * {following}\nprint(len(xs) * 10)\n",
    ]
    assert f"xs = [0] * {n}" in out and "{{n}}" not in out
    # the step-through ran the variant shown, and marks where "99" departs from it
    assert f"xs = [{', '.join(['0'] * n)}]" in out and "prediction departs" in out
    assert [(cid, rating) for cid, rating, _ in recorder.log] == [
        ("v", Rating.AGAIN),
        ("v", Rating.GOOD),
    ]
    assert summary.reviewed == 2 and summary.right == 1
    assert all(item.card == varying().card for item in recorder.items)
