"""Benchmark fixtures: a big store (100k cards, 1M review-log rows) and a 10k-card deck.

The store is created through quiz's own migrations at schema 0011 (the last one with the
JSON review log), filled with bulk inserts through sqlite3 (going through
`Repo.record_answer`, one commit per answer as a session does, would take an hour for a
million rows), then opened, which migrates it to the newest schema as a learner's store
is migrated (0012's copy of the log takes a minute or two). The rows
are synthetic but shaped like a learner's: about one in eight rated Again, a scheduled
due date after each card's last review, some cards in (re)learning, some suspended, most
new cards untouched.

Each seen card starts in the history's first START_DAYS and its reviews follow at
growing gaps, soon MAX_GAP days apart. The history is as long as its cards' reviews
need (`history_days`), and at least two years: the 1M store (~12 reviews a card) keeps
two years, a 3M store (~35 a card) gets four and a half. In both, as for a learner,
the cards with the most reviews are still being reviewed in the last months and few
would fall after NOW (those are moved into the last month). With a fixed two years, a
card of three times the reviews ran past NOW: most of a 3M log's later reviews piled
up in its last month, a load no learner has, on which `quiz stats --since` was timed.

Built fixtures are kept under `QUIZ_BENCH_DIR` (default: the temp dir) and reused while
their recipe and the schema head stay the same; delete the folder to rebuild.
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

RECIPE = 9  # bump when the generated data or its migration changes (9: history_days)
# A store whose history stays two years holds recipe 8's rows exactly (1M reviews, the
# default): it keeps recipe 8's name, so its cached file and figures stay comparable.
# Drop this at the next bump.
TWO_YEARS_RECIPE = 8
TWO_YEARS = 730
START_DAYS = 200  # a seen card's first review falls in the history's first START_DAYS
MAX_GAP = 40  # days between a card's reviews, at most
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc)  # the benchmarks' QUIZ_NOW
LEARNER = "bench"
BUILT_AT = "0011"  # the schema the rows are written in (then migrated to the newest)
CONFIG = 'timezone = "UTC"\nfuzz = false\n'


@dataclass(frozen=True)
class StoreSpec:
    cards: int = 100_000
    reviews: int = 1_000_000
    decks: int = 10
    seen_share: float = 0.85  # cards with at least one review
    seed: int = 7


def history_days(spec: StoreSpec) -> int:
    """Days of history: room for the latest start and, at the longest gap, one review
    a card more than the average (cards with more still reach the last months, as in
    the two-year store of ~12 reviews a card this recipe started from)."""
    per_card = spec.reviews / int(spec.cards * spec.seen_share)
    return max(TWO_YEARS, round(START_DAYS + MAX_GAP * (per_card + 1)))


def store_name(spec: StoreSpec) -> str:
    """The cached big store's file name for this spec, recipe and schema head."""
    recipe = TWO_YEARS_RECIPE if history_days(spec) == TWO_YEARS else RECIPE
    return f"store-r{recipe}-h{schema_head()}-{spec.cards}-{spec.reviews}.db"


