"""The one step from a store to a report: `quiz stats` and `quiz class report` call only
this module, which decides which queries answer them and hands their rows to the pure
figures (quiz.stats.figures, .ranking, .classroom).

`quiz stats` in a time zone on the quarter hour reads the log's rollups
(quiz.store.rollups), brought up to date first unless they hold the whole log already
(the days in the learner's clock): the days and ages (of some decks), each card's first
review, and (without --since) the tags' and every card's figures; with --since the
answers since are counted once in SQL into temporary card and tag rollups
(StatsReads.since_rollups) that the same reads take, each card's latest miss and right
answer since taken from its card rollup, the log read through its (learner,
time) index or, when most of it is that recent, in one pass. A store that cannot be
written and a zone off the quarter hour group the log itself. Every read is quiz.store.stats_reads' SQL text
(`repo.stats`), which the lean path of `quiz stats` runs through sqlite3 while the
rollups are current; both ways give the same named rows, ranked by the same code, so
the same report (tests/stats/test_rollups.py compares them).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from quiz.browse import question
from quiz.model import Schedule
from quiz.stats import figures, ranking
from quiz.stats.figures import Report, TagFigure, WeakCard
from quiz.stats.rows import LearnerDays

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from quiz.clock import DayClock
    from quiz.config import Config
    from quiz.review.settings import Schedulers
    from quiz.stats.classroom import ClassReport
    from quiz.store.repo import Repo
    from quiz.store.stats_reads import StatsReads

log = logging.getLogger("quiz.stats")

WEAK_CARDS = 10
# With --since, a read of the answers since through the (learner, time) index looks
# each one up in the log; past this share of the learner's log, reading the whole log
# in its order costs less.
SCAN_SHARE = 0.25
# round(r, 2) == 0 needs r < 0.005: below a retrievability of 0.006 (a margin) a card
# may show 0.00; the elapsed/stability ratio where that starts lets the weakest cards be
# found without scoring every card (StatsReads.weak_cards)
ZERO_RECALL = 0.006


class Recall:
    """Each deck's retrievability of a card now (its own scheduler settings)."""

    def __init__(self, schedulers: Schedulers, now: datetime) -> None:
        self.schedulers = schedulers
        self.now = now

    def __call__(self, deck: str, card_id: int, schedule: Schedule) -> float:
        return self.schedulers.for_deck(deck).retrievability(card_id, schedule, self.now)

    def zero_ratio(self, decks: Iterable[str]) -> float:
        """The smallest elapsed/stability ratio at which a card of these decks may show
        a retrievability of 0.00."""
        return min(
            (self.schedulers.for_deck(d).elapsed_ratio(ZERO_RECALL) for d in decks),
            default=0.0,
        )


def stats_report(
    repo: Repo,
    *,
    config: Config,
    day: DayClock,
    now: datetime,
    decks: Sequence[str] = (),
    since: date | None = None,
    lang: str | None = None,
    use_rollups: bool = True,
) -> Report:
    """Every figure of `quiz stats` for the repo's learner (NotFound for an unknown deck).

    The desired retention shown is the one deck's when one deck is asked for; the
    retrievability behind the weakest cards uses each deck's scheduler settings with the
    learner's fitted parameters. `use_rollups=False` groups the log itself even where
    the rollups could answer (the tests compare both ways).
    """
    from quiz.review.settings import scheduling
    from quiz.store.stats_reads import shift_minutes, usable

    repo.require_known(decks)
    desired = (config.for_deck(decks[0]) if len(decks) == 1 else config).scheduler
    # the learner's normal schedule (fitted parameters, no goal overrides): recall now
    retrievability = Recall(scheduling(config, repo, day, now, goals=False).schedulers, now)
    shift = shift_minutes(day.tz, now)
    today = day.day_of(now)
    since_at = day.start_of(since) if since else None
    refreshed = None
    if use_rollups and usable(shift):
        refreshed = rollups_up_to_date(repo, LearnerDays(day, shift))
        log.debug("stats: rollups %s", refreshed or "not writable: grouping the log itself")
    elif use_rollups:
        log.debug("stats: a zone off the quarter hour: grouping the log itself")
    q = repo.stats  # read after the refresh: a store opened for it answers from then on
    if refreshed is None:
        days = figures.days_of(q.hour_counts(decks, shift), day.day_of)
        weak, ids, tags, output_tags = _from_log(q, retrievability, decks, since_at)
        ages = q.log_ages(decks, since_at)
    else:
        days = q.rolled_days(decks)
        if since is not None and _starts_an_hour(day, since, shift):
            ages = q.rolled_ages(decks=decks, from_day=since)
        else:
            ages = q.rolled_ages(since_at, decks)
        from quiz.store import stats_reads as reads

        cards, tag_rows = reads.CARD_ROLLUPS, "review_tag_rollups"
        if since is not None and since_at is not None:  # rollups of the answers since
            recent = sum(d.answers for d in days if d.day >= since)
            scan = recent > q.answers_held() * SCAN_SHARE
            log.debug(
                "stats: %s answers since, read %s", recent, "in a pass" if scan else "by time"
            )
            q.since_rollups(since_at, decks, scan=scan)
            cards, tag_rows = reads.SINCE_CARDS, reads.SINCE_TAGS
        weak, ids = q.weak_cards(
            retrievability,
            WEAK_CARDS,
            now=now,
            zero_ratio=retrievability.zero_ratio(repo.deck_slugs()),
            where=reads.in_decks(decks) if decks else None,
            table=cards,
        )
        tags = q.tag_figures(decks=decks, table=tag_rows)
        output_tags = q.tag_figures("output", decks=decks, table=tag_rows)
        if since_at is not None:
            q.drop_since_rollups()
    shown = repo.cards_by_id([ids[c.key] for c in weak]) if weak else []
    return figures.build_report(
        days=days,
        ages=ages,
        due=q.due_hours(day.start_of(today + timedelta(days=30)), decks, shift),
        states=q.state_rows(decks),
        tags=tags,
        output_tags=output_tags,
        weak_cards=weak,
        fronts={c.card.key: question(c, lang) for c in shown},
        day_of=day.day_of,
        today=today,
        since=since,
        desired_retention=desired.desired_retention,
        strict_grading=q.strict_grading(decks),
    )


