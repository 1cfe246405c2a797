"""Shared fixtures: an isolated store and config per test, and a CLI runner."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty store and a config (UTC, day starts 04:00) private to this test."""
    config = tmp_path / "config.toml"
    config.write_text('timezone = "UTC"\nfuzz = false\n')
    monkeypatch.setenv("QUIZ_DB", str(tmp_path / "store.db"))
    monkeypatch.setenv("QUIZ_CONFIG", str(config))
    monkeypatch.setenv("QUIZ_LEARNER", "tester")
    monkeypatch.setenv("QUIZ_BUNDLED", "0")
    monkeypatch.delenv("QUIZ_NOW", raising=False)
    return tmp_path


@pytest.fixture
def cli(env: Path):
    """Invoke the CLI in process: cli("decks", "--json", input=..., now=...)."""
    from quiz.cli import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, now: str | None = None):  # noqa: A002
        extra = {"QUIZ_NOW": now} if now else {}
        return runner.invoke(app, list(args), input=input, env=extra, catch_exceptions=False)

    return invoke


def write_deck(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return path


BASIC_DECK = """
deck: demo
title: Demo deck
lang: en
tags: [demo]
cards:
  - id: one
    front: First question?
    back: First answer.
    explain: Because one comes first.
  - id: two
    front: Second question?
    back: Second answer.
  - id: three
    type: typed
    front: "sys.getswitchinterval() in seconds?"
    answer: ["0.005", "5ms"]
  - id: four
    type: choice
    front: Which runs CPU-bound Python code on several cores at once?
    choices: [threads, asyncio tasks, processes]
    correct: 2
"""


# ---- the store on each back end (SQLite and PostgreSQL) --------------------------------


@pytest.fixture(scope="session")
def pg_server():
    """(server URL or None, why not): `QUIZ_TEST_PG_URL`, or a throwaway server started
    here for the session when PostgreSQL's binaries are installed (see tests/pg.py)."""
    from tests.pg import session_server_url

    url, why, server = session_server_url()
    try:
        yield url, why
    finally:
        if server is not None:
            server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, env: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """This test's store, once on SQLite and once on PostgreSQL (a fresh database each
    time); `QUIZ_DB` points at it, so the `cli` fixture and subprocesses use it too."""
    if request.param == "sqlite":
        url = f"sqlite:///{env / 'store.db'}"
    else:
        server_url, why = request.getfixturevalue("pg_server")
        if server_url is None:
            pytest.skip(f"PostgreSQL store tests need a server: {why}")
        from tests.pg import create_database, drop_database

        url = create_database(server_url)
        request.addfinalizer(lambda: drop_database(server_url, url))
    monkeypatch.setenv("QUIZ_DB", url)
    return url
