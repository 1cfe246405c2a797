"""Where the store is, and whether quiz may open it: the rules every way in obeys.

`--db` / `QUIZ_DB` name a file or a SQLAlchemy URL, and a typo there must never cost
data: quiz refuses a blank name, an in-memory database (a whole review would vanish
at exit), a path into a folder that does not exist (only the default data dir is
created), and any non-empty database that is not a quiz store (another program's
SQLite file gets no tables added and no half schema). Quiz stores carry a mark:
SQLite's `application_id` header field, set by migration 0010 (older quiz stores are
recognised by their migration history and marked when they are upgraded).

Who is using the store is decided here too (`--learner` / `QUIZ_LEARNER`; the default
is the OS user name).

Standard library only: `quiz due`'s lean path (quiz.cli.lean, quiz.store.lean) calls
`locate` too, before SQLAlchemy is imported, so the two paths never disagree about which
store or learner a command means.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

# "quiz" in ASCII: SQLite's application_id of a quiz store (`PRAGMA application_id`)
APPLICATION_ID = 0x7175697A

# tables every quiz store has had since migration 0001
QUIZ_TABLES = frozenset({"alembic_version", "decks", "cards", "card_states", "reviews"})

MIGRATIONS = Path(__file__).with_name("migrations") / "versions"


class LocationError(Exception):
    """The store named cannot or must not be opened (one line, for quiz.errors.StoreError)."""


class Location:
    """A resolved store: its SQLAlchemy URL and, for a SQLite file, the file.

    `read_only` is set when the file exists but cannot be written (file mode, a
    read-only folder or mount): commands that only read open it read-only."""

    __slots__ = ("path", "read_only", "url")

    def __init__(self, url: str, path: Path | None, read_only: bool = False) -> None:
        self.url = url
        self.path = path
        self.read_only = read_only

    def __repr__(self) -> str:
        return f"Location(url={self.url!r}, path={self.path!r}, read_only={self.read_only})"


def default_store_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("quiz", appauthor=False)) / "quiz.db"


BLANK = "the store name (--db or QUIZ_DB) is blank; give a store file or URL"


def store_name(db: str | None) -> str | None:
    """`--db` if given, else `QUIZ_DB`; None for the default store. A blank name is an
    error (a file named by spaces is never what was meant); an empty `QUIZ_DB` counts
    as unset, as shells use it."""
    if db is not None:
        if not db.strip():
            raise LocationError(BLANK)
        return db
    env = os.environ.get("QUIZ_DB")
    if env is None or env == "":
        return None
    if not env.strip():
        raise LocationError(BLANK)
    return env


def _pg_driver(url: str) -> str:
    """`postgres://` and `postgresql://` mean psycopg 3 (SQLAlchemy's default is psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _in_memory(url: str) -> bool:
    rest = url.split("://", 1)[1]
    database, _, query = rest.partition("?")
    database = database[1:] if database.startswith("/") else database
    return (
        database in ("", ":memory:")
        or database.startswith("file::memory:")
        or "mode=memory" in query
        or "mode=memory" in database
    )


def resolve(db: str | None) -> Location:
    """The store named by `--db`/`QUIZ_DB` (or the default), from its name alone: the
    URL, and the file for SQLite. Refuses blank names and in-memory databases."""
    name = store_name(db)
    if name is not None and "://" in name:
        if not name.startswith("sqlite"):
            return Location(_pg_driver(name), None)
        if _in_memory(name):
            raise LocationError(
                f"{name}: an in-memory store keeps nothing after the command; "
                "give a store file instead"
            )
        if not name.startswith("sqlite:///"):
            raise LocationError(f"{name}: not a store URL quiz understands")
        path = Path(name[len("sqlite:///") :].partition("?")[0])
    else:
        given = default_store_path() if name is None else Path(name).expanduser()
        try:
            path = given.resolve()
        except (RuntimeError, OSError) as exc:  # a symlink loop (RuntimeError before 3.13)
            raise LocationError(f"{given}: cannot be resolved ({exc})") from None
    return Location(f"sqlite:///{path}", path)


def locate(db: str | None, *, create: bool = True) -> Location:
    """The store named by `--db`/`QUIZ_DB` (or the default), checked against every rule
    above; raises LocationError with the line to show. Reads at most the file's header
    and schema; never writes, except the default data folder when `create` is set."""
    found = resolve(db)
    if found.path is None:
        return found
    default = store_name(db) is None
    return _sqlite_location(found.url, found.path, create=create, default=default)


def _sqlite_location(url: str, path: Path, *, create: bool, default: bool) -> Location:
    if path.is_dir():
        raise LocationError(f"{path}: is a directory, not a quiz store")
    if not path.exists():
        if not create:
            raise LocationError(f"{path}: no such store")
        if not path.parent.is_dir():
            if not default:
                raise LocationError(
                    f"{path.parent}: no such folder; create it first or fix the store path"
                )
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LocationError(
                    f"{path.parent}: cannot create the store's folder: {exc.strerror}"
                ) from None
        return Location(url, path)
    check_sqlite_file(path)
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    return Location(url, path, read_only=not writable)


def check_sqlite_file(path: Path) -> None:
    """Refuse an existing file that is not a quiz store (and not empty)."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise LocationError(f"{path}: cannot read the store: {exc.strerror}") from None
    if not header:
        return  # an empty file: a store not made yet (or a creation that was rolled back)
    if not header.startswith(b"SQLite format 3\x00"):
        raise LocationError(f"{path}: not a quiz store (not a SQLite database); quiz left it alone")
    if len(header) >= 72 and int.from_bytes(header[68:72], "big") == APPLICATION_ID:
        return
    # read-write when allowed (no create): a store killed in the middle of a write has
    # a WAL whose index a read-only connection may not rebuild; reading the schema
    # changes nothing in the database either way
    mode = "rw" if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK) else "ro"
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode={mode}", uri=True, timeout=10)
    except sqlite3.Error as exc:
        raise LocationError(f"{path}: cannot open the store: {exc}") from None
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    except sqlite3.Error as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return  # another quiz is creating it right now; the migration lock sorts it out
        raise LocationError(f"{path}: not a quiz store, or it is damaged ({exc})") from None
    finally:
        conn.close()
    if not tables or (tables == {"alembic_version"} and revision is None):
        return  # nothing in it yet
    if tables >= QUIZ_TABLES and revision in known_revisions():
        return  # a quiz store from before the mark: its upgrade marks it
    raise LocationError(
        f"{path}: not a quiz store (a database of another program?); quiz left it alone"
    )


def known_revisions() -> set[str]:
    return {p.name.split("_", 1)[0] for p in MIGRATIONS.glob("[0-9]*_*.py")}


def resolve_url(db: str | None) -> str:
    """The SQLAlchemy URL of the store named by `--db`/`QUIZ_DB` (or the default)."""
    return resolve(db).url


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
