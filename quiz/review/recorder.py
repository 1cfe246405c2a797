"""The session's ports to the outside: the `Recorder` that writes answers through the
store (every call commits at once, so a killed session loses nothing answered), and the
`Grader` that applies the pure matching rules of `quiz.grading`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from quiz.clock import DayClock
from quiz.model import CardFilter, Rating, RunResult, StoredCard, Verdict
from quiz.review import suggest
from quiz.review.answer import Answer
from quiz.review.session import LEARN_AHEAD
from quiz.review.suggest import Pace
from quiz.store.due import LEARNING_STATES, STARTED_STATES

if TYPE_CHECKING:  # the store loads behind the first card (quiz.store.late)
    from quiz.store import Repo


def learner_pace(repo: Repo, now: datetime) -> Pace:
    """The learner's answer-time thresholds per card kind, read once per session."""
    from quiz.store.stats_queries import answer_times

    return Pace.learned(
        answer_times(repo, now - suggest.WINDOW, suggest.RECENT, suggest.GRADED_KINDS)
    )


class StoreActions:
    """What every recorder does the same way through the store: undo an answer, and bury,
    unbury, suspend or unsuspend a card (each a short committed write)."""

    repo: Repo

    def undo(self, review_id: int) -> None:
        self.repo.undo(review_id)

    def bury(self, item: StoredCard, until: datetime) -> None:
        self.repo.bury(item.row_id, until)

    def unbury(self, item: StoredCard) -> None:
        self.repo.unbury(item.row_id)

    def suspend(self, item: StoredCard) -> None:
        self.repo.set_suspended(item.row_id, True)

    def unsuspend(self, item: StoredCard) -> None:
        self.repo.set_suspended(item.row_id, False)


class StoreRecorder(StoreActions):
    """The daily review's Recorder: each answer moves the card's schedule."""

    def __init__(self, repo: Repo, day: DayClock, flt: CardFilter = CardFilter()) -> None:
        self.repo = repo
        self.day = day
        self.flt = flt

    def record(self, answer: Answer) -> int:
        return self.repo.record_answer(answer)

    def refill(self, now: datetime) -> list[StoredCard]:
        return self.repo.due_cards(now, now + LEARN_AHEAD, self.flt, LEARNING_STATES, 1000)

    def due_tomorrow(self, now: datetime) -> int:
        end = self.day.next_day_start(now) + timedelta(days=1) - timedelta(microseconds=1)
        return self.repo.due_count(now, end, self.flt, STARTED_STATES)


class CardGrader:
    """The session's Grader: the pure matching rules of `quiz.grading`."""

    def typed(self, item: StoredCard, answer: str) -> Verdict:
        from quiz import grading

        return grading.grade_typed(item.card, answer)

    def choice(self, item: StoredCard, answer: str) -> Verdict:
        from quiz import grading

        try:
            picks = grading.parse_picks(answer)
        except ValueError as exc:
            return Verdict(
                correct=False,
                given=answer,
                message=str(exc),
                suggested=Rating.AGAIN,
                closeness=0.0,
            )
        return grading.grade_choice(item.card, picks)

    def output(self, item: StoredCard, prediction: str, result: RunResult) -> Verdict:
        from quiz import grading

        return grading.grade_output(item.card, prediction, result)
