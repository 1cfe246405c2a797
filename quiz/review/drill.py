"""Drills: practice outside the daily schedule (`quiz drill`), and their report.

A drill runs the ordinary `ReviewSession` over a chosen set of cards. By default it
does not move the schedule: its `DrillRecorder` logs each answer as a 'drill' entry
(no state after) so weakness can be computed from drills too; `--graded` logs real
reviews through the scheduler, as `quiz review` does. Choosing the cards and writing
the report are pure functions of the cards, their tallies and a seeded RNG.
"""

from __future__ import annotations

import random
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from quiz.model import CardFilter, StoredCard
from quiz.review.answer import Answer
from quiz.review.recorder import StoreActions
from quiz.stats.ranking import weakness_key
from quiz.stats.rows import CardTally

if TYPE_CHECKING:
    from quiz.store import Repo


@dataclass(frozen=True)
class DrillOptions:
    decks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    weak: bool = False
    count: int = 10
    seed: int | None = None
    timed: float | None = None  # seconds per question
    exam: bool = False
    graded: bool = False


def pick(
    cards: Sequence[StoredCard],
    tallies: Mapping[int, CardTally],
    retrievability: Callable[[StoredCard], float | None],
    *,
    count: int,
    weak: bool,
    rng: random.Random,
) -> list[StoredCard]:
    """The cards to ask, in the order to ask them.

    Suspended cards are left out, except leeches (they are the ones to practise).
    `weak`: the `count` weakest (see `stats.weakness_key`; never-answered cards only
    fill up what is left), shuffled. Otherwise `count` cards drawn at random.
    """
    pool = [c for c in cards if not c.suspended or c.leech]
    if weak:
        ranked = sorted(
            pool, key=lambda c: (weakness_key(tallies.get(c.row_id), retrievability(c)), c.row_id)
        )
        chosen = ranked[:count]
    else:
        chosen = sorted(pool, key=lambda c: c.row_id)
        rng.shuffle(chosen)
        chosen = chosen[:count]
    rng.shuffle(chosen)
    return chosen


@dataclass(frozen=True)
class DrillAnswer:
    review_id: int
    item: StoredCard
    right: bool
    duration_ms: int
    timed_out: bool
    answer: str | None


@dataclass(frozen=True)
class TagScore:
    tag: str
    answers: int
    right: int


@dataclass(frozen=True)
class DrillReport:
    answers: tuple[DrillAnswer, ...]
    asked: int  # cards chosen (a quit drill answers fewer)
    by_tag: tuple[TagScore, ...]
    next_command: str

    @property
    def right(self) -> int:
        return sum(1 for a in self.answers if a.right)

    @property
    def missed(self) -> tuple[DrillAnswer, ...]:
        return tuple(a for a in self.answers if not a.right)

    @property
    def average_ms(self) -> float | None:
        return (
            sum(a.duration_ms for a in self.answers) / len(self.answers) if self.answers else None
        )

    @property
    def timed_out(self) -> int:
        return sum(1 for a in self.answers if a.timed_out)


def report(answers: Sequence[DrillAnswer], asked: int, options: DrillOptions) -> DrillReport:
    tags: dict[str, list[int]] = {}
    for a in answers:
        for tag in a.item.card.tags or ("(untagged)",):
            row = tags.setdefault(tag, [0, 0])
            row[0] += 1
            row[1] += int(a.right)
    by_tag = tuple(
        sorted(
            (TagScore(t, n, r) for t, (n, r) in tags.items()),
            key=lambda s: (s.right / s.answers, -s.answers, s.tag),
        )
    )
    return DrillReport(tuple(answers), asked, by_tag, suggest_next(answers, options))