def _ts(value: datetime) -> str:
    """A UTC instant as SQLAlchemy's SQLite DateTime stores it (naive, microseconds)."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def bench_dir() -> Path:
    import os
    import tempfile

    folder = Path(os.environ.get("QUIZ_BENCH_DIR") or Path(tempfile.gettempdir()) / "quiz-bench")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def schema_head() -> str:
    from quiz.store.migrate import HEAD

    return HEAD


def _card_content(deck: str, i: int) -> tuple[str, str]:
    from quiz.model import Card, CardKind, Text, card_to_dict

    card = Card(
        deck=deck,
        id=f"card-{i}",
        kind=CardKind.BASIC,
        line=5 + 4 * i,
        front=Text.plain(f"What does `len(range({i}))` return?"),
        back=Text.plain(f"{i}: a range computes its length without building a list."),
        tags=("generated", f"group-{i % 50}"),
    )
    return json.dumps(card_to_dict(card), ensure_ascii=False), card.content_hash()


def _state(
    state: int,
    stability: float,
    difficulty: float,
    due: datetime | None,
    last: datetime | None,
    reps: int,
    lapses: int,
) -> str:
    return json.dumps(
        {
            "state": state,
            "step": None if state in (0, 2) else 0,
            "stability": stability,
            "difficulty": difficulty,
            "due": due.isoformat() if due else None,
            "last_review": last.isoformat() if last else None,
            "reps": reps,
            "lapses": lapses,
        }
    )


def build_store(path: Path, spec: StoreSpec = StoreSpec(), log=print) -> Path:  # type: ignore[no-untyped-def]
    """Create `path` (replacing it) with the spec's decks, cards, states and review log."""
    from sqlalchemy import create_engine

    from quiz.store import open_store
    from quiz.store.migrate import upgrade

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine, BUILT_AT)  # the JSON log this recipe writes; opening it migrates it
    engine.dispose()
    rng = random.Random(spec.seed)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA journal_mode = WAL")
    days = history_days(spec)
    created = _ts(NOW - timedelta(days=days + 70))  # learner and decks: before the log
    conn.execute("INSERT INTO learners (name, created_at) VALUES (?, ?)", (LEARNER, created))
    (learner_id,) = conn.execute("SELECT id FROM learners WHERE name = ?", (LEARNER,)).fetchone()
    per_deck = spec.cards // spec.decks
    card_id = 0
    cards, tags = [], []
    for d in range(spec.decks):
        slug = f"bench-{d:02d}"
        title = json.dumps({"variants": [["", f"Bench deck {d}"]]})
        conn.execute(
            "INSERT INTO decks (id, slug, title, description, lang, path, file_hash, imported_at)"
            " VALUES (?, ?, ?, NULL, 'en', ?, ?, ?)",
            (d + 1, slug, title, f"/bench/{slug}.yaml", f"{d:064d}", created),
        )
        for i in range(per_deck):
            card_id += 1
            content, digest = _card_content(slug, i)
            key = f"{slug}/card-{i}"
            cards.append((card_id, d + 1, key, key, "basic", content, digest, i, 5 + 4 * i, 0))
            tags.append((card_id, "generated"))
            tags.append((card_id, f"group-{i % 50}"))
    conn.executemany(
        "INSERT INTO cards (id, deck_id, key, note_key, kind, content, content_hash, position, line,"
        " retired) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        cards,
    )
    conn.executemany("INSERT INTO card_tags (card_id, tag) VALUES (?, ?)", tags)
    conn.execute("ANALYZE decks")  # as `quiz import` does after a change (quiz/store/tuning.py)
    conn.execute("ANALYZE cards")
    log(f"  {len(cards):,} cards in {spec.decks} decks")

    seen = rng.sample(range(1, card_id + 1), int(card_id * spec.seen_share))
    per_card = spec.reviews / len(seen)
    start = NOW - timedelta(days=days)
    states, reviews, written = [], [], 0
    review_id = 0
    for n, cid in enumerate(seen):
        left = spec.reviews - written
        cards_left = len(seen) - n
        count = (
            left
            if cards_left == 1
            else max(1, min(left - (cards_left - 1), round(rng.gauss(per_card, 3))))
        )
        t = start + timedelta(minutes=rng.randrange(0, 60 * 24 * START_DAYS))
        stability, difficulty, lapses = 1.0, rng.uniform(3, 8), 0
        before = _state(0, None, None, None, None, 0, 0)  # type: ignore[arg-type]
        prev_id = 0  # the card's previous entry (migration 0006's chain)
        for r in range(count):
            rating = rng.choices((1, 2, 3, 4), (12, 4, 80, 4))[0]
            prev_state = 0 if r == 0 else 2
            if rating == 1 and r:
                lapses += 1
                stability = max(0.5, stability * 0.4)
            else:
                stability = min(3650.0, stability * rng.uniform(1.6, 2.6))
            after_due = t + timedelta(days=max(1.0, stability))
            after = _state(2, stability, difficulty, after_due, t, r + 1, lapses)
            review_id += 1
            reviews.append(
                (
                    review_id,
                    learner_id,
                    cid,
                    "review",
                    rating,
                    prev_state,
                    _ts(t),
                    rng.randrange(2_000, 20_000),
                    None,
                    rating != 1,
                    before,
                    after,
                    prev_id,
                )
            )
            prev_id = review_id
            before = after
            last = t
            gap = min(stability * rng.uniform(0.8, 1.3), MAX_GAP)
            t = t + timedelta(days=gap, minutes=rng.randrange(-120, 120))
            if t > NOW - timedelta(hours=1):
                t = NOW - timedelta(minutes=rng.randrange(60, 60 * 24 * 30))
        written += count
        roll = rng.random()
        if roll < 0.015:  # in (re)learning, due within the day
            state, due = rng.choice((1, 3)), NOW + timedelta(minutes=rng.randrange(-600, 600))
        else:  # review: most due later, ~1.5% due now
            state = 2
            due = (
                NOW - timedelta(hours=rng.randrange(1, 24 * 20))
                if roll < 0.03
                else NOW + timedelta(days=rng.uniform(0.2, 120))
            )
        # the card's last entry left the state the card has, as in a store quiz wrote
        # itself (an answer then starts from what the log says: nothing kept beside it)
        final = _state(state, stability, difficulty, due, last, count, lapses)
        reviews[-1] = (*reviews[-1][:11], final, *reviews[-1][12:])
        suspended = 1 if rng.random() < 0.003 else 0
        states.append(
            (
                learner_id,
                cid,
                state,
                None if state == 2 else 0,
                stability,
                difficulty,
                _ts(due),
                _ts(last),
                count,
                lapses,
                suspended,
                0,
                None,
            )
        )
        if len(reviews) >= 200_000:
            _insert_reviews(conn, reviews)
            reviews = []
    _insert_reviews(conn, reviews)
    conn.executemany(
        "INSERT INTO card_states (learner_id, card_id, state, step, stability, difficulty, due, last_review, reps,"
        " lapses, suspended, leech, buried_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        states,
    )
    conn.commit()
    conn.execute(
        "PRAGMA wal_checkpoint(TRUNCATE)"
    )  # no ANALYZE: quiz never runs it on a real store
    conn.close()
    log(f"  {written:,} reviews of {len(seen):,} cards, {len(states):,} card states")
    with open_store(str(path)) as store, store.unit(LEARNER):
        pass  # migrated from 0011 to the newest schema
    return path


