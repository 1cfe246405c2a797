"""`quiz stats` from the log's rollups (quiz.store.rollups) equals grouping the log itself.

A store is filled through the store API with weeks of answers of two learners (reviews
and drills, right and wrong, lapses, typed cards with a `correct` flag, output cards,
tagged and untagged cards) at all hours, so that a zone half an hour off UTC
(Asia/Kolkata) or three quarters off (Asia/Kathmandu) moves answers across days. Every
report is compared whole with `stats_report(use_rollups=False)`, which groups the log,
and on SQLite with the lean path of `quiz stats` (sqlite3 alone, the same SQL text).
"""

from __future__ import annotations

import contextlib
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from quiz.clock import DayClock
from quiz.config import load_config
from quiz.deck import load_deck
from quiz.model import CardState, Rating, Schedule
from quiz.review.answer import Answer
from quiz.review.settings import Schedulers
from quiz.stats import figures, gather
from quiz.stats.figures import Report
from quiz.stats.rows import LearnerDays
from quiz.stats.shape import report_to_dict
from quiz.store import open_store, rollups, stats_queries
from quiz.store.models import CardRollup, DayRollup, RollupMark, TagRollup
from quiz.store.stats_reads import shift_minutes
from tests.conftest import write_deck

DECK = """
deck: {name}
title: Rollups
lang: en
tags: [{name}]
cards:
{cards}
"""

T0 = datetime(2026, 1, 5, 0, 7, tzinfo=timezone.utc)
NOW = T0 + timedelta(days=70)
LEARNERS = ("ann", "bob")


def _deck(env: Path, name: str, n: int) -> Path:
    cards = []
    for i in range(n):
        if i % 5 == 4:
            cards.append(
                f'  - id: o{i}\n    type: output\n    code: print({i})\n    output: "{i}\\n"\n'
                f"    tags: [{'loops' if i % 2 else 'prints'}]\n"
            )
        elif i % 5 == 3:
            cards.append(f'  - id: t{i}\n    type: typed\n    front: Q{i}?\n    answer: ["{i}"]\n')
        else:
            tags = "" if i % 3 == 0 else f"    tags: [{'odd' if i % 2 else 'even'}]\n"
            cards.append(f"  - id: c{i}\n    front: Q{i}?\n    back: A{i}.\n{tags}")
    return write_deck(env, f"{name}.yaml", DECK.format(name=name, cards="".join(cards)))


def _untagged_deck(env: Path) -> Path:
    body = "deck: bare\ntitle: Bare\nlang: en\ncards:\n" + "".join(
        f"  - id: b{i}\n    front: B{i}?\n    back: b.\n" for i in range(4)
    )
    return write_deck(env, "bare.yaml", body)


def _fill(store, env: Path) -> None:
    for name, n in (("alpha", 20), ("beta", 10)):
        path = _deck(env, name, n)
        with store.unit("ann") as repo:
            repo.sync_deck(load_deck(path), str(path), f"hash-{name}", T0)
    path = _untagged_deck(env)
    with store.unit("ann") as repo:
        repo.sync_deck(load_deck(path), str(path), "hash-bare", T0)


def _answer(
    repo, card_id: int, at: datetime, rating: int, kind: str = "review", correct: bool | None = None
) -> int:
    row = repo.session.execute(
        text(
            "SELECT state, reps, lapses, stability FROM card_states WHERE learner_id = :l AND card_id = :c"
        ),
        {"l": repo.learner_id, "c": card_id},
    ).first()
    state, reps, lapses, stability = row if row is not None else (0, 0, 0, None)
    before = Schedule(
        state=CardState(state),
        stability=stability,
        reps=reps,
        lapses=lapses,
        last_review=at - timedelta(days=2) if reps else None,
    )
    after = None
    if kind == "review":
        lapsed = state == CardState.REVIEW and rating == 1
        new_state = (
            CardState.RELEARNING
            if lapsed
            else (CardState.REVIEW if reps >= 1 else CardState.LEARNING)
        )
        after = Schedule(
            state=new_state,
            stability=(stability or 1.0) * (0.5 if rating == 1 else 2.2),
            difficulty=5.0,
            due=at + timedelta(days=1 + reps),
            last_review=at,
            reps=reps + 1,
            lapses=lapses + (1 if lapsed else 0),
        )
    return repo.record_answer(
        Answer(
            item=repo.cards_by_id([card_id])[0],
            kind=kind,
            rating=Rating(rating),
            at=at,
            duration_ms=700 + rating * 111,
            given="x",
            correct=correct,
            before=before,
            after=after,
        )
    )


def _card_ids(repo) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [tuple(r) for r in repo.session.execute(text("SELECT id, kind FROM cards ORDER BY id"))]  # type: ignore[misc]


def _days(store, first: int, last: int, seed: int) -> None:
    """Answers of both learners on days first..last, at every hour and minute."""
    rng = random.Random(seed)
    for learner in LEARNERS:
        with store.unit(learner) as repo:
            cards = _card_ids(repo)
            for d in range(first, last + 1):
                if rng.random() < 0.15:
                    continue  # a missed day: streaks break
                for _ in range(rng.randint(3, 9)):
                    card_id, kind = rng.choice(cards[: 12 if learner == "bob" else len(cards)])
                    at = T0 + timedelta(
                        days=d, minutes=rng.randrange(0, 24 * 60), seconds=rng.randrange(60)
                    )
                    rating = rng.choice((1, 1, 2, 3, 3, 3, 4))
                    correct = None if kind == "basic" else rating > 1
                    _answer(
                        repo,
                        card_id,
                        at,
                        rating,
                        "drill" if rng.random() < 0.2 else "review",
                        correct,
                    )


