"""Line editing for answers typed at a terminal: prompt_toolkit (the library IPython and
pgcli use), loaded only when a terminal session first needs it.

What it adds over a plain `input()`: arrow keys and the usual Emacs keys, a history of
earlier answers (↑/↓; kept per kind of card in the learner's data dir), bracketed paste
(a pasted block lands as text, its line ends included, nothing in it runs a key), and
for output predictions a multi-line editor. The multi-line convention matches the piped
format: Enter on an empty last line finishes the prediction (a line `.` still stands
for a blank line); Enter anywhere else starts a new line, and ↑/↓ move between lines.

Three constraints shape this module:
- Importing prompt_toolkit costs a noticeable fraction of the first card's budget, so
  nothing here imports it at module level: `preload()` starts the import on a
  background thread once the first card is on screen, and `open_editor()` waits for it
  (or imports it) when a typed or output card first asks for a line.
- prompt_toolkit reads the terminal in chunks, so keys typed ahead of the next
  question (a rating after the Enter that ends an answer) are read by it and not by
  the single-key reader the prompter uses elsewhere. `LineEditor.read` takes the keys
  the prompter holds and hands back what prompt_toolkit read past the end of the
  answer, so one queue of keys runs through both readers and none is dropped.
- No cursor-position request is sent (CPR): a terminal that never answers would
  otherwise get a warning and a pause, and its answer would arrive as typed keys.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("quiz.line_editor")

PLAIN_ENV = "QUIZ_PLAIN_INPUT"  # "1": keep the plain line reader even in a terminal

_loader: threading.Thread | None = None
_failed: list[BaseException] = []
_echo: list[Any] = []  # the terminal's modes before `hush_echo`, to put back at exit


def wanted() -> bool:
    """Whether answers are read with the line editor: stdin and stdout are a terminal
    that can move its cursor, and QUIZ_PLAIN_INPUT does not ask for the plain reader."""
    if os.environ.get(PLAIN_ENV, "").strip().lower() in ("1", "true", "yes", "on"):
        return False
    if os.environ.get("TERM", "") in ("dumb", "unknown"):  # Emacs' shell, some IDE consoles
        return False
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def hush_echo() -> None:
    """Turn the terminal's own echo off for the rest of the session (put back at exit).

    Between two reads the terminal is in its normal mode, and keys typed ahead then
    would be echoed by the terminal wherever the cursor is, and again by the editor
    once it starts (and an early Enter would move the editor down a line). The
    editor shows what is typed; nothing else should."""
    if _echo:
        return
    import atexit

    try:
        import termios

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
        quiet = termios.tcgetattr(fd)
        quiet[3] &= ~termios.ECHO
        termios.tcsetattr(fd, termios.TCSANOW, quiet)
    except Exception:  # no termios (Windows), or stdin is no terminal after all
        return
    _echo.append(saved)
    atexit.register(restore_echo)


def restore_echo() -> None:
    """The terminal's modes as they were before `hush_echo`."""
    if not _echo:
        return
    import termios

    saved = _echo.pop()
    try:
        termios.tcsetattr(sys.stdin.fileno(), termios.TCSANOW, saved)
    except (termios.error, OSError, ValueError):
        pass


def _import() -> None:
    try:
        import prompt_toolkit.input.typeahead
        import prompt_toolkit.input.vt100_parser
        import prompt_toolkit.shortcuts  # noqa: F401
    except Exception as exc:  # an install without it, or a broken one: the plain reader
        _failed.append(exc)


def preload() -> None:
    """Start importing prompt_toolkit on a background thread (once): the learner reads
    the card meanwhile, and the thread waits in `open_editor` is short or nothing."""
    global _loader
    if _loader is None:
        _loader = threading.Thread(target=_import, name="quiz-line-editor-import", daemon=True)
        _loader.start()


def open_editor(history_dir: Path | None) -> LineEditor | None:
    """The line editor, or None when prompt_toolkit cannot be imported (the caller
    keeps the plain reader)."""
    preload()
    assert _loader is not None
    _loader.join()
    if _failed:
        log.info("line editing off: prompt_toolkit did not import (%s)", _failed[0])
        return None
    return LineEditor(history_dir)


def history_dir() -> Path | None:
    """Where answer histories are kept: `history/` in the learner's data dir."""
    try:
        import platformdirs

        return Path(platformdirs.user_data_dir("quiz", appauthor=False)) / "history"
    except Exception:  # no usable home: history for this session only
        return None


@dataclass(frozen=True)
class Edit:
    """One read: the text (None: the learner quit with Ctrl-C or Ctrl-D), whether time
    ran out first (the text is then what was typed by then), and the keys read past
    the end of it, which belong to whatever asks next."""

    text: str | None
    timed_out: bool = False
    ahead: str = ""