def _insert_reviews(conn: sqlite3.Connection, rows: list[tuple]) -> None:  # type: ignore[type-arg]
    conn.executemany(
        "INSERT INTO reviews (id, learner_id, card_id, kind, rating, prev_state, reviewed_at, duration_ms, answer,"
        " correct, state_before, state_after, prev_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def big_store(spec: StoreSpec = StoreSpec(), log=print) -> Path:  # type: ignore[no-untyped-def]
    """The cached big store for this recipe and schema head, built on first use."""
    path = bench_dir() / store_name(spec)
    if not path.exists():
        log(f"building {path} (once; reused while the recipe and schema stay the same) ...")
        tmp = path.with_suffix(".building")
        build_store(tmp, spec, log)
        tmp.rename(path)
    return path


def fresh_copy(source: Path, target: Path) -> Path:
    """`target` made a copy of the SQLite file `source` (its WAL and shared memory too,
    where it has them, and none of target's old ones), written back to the disk before
    a command runs on it: a writer's checkpoint syncs the file, and would otherwise time
    writing back the whole copy just made (a learner's store was not just written).
    Every benchmark that runs a command on a fresh copy of a store makes it here (Anki's
    collections too)."""
    import os
    import shutil

    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    os.sync()
    return target


def big_deck(n: int = 10_000) -> Path:
    """A deck file of `n` generated cards (tests/deck/make_big_deck.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deck"))
    from make_big_deck import make_deck_text  # type: ignore[import-not-found]

    path = bench_dir() / f"big-deck-{n}.yaml"
    text = make_deck_text(n)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def config_file() -> Path:
    path = bench_dir() / "config.toml"
    path.write_text(CONFIG)
    return path
