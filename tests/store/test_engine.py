"""Store URLs, PostgreSQL's one-line errors, and the retry of lost races."""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from quiz.errors import StoreError
from quiz.store import open_store
from quiz.store.engine import resolve_url
from quiz.store.retry import RetryPolicy, is_transient, run_write


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u:p@h:5433/db", "postgresql+psycopg://u:p@h:5433/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_postgres_urls_mean_psycopg3(given, expected):
    assert resolve_url(given) == expected


def test_quiz_db_env_takes_a_url(monkeypatch):
    monkeypatch.setenv("QUIZ_DB", "postgres://u@h/db")
    assert resolve_url(None) == "postgresql+psycopg://u@h/db"


def test_missing_driver_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # `import psycopg` fails
    with pytest.raises(StoreError, match=r"pip install 'quiz\[postgres\]'"):
        open_store("postgresql://nobody@127.0.0.1:1/quiz")


def test_unreachable_server_is_one_line_without_the_password(cli, env):
    pytest.importorskip("psycopg")
    result = cli("--db", "postgresql://ann:secret@127.0.0.1:1/quiz", "due")
    assert result.exit_code == 3
    [line] = result.stderr.strip().splitlines()
    assert "cannot reach the database server" in line
    assert "secret" not in line and "***" in line


def test_missing_database_says_so(env, pg_server):
    server, why = pg_server
    if server is None:
        pytest.skip(why)
    from sqlalchemy.engine import make_url

    url = make_url(server).set(database="no_such_quiz_db").render_as_string(hide_password=False)
    with pytest.raises(StoreError, match="no such database on the server"):
        open_store(url)


class _Orig(Exception):
    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def _error(message: str, sqlstate: str | None = None, cls=OperationalError):  # type: ignore[no-untyped-def]
    return cls("INSERT ...", {}, _Orig(message, sqlstate))


@pytest.mark.parametrize(
    "exc, transient",
    [
        (_error("could not serialize access due to concurrent update", "40001"), True),
        (_error("deadlock detected", "40P01"), True),
        (_error("database is locked"), True),
        (_error("no such table: reviews"), False),
        (_error("duplicate key value", "23505", IntegrityError), False),
        (ValueError("not a driver error"), False),
    ],
)
def test_which_errors_are_worth_another_try(exc, transient):
    assert is_transient(exc) is transient


def _session() -> Session:
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(text("create table t (x integer primary key)"))
    return Session(engine)


def test_a_lost_race_is_run_again_after_a_jittered_pause():
    session = _session()
    waits: list[float] = []
    policy = RetryPolicy(attempts=5, base_s=0.1, cap_s=0.25, sleep=waits.append, rand=lambda: 0.5)
    calls = []

    def work() -> int:
        calls.append(1)
        session.execute(text("insert into t values (:x)"), {"x": len(calls)})
        if len(calls) < 4:
            raise _error("could not serialize access", "40001")
        return len(calls)

    assert run_write(session, work, policy) == 4
    assert waits == [0.1, 0.125, 0.125]  # rand * min(cap, base * 2**attempt)
    # the failed attempts were rolled back: only the last insert is there
    assert session.execute(text("select x from t")).scalars().all() == [4]


def test_retries_are_bounded_and_other_errors_are_not_retried():
    session = _session()
    policy = RetryPolicy(attempts=3, sleep=lambda s: None)
    calls = []

    def always_locked() -> None:
        calls.append(1)
        raise _error("database is locked")

    with pytest.raises(OperationalError):
        run_write(session, always_locked, policy)
    assert len(calls) == 3

    def broken() -> None:
        calls.append(1)
        raise _error("no such table: reviews")

    calls.clear()
    with pytest.raises(OperationalError):
        run_write(session, broken, policy)
    assert len(calls) == 1

    def clash() -> None:
        calls.append(1)
        raise _error("UNIQUE constraint failed", None, IntegrityError)

    calls.clear()
    with pytest.raises(IntegrityError):
        run_write(session, clash, policy, retry_integrity=True)
    assert len(calls) == 3
