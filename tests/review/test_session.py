"""The session loop on its own, with fake prompter, recorder, grader and runner."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from quiz.clock import DayClock
from quiz.config import SchedulerSettings
from quiz.model import Card, CardKind, CardState, Rating, RunResult, Schedule, StoredCard, Verdict
from quiz.review.session import Action, Response, ReviewSession
from quiz.scheduler import Scheduler

NOW = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
DAY = DayClock(timezone.utc, 4)


def card(i: int, kind: CardKind = CardKind.BASIC, note: str = "") -> StoredCard:
    return StoredCard(
        i, Card(deck="d", id=f"c{i}", kind=kind, note=note, code="print(1)"), Schedule(), "d.yaml"
    )


@dataclass
class FakePrompter:
    script: list[Response]
    notices: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    verdicts: list[bool] = field(default_factory=list)
    previews: list[dict] = field(default_factory=list)
    offers: list[tuple[Rating | None, str]] = field(default_factory=list)

    def ask(self, item, progress):
        self.shown.append(item.card.id)
        return self.script.pop(0) if self.script else Response(Action.QUIT)

    def reveal(self, item):
        pass

    def rate(self, item, suggested, previews=None, why=""):
        self.previews.append(dict(previews or {}))
        self.offers.append((suggested, why))
        return self.script.pop(0) if self.script else Response(Action.QUIT)

    def verdict(self, item, verdict, result):
        self.verdicts.append(verdict.correct)

    def explain(self, item):
        pass

    def notice(self, message):
        self.notices.append(message)

    def running(self, item):
        pass


@dataclass
class FakeRecorder:
    log: list[tuple[str, Rating, Schedule]] = field(default_factory=list)
    buried: list[str] = field(default_factory=list)
    suspended: list[str] = field(default_factory=list)

    def record(self, answer):
        self.log.append((answer.item.card.id, answer.rating, answer.after))
        return len(self.log)

    def undo(self, review_id):
        assert review_id == len(self.log)
        self.log.pop()

    def bury(self, item, until):
        self.buried.append(item.card.id)

    def suspend(self, item):
        self.suspended.append(item.card.id)

    def unbury(self, item):
        self.buried.remove(item.card.id)

    def unsuspend(self, item):
        self.suspended.remove(item.card.id)

    def refill(self, now):
        return []

    def due_tomorrow(self, now):
        return 0


class FakeGrader:
    def typed(self, item, answer):
        return Verdict(
            correct=answer == "yes", suggested=Rating.GOOD if answer == "yes" else Rating.AGAIN
        )

    def choice(self, item, answer):
        return self.typed(item, answer)

    def output(self, item, prediction, result):
        ok = prediction == result.stdout
        return Verdict(correct=ok, suggested=Rating.GOOD if ok else Rating.AGAIN)


def session(queue, script, runs=None, now=NOW):
    prompter, recorder = FakePrompter(list(script)), FakeRecorder()
    runs = runs if runs is not None else []

    def runner(item):
        runs.append(item.card.id)
        return RunResult(stdout="1\n")

    s = ReviewSession(
        queue=list(queue),
        recorder=recorder,
        prompter=prompter,
        grader=FakeGrader(),
        scheduler_for=lambda item: Scheduler(SchedulerSettings(fuzz=False), DAY),
        runner=runner,
        clock=lambda: now,
        next_day=DAY.next_day_start,
    )
    return s, prompter, recorder


def rate(r: int) -> Response:
    return Response(Action.RATE, rating=Rating(r))


def test_basic_cards_are_rated_and_learning_cards_return():
    s, _p, rec = session(
        [card(1), card(2)],
        [
            Response(Action.ANSWER),
            rate(4),
            Response(Action.ANSWER),
            rate(1),
            Response(Action.ANSWER),
            rate(3),
        ],
    )
    summary = s.run()
    assert [(k, r) for k, r, _ in rec.log] == [
        ("c1", Rating.EASY),
        ("c2", Rating.AGAIN),
        ("c2", Rating.GOOD),
    ]
    assert rec.log[0][2].state == CardState.REVIEW
    assert summary.reviewed == 3 and summary.right == 2


def test_undo_puts_the_card_back_with_its_old_state():
    s, p, rec = session(
        [card(1), card(2)],
        [
            Response(Action.ANSWER),
            rate(4),
            Response(Action.UNDO),
            Response(Action.ANSWER),
            rate(1),
            Response(Action.QUIT),
        ],
    )
    summary = s.run()
    assert p.shown[:3] == ["c1", "c2", "c1"]
    assert [(k, r) for k, r, _ in rec.log] == [("c1", Rating.AGAIN)]
    assert summary.quit_early


def test_output_card_runs_the_snippet_and_grades_the_prediction():
    s, p, rec = session(
        [card(1, CardKind.OUTPUT), card(2, CardKind.OUTPUT)],
        [Response(Action.ANSWER, text="1\n"), rate(4), Response(Action.ANSWER, text="2\n")],
        runs := [],
    )
    s.run()
    assert runs[:2] == ["c1", "c2"]
    assert p.verdicts[:2] == [True, False]
    assert [(k, r) for k, r, _ in rec.log][:2] == [("c1", Rating.EASY), ("c2", Rating.AGAIN)]


def test_commands_skip_bury_suspend_edit():
    s, p, rec = session(
        [card(1), card(2), card(3)],
        [
            Response(Action.EDIT),
            Response(Action.BURY),
            Response(Action.SUSPEND),
            Response(Action.SKIP),
        ],
    )
    s.run()
    assert p.notices[0] == "d.yaml:0: d/c1"
    assert rec.buried == ["c1"] and rec.suspended == ["c2"]
    assert rec.log == []


def test_siblings_leave_the_queue_once_one_is_answered():
    s, _p, rec = session(
        [card(1, note="n"), card(2, note="n"), card(3)],
        [Response(Action.ANSWER), rate(4), Response(Action.ANSWER), rate(4)],
    )
    s.run()
    assert [k for k, _, _ in rec.log] == ["c1", "c3"]


def test_leech_after_eight_lapses():
    item = card(1)
    sched = Scheduler(SchedulerSettings(fuzz=False), DAY)
    state = Schedule()
    t = NOW
    state = sched.review(1, state, Rating.EASY, t).after
    for _ in range(7):
        t = state.due + timedelta(hours=5)  # type: ignore[operator]
        state = sched.review(1, state, Rating.AGAIN, t).after
        state = sched.review(1, state, Rating.GOOD, t).after
    assert state.lapses == 7 and state.state == CardState.REVIEW
    s, p, _rec = session(
        [StoredCard(1, item.card, state, "d.yaml")],
        [Response(Action.ANSWER), rate(1)],
        now=state.due + timedelta(hours=5),
    )  # type: ignore[operator]
    s.run()
    assert s.leeches == ["d/c1"]
    assert any("leech" in n for n in p.notices)


def test_rating_keys_show_the_intervals_the_scheduler_would_give():
    s, p, rec = session([card(1)], [Response(Action.ANSWER), rate(4)])
    s.run()
    [shown] = p.previews
    # a new card: Again/Hard/Good stay in the learning steps, Easy graduates (8 days)
    assert shown[Rating.AGAIN] == "1m"
    assert shown[Rating.GOOD] == "10m"
    assert shown[Rating.EASY] == "8d"
    assert rec.log[0][2].due - NOW == timedelta(days=8) - timedelta(hours=5)  # what was shown
