"""The real review log in data/bench/ (MIT, from py-fsrs's test data), for tests and benchmarks.

`read_log` gives it as `LoggedReview`s; `load_into_store` puts it into a store for a
test learner (a generated deck of its 1,205 cards, the log appended, the states rebuilt
from the log), so `quiz optimize` can be run on it end to end.
"""

from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path

from quiz.model import Rating
from quiz.replay_log import LoggedReview
from tests.store.helpers import micros

CSV = Path(__file__).resolve().parents[2] / "data" / "bench" / "review-log-real.csv"
DECK = "real-log"


def read_log(path: Path = CSV, limit: int | None = None) -> list[LoggedReview]:
    """The log's reviews (all, or the first `limit` in time order), cards named by id."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [
            LoggedReview(
                card=row["card_id"],
                rating=Rating(int(row["review_rating"])),
                at=datetime.fromisoformat(row["review_time"]).astimezone(timezone.utc),
            )
            for row in csv.DictReader(handle)
        ]
    rows.sort(key=lambda r: r.at)
    return rows[:limit] if limit is not None else rows


def deck_yaml(cards: list[str]) -> str:
    lines = [f"deck: {DECK}", "title: Cards of the real review log", "lang: en", "cards:"]
    for card in cards:
        lines += [f"  - id: c{card}", f"    front: Card {card}?", f"    back: Answer {card}."]
    return "\n".join(lines) + "\n"


def load_into_store(
    cli, env: Path, learner: str = "tester", limit: int | None = None
) -> list[LoggedReview]:  # type: ignore[no-untyped-def]
    """Fill the test store (the `env` fixture's) with the real log for `learner`.

    The cards come in as a deck through `quiz import`; the log is appended with bulk
    inserts (a session commits every answer, far too slow for 12,580); `quiz rebuild`
    then derives every card's state from the log, as it would after any import of history.
    """
    import sqlite3

    log = read_log(limit=limit)
    cards = sorted({e.card for e in log})
    deck = env / "real-log.yaml"
    deck.write_text(deck_yaml(cards), encoding="utf-8")
    result = cli("--learner", learner, "import", str(deck))
    assert result.exit_code == 0, result.output
    with sqlite3.connect(env / "store.db") as conn:
        (learner_id,) = conn.execute(
            "SELECT id FROM learners WHERE name = ?", (learner,)
        ).fetchone()
        ids = dict(conn.execute("SELECT key, id FROM cards"))
        seen: set[int] = set()
        rows = []
        for e in log:
            # a card's first answer is from the New state (one per card: migration 0006);
            # the state before later ones is not in the log file: Review stands for it
            prev_state = 0 if e.card not in seen else 2
            seen.add(e.card)
            rows.append(
                (
                    learner_id,
                    ids[f"{DECK}/c{e.card}"],
                    int(e.rating),
                    prev_state,
                    micros(e.at),  # the store's time: microseconds since 1970 (0012)
                    e.rating != Rating.AGAIN,
                )
            )
        conn.executemany(
            "INSERT INTO reviews (learner_id, card_id, kind, rating, prev_state, reviewed_at, duration_ms, correct)"
            " VALUES (?, ?, 0, ?, ?, ?, 0, ?)",  # kind 0: a review (0012)
            rows,
        )
    result = cli("--learner", learner, "rebuild")
    assert result.exit_code == 0, result.output
    return log
