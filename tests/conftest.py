"""Shared fixtures: an isolated store and config per test, and a CLI runner."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.fixture(autouse=True)
def _never_the_real_store(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
):
    """No test reads or writes the store, config or decks of the machine's user: a test
    that names none gets throwaway ones (a test that forgot the `env` fixture once
    migrated the developer's own store)."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("QUIZ_DB", str(home / "quiz.db"))
    monkeypatch.setenv("QUIZ_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))


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

    def invoke(*args: str, input: str | None = None, now: str | None = None):
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


_PG: dict[str, object] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Start the throwaway PostgreSQL once, in the main process, before any test runs.

    Not in a worker or a fixture: a test that uses the sandbox makes its process a
    child subreaper, and a server daemon started from that process afterwards would be
    adopted by it and killed as a snippet's orphan by the sandbox's reaper. Started
    here, the daemon's parent is init. xdist workers inherit the URL."""
    import os

    if hasattr(config, "workerinput") or os.environ.get("QUIZ_TEST_PG_URL"):
        return
    from tests.pg import session_server_url

    url, why, server = session_server_url()
    _PG.update(why=why, server=server)
    if url:
        os.environ["QUIZ_TEST_PG_URL"] = url


def pytest_unconfigure(config: pytest.Config) -> None:
    import os

    server = _PG.pop("server", None)
    if server is not None:
        server.stop()  # type: ignore[attr-defined]
        os.environ.pop("QUIZ_TEST_PG_URL", None)


@pytest.fixture(scope="session")
def pg_server():
    """(server URL or None, why not): `QUIZ_TEST_PG_URL` — CI's server, or the throwaway
    one pytest_configure started (see tests/pg.py)."""
    import os

    url = os.environ.get("QUIZ_TEST_PG_URL")
    if url:
        yield url, ""
        return
    from tests.pg import session_server_url

    url, why, server = session_server_url()  # psycopg missing, or no server binaries
    try:
        yield url, str(_PG.get("why") or why)
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