class LineEditor:
    """Two prompt_toolkit sessions on the process's terminal: one line for typed and
    choice answers, many lines for output predictions, each with its own history."""

    def __init__(self, history_dir: Path | None) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.input import create_input
        from prompt_toolkit.output.vt100 import Vt100_Output
        from prompt_toolkit.styles import Style

        self._is_command: Callable[[str], bool] = lambda text: False
        self._empty_notice: str | None = None  # this read's, see `read`
        self._input = create_input(sys.stdin)
        output = Vt100_Output.from_pty(sys.stdout, term=os.environ.get("TERM"))
        output.enable_cpr = False
        self._sessions: dict[bool, Any] = {
            multiline: PromptSession(
                input=self._input,
                output=output,
                history=_history(history_dir, "output" if multiline else "answers"),
                multiline=multiline,
                key_bindings=self._bindings(multiline),
                enable_system_prompt=False,
                enable_suspend=False,
                mouse_support=False,
                complete_while_typing=False,
                prompt_continuation=lambda width, line, wrap: "… ".rjust(width),
                style=Style.from_dict({"rprompt": "", "countdown.low": "fg:ansired bold"}),
            )
            for multiline in (False, True)
        }

    def _bindings(self, multiline: bool) -> Any:
        from prompt_toolkit.application import run_in_terminal
        from prompt_toolkit.key_binding import KeyBindings

        kb = KeyBindings()

        @kb.add("enter")
        def _enter(event: Any) -> None:
            buffer = event.current_buffer
            doc = buffer.document
            last_line = doc.cursor_position_row == doc.line_count - 1
            if buffer.text == "" and multiline and self._empty_notice is not None:
                notice, self._empty_notice = self._empty_notice, None
                run_in_terminal(lambda: print(notice, flush=True))  # and the next Enter ends it
            elif not multiline or self._is_command(buffer.text) or buffer.text == "":
                event.app.exit(result=Edit(buffer.text))
            elif last_line and doc.current_line == "":
                event.app.exit(result=Edit(buffer.text[:-1]))  # the empty line ends it
            else:
                buffer.insert_text("\n")

        @kb.add("c-c")
        def _interrupt(event: Any) -> None:
            event.app.exit(result=Edit(None))

        return kb

    def read(
        self,
        prompt: str,
        *,
        multiline: bool,
        ahead: str = "",
        is_command: Callable[[str], bool] = lambda text: False,
        time_left: Callable[[], float] | None = None,
        countdown: str = "⏱ {seconds}s left",
        empty_notice: str | None = None,
    ) -> Edit:
        """One answer. `ahead` are keys already typed for it (given back by an earlier
        read or held by the single-key reader); `is_command` tells a command line
        (`:q`), which Enter ends even in the multi-line editor; with `time_left`, a
        countdown refreshes at the right of the input (the right prompt, which
        prompt_toolkit hides when the text reaches it) and the read ends at 0;
        `countdown` is its text, in the interface language. With `empty_notice`, the
        multi-line editor's first Enter on an empty prediction shows it and the second
        ends the read: a stray Enter (a rating's, typed twice) is not a prediction."""
        import asyncio

        from prompt_toolkit.application.current import get_app
        from prompt_toolkit.input.typeahead import get_typeahead, store_typeahead

        session = self._sessions[multiline]
        self._is_command = is_command
        self._empty_notice = empty_notice
        if ahead:
            store_typeahead(self._input, _key_presses(ahead))

        def pre_run() -> None:
            if time_left is not None:
                app = get_app()

                async def expire() -> None:
                    await asyncio.sleep(max(0.0, time_left()))
                    if not app.is_done:
                        app.exit(result=Edit(app.current_buffer.text, timed_out=True))

                app.create_background_task(expire())

        def count_down() -> Any:
            assert time_left is not None
            if get_app().is_done:  # not left behind on the answer's line
                return ""
            left = math.ceil(time_left())
            return [
                (
                    "class:countdown" if left > 5 else "class:countdown.low",
                    countdown.format(seconds=left),
                )
            ]

        try:
            edit: Edit = session.prompt(
                prompt,
                pre_run=pre_run,
                rprompt=count_down if time_left is not None else None,
                refresh_interval=0.25 if time_left is not None else 0,
            )
        except (EOFError, KeyboardInterrupt):
            edit = Edit(None)
        if edit.text and not edit.timed_out and not is_command(edit.text):
            session.history.append_string(edit.text)
        left_over = "".join(_key_data(k) for k in get_typeahead(self._input))
        return Edit(edit.text, edit.timed_out, left_over)


def _key_data(press: Any) -> str:
    from prompt_toolkit.keys import Keys

    if press.key == Keys.BracketedPaste:
        return f"\x1b[200~{press.data}\x1b[201~"
    if press.key == Keys.CPRResponse:
        return ""
    return str(press.data)


def _key_presses(keys: str) -> list[Any]:
    from prompt_toolkit.input.vt100_parser import Vt100Parser

    presses: list[Any] = []
    parser = Vt100Parser(presses.append)
    parser.feed(keys)
    parser.flush()
    return presses


def _history(folder: Path | None, name: str) -> Any:
    """A history file (private to the learner), or one for this session only when the
    folder cannot be written."""
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = folder / name
            path.touch(mode=0o600, exist_ok=True)
            return FileHistory(str(path))
        except OSError as exc:
            log.info("answer history for this session only: %s", exc)
    return InMemoryHistory()
