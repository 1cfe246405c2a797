"""Where the store lives and who is using it: `--db` / `QUIZ_DB` (a file path or a
SQLAlchemy URL; the default is a file in the platform's user data dir) and the learner
(`--learner` / `QUIZ_LEARNER`; the default is the OS user name).

Both the lean path of `quiz due` and the full store read these rules from here, so the
two can never disagree about which store or learner a command means. Standard library
only (platformdirs is imported when the default location is needed).
"""

from __future__ import annotations

import os
from pathlib import Path


def default_store_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("quiz", appauthor=False)) / "quiz.db"


def resolve_url(db: str | None) -> str:
    """A SQLAlchemy URL from `--db`/`QUIZ_DB` (path or URL) or the default location."""
    db = db or os.environ.get("QUIZ_DB") or None
    if db and "://" in db:
        return _with_pg_driver(db)
    path = Path(db).expanduser() if db else default_store_path()
    return f"sqlite:///{path.resolve()}"


def _with_pg_driver(url: str) -> str:
    """`postgres://` and `postgresql://` mean psycopg 3 (SQLAlchemy's default is psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///") :])
    return None


def default_learner() -> str:
    """The OS user name, else "learner" (some containers have no user name)."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return "learner"


def learner_name(given: str | None) -> str:
    """The learner a command acts for: `--learner`, else `QUIZ_LEARNER`, else the OS user."""
    return given or os.environ.get("QUIZ_LEARNER") or default_learner()