def _direct(repo, day: DayClock, decks=(), since=None) -> Report:  # type: ignore[no-untyped-def]
    return _report(repo, day, decks, since, use_rollups=False)


@contextlib.contextmanager
def _statements(repo):  # type: ignore[no-untyped-def]
    """The (statement, parameters) the repo's engine runs inside the block."""
    from sqlalchemy import event

    seen: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    engine = repo.session.get_bind()
    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def _fill_select(statement: str) -> str:
    """The SELECT of an `INSERT ... SELECT` (without an upsert's ON CONFLICT clause)."""
    select = statement[statement.index(" SELECT ") :]
    return select.split(" ON CONFLICT ")[0]


def _rolled(repo, day: DayClock, decks=(), since=None) -> Report:  # type: ignore[no-untyped-def]
    return _report(repo, day, decks, since, use_rollups=True)


def _report(repo, day: DayClock, decks, since, use_rollups: bool) -> Report:  # type: ignore[no-untyped-def]
    return gather.stats_report(
        repo,
        config=load_config(),
        day=day,
        now=NOW,
        decks=tuple(decks),
        since=since,
        lang="en",
        use_rollups=use_rollups,
    )


def _lean(store, day: DayClock, learner: str, decks=(), since=None) -> Report | None:  # type: ignore[no-untyped-def]
    """The report through the lean path of `quiz stats` (sqlite3, quiz.store.stats_reads),
    which must not open the full store: the rollups are current. None on PostgreSQL."""
    from quiz.store.late import LateRepo
    from quiz.store.lean import LeanStore

    if not store.url.startswith("sqlite"):
        return None
    lean = LeanStore.open(Path(store.url.removeprefix("sqlite:///")), learner)
    assert lean is not None and lean.stats.rollups_current()

    def never():  # type: ignore[no-untyped-def]
        raise AssertionError("the lean path opened the full store")

    late = LateRepo(lean, never)
    try:
        return _report(late, day, decks, since, use_rollups=True)
    finally:
        late.settle()


def _rollup_rows(store, learner: str) -> dict[str, list[tuple[object, ...]]]:
    from sqlalchemy import select

    with store.unit(learner) as repo:
        out = {}
        for model in (CardRollup, DayRollup, TagRollup, RollupMark):
            table = model.__table__
            q = (
                select(table)
                .where(table.c.learner_id == repo.learner_id)
                .order_by(*table.primary_key.columns)
            )
            out[table.name] = [tuple(r) for r in repo.session.execute(q)]
        return out


def _same(store, day: DayClock, learner: str, expect: str | None = None) -> Report:
    with store.unit(learner) as repo:
        direct = _direct(repo, day)
        if expect is not None:
            assert rollups.refresh(repo) in expect.split("|")
        rolled = _rolled(repo, day)
    assert rolled == direct
    assert report_to_dict(rolled) == report_to_dict(direct)
    lean = _lean(store, day, learner)
    assert lean is None or lean == direct
    return rolled


ZONES = ("Asia/Kolkata", "Asia/Kathmandu", "UTC", "America/St_Johns")


@pytest.fixture
def filled(store_url, env):  # type: ignore[no-untyped-def]
    with open_store(store_url) as store:
        _fill(store, env)
        _days(store, 0, 60, seed=7)
        yield store


def test_rollups_equal_the_log_in_every_zone_and_learner(filled):  # type: ignore[no-untyped-def]
    first = True
    for zone in ZONES:
        day = DayClock.from_settings(zone, 4)
        for learner in LEARNERS:
            report = _same(filled, day, learner, expect="built" if first else "current")
            assert (
                report.answers > 100
                and report.weak_cards
                and report.weak_tags
                and report.output_by_tag
            )
            assert sum(r.answers for r in report.retention_by_age) > 0
            with filled.unit(learner) as repo:  # the very days the log's hours fall on
                shift = stats_queries.shift_minutes(day.tz, NOW)
                assert repo.stats.rolled_days() == figures.days_of(
                    repo.stats.hour_counts((), shift), day.day_of
                )
        first = False
    # the two learners' rollups are their own
    assert (
        _rollup_rows(filled, "ann")["review_card_rollups"]
        != _rollup_rows(filled, "bob")["review_card_rollups"]
    )


