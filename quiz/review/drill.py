"""Drills: practice outside the daily schedule (`quiz drill`), and their report.

A drill runs the ordinary `ReviewSession` over a chosen set of cards. By default it
does not move the schedule: its `DrillRecorder` logs each answer as a 'drill' entry
(no state after) so weakness can be computed from drills too; `--graded` logs real
reviews through the scheduler, as `quiz review` does. Choosing the cards (`choose`)
reads only the cards it asks: a seeded random draw by primary key, or the weakest by
the log's rollups; writing the report is a pure function of the answers.
"""

from __future__ import annotations

import logging
import random
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, partial
from typing import TYPE_CHECKING

from quiz.model import CardFilter, StoredCard
from quiz.review.answer import Answer
from quiz.review.recorder import StoreActions
from quiz.stats.gather import Recall

if TYPE_CHECKING:
    from quiz.store import Repo

log = logging.getLogger("quiz.review.drill")

# rejection sampling (sample_ids): below this many ids in the range, list the pool whole;
# at most this many rounds of at most this many ids (PK lookups) before doing so
SAMPLE_SPAN = 4000
SAMPLE_ROUNDS = 4
SAMPLE_DRAW = 4000


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


def sample_ids(
    pool: Callable[[Sequence[int] | None], list[int]],
    id_range: tuple[int, int] | None,
    count: int,
    rng: random.Random,
) -> list[int]:
    """`count` ids drawn at random from the pool, in the order drawn.

    `pool(None)` lists the whole pool, `pool(ids)` the pool's members among `ids`. The
    draw looks up random ids of the card-id range by primary key and keeps the pool's
    (rejection sampling: each pool member is as likely as any other), so its cost
    follows `count`, not the collection; a pool too sparse in the range for that (a
    narrow filter) or a small range is listed whole instead, for what is still missing.
    """
    chosen: list[int] = []
    if id_range is None:
        return chosen
    lo, hi = id_range
    span = hi - lo + 1
    if span > SAMPLE_SPAN:
        tried: set[int] = set()
        hits, draws = 0, 0
        for _round in range(SAMPLE_ROUNDS):
            need = count - len(chosen)
            if need <= 0:
                return chosen
            rate = max(hits / draws, 0.02) if draws else 0.25
            want = min(int(need / rate * 1.5) + 16, SAMPLE_DRAW, span - len(tried))
            draw: list[int] = []
            while len(draw) < want:
                pick = rng.randint(lo, hi)
                if pick not in tried:
                    tried.add(pick)
                    draw.append(pick)
            found = set(pool(draw))
            hits, draws = hits + len(found), draws + len(draw)
            chosen += [i for i in draw if i in found][:need]
        if len(chosen) >= count:
            return chosen[:count]
        log.debug("drill: a sparse pool (%d of %d ids drawn matched): listing it", hits, draws)
    taken = set(chosen)
    rest = [i for i in pool(None) if i not in taken]
    return chosen + rng.sample(rest, min(count - len(chosen), len(rest)))


def choose(
    repo: Repo,
    flt: CardFilter,
    *,
    count: int,
    weak: bool,
    rng: random.Random,
    recall: Recall,
) -> list[StoredCard]:
    """The cards to ask, in the order to ask them.

    The pool is the cards matching the filter, suspended ones left out except leeches
    (they are the ones to practise: Selection.drill_sql). `weak`: the `count` weakest
    by the one ranking `quiz stats` shows (quiz.stats.ranking, over the log's rollups:
    the cards with a miss or a lapse); when fewer than `count` have any, the most
    overdue answered cards, then never-answered ones in deck order fill what is left;
    shuffled. Otherwise `count` cards drawn at random (`sample_ids`). Either way only
    the chosen cards are read, so the cost follows `count`, not the collection.
    """
    if weak:
        from quiz.stats.gather import rollups_up_to_date

        if rollups_up_to_date(repo) is None:
            log.debug("drill: the rollups cannot be brought up to date (read-only store)")
        _shown, weakest = repo.stats.weak_cards(
            recall,
            count,
            now=recall.now,
            zero_ratio=recall.zero_ratio(repo.deck_slugs()),
            where=lambda p: repo.selection.drill_sql(flt, p),
        )
        by_id = {c.row_id: c for c in repo.cards_by_id(weakest.values())}
        chosen = [by_id[i] for i in weakest.values() if i in by_id]
        if len(chosen) < count:
            chosen += repo.drill_fill(flt, [c.row_id for c in chosen], count - len(chosen))
        rng.shuffle(chosen)
        return chosen
    ids = sample_ids(lambda among: repo.drill_ids(flt, among), repo.card_id_range(), count, rng)
    by_id = {c.row_id: c for c in repo.cards_by_id(ids)}
    return [by_id[i] for i in ids if i in by_id]


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


def _drill_counts(repo: Repo, card_ids: list[int]) -> dict[int, int]:
    if not card_ids:
        return {}
    tallies, _schedules = repo.stats.tallies_and_schedules(card_ids=card_ids)
    return {t.card_id: t.drills for t in tallies}


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
    from quiz.review.recorder import CardGrader, learner_pace
    from quiz.review.session import ReviewSession
    from quiz.review.settings import scheduling

    repo.require_known(options.decks, options.tags)
    settings = scheduling(config, repo, day, now)
    schedulers = settings.schedulers
    chosen = choose(
        repo,
        CardFilter(decks=options.decks, tags=options.tags, kinds=options.kinds),
        count=options.count,
        weak=options.weak,
        rng=random.Random(options.seed),
        recall=Recall(schedulers, now),
    )
    if not chosen:
        return None
    limit_ms = int(options.timed * 1000) if options.timed else None
    # a card that varies shows the variant of its drill count (the log's drills of it so
    # far): a new one each drill, the same on a replay
    drills = _drill_counts(repo, [c.row_id for c in chosen if c.card.vary is not None])
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
        pace=cache(partial(learner_pace, repo, now)),
        variant_seed=lambda c: drills.get(c.row_id, 0),
    )
    session.run()
    return report(recorder.answers, len(chosen), options)