def rollups_up_to_date(repo: Repo, days: LearnerDays | None = None) -> str | None:
    """The learner's rollups brought up to date (for `quiz stats` and `quiz drill
    --weak`; with `days`, `quiz stats`' tag and day rollups too, in that clock):
    "current" when they hold the whole log already (read without writing), else
    quiz.store.rollups.refresh's word (None: the store cannot be written); the lean
    path refreshes through sqlite3 and never loads SQLAlchemy."""
    if repo.stats.rollups_current(days.key if days is not None else None):
        return "current"
    lean = getattr(repo, "refresh_rollups", None)  # quiz.store.late: through sqlite3
    if lean is not None and days is not None:  # (`quiz stats`; a drill opens the Repo)
        return lean(days)
    from quiz.store import rollups

    return rollups.refresh(repo, days)


def _starts_an_hour(day: DayClock, since: date, shift: int) -> bool:
    """Does learner day `since` begin where one of the day rollups' clock hours begins,
    every hour before it being an earlier day and none after it? Then the day rollups
    from `since` on hold exactly the answers from its start on (the ages of `--since`);
    a zone whose offset moved off the hour grid, or a clock change at the day's start,
    leaves the log to say which answers are since."""
    start = day.start_of(since)
    moved = start + timedelta(minutes=shift)
    if (moved.minute, moved.second, moved.microsecond) != (0, 0, 0):
        return False
    hour = timedelta(hours=1)
    return all((day.day_of(start + k * hour) >= since) == (k >= 0) for k in range(-3, 4))


def _from_log(
    q: StatsReads, retrievability: Recall, decks: Sequence[str], since_at: datetime | None
) -> tuple[tuple[WeakCard, ...], dict[str, int], tuple[TagFigure, ...], tuple[TagFigure, ...]]:
    """The weakest cards (and their ids by key), every tag's and the output cards' tags'
    figures, from the log grouped by card (of `decks`, from `since_at`)."""
    tallies, schedules = q.tallies_and_schedules(decks, since_at)
    recall = ranking.recall_by(retrievability)
    key_of = {t.card_id: t.key for t in tallies}
    weak, ids = ranking.weakest(
        ranking.coarse(ranking.candidates(tallies, schedules), recall),
        recall,
        lambda _ids: key_of,
        WEAK_CARDS,
    )
    tags = figures.tag_figures(tallies)
    output_tags = figures.tag_figures(t for t in tallies if t.kind == "output")
    return weak, ids, tags, output_tags


def class_report_of(
    session: Session,
    *,
    day: DayClock,
    now: datetime,
    decks: Sequence[str] = (),
    weakest: int = 3,
    min_tag_answers: int = 3,
) -> ClassReport:
    """`quiz class report`: every learner of the store and every answered card, from
    aggregates grouped in SQL (NotFound for an unknown deck)."""
    from quiz.errors import NotFound
    from quiz.stats.classroom import class_report
    from quiz.store import classroom as q
    from quiz.store.stats_reads import shift_minutes

    for name in decks:
        if not q.deck_exists(session, name):
            raise NotFound(f"no deck {name!r} in this store (see: quiz decks)")
    shift = shift_minutes(day.tz, now)
    totals, tags, misses = q.card_figures(session, decks)
    return class_report(
        q.learner_names(session),
        totals,
        q.learner_hours(session, decks, shift),
        tags,
        misses,
        day.day_of,
        day.day_of(now),
        decks,
        weakest,
        min_tag_answers,
    )
