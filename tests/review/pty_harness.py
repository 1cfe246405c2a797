"""A learner at a real terminal: `python -m quiz ...` in a pseudo-terminal, keys typed
with small gaps, the screen read back as plain text.

Piped sessions cannot catch a key eaten by a pause, a flushed type-ahead or a notice
wiped by a screen clear; a pty can. `display()` replays the output through a VT100
screen (pyte, a test dependency), for what is redrawn in place: a countdown, the line
editor's input.
"""

from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\r")
WAIT = 60.0  # generous: the machine is shared; a wait ends as soon as the text shows


class Terminal:
    """One program in a pty, its output collected in the background."""

    def __init__(
        self, *args: str, env: dict[str, str], cwd: Path, cols: int = 100, rows: int = 40
    ) -> None:
        master, slave = os.openpty()
        self.cols, self.rows = cols, rows
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        full = {**os.environ, **env, "TERM": "xterm-256color", "COLUMNS": str(cols)}
        full.pop("NO_COLOR", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "quiz", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full,
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self._raw = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self._raw.extend(chunk)

    @property
    def screen(self) -> str:
        """Everything shown so far, escape codes removed."""
        with self._lock:
            text = self._raw.decode("utf-8", "replace")
        return ANSI.sub("", text)

    @property
    def visible(self) -> str:
        """What a screen clear has not wiped: the output after the last clear."""
        with self._lock:
            text = self._raw.decode("utf-8", "replace")
        last = max(text.rfind(code) for code in ("\x1b[2J", "\x1b[3J", "\x1bc"))
        return ANSI.sub("", text[last:] if last >= 0 else text)

    @property
    def raw(self) -> bytes:
        """Every byte written so far, escape codes included."""
        with self._lock:
            return bytes(self._raw)

    def display(self) -> list[str]:
        """The screen as a terminal shows it now (what was redrawn in place shows once)."""
        import pyte

        screen = pyte.Screen(self.cols, self.rows)
        pyte.ByteStream(screen).feed(self.raw)
        return [line.rstrip() for line in screen.display]

    def expect_display(self, text: str) -> list[str]:
        """Wait until `text` is on the screen as displayed now; the screen's lines."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            lines = self.display()
            if any(text in line for line in lines):
                return lines
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        shown = "\n".join(self.display())
        raise AssertionError(f"{text!r} not on screen; the screen:\n{shown}")

    def expect(self, text: str, *, count: int = 1) -> str:
        """Wait until `text` has been shown `count` times; the screen, or AssertionError."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            screen = self.screen
            if screen.count(text) >= count:
                return screen
            if self.proc.poll() is not None:
                time.sleep(0.2)
                if self.screen.count(text) >= count:
                    return self.screen
                break
            time.sleep(0.05)
        raise AssertionError(f"never saw {text!r} (x{count}); the screen:\n{self.screen}")

    def type(self, keys: str, gap: float = 0.05) -> None:
        """Type `keys` one at a time, `gap` seconds apart (0: all at once, typed ahead)."""
        if gap == 0:
            os.write(self.master, keys.encode())
            return
        for key in keys:
            os.write(self.master, key.encode())
            time.sleep(gap)

    def wait(self) -> int:
        """The exit code, once the program ends (it is killed if it never does)."""
        try:
            return self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"still running; the screen:\n{self.screen}") from None
        finally:
            self._reader.join(timeout=5)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        try:
            os.close(self.master)
        except OSError:
            pass