def test_deck_and_since_reports_equal_the_log(filled):  # type: ignore[no-untyped-def]
    """--since reads the rollups' hours and first reviews (and the log from then on),
    --deck groups the log: in every zone and for both learners, the same report."""
    for zone in ZONES:
        day = DayClock.from_settings(zone, 4)
        for learner in LEARNERS:
            with filled.unit(learner) as repo:
                whole = _direct(repo, day).answers
                for decks, since in (
                    (("alpha",), None),
                    ((), date(2026, 2, 1)),
                    ((), date(2026, 3, 1)),
                    ((), date(2025, 12, 1)),  # before the first answer
                    ((), date(2026, 3, 20)),  # after the last: nothing since
                    (("beta", "bare"), date(2026, 2, 20)),
                ):
                    rolled = _rolled(repo, day, decks, since)
                    direct = _direct(repo, day, decks, since)
                    assert rolled == direct, (zone, learner, decks, since)
                    assert report_to_dict(rolled) == report_to_dict(direct)
                    if shift_minutes(day.tz, NOW) % 15 == 0:  # else the log is grouped
                        lean = _lean(filled, day, learner, decks, since)
                        assert lean is None or lean == direct, (zone, learner, decks, since)
                    assert rolled.answers <= whole


@pytest.mark.parametrize(
    ("decks", "since"),
    [((), date(2026, 3, 1)), (("alpha",), None), (("beta", "bare"), date(2026, 2, 20))],
)
def test_since_and_deck_read_only_their_part_of_the_log(filled, decks, since):  # type: ignore[no-untyped-def]
    """`quiz stats --since` / `--deck` with current rollups never scans the whole log
    for a recent day: every read of `reviews` goes through an index (the (learner, time)
    one for the answers since; a deck's days and ages come from the day rollups; a
    since of most of the log: test_a_since_of_most_of_the_log_reads_it_in_one_pass)."""

    day = DayClock.from_settings("Asia/Kolkata", 4)
    with filled.unit("ann") as repo:
        if repo.session.get_bind().dialect.name != "sqlite":
            pytest.skip("PostgreSQL's planner chooses by its statistics")
        assert rollups.refresh(repo, LearnerDays(day, shift_minutes(day.tz, NOW))) == "built"
        with _statements(repo) as seen:
            _rolled(repo, day, decks, since)
        raw = repo.session.connection().connection.driver_connection
        reads = [  # (the answers since fill a temporary table, gone by now: its SELECT)
            _fill_select(q) if q.startswith("INSERT INTO quiz_since_cards") else q for q, _p in seen
        ]
        plans = [
            " | ".join(str(r[-1]) for r in raw.execute("EXPLAIN QUERY PLAN " + q, p).fetchall())
            for q, (_q, p) in zip(reads, seen, strict=True)
            if "FROM reviews" in q and q.lstrip().upper().startswith("SELECT")
        ]
        if since:
            assert any("ix_reviews_learner_time" in plan for plan in plans), plans
        else:  # a deck's days and ages are in the day rollups: overruled answers, the mark's check
            assert plans and all(
                "ix_reviews_overruled" in plan or "INTEGER PRIMARY KEY" in plan for plan in plans
            ), plans
        for plan in plans:
            assert "SCAN reviews" not in plan, plan


def test_more_answers_fold_in_as_a_rebuild_would(filled):  # type: ignore[no-untyped-def]
    day = DayClock.from_settings("Asia/Kolkata", 4)
    for learner in LEARNERS:
        _same(filled, day, learner, expect="built")
    _days(filled, 61, 69, seed=11)  # new cards among them: first reviews in the batch
    for learner in LEARNERS:
        _same(filled, day, learner, expect="folded")
    folded = _rollup_rows(filled, "ann")
    with filled.unit("ann") as repo:
        repo.session.execute(
            text("DELETE FROM review_rollup_marks WHERE learner_id = :l"), {"l": repo.learner_id}
        )
        repo.session.commit()
        assert rollups.refresh(repo, LearnerDays(day, shift_minutes(day.tz, NOW))) == "built"
    assert _rollup_rows(filled, "ann") == folded


def test_undo_after_stats_rebuilds(filled):  # type: ignore[no-untyped-def]
    day = DayClock.from_settings("Asia/Kolkata", 4)
    _same(filled, day, "ann", expect="built")
    _same(filled, day, "bob", expect="built")
    with filled.unit("ann") as repo:
        card_id = _card_ids(repo)[0][0]
        rid = _answer(repo, card_id, NOW - timedelta(hours=1), 1)
    _same(filled, day, "ann", expect="folded")
    with filled.unit("ann") as repo:
        repo.undo(rid)
        # SQLite hands the freed id to the next answer: the count of rows up to the mark
        # is as before, only the trigger tells
        again = _answer(repo, _card_ids(repo)[1][0], NOW - timedelta(minutes=30), 3)
    if filled.dialect == "sqlite":
        assert again == rid
    _same(filled, day, "ann", expect="built")
    _same(filled, day, "bob", expect="current|folded")  # another learner's undo leaves bob's alone


