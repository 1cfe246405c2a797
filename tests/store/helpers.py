"""Reading a store in tests, the same way on SQLite and PostgreSQL (through the models)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, func, select

from quiz.store.models import Base, CardRow, CardStateRow, Learner, ReviewRow
from tests.conftest import write_deck

BASIC = """
deck: {name}
title: {title}
lang: en
tags: [{name}]
cards:
{cards}
"""


def basic_deck(
    folder: Path, n: int, name: str = "basics", title: str = "Basics", tags: str = ""
) -> Path:
    cards = "".join(
        f"  - id: c{i}\n    front: Q{i}?\n    back: A{i}.\n{tags}" for i in range(1, n + 1)
    )
    return write_deck(folder, f"{name}.yaml", BASIC.format(name=name, title=title, cards=cards))


def day(n: int, hour: int = 9) -> str:
    return (datetime(2026, 3, 1, hour, tzinfo=timezone.utc) + timedelta(days=n - 1)).isoformat()


def answer_log(url: str) -> list[tuple[str, str, int]]:
    """(learner, card key, rating) of every answer, in the order they were written."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            q = (
                select(Learner.name, CardRow.key, ReviewRow.rating)
                .join(Learner, Learner.id == ReviewRow.learner_id)
                .join(CardRow, CardRow.id == ReviewRow.card_id)
                .order_by(ReviewRow.id)
            )
            return [tuple(r) for r in conn.execute(q)]  # type: ignore[misc]
    finally:
        engine.dispose()


def reps_of(url: str, learner: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            q = (
                select(CardRow.key, CardStateRow.reps)
                .join(CardStateRow, CardStateRow.card_id == CardRow.id)
                .join(Learner, Learner.id == CardStateRow.learner_id)
                .where(Learner.name == learner)
            )
            return dict(conn.execute(q).all())  # type: ignore[arg-type]
    finally:
        engine.dispose()


def table_rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, typed through the models (for comparing two stores)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for table in Base.metadata.sorted_tables:
                pk = list(table.primary_key.columns)
                out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*pk))]
            return out
    finally:
        engine.dispose()


def upgrade_to(url: str, revision: str) -> None:
    """Migrate the store at `url` up to `revision` (a migration test's starting point)."""
    from quiz.store.migrate import upgrade

    engine = create_engine(url)
    try:
        upgrade(engine, revision)
    finally:
        engine.dispose()


def count(url: str, model: type) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(model)).scalar_one()
    finally:
        engine.dispose()


def spawn(
    env: Path, url: str, *args: str, now: str, learner: str = "tester", unbuffered: bool = False
) -> subprocess.Popen[str]:
    """`python -m quiz ARGS` on the store at `url`, as `learner`, at `now`; stdin piped."""
    envvars = dict(
        os.environ,
        QUIZ_NOW=now,
        QUIZ_DB=url,
        QUIZ_CONFIG=str(env / "config.toml"),
        QUIZ_LEARNER=learner,
        QUIZ_BUNDLED="0",
    )
    if unbuffered:  # so the test can watch the first card appear
        envvars["PYTHONUNBUFFERED"] = "1"
    return subprocess.Popen(
        [sys.executable, "-m", "quiz", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=envvars,
    )


def reviewed_at_sql(column: str = "reviewed_at") -> str:
    """SQLite SQL giving a review's time as the text it was before migration 0012
    ('YYYY-MM-DD HH:MM:SS.ffffff'; the column now holds microseconds since 1970)."""
    return (
        f"(strftime('%Y-%m-%d %H:%M:%S', {column} / 1000000, 'unixepoch')"
        f" || printf('.%06d', {column} % 1000000))"
    )


def kind_sql(column: str = "kind") -> str:
    """SQLite SQL giving a log entry's kind as its name (0012 stores 0, 1, 2)."""
    return f"(CASE {column} WHEN 0 THEN 'review' WHEN 1 THEN 'drill' ELSE 'manual' END)"


def micros(value: datetime) -> int:
    """A UTC time as migration 0012 stores it on SQLite: microseconds since 1970."""
    return (value - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1)


def schema_back_to(conn, revision: str) -> None:  # type: ignore[no-untyped-def]
    """The store's schema taken back to `revision` by the migrations' own downgrades (a
    store as an older quiz left it, with the newer rows it cannot have)."""
    from alembic import command
    from alembic.config import Config

    from quiz.store.migrate import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    command.downgrade(cfg, revision)


@contextlib.contextmanager
def write_locked(db: Path) -> Iterator[None]:
    """Another program holding the SQLite store's write lock while the block runs."""
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()
