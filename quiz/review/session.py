"""The review session as a loop over injected parts: a queue source, a recorder, a
prompter, a scheduler, a grader, a runner and a clock.

It knows no terminal (the prompter shows cards and collects answers), no SQL (the
recorder commits each answer the moment it is given, so a killed session loses
nothing answered) and no subprocess (the runner executes output snippets).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol

from quiz.errors import Conflict, QuizError
from quiz.model import CardKind, CardState, Rating, RunResult, StoredCard, Verdict
from quiz.review.answer import Answer, build_answer, interval_previews
from quiz.review.suggest import Pace, Suggestion, suggest
from quiz.scheduler import Scheduler

LEARN_AHEAD = timedelta(minutes=20)

log = logging.getLogger("quiz.review.session")


class Action(str, Enum):
    ANSWER = "answer"  # text / picks given, or the back revealed
    RATE = "rate"
    SKIP = "skip"
    BURY = "bury"
    SUSPEND = "suspend"
    UNDO = "undo"
    EDIT = "edit"
    QUIT = "quit"


@dataclass(frozen=True)
class Response:
    action: Action
    text: str = ""
    rating: Rating | None = None
    duration_ms: int = 0
    overruled: bool = False  # "I was right": the learner overrules a wrong verdict


@dataclass(frozen=True)
class Progress:
    done: int
    left: int
    right: int = 0


@dataclass(frozen=True)
class Summary:
    reviewed: int
    right: int
    duration_ms: int
    due_tomorrow: int
    leeches: tuple[str, ...] = ()
    quit_early: bool = False

    @property
    def right_share(self) -> float:
        return self.right / self.reviewed if self.reviewed else 0.0


class Prompter(Protocol):
    def ask(self, item: StoredCard, progress: Progress) -> Response: ...
    def reveal(self, item: StoredCard) -> None: ...
    def rate(
        self,
        item: StoredCard,
        suggested: Rating | None,
        previews: Mapping[Rating, str] | None = None,
        why: str = "",
    ) -> Response: ...
    def verdict(self, item: StoredCard, verdict: Verdict, result: RunResult | None) -> None: ...
    def explain(self, item: StoredCard) -> None: ...
    def notice(self, message: str) -> None: ...
    def running(self, item: StoredCard) -> None: ...


class Recorder(Protocol):
    """`record` raises `quiz.errors.Conflict` (and writes nothing) when the card was
    answered elsewhere since the session fetched it; the session skips the card."""

    def record(self, answer: Answer) -> int: ...
    def undo(self, review_id: int) -> None: ...
    def bury(self, item: StoredCard, until: datetime) -> None: ...
    def unbury(self, item: StoredCard) -> None: ...
    def suspend(self, item: StoredCard) -> None: ...
    def unsuspend(self, item: StoredCard) -> None: ...
    def refill(self, now: datetime) -> list[StoredCard]: ...
    def due_tomorrow(self, now: datetime) -> int: ...


class Grader(Protocol):
    def typed(self, item: StoredCard, answer: str) -> Verdict: ...
    def choice(self, item: StoredCard, answer: str) -> Verdict: ...
    def output(self, item: StoredCard, prediction: str, result: RunResult) -> Verdict: ...


@dataclass
class _Answered:
    review_id: int
    item: StoredCard
    right: bool
    duration_ms: int


@dataclass(frozen=True)
class Edited:
    """What the `edit` hook (`e`: quiz.ui.editor) did: the card as re-read from its deck
    (None: it left the deck, and the session moves on), and a line to show."""

    item: StoredCard | None
    message: str


@dataclass(frozen=True)
class _Shelved:
    """A card buried or suspended from the review: undone like an answer, the card comes
    back to the front of the queue."""

    action: Action  # BURY or SUSPEND
    item: StoredCard


@dataclass
class ReviewSession:
    queue: list[StoredCard]
    recorder: Recorder
    prompter: Prompter
    grader: Grader
    scheduler_for: Callable[[StoredCard], Scheduler]
    runner: Callable[[StoredCard], RunResult]
    clock: Callable[[], datetime]
    next_day: Callable[[datetime], datetime]
    leech_lapses: int = 8
    limit: int | None = None
    # Hooks for `quiz drill` (defaults keep the daily review as it was): a drill asks each
    # card once (no learning re-queue, cloze siblings stay in), and under `--timed` an
    # answer slower than `time_limit_ms` counts as wrong (Again) without being graded.
    requeue_learning: bool = True
    bury_siblings: bool = True
    time_limit_ms: int | None = None
    # `e`: open the card's deck in an editor and re-read it (None from the hook, or no
    # hook: show the card's `path:line` instead).
    edit: Callable[[StoredCard], Edited | None] | None = None
    # the learner's answer times per card kind, read once at the start (quiz.review.suggest)
    pace: Callable[[], Pace] = (
        Pace  # read when the first answer is rated, not before the first card
    )
    # Which variant a card that varies shows: the review number by default (its reps, so
    # replaying the log or undoing sees the same one); a drill passes its own count.
    variant_seed: Callable[[StoredCard], int] | None = None
    history: list[_Answered] = field(default_factory=list)
    leeches: list[str] = field(default_factory=list)
    later: list[StoredCard] = field(default_factory=list)  # learning cards not yet due
    # Everything `u` can take back, latest last: answers (also in `history`) and cards
    # buried or suspended during the session.
    undoable: list[_Answered | _Shelved] = field(default_factory=list)

    def run(self) -> Summary:
        quit_early = False
        while True:
            item = self._next()
            if item is None:
                break
            outcome = self._one(item)
            if outcome == Action.QUIT:
                quit_early = True
                break
        return Summary(
            reviewed=len(self.history),
            right=sum(1 for h in self.history if h.right),
            duration_ms=sum(h.duration_ms for h in self.history),
            due_tomorrow=self.recorder.due_tomorrow(self.clock()),
            leeches=tuple(self.leeches),
            quit_early=quit_early,
        )

    # ---- queue --------------------------------------------------------------------

    def _next(self) -> StoredCard | None:
        if self.limit is not None and len(self.history) >= self.limit:
            return None
        if self.queue:
            return self.queue.pop(0)
        now = self.clock()
        ready = [
            c for c in self.later if c.schedule.due is None or c.schedule.due <= now + LEARN_AHEAD
        ]
        if ready:
            ready.sort(key=lambda c: c.schedule.due or now)
            first = ready[0]
            self.later.remove(first)
            return first
        return None

    def _progress(self) -> Progress:
        return Progress(
            done=len(self.history),
            left=len(self.queue) + 1,
            right=sum(h.right for h in self.history),
        )

    # ---- one card -----------------------------------------------------------------

    def _shown(self, item: StoredCard) -> StoredCard:
        """The card as this review shows it: one variant of a card that varies (its
        code, front and explain substituted; the run and the grade follow from it)."""
        if item.card.vary is None:
            return item
        from quiz.deck.variants import choose  # loaded with the first card that varies

        seed = self.variant_seed(item) if self.variant_seed else item.schedule.reps
        variant = choose(item.card.key, seed, item.card.vary)
        log.debug("variant of %s (review %d): %s", item.card.key, seed, variant)
        from quiz.deck.variants import apply

        return replace(item, card=apply(item.card, variant))

    def _one(self, template: StoredCard) -> Action:
        # `template` is the card as stored (it goes back to the queue, the log and the
        # learning re-queue); `item` is the card as shown (a variant, for one that varies)
        item = self._shown(template)
        while True:
            response = self.prompter.ask(item, self._progress())
            if response.action == Action.EDIT:
                edited = self.edit(template) if self.edit is not None else None
                if edited is None:
                    self.prompter.notice(f"{item.path}:{item.card.line}: {item.card.key}")
                    continue
                self.prompter.notice(edited.message)
                if edited.item is None:
                    return Action.SKIP
                template = edited.item
                item = self._shown(template)
                continue
            if response.action != Action.ANSWER:
                return self._command(template, response)
            if item.card.kind in (CardKind.TYPED, CardKind.CHOICE) and not self._over_time(
                response
            ):
                from quiz.grading import refusal  # loaded with the first graded card

                slip = refusal(item.card, response.text)
                if slip is not None:  # not an answer: asked again, never graded
                    self.prompter.notice(slip)
                    continue
            return self._grade(item, response, template)

    def _command(self, item: StoredCard, response: Response) -> Action:
        action = response.action
        if action == Action.QUIT:
            self.queue.insert(0, item)
            return action
        if action == Action.SKIP:  # to the back of today's queue
            if self.queue:
                self.queue.append(item)
            return action
        if action == Action.BURY:
            self.recorder.bury(item, self.next_day(self.clock()))
            self.undoable.append(_Shelved(Action.BURY, item))
            self.prompter.notice(f"buried until tomorrow: {item.card.key} (u: undo)")
            return action
        if action == Action.SUSPEND:
            self.recorder.suspend(item)
            self.undoable.append(_Shelved(Action.SUSPEND, item))
            self.prompter.notice(f"suspended: {item.card.key} (u: undo)")
            return action
        if action == Action.UNDO:
            self.queue.insert(0, item)
            self._undo()
            return action
        raise AssertionError(action)

    def _undo(self) -> None:
        if not self.undoable:
            self.prompter.notice("nothing to undo")
            return
        last = self.undoable.pop()
        if isinstance(last, _Shelved):
            self._unshelve(last)
            return
        self.history.remove(last)
        self.recorder.undo(last.review_id)
        self.later = [c for c in self.later if c.row_id != last.item.row_id]
        self.queue = [c for c in self.queue if c.row_id != last.item.row_id]
        self.queue.insert(0, last.item)
        if last.item.card.key in self.leeches:
            self.leeches.remove(last.item.card.key)
        self.prompter.notice(f"undone: {last.item.card.key}")

    def _unshelve(self, last: _Shelved) -> None:
        if last.action == Action.BURY:
            self.recorder.unbury(last.item)
        else:
            self.recorder.unsuspend(last.item)
        self.queue = [c for c in self.queue if c.row_id != last.item.row_id]
        self.queue.insert(0, last.item)
        verb = "unburied" if last.action == Action.BURY else "unsuspended"
        self.prompter.notice(f"undone: {last.item.card.key} ({verb})")

    def _grade(self, item: StoredCard, response: Response, template: StoredCard) -> Action:
        card = item.card
        verdict: Verdict | None = None
        overruled = False
        duration = response.duration_ms
        if self._over_time(response):
            return self._too_slow(item, response, template)
        if card.kind in (CardKind.BASIC, CardKind.CLOZE):
            self.prompter.reveal(item)
            self.prompter.explain(item)
            rated = self.prompter.rate(item, None, self._previews(item))
            if rated.action != Action.RATE:
                return self._command(template, rated)
            rating = rated.rating or Rating.GOOD
            duration += rated.duration_ms
        else:
            if card.kind == CardKind.TYPED:
                verdict = self.grader.typed(item, response.text)
                result = None
            elif card.kind == CardKind.CHOICE:
                verdict = self.grader.choice(item, response.text)
                result = None
            else:
                self.prompter.running(item)
                try:
                    result = self.runner(item)
                except QuizError as exc:  # the sandbox failed: nothing to grade against
                    return self._not_graded(item, f"the snippet could not run ({exc.message})")
                if result.timed_out:
                    return self._not_graded(item, "the snippet did not finish in time")
                verdict = self.grader.output(item, response.text, result)
            self.prompter.verdict(item, verdict, result)
            self.prompter.explain(item)
            # the grade is a default, not a sentence: the learner sees the comparison,
            # then accepts the suggested rating (from right/wrong and the answer time),
            # picks another, or says "I was right"
            offer = self._suggest(item, verdict, duration)
            rating = offer.rating
            rated = self.prompter.rate(item, offer.rating, self._previews(item), why=offer.why)
            if rated.action == Action.RATE:
                if rated.overruled and not verdict.correct:
                    log.info("overruled: %s (%r)", item.card.key, response.text)
                    verdict = replace(verdict, correct=True)
                    overruled = True
                rating = rated.rating or (Rating.GOOD if overruled else offer.rating)
            elif rated.action != Action.ANSWER:
                self._record(template, rating, response, verdict, duration, suggested=offer.rating)
                return self._command_after_record(template, rated)
            self._record(
                template,
                rating,
                response,
                verdict,
                duration,
                overruled=overruled,
                suggested=offer.rating,
            )
            return Action.ANSWER
        self._record(template, rating, response, verdict, duration)
        return Action.ANSWER

    def _suggest(self, item: StoredCard, verdict: Verdict, duration_ms: int) -> Suggestion:
        offer = suggest(item.card.kind.value, verdict.correct, duration_ms, self.pace())
        if offer.why:
            log.info(
                "suggested %s for %s: %s (%d ms)",
                offer.rating.name,
                item.card.key,
                offer.why,
                duration_ms,
            )
        return offer

    def _over_time(self, response: Response) -> bool:
        """A timed drill's answer came too late (an empty one too: time ran out)."""
        return self.time_limit_ms is not None and response.duration_ms > self.time_limit_ms

    def _previews(self, item: StoredCard) -> dict[Rating, str]:
        return interval_previews(item, self.scheduler_for(item), self.clock())

    def _not_graded(self, item: StoredCard, why: str) -> Action:
        """A snippet that does not run is the card's fault, not a miss: nothing is
        recorded, the schedule stays, and the notice names the card for its author."""
        log.info("not graded: %s: %s", item.card.key, why)
        self.prompter.notice(
            f"{why}: not graded, not your miss. The card is broken; tell its author "
            f"({item.path}:{item.card.line}, or run: quiz check {item.path})"
        )
        return Action.SKIP

    def _too_slow(self, item: StoredCard, response: Response, template: StoredCard) -> Action:
        """Out of time: wrong whatever was typed (the snippet is not even run)."""
        verdict = Verdict(
            correct=False,
            given=response.text,
            expected=item.card.output or "",
            message=f"time's up: {response.duration_ms / 1000:.1f}s > {(self.time_limit_ms or 0) / 1000:g}s",
            suggested=Rating.AGAIN,
        )
        if item.card.kind in (CardKind.BASIC, CardKind.CLOZE):
            self.prompter.reveal(item)
            self.prompter.notice(verdict.message)
        else:
            self.prompter.verdict(item, verdict, None)
        self.prompter.explain(item)
        self._record(
            template, Rating.AGAIN, response, verdict, response.duration_ms, suggested=Rating.AGAIN
        )
        return Action.ANSWER

    def _command_after_record(self, item: StoredCard, rated: Response) -> Action:
        if rated.action == Action.UNDO:
            self._undo()
            return Action.UNDO
        if rated.action == Action.QUIT:
            return Action.QUIT
        return rated.action

    def _record(
        self,
        item: StoredCard,
        rating: Rating,
        response: Response,
        verdict: Verdict | None,
        duration: int,
        *,
        overruled: bool = False,
        suggested: Rating | None = None,
    ) -> None:
        answer = build_answer(
            item,
            rating,
            scheduler=self.scheduler_for(item),
            at=self.clock(),
            duration_ms=duration,
            given=response.text if item.card.kind not in (CardKind.BASIC, CardKind.CLOZE) else None,
            correct=verdict.correct if verdict else rating != Rating.AGAIN,
            leech_lapses=self.leech_lapses,
            overruled=overruled,
            closeness=verdict.closeness if verdict else None,
            suggested=suggested,
        )
        try:
            review_id = self.recorder.record(answer)
        except Conflict as exc:  # answered on another machine since this session fetched it
            self.prompter.notice(f"{exc.message}: {item.card.key} (skipped, not recorded twice)")
            return
        answered = _Answered(review_id, item, answer.right, duration)
        self.history.append(answered)
        self.undoable.append(answered)
        after = answer.after or item.schedule
        if answer.leech:
            self.leeches.append(item.card.key)
            self.prompter.notice(
                f"leech: {item.card.key} has lapsed {after.lapses} times and is suspended; "
                f"rewrite it ({item.path}:{item.card.line}), then bring it back: "
                f"quiz cards unsuspend {item.card.key} (or u: undo the answer)"
            )
            return
        # siblings of this note wait for tomorrow
        if self.bury_siblings:
            self.queue = [
                c
                for c in self.queue
                if c.card.note_key != item.card.note_key or c.row_id == item.row_id
            ]
        if self.requeue_learning and after.state in (CardState.LEARNING, CardState.RELEARNING):
            self.later.append(replace(item, schedule=after))
