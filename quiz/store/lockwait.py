"""Saying so when a SQLite store is locked by another program and quiz is waiting.

SQLite waits for a locked store in silence (the busy timeout, then quiz's retries),
which looked like a hang: a review sat for 40 s without a word (issue 14). A watcher
thread notices a statement that is still running after a short delay and asks the
kernel who holds the store's write lock (`/proc/locks`: SQLite's WAL write lock is a
POSIX lock on byte 120 of the `-shm` file); if another process holds it, one line on
stderr says that quiz is waiting, for which store and for whom. A statement that is
merely slow holds no one else's lock and gets no notice. Where `/proc/locks` does not
exist (macOS), the notice is worded as a guess.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("quiz.store.lockwait")

NOTICE_DELAY_S = 1.0
WAL_WRITE_LOCK_BYTE = 120  # SQLite's WALINDEX_LOCK_OFFSET: the writer's lock in the -shm file


def lock_holders(path: Path, locks: str | None = None) -> list[str] | None:
    """Other processes holding a write lock on the store (`pid command` each), or None
    when the system cannot tell (no /proc/locks)."""
    if locks is None:
        try:
            locks = Path("/proc/locks").read_text()
        except OSError:
            return None
    inodes = {}
    for name, low, high in (
        (Path(f"{path}-shm"), WAL_WRITE_LOCK_BYTE, WAL_WRITE_LOCK_BYTE),
        (path, 0, 2**63),  # a rollback-journal store: any write lock on the file
    ):
        try:
            inodes[os.stat(name).st_ino] = (low, high)
        except OSError:
            continue
    holders: list[str] = []
    for line in locks.splitlines():
        parts = line.split()
        if "->" in parts:  # a waiter, not a holder
            continue
        try:
            kind, mode, pid = parts[1], parts[3], int(parts[4])
            inode = int(parts[5].rsplit(":", 1)[1])
            start = int(parts[6])
            end = 2**63 if parts[7] == "EOF" else int(parts[7])
        except (IndexError, ValueError):
            continue
        if kind not in ("POSIX", "OFDLCK") or mode != "WRITE" or pid == os.getpid():
            continue
        span = inodes.get(inode)
        if span is None or end < span[0] or start > span[1]:
            continue
        holders.append(f"pid {pid}{_command(pid)}")
    return sorted(set(holders))


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    words = [w.decode(errors="replace") for w in raw.split(b"\0") if w]
    if len(words) >= 3 and words[1] == "-m":
        words = words[2:]  # python -m quiz review -> quiz review
    text = " ".join(Path(words[0]).name if i == 0 else w for i, w in enumerate(words[:4]))
    text = "".join(c if c.isprintable() else " " for c in text.splitlines()[0] if text)
    return f": {text[:60]}" if text else ""


class LockWatch:
    """Watches one store's statements; says once, on stderr, that it waits for a lock."""

    def __init__(
        self,
        path: Path,
        *,
        delay_s: float = NOTICE_DELAY_S,
        say: Callable[[str], None] | None = None,
        holders: Callable[[Path], list[str] | None] = lock_holders,
    ) -> None:
        self.path = path
        self.delay_s = delay_s
        self.say = say or _to_stderr
        self.holders = holders
        self.cond = threading.Condition()
        self.running: int | None = None  # the number of the statement running now
        self.count = 0
        self.idle = False  # the watcher waits for a statement to start
        self.told = False
        self.closed = False
        self.thread: threading.Thread | None = None

    def attach(self, engine: Any) -> None:
        from sqlalchemy import event

        event.listen(engine, "before_cursor_execute", self._start)
        event.listen(engine, "after_cursor_execute", self._stop)
        event.listen(engine, "handle_error", self._stop)
        event.listen(engine, "engine_disposed", self.close)

    def close(self, *_args: Any) -> None:
        """The store is closed: the watcher's thread ends (a process that opens many
        stores, as a library user's or a test run does, keeps none of them)."""
        with self.cond:
            self.closed = True
            self.cond.notify()

    # A statement's start and end only set `running`: waking the watcher thread for
    # each of them cost more than an answer's statements themselves. The watcher is woken
    # only from idle, by the first statement after it; while busy it looks once a delay.

    def _start(self, *_args: Any) -> None:
        if self.told:
            return
        self.count += 1
        self.running = self.count  # before reading `idle`: see _watch
        if self.thread is None:
            with self.cond:
                self.thread = threading.Thread(
                    target=self._watch, name="quiz-lockwatch", daemon=True
                )
                self.thread.start()
        elif self.idle:
            with self.cond:
                self.cond.notify()

    def _stop(self, *_args: Any) -> None:
        self.running = None

    # the same, for a driver without SQLAlchemy's events (quiz.store.lean_write)
    started = _start
    stopped = _stop

    def _watch(self) -> None:
        while not self.told:
            with self.cond:
                # `idle` is set before `running` is read, and `_start` sets `running`
                # before it reads `idle`: a statement starting now is seen here or wakes us
                self.idle = True
                while self.running is None and not self.closed:
                    self.cond.wait()
                if self.closed:
                    return
                self.idle = False
                statement = self.running
            time.sleep(self.delay_s)
            if self.running != statement:
                continue
            holders = self.holders(self.path)
            if holders == []:
                continue  # a slow statement, not a lock: look again after the delay
            self.told = True
            who = ", ".join(holders) if holders else "another program (another quiz?)"
            self.say(f"quiz: waiting for {self.path}: the store is locked by {who}")
            log.info("store %s locked by %s", self.path, who)


def _to_stderr(line: str) -> None:
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed: the notice is a courtesy
        pass