def suggest_next(answers: Sequence[DrillAnswer], options: DrillOptions) -> str:
    """The drill to run next: the most-missed tag's weakest cards, or, with nothing
    missed, the same set under time pressure (then as an exam)."""
    base = ["quiz", "drill"]
    for d in options.decks:
        base += ["--deck", d]
    missed = [a for a in answers if not a.right]
    if missed:
        counts: dict[str, int] = {}
        for a in missed:
            for tag in a.item.card.tags:
                counts[tag] = counts.get(tag, 0) + 1
        if counts:
            tag = min(counts, key=lambda t: (-counts[t], t))
            return shlex.join(base + ["--tag", tag, "--weak"])
        if not options.decks:
            decks = sorted({a.item.card.deck for a in missed})
            for d in decks[:1]:
                base += ["--deck", d]
        return shlex.join(base + ["--weak"])
    for t in options.tags:
        base += ["--tag", t]
    if options.timed is None:
        return shlex.join(base + ["--timed", "30"])
    return shlex.join(base + ["--timed", f"{max(5, int(options.timed * 2 / 3))}", "--exam"])


@dataclass
class DrillRecorder(StoreActions):
    """The session's Recorder for a drill: 'drill' log entries unless `graded`.

    Keeps the answers for the report; undo removes them from the log and the report.
    """

    repo: Repo
    graded: bool = False
    time_limit_ms: int | None = None
    due_count: Callable[[datetime], int] = lambda now: 0
    answers: list[DrillAnswer] = field(default_factory=list)

    def record(self, answer: Answer) -> int:
        stored = answer if self.graded else answer.as_practice()
        review_id = self.repo.record_answer(stored)
        timed_out = self.time_limit_ms is not None and answer.duration_ms > self.time_limit_ms
        self.answers.append(
            DrillAnswer(
                review_id, answer.item, answer.right, answer.duration_ms, timed_out, answer.given
            )
        )
        return review_id

    def undo(self, review_id: int) -> None:
        super().undo(review_id)
        self.answers = [a for a in self.answers if a.review_id != review_id]

    def refill(self, now: datetime) -> list[StoredCard]:
        return []

    def due_tomorrow(self, now: datetime) -> int:
        return self.due_count(now)


def run_drill(
    repo: Repo,
    options: DrillOptions,
    *,
    config,
    day,
    now: datetime,
    prompter,
    runner,
    clock: Callable[[], datetime],
) -> DrillReport | None:
    """Choose the cards, run them through the ordinary session, and report.

    Returns None when no card matches the filters. A drill asks each card once: no
    learning re-queue, cloze siblings stay in; ungraded drills never flag leeches.
    """
    from quiz.review.recorder import CardGrader
    from quiz.review.session import ReviewSession
    from quiz.review.settings import scheduling
    from quiz.store import stats_queries as progress

    repo.require_known(options.decks, options.tags)
    settings = scheduling(config, repo, day, now)
    schedulers = settings.schedulers
    cards = repo.cards(CardFilter(decks=options.decks, tags=options.tags, kinds=options.kinds))
    if not cards:
        return None
    tallies = {
        t.card_id: t
        for t in progress.card_tallies(repo, options.decks, card_ids=[c.row_id for c in cards])
    }

    def retrievability(c: StoredCard) -> float | None:
        if not c.schedule.reps:
            return None
        return schedulers.for_card(c).retrievability(c.row_id, c.schedule, now)

    chosen = pick(
        cards,
        tallies,
        retrievability,
        count=options.count,
        weak=options.weak,
        rng=random.Random(options.seed),
    )
    limit_ms = int(options.timed * 1000) if options.timed else None
    recorder = DrillRecorder(repo, graded=options.graded, time_limit_ms=limit_ms)
    session = ReviewSession(
        queue=list(chosen),
        recorder=recorder,
        prompter=prompter,
        grader=CardGrader(),
        scheduler_for=schedulers.for_card,
        runner=runner,
        clock=clock,
        next_day=day.next_day_start,
        leech_lapses=settings.config.leech_lapses if options.graded else 10**9,
        requeue_learning=False,
        bury_siblings=False,
        time_limit_ms=limit_ms,
        # a card that varies shows the variant of its drill count (the log's drills of
        # it so far): a new one each drill, the same on a replay
        variant_seed=lambda c: tallies[c.row_id].drills if c.row_id in tallies else 0,
    )
    session.run()
    return report(recorder.answers, len(chosen), options)
