"""A throwaway PostgreSQL server for the tests, and a database per test.

The suite runs its store-level and end-to-end tests against SQLite and PostgreSQL.
PostgreSQL comes from `QUIZ_TEST_PG_URL` (CI exports it), or, when that is unset and
the server binaries are installed (Debian's `postgresql`), from a server this module
starts in a temporary directory on a free port of 127.0.0.1 for the test session and
stops at its end. Without either, the PostgreSQL params skip and say why.

`initdb` refuses to run as root, so as root the server runs as the `postgres` system
user (or `nobody`). Only the standard library is used here, so that `.ci/run` can
call `python3 tests/pg.py start DIR` before any virtual environment exists.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ENV_URL = "QUIZ_TEST_PG_URL"
DATABASE = "quiz_test"


def find_bindir() -> Path | None:
    """The folder holding initdb/pg_ctl/postgres, newest version first."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key, reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version_key(path: str) -> int:
    try:
        return int(Path(path).parts[-3])
    except ValueError:
        return 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user() -> str | None:
    """Who runs the server: None for the current user, else an unprivileged account."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError(
        "running as root and no unprivileged user (postgres, nobody) to run PostgreSQL as"
    )


class PgServer:
    """One PostgreSQL cluster in `root` (data, socket and log), listening on 127.0.0.1:port."""

    def __init__(self, root: Path, bindir: Path | None = None, durable: bool = False) -> None:
        self.root = Path(root)
        self.durable = durable  # fsync on, as a real server; off (faster) for tests
        self.bindir = bindir or find_bindir()
        if self.bindir is None:
            raise RuntimeError("no PostgreSQL server binaries (install Debian's `postgresql`)")
        self.user = _server_user()
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port_file = self.root / "port"

    @property
    def port(self) -> int:
        return int(self.port_file.read_text())

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql+psycopg://{self._role()}@127.0.0.1:{self.port}/{database}"

    def _role(self) -> str:
        return self.user or pwd.getpwuid(os.geteuid()).pw_name

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.user is not None:
            cmd = (
                ["runuser", "-u", self.user, "--", *cmd]
                if shutil.which("runuser")
                else ["su", "-s", "/bin/sh", self.user, "-c", " ".join(_quote(c) for c in cmd)]
            )
        return subprocess.run(
            cmd, capture_output=True, text=True, check=check, timeout=120, cwd="/"
        )

    def start(self) -> str:
        """initdb, start on a free port, create the test database; returns its URL."""
        self.root.mkdir(parents=True, exist_ok=True)
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        os.chmod(self.root, 0o700)
        self._run(
            "initdb", "-D", str(self.data), "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"
        )
        last = ""
        for _ in range(5):
            port = _free_port()
            opts = (
                f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={self.root} "
                "-c max_connections=200"
            )
            if not self.durable:
                opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            done = self._run(
                "pg_ctl",
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                opts,
                "-w",
                "-t",
                "60",
                "start",
                check=False,
            )
            if done.returncode == 0:
                self.port_file.write_text(str(port))
                if self.user is not None:
                    os.chown(self.port_file, pwd.getpwnam(self.user).pw_uid, -1)
                self._run("createdb", "-h", "127.0.0.1", "-p", str(port), DATABASE)
                return self.url()
            last = done.stderr + (self.log.read_text() if self.log.exists() else "")
        raise RuntimeError(f"PostgreSQL did not start: {last.strip()[-500:]}")

    def stop(self) -> None:
        if self.data.exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


# ---- a database per test ---------------------------------------------------------------


def _admin(url: str):  # type: ignore[no-untyped-def]
    """A libpq autocommit connection to the server of `url` (for CREATE/DROP DATABASE)."""
    import psycopg

    return psycopg.connect(_libpq(url), autocommit=True, connect_timeout=10)


def _libpq(url: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    parts = {
        "host": u.host or "127.0.0.1",
        "port": u.port or 5432,
        "dbname": u.database or "postgres",
        "user": u.username,
        "password": u.password,
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v is not None)


def create_database(server_url: str, prefix: str = "quiz_t") -> str:
    """A new empty database on the server of `server_url`; returns its SQLAlchemy URL."""
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with _admin(server_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, url: str) -> None:
    """Drop the database of `url` (made by `create_database` on the server of `server_url`)."""
    from sqlalchemy.engine import make_url

    with _admin(server_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


# ---- pytest: a session-wide server --------------------------------------------------------


def session_server_url(durable: bool = False) -> tuple[str | None, str, PgServer | None]:
    """(URL or None, why not, the server we started or None)."""
    url = os.environ.get(ENV_URL)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None, "psycopg is not installed (pip install 'quiz[postgres]')", None
    if url:
        return url, "", None
    if find_bindir() is None:
        return None, f"{ENV_URL} is unset and no PostgreSQL server binaries are installed", None
    server = PgServer(
        Path(tempfile.mkdtemp(prefix="quiz-pg-")), durable=durable
    )  # not under pytest's 0700 root-only tmp
    try:
        return server.start(), "", server
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        server.stop()
        return None, f"could not start a throwaway PostgreSQL: {exc}", None


def _main(argv: list[str]) -> int:
    """`python3 tests/pg.py start DIR` prints the URL; `python3 tests/pg.py stop DIR`."""
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: tests/pg.py start|stop DIR", file=sys.stderr)
        return 2
    server = PgServer(Path(argv[1]))
    if argv[0] == "stop":
        server.stop()
        return 0
    try:
        print(server.start())
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        print(f"tests/pg.py: {exc} {detail}".strip(), file=sys.stderr)
        server.stop()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