def test_an_answer_before_a_cards_first_review_rebuilds(filled):  # type: ignore[no-untyped-def]
    day = DayClock.from_settings("Asia/Kolkata", 4)
    before = _same(filled, day, "ann", expect="built")
    with filled.unit("ann") as repo:
        from sqlalchemy import func, select

        from quiz.store.models import ReviewRow as R

        first, card_id = repo.session.execute(
            select(func.min(R.reviewed_at), R.card_id)
            .where(R.learner_id == repo.learner_id, R.kind == "review")
            .group_by(R.card_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        _answer(repo, card_id, first - timedelta(days=40), 3)
    after = _same(filled, day, "ann", expect="built")
    assert after.retention_by_age != before.retention_by_age  # the card's answers all grew older


# An entry's id changed as a late commit would have numbered it: in its pack (0017: the
# view keeps an entry's id, which no index would hold unique if it could change).
_RENUMBER = text(
    "UPDATE review_packs SET ids[array_position(ids, :old)] = :new,"
    " last_id = greatest(last_id, :new) WHERE :old = ANY (ids)"
)


def test_a_late_commit_below_the_mark_rebuilds(filled):  # type: ignore[no-untyped-def]
    """PostgreSQL may commit id 10 after id 11: the count up to the mark notices.
    (SQLite has one writer, so ids appear in order there and the count is skipped.)"""
    day = DayClock.from_settings("UTC", 4)
    with filled.unit("bob") as repo:
        if repo.session.get_bind().dialect.name == "sqlite":
            pytest.skip("SQLite commits ids in order (one writer at a time): no count check there")
        top = repo.session.scalar(text("SELECT max(id) FROM reviews"))
        card_id = _card_ids(repo)[0][0]
        rid = _answer(repo, card_id, NOW - timedelta(hours=2), 3)
        repo.session.execute(_RENUMBER, {"new": top + 50, "old": rid})
        repo.session.commit()
    _same(filled, day, "ann", expect="built")  # ann's mark is now past bob's row
    with filled.unit("ann") as repo:
        late = _answer(repo, _card_ids(repo)[2][0], NOW - timedelta(hours=3), 1)
        repo.session.execute(_RENUMBER, {"new": top + 20, "old": late})
        repo.session.commit()
    _same(filled, day, "ann", expect="built")


def test_the_cli_reads_the_rollups_and_agrees_with_the_log(store_url, env, cli):  # type: ignore[no-untyped-def]
    import json

    (env / "config.toml").write_text('timezone = "Asia/Kolkata"\nfuzz = false\n')
    with open_store(store_url) as store:
        _fill(store, env)
        _days(store, 0, 30, seed=3)
    now = NOW.isoformat()
    for _ in range(2):  # built, then current
        shown = json.loads(cli("--learner", "ann", "stats", "--json", now=now).stdout)
        assert shown["strict_grading"] == []  # no answer was overruled
        with open_store(store_url) as store, store.unit("ann") as repo:
            expected = report_to_dict(_direct(repo, DayClock.from_settings("Asia/Kolkata", 4)))
            assert repo.session.scalar(text("SELECT count(*) FROM review_card_rollups")) > 0
        assert shown == expected


def test_a_read_only_store_groups_the_log(env, cli):  # type: ignore[no-untyped-def]
    import json
    import os

    with open_store(str(env / "store.db")) as store:
        _fill(store, env)
        _days(store, 0, 10, seed=5)
    os.chmod(env / "store.db", 0o444)
    try:
        if os.access(env / "store.db", os.W_OK):
            pytest.skip("running as a user who can write read-only files")
        result = cli("--learner", "ann", "stats", "--json", now=NOW.isoformat())
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["answers"]["total"] > 0
    finally:
        os.chmod(env / "store.db", 0o644)


def test_weakest_cards_read_from_the_zero_tier_equal_the_full_ranking(filled):  # type: ignore[no-untyped-def]
    """The shortcut (only the head of the cards whose latest answer was wrong, plus the
    cards FSRS alone may round to 0.00) gives the ranking of scoring every candidate:
    for small and large limits, with a ratio of 0 (every reviewed card counted as
    possibly forgotten), and with exact ties on misses and latest miss, which only the
    key decides (card ids in another order than keys: c2, c5 before c10, c11)."""
    day = DayClock.from_settings("UTC", 4)
    recall = gather.Recall(Schedulers(load_config(), day), NOW)
    for learner in ("ann", "cy"):
        with filled.unit(learner) as repo:
            if learner == "cy":
                ids = dict(repo.session.execute(text("SELECT key, id FROM cards")).all())
                for key in ("alpha/c2", "alpha/c5", "alpha/c10", "alpha/c11"):
                    _answer(
                        repo, ids[key], NOW - timedelta(hours=5), 1
                    )  # a new card's first Again: 0 lapses
                repo.session.commit()
            assert rollups.refresh(repo) in ("built", "folded")
            ratio = recall.zero_ratio(repo.deck_slugs())
            assert ratio > 0
            wrong = repo.session.scalar(
                text(
                    "SELECT count(*) FROM review_card_rollups WHERE learner_id = :l AND "
                    "(last_right IS NULL OR last_right < last_miss)"
                ),
                {"l": repo.learner_id},
            )
            assert wrong >= 4  # the shortcut is taken for the limits below that
            for limit in (1, 2, 3, 4, wrong + 5):
                full = repo.stats.weak_cards(recall, limit)
                for r in (ratio, 0.0):
                    assert repo.stats.weak_cards(recall, limit, now=NOW, zero_ratio=r) == full, (
                        learner,
                        limit,
                        r,
                    )
            if learner == "cy":
                assert [c.key for c in full[0]] == [
                    "alpha/c10",
                    "alpha/c11",
                    "alpha/c2",
                    "alpha/c5",
                ]


def test_elapsed_ratio_is_where_retrievability_reaches_the_level():
    from fsrs.scheduler import DEFAULT_PARAMETERS

    from quiz.config import SchedulerSettings
    from quiz.scheduler import Scheduler

    day = DayClock.from_settings("UTC", 4)
    for params in (None, (*DEFAULT_PARAMETERS[:20], 0.7)):
        settings = (
            SchedulerSettings(fuzz=False)
            if params is None
            else SchedulerSettings(fuzz=False, parameters=params)
        )
        scheduler = Scheduler(settings, day)
        ratio = scheduler.elapsed_ratio(0.006)
        for stability in (0.3, 2.0, 40.0):
            days = ratio * stability

            def r(
                elapsed: float, scheduler: Scheduler = scheduler, stability: float = stability
            ) -> float:
                return scheduler.retrievability(
                    1,
                    Schedule(
                        state=CardState.REVIEW,
                        stability=stability,
                        reps=3,
                        last_review=NOW - timedelta(days=elapsed),
                    ),
                    NOW,
                )

            if days + 2 < 10**6:
                assert r(days + 2) < 0.006 < r(max(0.0, days - 2)) or days < 2


def test_whole_log_reads_scan_the_log_on_sqlite_and_bounded_reads_use_the_index(filled):  # type: ignore[no-untyped-def]
    """Over the whole log SQLite is told not to look every entry up through the
    (learner, time) index (stats_queries.learners_entries: with the log's covering indexes
    gone in 0012, those lookups made `stats --since` and `--deck` 2-3x slower); a read
    bounded by `since` keeps it."""

    with filled.unit("ann") as repo:
        if repo.session.get_bind().dialect.name != "sqlite":
            pytest.skip("PostgreSQL's planner chooses by its statistics")
        with _statements(repo) as seen:
            repo.stats.hour_counts()
            whole = seen[-1]
            repo.stats.tallies_and_schedules((), NOW - timedelta(days=7))
            bounded = seen[-1]
            del seen[:]
            repo.session.execute(text("DELETE FROM review_rollup_marks"))
            assert (
                rollups.refresh(repo, LearnerDays(DayClock.from_settings("UTC", 4), 0)) == "built"
            )
            folds = [
                (q, p)
                for q, p in seen
                if q.lstrip().upper().startswith("INSERT")
                and "quiz_day_cards" not in q  # (a temporary table, gone by now)
            ]

        def plan(statement: str, parameters: object) -> str:
            raw = repo.session.connection().connection.driver_connection
            rows = raw.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            return " | ".join(str(r[-1]) for r in rows)

        assert "ix_reviews_learner_time" not in plan(*whole), plan(*whole)
        assert "ix_reviews_learner_time" in plan(*bounded), plan(*bounded)
        # the card rollups' fold reads the log by its id range (the rowid), whole or in
        # part (the days' grouped INSERT has the same condition)
        log_reads = [plan(q, p) for q, p in folds if "FROM reviews" in q]
        assert len(log_reads) == 1
        for read in log_reads:
            assert "INTEGER PRIMARY KEY" in read and "ix_reviews_learner_time" not in read, read


def _same_everywhere(store, day: DayClock, learner: str) -> None:
    """Every report (whole, by deck, since) from the rollups equals grouping the log,
    through the full store and the lean path."""
    for decks, since in (
        ((), None),
        (("alpha",), None),
        (("beta",), None),
        ((), date(2026, 3, 1)),  # the answers since through the (learner, time) index
        ((), date(2026, 1, 20)),  # most of the log: read in one pass
        (("alpha",), date(2026, 1, 20)),
    ):
        with store.unit(learner) as repo:
            rolled = _rolled(repo, day, decks, since)
            direct = _direct(repo, day, decks, since)
        assert report_to_dict(rolled) == report_to_dict(direct), (learner, decks, since)
        lean = _lean(store, day, learner, decks, since)
        assert lean is None or lean == direct, (learner, decks, since)


def test_a_reimport_that_changes_tags_or_kinds_rebuilds_the_tag_figures(filled, env):  # type: ignore[no-untyped-def]
    """A card's tags and kind come from its deck file: a re-import that changes them
    deletes the tag rollups' mark (triggers on card_tags and cards, 0015), so the next
    report rebuilds them."""
    day = DayClock.from_settings("Asia/Kolkata", 4)
    for learner in LEARNERS:
        _same_everywhere(filled, day, learner)
    path = env / "alpha.yaml"
    body = path.read_text()
    for old, new in (
        ("  - id: c1\n    front: Q1?\n    back: A1.\n    tags: [odd]\n", "tags: [renamed, odd]"),
        ("  - id: c2\n    front: Q2?\n    back: A2.\n    tags: [even]\n", ""),
        ("  - id: c0\n    front: Q0?\n    back: A0.\n", "tags: [late]"),
    ):
        assert old in body
        card = old.split("    tags:")[0] if "tags:" in old else old
        body = body.replace(old, card + (f"    {new}\n" if new else ""))
    typed = '  - id: t3\n    type: typed\n    front: Q3?\n    answer: ["3"]\n'
    assert typed in body
    body = body.replace(
        typed, '  - id: t3\n    type: output\n    code: print(3)\n    output: "3\\n"\n'
    )
    path.write_text(body)
    with filled.unit("ann") as repo:
        repo.sync_deck(load_deck(path), str(path), "hash-alpha-again", T0)
    with filled.unit("ann") as repo:
        assert repo.session.scalar(text("SELECT count(*) FROM review_tag_marks")) == 0
    for learner in LEARNERS:
        _same_everywhere(filled, day, learner)
    with filled.unit("ann") as repo:
        tags = {t.tag for t in _rolled(repo, day).weak_tags}
        assert {"renamed", "late"} <= tags


def test_a_card_moved_to_another_deck_rebuilds_the_deck_figures(filled):  # type: ignore[no-untyped-def]
    """No command moves a card (its key names its deck), but the day and tag rollups are
    kept by deck: a card whose deck_id changes deletes their marks (a trigger, 0015)."""
    day = DayClock.from_settings("UTC", 4)
    for learner in LEARNERS:
        _same_everywhere(filled, day, learner)
    with filled.unit("ann") as repo:
        beta = repo.session.scalar(text("SELECT id FROM decks WHERE slug = 'beta'"))
        repo.session.execute(
            text("UPDATE cards SET deck_id = :beta WHERE key IN ('alpha/c1', 'alpha/c2')"),
            {"beta": beta},
        )
        repo.session.commit()
    for learner in LEARNERS:
        _same_everywhere(filled, day, learner)


def test_another_zone_or_day_start_rebuilds_the_days(filled):  # type: ignore[no-untyped-def]
    """The day rollups hold days of one clock (review_day_marks.clock): a learner who
    moves to another zone, or whose day starts at another hour, gets days rebuilt in it,
    and back again; answers folded in meanwhile land in the clock's days."""
    for zone, starts in (("UTC", 4), ("Asia/Kolkata", 4), ("Asia/Kolkata", 0), ("UTC", 4)):
        day = DayClock(DayClock.from_settings(zone, 4).tz, starts)
        _same_everywhere(filled, day, "ann")
        _days(filled, 61 + starts, 61 + starts, seed=starts)


def test_quiz_rebuild_and_a_class_of_learners_keep_the_figures(filled, cli, env):  # type: ignore[no-untyped-def]
    """`quiz rebuild` rewrites states, never the log: the rollups stay current and equal
    the log; each learner of a class store has their own days and tags."""
    day = DayClock.from_settings("Asia/Kolkata", 4)
    (env / "config.toml").write_text('timezone = "Asia/Kolkata"\nfuzz = false\n')
    for learner in (*LEARNERS, "cy"):
        _same_everywhere(filled, day, learner)
    result = cli("--learner", "ann", "rebuild", now=NOW.isoformat())
    assert result.exit_code == 0, result.output
    for learner in (*LEARNERS, "cy"):
        _same_everywhere(filled, day, learner)
    with filled.unit("ann") as repo:
        rows = repo.session.execute(
            text("SELECT learner_id, count(*) FROM review_day_rollups GROUP BY learner_id")
        ).all()
    assert len(rows) == 2  # cy has no answers: no days


def test_quiz_import_that_changes_tags_then_quiz_stats_agrees_with_the_log(store_url, env, cli):  # type: ignore[no-untyped-def]
    """Whichever way `quiz import` writes the store, the triggers of 0015 see the cards'
    new tags: the next `quiz stats` shows them, as grouping the log does."""
    import json

    (env / "config.toml").write_text('timezone = "UTC"\nfuzz = false\n')
    with open_store(store_url) as store:
        _fill(store, env)
        _days(store, 0, 20, seed=4)
    now = NOW.isoformat()
    first = json.loads(cli("--learner", "ann", "stats", "--json", now=now).stdout)
    path = env / "alpha.yaml"
    path.write_text(path.read_text().replace("tags: [odd]", "tags: [renamed]"))
    result = cli("--learner", "ann", "import", str(path), now=now)
    assert result.exit_code == 0, result.output
    shown = json.loads(cli("--learner", "ann", "stats", "--json", now=now).stdout)
    with open_store(store_url) as store, store.unit("ann") as repo:
        expected = report_to_dict(_direct(repo, DayClock.from_settings("UTC", 4)))
    assert shown == expected != first
    assert "renamed" in {t["tag"] for t in shown["weakest_tags"]}


def test_a_since_of_most_of_the_log_reads_it_in_one_pass(filled):  # type: ignore[no-untyped-def]
    """`quiz stats --since` a day before most of the learner's answers reads the log in
    one pass in its order (every answer since through the (learner, time) index is a
    lookup into the log: 1.29M of them on the 3M-review bench store), and the report
    still equals grouping the log; a recent day keeps the index."""
    day = DayClock.from_settings("UTC", 4)
    with filled.unit("ann") as repo:
        if repo.session.get_bind().dialect.name != "sqlite":
            pytest.skip("PostgreSQL's planner chooses by its statistics")
        assert rollups.refresh(repo, LearnerDays(day, 0)) == "built"
        raw = repo.session.connection().connection.driver_connection
        for since, scans in ((date(2026, 1, 20), True), (date(2026, 3, 1), False)):
            with _statements(repo) as seen:
                rolled = _rolled(repo, day, (), since)
            reads = [  # (the SELECT that fills the temporary table, gone by now)
                " | ".join(
                    str(r[-1]) for r in raw.execute("EXPLAIN QUERY PLAN " + _fill_select(q), p)
                )
                for q, p in seen
                if "FROM reviews" in q and q.startswith("INSERT INTO quiz_since_cards")
            ]
            assert len(reads) == 1, reads
            assert ("SCAN reviews" in reads[0]) is scans, reads
            assert ("ix_reviews_learner_time" in reads[0]) is not scans, reads
            assert rolled == _direct(repo, day, (), since)


def test_the_answers_since_are_added_to_their_cards_without_sorting_them(filled):  # type: ignore[no-untyped-def]
    """On SQLite the answers since are added one by one to their card's row of the
    temporary table (its key) rather than sorted by card to be grouped, and only
    their counts: each card's latest miss and right answer since come from its card
    rollup where it is that recent. The report equals grouping the log, for a day
    before most of the answers and for later ones, where some cards' latest miss or
    right answer came before the day."""
    day = DayClock.from_settings("UTC", 4)
    with filled.unit("ann") as repo:
        if repo.session.get_bind().dialect.name != "sqlite":
            pytest.skip("PostgreSQL groups the answers since (an upsert takes a key once)")
        assert rollups.refresh(repo, LearnerDays(day, 0)) == "built"
        for since in (date(2026, 1, 20), date(2026, 2, 10), date(2026, 3, 1), date(2026, 3, 14)):
            with _statements(repo) as seen:
                rolled = _rolled(repo, day, (), since)
            fills = [q for q, _p in seen if q.startswith("INSERT INTO quiz_since_cards")]
            assert len(fills) == 1, fills
            assert " ON CONFLICT (card_id) DO UPDATE SET " in fills[0]
            assert "GROUP BY" not in fills[0] and "reviewed_at END" not in fills[0]
            assert rolled == _direct(repo, day, (), since), since


@pytest.mark.parametrize(
    ("zone", "since", "whole"),
    [
        ("UTC", date(2026, 3, 1), True),
        ("Asia/Kolkata", date(2026, 3, 1), True),  # +5:30: its hours start at :30 UTC
        ("Asia/Kathmandu", date(2026, 3, 1), True),
        ("Asia/Kathmandu", date(1985, 6, 1), False),  # +5:30 then, +5:45 now
        ("Australia/Lord_Howe", date(2026, 6, 1), False),  # +10:30 then, +11:00 in March
    ],
)
def test_the_ages_since_come_from_the_days_only_where_the_day_starts_an_hour(zone, since, whole):  # type: ignore[no-untyped-def]
    """The day rollups hold answers by clock hour: they give the ages from `since` on
    only when its day starts where one of their hours starts (else the log does)."""
    day = DayClock.from_settings(zone, 4)
    assert gather._starts_an_hour(day, since, shift_minutes(day.tz, NOW)) is whole


def test_a_deck_id_too_large_to_pack_groups_the_days_by_columns(filled):  # type: ignore[no-untyped-def]
    """The day fold groups by deck, day and age bucket packed in one integer; a deck id
    past rollups.DECK_SPAN (SQLite keeps 64-bit ids) is grouped by the three columns,
    with the same figures."""
    from quiz.store.models import CardRow, DeckRow

    day = DayClock.from_settings("Asia/Kathmandu", 4)
    with filled.unit("ann") as repo:
        if repo.session.get_bind().dialect.name != "sqlite":
            pytest.skip("PostgreSQL's integer ids stop at 2^31")
        old = repo.session.query(DeckRow).filter_by(slug="alpha").one()
        far = rollups.DECK_SPAN + 5
        columns = {c.key: getattr(old, c.key) for c in DeckRow.__mapper__.column_attrs}
        repo.session.add(DeckRow(**{**columns, "id": far, "slug": "alpha-far"}))
        repo.session.flush()
        repo.session.query(CardRow).filter_by(deck_id=old.id).update({"deck_id": far})
        repo.session.commit()
    for learner in LEARNERS:
        with filled.unit(learner) as repo:
            for decks in ((), ("alpha-far",), ("beta",)):
                rolled = _rolled(repo, day, decks)
                assert rolled == _direct(repo, day, decks), (learner, decks)
        rows = _rollup_rows(filled, learner)["review_day_rollups"]
        assert any(r[1] == far for r in rows), learner


@pytest.mark.parametrize(
    ("zone", "starts"),
    [
        ("UTC", 4),
        ("UTC", 0),
        ("Europe/Berlin", 4),
        ("America/St_Johns", 4),
        ("Australia/Lord_Howe", 3),
        ("Asia/Kathmandu", 0),
        ("Pacific/Apia", 4),  # skipped a whole day (2011-12-30)
    ],
)
def test_day_runs_give_every_hours_day_as_the_clock_does(zone, starts):  # type: ignore[no-untyped-def]
    """The day fold's arithmetic over runs of hours (rollups.day_runs, day_sql) gives
    each clock hour the learner day DayClock.day_of gives its start, over years with
    summer times, half-hour changes and a skipped day; evaluated by SQLite itself."""
    import sqlite3

    clock = DayClock(DayClock.from_settings(zone, starts).tz, starts)
    start = datetime(2010, 3, 1, tzinfo=timezone.utc)
    shift = shift_minutes(clock.tz, start)
    days = LearnerDays(clock, shift)
    first = int((start.timestamp() + shift * 60) // 3600)
    hours = range(first, first + 3 * 366 * 24)
    wanted = [clock.day_of(rollups.from_hour_key(h, shift)).toordinal() for h in hours]
    runs = rollups.day_runs(wanted, first)
    assert len(runs) < 3 * 2 + 4  # one per change of offset, give or take
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE h (hour INTEGER)")
    conn.executemany("INSERT INTO h VALUES (?)", [(h,) for h in hours])
    got = [
        d for (d,) in conn.execute(f"SELECT {rollups.day_sql('hour', runs)} FROM h ORDER BY hour")
    ]
    assert got == wanted
    assert days.key  # (the clock the rollups would be kept in)


def test_the_first_stats_builds_the_rollups_through_sqlite3(store_url, env):  # type: ignore[no-untyped-def]
    """The first `quiz stats` on a SQLite store whose rollups were never built builds
    them through sqlite3 (quiz.store.rollup_write, the day rows grouped on a second
    connection meanwhile) without loading SQLAlchemy: the same report, text and JSON, as
    the full store's (QUIZ_DEBUG=1), and the same rollups; and after a change of zone
    (the days anew, through sqlite3 again) the report of the log grouped directly."""
    import json
    import os
    import shutil
    import sqlite3
    import subprocess
    import sys

    if not store_url.startswith("sqlite"):
        pytest.skip("the lean path writes SQLite stores")
    with open_store(store_url) as store:
        _fill(store, env)
        _days(store, 0, 40, seed=11)
    path = Path(store_url.removeprefix("sqlite:///"))
    loaded = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write("
        "f\"SQLALCHEMY {'sqlalchemy' in sys.modules}\\n\"))\n"
        "sys.argv = ['quiz', *sys.argv[1:]]\n"
        "from quiz.cli import main\n"
        "main()\n"
    )

    def run(db: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        environ = dict(
            os.environ, QUIZ_DB=str(db), QUIZ_NOW=NOW.isoformat(), COLUMNS="100", **extra
        )
        return subprocess.run(
            [sys.executable, "-c", loaded, "--learner", "ann", *args],
            capture_output=True,
            text=True,
            env=environ,
            timeout=120,
        )

    def fresh(name: str) -> Path:
        copy = env / name
        shutil.copyfile(path, copy)
        conn = sqlite3.connect(copy)
        with conn:
            conn.execute("DELETE FROM review_rollup_marks")
        conn.close()
        return copy

    def rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
        with open_store(f"sqlite:///{db}") as store:
            return _rollup_rows(store, "ann")

    for zone in ("Asia/Kolkata", "Europe/Berlin"):
        (env / "config.toml").write_text(f'timezone = "{zone}"\nfuzz = false\n')
        for args in (["stats"], ["stats", "--json"], ["stats", "--since", "2026-02-20"]):
            lean_db, full_db = fresh("lean.db"), fresh("full.db")
            lean, full = run(lean_db, *args), run(full_db, *args, QUIZ_DEBUG="1")
            assert lean.returncode == 0 and full.returncode == 0, lean.stderr + full.stderr
            assert lean.stdout == full.stdout
            assert "SQLALCHEMY False" in lean.stderr and "SQLALCHEMY True" in full.stderr
            assert rows(lean_db) == rows(full_db)
    (env / "config.toml").write_text('timezone = "America/St_Johns"\nfuzz = false\n')
    again = run(lean_db, "stats", "--json")
    assert again.returncode == 0 and "SQLALCHEMY False" in again.stderr, again.stderr
    with open_store(f"sqlite:///{lean_db}") as store, store.unit("ann") as repo:
        expected = report_to_dict(_direct(repo, DayClock.from_settings("America/St_Johns", 4)))
    assert json.loads(again.stdout) == expected


def test_the_sqlite3_refresh_leaves_a_locked_or_read_only_store_to_the_full_store(filled):  # type: ignore[no-untyped-def]
    """quiz.store.rollup_write declines, having written nothing, where the full store
    has its own ways (it waits for a lock with its notice and retries; it groups a
    read-only store's log directly): `quiz stats` then behaves as it always has."""
    import os

    from quiz.store import rollup_write
    from quiz.store.lean import LeanStore
    from tests.store.helpers import write_locked

    if not filled.url.startswith("sqlite"):
        pytest.skip("the lean path writes SQLite stores")
    path = Path(filled.url.removeprefix("sqlite:///"))
    days = LearnerDays(DayClock.from_settings("UTC", 4), 0)
    with filled.unit("ann") as repo:
        repo.session.execute(text("DELETE FROM review_rollup_marks"))
        repo.session.commit()
    lean = LeanStore.open(path, "ann")
    assert lean is not None
    try:
        with write_locked(path):
            assert rollup_write.refresh(lean, days) is None
        assert not lean.stats.rollups_current()
        os.chmod(path, 0o444)
        try:
            if not os.access(path, os.W_OK):
                assert rollup_write.refresh(lean, days) is None
        finally:
            os.chmod(path, 0o644)
        assert rollup_write.refresh(lean, days) == "built"
        assert lean.stats.rollups_current(days.key)
    finally:
        lean.close()
    with filled.unit("ann") as repo:
        assert _rolled(repo, days.clock) == _direct(repo, days.clock)
