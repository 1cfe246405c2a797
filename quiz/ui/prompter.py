"""The session's prompter for a terminal, or for answers piped in line by line.

In a terminal, basic and cloze cards take single keys (Enter/Space reveal, 1-4 rate,
u s b ! e q); typed, choice and output cards take lines. Commands are written
`:u`, `:s`, `:b`, `:!`, `:e`, `:q` on every card (so an answer can be any text), and end
at their Enter wherever they are typed; the `:` may be left out where no text is typed
(then the key acts at once). Keys are read without flushing the input
queue and no pause waits for "any key", so nothing typed ahead is lost.

Lines are read with the line editor (quiz.ui.line_editor: arrows, history, paste, a
multi-line editor for output predictions) when stdin and stdout are a terminal, unless
QUIZ_PLAIN_INPUT=1 asks for the plain reader. It is loaded after the first card is
drawn. Keys it reads past the end of an answer come back to the prompter (`_ahead`)
and are the next reader's first keys, whichever reader that is.

Piped (stdin not a terminal), every answer is one line, so sessions can be scripted:
- basic / cloze: a rating `1`-`4` (reveals and rates at once), or a command letter;
- typed: the answer; choice: the numbers (`2` or `1 3`);
- output: the predicted lines, ended by an empty line (a line `.` is a blank line);
- a command (`u`, `s`, `b`, `!`, `e`, `q` or `:u` ...) in place of any answer;
- after a typed, choice or output answer, optionally `=1`..`=4` (rate it) or `=r` ("I was
  right"); any other line is the next card's answer, so older scripts still work.
End of input quits the session; everything answered so far is already saved.

Answers are capped where they are read, so what is graded, stored and shown in a
report stays small whatever arrives on stdin: an answer (typed, choice, or a whole
output prediction) is at most MAX_ANSWER_CHARS characters and a prediction at most
MAX_PREDICTION_LINES lines. The rest of an over-long line, and the lines of a
prediction past its cap, are still read (and dropped) up to the line or the empty line
that ends the answer, so piped answers stay in step with the cards; the learner is told
that the answer was cut.

After an output card's verdict, `t` at the rating keys steps through the snippet (traced
in the sandbox, never here) and marks where the prediction departed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.rule import Rule

from quiz.model import CardKind, Rating, RunResult, StoredCard, Verdict
from quiz.review.session import Action, Progress, Response
from quiz.ui import card_view, line_editor
from quiz.ui.i18n import notice, rating_name, tr

if TYPE_CHECKING:
    from quiz.review.choices import ChoiceOrder

MAX_ANSWER_CHARS = 4096
MAX_PREDICTION_LINES = 64
_DRAIN = 1 << 16


def read_capped_line(stream: TextIO, limit: int = MAX_ANSWER_CHARS) -> tuple[str | None, bool]:
    """One line of input without its line end, cut to `limit` characters (the rest of a
    longer line is read in bounded chunks and dropped); None at the end of input. The
    flag says whether the line was cut."""
    line = stream.readline(limit + 2)  # room for the line end, CRLF included
    if line == "":
        return None, False
    if len(line) == limit + 2 and not line.endswith("\n"):  # more of this line follows
        while True:
            rest = stream.readline(_DRAIN)
            if rest == "" or rest.endswith("\n"):
                break
        return line[:limit], True
    body = line.rstrip("\r\n")
    return (body[:limit], True) if len(body) > limit else (body, False)


COMMANDS = {
    "u": Action.UNDO,
    "s": Action.SKIP,
    "b": Action.BURY,
    "!": Action.SUSPEND,
    "e": Action.EDIT,
    "q": Action.QUIT,
}


# the commands the rating keys take (the others act on a card not yet answered)
_RATING_COMMANDS = ("u", "q")


def parse_command(line: str, *, bare: bool) -> Action | None:
    word = line.strip().lower()
    if word.startswith(":") and word[1:] in COMMANDS:
        return COMMANDS[word[1:]]
    if bare and word in COMMANDS:
        return COMMANDS[word]
    return None


def read_key(fd: int | None = None) -> str:
    """One key from the terminal, unbuffered and unechoed only while it is read.

    Unlike click's getchar, this does not flush the input queue (TCSANOW, not
    TCSAFLUSH), and it keeps the input translation (Enter stays a newline): keys typed
    ahead of the screen are kept, in order, and a typed-ahead answer line still ends.
    """
    import os
    import termios

    fd = sys.stdin.fileno() if fd is None else fd
    saved = termios.tcgetattr(fd)
    mode = termios.tcgetattr(fd)
    mode[3] &= ~(termios.ICANON | termios.ECHO | termios.ISIG | termios.IEXTEN)
    mode[6][termios.VMIN] = 1
    mode[6][termios.VTIME] = 0
    try:
        termios.tcsetattr(fd, termios.TCSANOW, mode)
        data = os.read(fd, 1)
        if data and data[0] >= 0xC0:  # the rest of one UTF-8 character, and no more
            data += os.read(fd, 1 if data[0] < 0xE0 else 2 if data[0] < 0xF0 else 3)
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, saved)
    return data.decode("utf-8", "replace") if data else "\x04"


class TerminalPrompter:
    def __init__(
        self,
        console: Console,
        lang: str | None = None,
        *,
        interactive: bool | None = None,
        read_line: Callable[[], str | None] | None = None,
        read_key: Callable[[], str] | None = None,
        shuffle: bool = True,
        on_screen: Callable[[], None] | None = None,
    ) -> None:
        self.console = console
        # called once a card is on screen: the store opens behind it (quiz.store.late)
        self._on_screen = on_screen
        self.lang = lang
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        # choices shuffled in a terminal only: a piped script names them in the deck's order
        self.shuffle = shuffle and self.interactive
        self._order: ChoiceOrder | None = None  # the choices as the card on screen shows them
        self._read_line = read_line or self._stdin_line
        self._read_key = read_key or self._getchar
        self._pending: Rating | None = None
        self._started = time.monotonic()
        # the card on screen (and its variant), re-asked without a redraw
        self._shown: tuple[int, tuple[tuple[str, str], ...]] | None = None
        self._pushed: list[str] = []  # a piped line read ahead and given back
        self._fell_back: set[str] = set()  # decks already noted as lacking `lang`
        self._wrong = False  # the verdict on screen says wrong: "I was right" is offered
        self._cut = False  # the answer being read was longer than the caps allow
        self._traceable: tuple[StoredCard, str] | None = None  # the output card `t` traces
        # the line editor: only on a real terminal, and not when a test injects readers
        self._editing = (
            self.interactive and read_line is None and read_key is None and line_editor.wanted()
        )
        self._editor: line_editor.LineEditor | None = None
        self._ahead = ""  # keys the line editor read past an answer: the next reader's
        self._timed_out = False  # the last read ended because time ran out

    # ---- input ----------------------------------------------------------------

    def _stdin_line(self) -> str | None:
        line, cut = read_capped_line(sys.stdin)
        self._cut = self._cut or cut
        return line

    @staticmethod
    def _getchar() -> str:
        return read_key()

    def _key(self) -> str:
        """The next key: first those the line editor read ahead, then the terminal's."""
        if self._ahead:
            key, self._ahead = self._ahead[0], self._ahead[1:]
            return key
        return self._read_key()

    def _time_left(self) -> Callable[[], float] | None:
        """The time left to answer, for a countdown (None: no limit; see DrillPrompter)."""
        return None

    def _line_editor(self) -> line_editor.LineEditor | None:
        if self._editing and self._editor is None:
            self._editor = line_editor.open_editor(line_editor.history_dir())
            self._editing = self._editor is not None
            if not self._editing:
                line_editor.restore_echo()  # the plain reader needs the terminal's echo
        return self._editor

    def _edit(self, prompt: str, *, multiline: bool) -> str | None:
        """One answer from the line editor, the keys typed ahead of it included."""
        editor = self._line_editor()
        if editor is None:
            return self._plain_line(prompt)
        edit = editor.read(
            prompt,
            multiline=multiline,
            ahead=self._ahead,
            is_command=lambda text: parse_command(text, bare=False) is not None,
            time_left=self._time_left(),
            countdown=tr("⏱ {seconds}s left", self.lang),
            empty_notice=tr(card_view.EMPTY_PREDICTION, self.lang) if multiline else None,
        )
        self._ahead = edit.ahead
        self._timed_out = edit.timed_out
        return edit.text

    def _line(self, prompt: str = "› ") -> str | None:
        line = self._raw_line(prompt)
        if line is not None and len(line) > MAX_ANSWER_CHARS:
            self._cut = True
            line = line[:MAX_ANSWER_CHARS]
        return line

    def _raw_line(self, prompt: str) -> str | None:
        if self._pushed:
            return self._pushed.pop()
        if self.interactive:
            return (
                self._edit(prompt, multiline=False) if self._editing else self._plain_line(prompt)
            )
        return self._read_line()

    def _plain_line(self, prompt: str) -> str | None:
        self._flush_ahead()
        try:
            return self.console.input(prompt)
        except EOFError:
            return None

    def _flush_ahead(self) -> None:
        """Keys the line editor read ahead, given to a plain reader that cannot take
        them: shown, so nothing vanishes (only after the editor failed to load)."""
        if self._ahead:
            from quiz.ui.safe import text as safe

            shown = tr("(keys read ahead, not used: {keys})", self.lang, keys=repr(self._ahead))
            self.console.print(safe(shown, style="dim"))
            self._ahead = ""

    def _cut_notice(self) -> None:
        if self._cut:
            self._cut = False
            self.console.print(
                tr(
                    "(your answer was cut to {chars} characters and {lines} lines)",
                    self.lang,
                    chars=MAX_ANSWER_CHARS,
                    lines=MAX_PREDICTION_LINES,
                ),
                style="yellow",
                markup=False,
            )

    def _elapsed(self) -> int:
        return int((time.monotonic() - self._started) * 1000)

    # ---- Prompter ---------------------------------------------------------------

    def ask(self, item: StoredCard, progress: Progress) -> Response:
        self._pending = None
        self._traceable = None
        c = self.console
        shown = (item.row_id, item.card.variant)  # another variant is another question
        again = self._shown == shown
        self._shown = shown
        self._started = time.monotonic()
        self._timed_out = False
        if self._editing:
            line_editor.hush_echo()  # the editor shows what is typed ahead, once
        self._order = None
        if item.card.kind == CardKind.CHOICE and self.shuffle:
            from quiz.review.choices import choice_order, seeded

            self._order = choice_order(item.card, seeded(item))  # the same when asked again
        if not again:
            self._language_note(item)
            # No screen clear and no "any key" pause: a notice printed before this card
            # stays readable, and a key typed ahead is the next card's key, never eaten.
            c.print(Rule(style="dim"))
            c.print(card_view.header(item, progress.done, progress.left, self.lang))
            c.print(card_view.question(item, self.lang, self._order))
            if self._editing:
                line_editor.preload()  # the card is on screen: load the editor meanwhile
            if self._on_screen is not None:
                c.file.flush()  # on screen before anything else starts, even through a pipe
                self._on_screen()
        kind = item.card.kind
        if kind in (CardKind.BASIC, CardKind.CLOZE):
            return self._ask_reveal()
        if kind == CardKind.OUTPUT:
            return self._ask_lines()
        hint = tr("pick by number" if kind == CardKind.CHOICE else "your answer", self.lang)
        if self.interactive:
            c.print(f"[dim]{hint} · {tr(card_view.KEYS_TEXT, self.lang)}[/]")
        self._cut = False
        line = self._line()
        if line is None:
            return Response(Action.QUIT)
        command = parse_command(line, bare=not self.interactive)
        if command:
            return Response(command)
        self._cut_notice()
        if self._order is not None:  # picks as shown, in the deck's numbers from here on
            line = self._order.to_deck(line)
        return Response(Action.ANSWER, text=line, duration_ms=self._elapsed())

    def _language_note(self, item: StoredCard) -> None:
        """Say once per deck that `--lang` has no text there, instead of silently
        showing another language."""
        card = item.card
        text = card.text if card.kind == CardKind.CLOZE else card.front
        have = (text.languages if text is not None else ()) or ((item.lang,) if item.lang else ())
        if not self.lang or not have or self.lang in have or item.card.deck in self._fell_back:
            return
        self._fell_back.add(item.card.deck)
        shown = item.lang if item.lang in have else have[0]
        self.console.print(
            tr(
                "no {language} text in deck {deck}: shown in {shown}",
                self.lang,
                language=repr(self.lang),
                deck=item.card.deck,
                shown=repr(shown),
            ),
            style="dim",
            markup=False,
        )

    def _ask_reveal(self) -> Response:
        if self.interactive:
            self.console.print(f"[dim]{tr(card_view.KEYS_BASIC, self.lang)}[/]")
            while True:
                key = self._key()
                if key == ":":  # `:q` works here as on every card, ended by its Enter
                    command = self._command_line(COMMANDS)
                    if command is not None:
                        return Response(command)
                    continue
                if key in ("\r", "\n", " "):
                    return Response(Action.ANSWER, duration_ms=self._elapsed())
                if key.lower() in COMMANDS:
                    return Response(COMMANDS[key.lower()])
                if key in ("\x03", "\x04"):
                    return Response(Action.QUIT)
        command, rating = self._piped_rating()
        if command:
            return Response(command)
        self._pending = rating
        return Response(Action.ANSWER, duration_ms=self._elapsed())

    def _command_line(self, allowed: Collection[str]) -> Action | None:
        """A `:` typed where single keys are read: the command after it is a line, ended
        by Enter as it is where lines are read, so that Enter is not left for the next
        reader (it was the returned output card's empty prediction after `:u`). The
        keys are shown as typed; Backspace past the colon or Esc takes it back (None);
        a word that is no command here is said (None)."""
        out = self.console.file
        typed = ""
        out.write(":")
        out.flush()
        while True:
            key = self._key()
            if key in ("\r", "\n"):
                out.write("\n")
                command = parse_command(":" + typed, bare=False)
                if command is not None and command in (COMMANDS[k] for k in allowed):
                    return command
                if self._timed_out:  # a timed drill's time ran out meanwhile: no command
                    return None
                self.console.print(
                    tr("not a command here: {command}", self.lang, command=":" + typed),
                    style="yellow",
                    markup=False,
                )
                return None
            if key in ("\x03", "\x04"):
                out.write("\n")
                return Action.QUIT
            if key in ("\x7f", "\x08") and typed:
                typed = typed[:-1]
                out.write("\b \b")
            elif key in ("\x7f", "\x08", "\x1b"):  # the colon taken back (Esc: all of it)
                out.write("\b \b" * (len(typed) + 1))
                out.flush()
                return None
            elif key.isprintable():
                typed += key
                out.write(key)
            out.flush()

    def _piped_rating(self) -> tuple[Action | None, Rating | None]:
        """One piped line: a command, a rating 1-4, or anything else (no rating)."""
        line = self._line()
        if line is None:
            return Action.QUIT, None
        command = parse_command(line, bare=True)
        if command:
            return command, None
        word = line.strip()
        return None, Rating(int(word)) if word in ("1", "2", "3", "4") else None

    def _ask_lines(self) -> Response:
        if self.interactive:
            self.console.print(f"[dim]{tr(card_view.KEYS_OUTPUT, self.lang)}[/]")
        self._cut = False
        if self.interactive and self._editing and not self._pushed:
            return self._edit_lines()
        lines: list[str] = []
        size = 0
        started = warned = False
        while True:
            line = self._line("… " if started else "› ")
            if line is None:
                if not started:
                    return Response(Action.QUIT)
                break
            if not started:
                command = parse_command(line, bare=not self.interactive)
                if command:
                    return Response(command)
            if line == "" and not started and self.interactive and not warned:
                warned = True  # as the editor does: a stray Enter is not a prediction
                self.console.print(f"[dim]{tr(card_view.EMPTY_PREDICTION, self.lang)}[/]")
                continue
            if line == "":
                break
            started = True
            line = "" if line == "." else line
            if len(lines) >= MAX_PREDICTION_LINES or size + len(line) > MAX_ANSWER_CHARS:
                self._cut = True  # read on to the empty line that ends it, keep nothing more
                continue
            lines.append(line)
            size += len(line) + 1
        self._cut_notice()
        return Response(Action.ANSWER, text="\n".join(lines) + "\n", duration_ms=self._elapsed())

    def _edit_lines(self) -> Response:
        """A prediction in the multi-line editor: one read, its lines capped as piped
        ones are (a line `.` is a blank line, as in the piped format)."""
        text = self._edit("› ", multiline=True)
        if text is None:
            return Response(Action.QUIT)
        command = parse_command(text, bare=False)
        if command:
            return Response(command)
        lines: list[str] = []
        size = 0
        for line in text.split("\n") if text else []:
            line = "" if line == "." else line
            if len(lines) >= MAX_PREDICTION_LINES or size + len(line) > MAX_ANSWER_CHARS:
                self._cut = True
                break
            lines.append(line)
            size += len(line) + 1
        self._cut_notice()
        return Response(Action.ANSWER, text="\n".join(lines) + "\n", duration_ms=self._elapsed())

    def reveal(self, item: StoredCard) -> None:
        self.console.print(card_view.answer(item, self.lang))
        self._shown = None

    def rate(
        self,
        item: StoredCard,
        suggested: Rating | None,
        previews: Mapping[Rating, str] | None = None,
        why: str = "",
    ) -> Response:
        started = time.monotonic()
        if self._pending is not None:
            rating, self._pending = self._pending, None
            return Response(Action.RATE, rating=rating)
        if not self.interactive:
            if suggested is not None:
                if why:  # the default a piped answer with no rating line records
                    self.console.print(f"[dim]suggested: {suggested.name.title()} ({why})[/]")
                return self._piped_overrule(suggested)
            command, piped = self._piped_rating()
            if command:
                return Response(command)
            return Response(Action.RATE, rating=piped or Rating.GOOD)
        keys = card_view.rate_keys(previews, self.lang)
        if suggested is not None:
            keys += " · " + tr(
                "Enter = {rating}", self.lang, rating=rating_name(suggested, self.lang)
            )
            if why:  # quiz.review.suggest's QUICK or SLOW
                keys += " (" + tr("quick" if why == "quick" else "slow", self.lang) + ")"
            if self._wrong:
                keys += " · " + tr("r I was right", self.lang)
        if self._traceable:
            keys += " · " + tr("t step through", self.lang)
        self.console.print(f"[dim]{keys}[/]")
        while True:
            key = self._key()
            if key == "t" and self._traceable:
                self._step_through()
                self.console.print(f"[dim]{keys}[/]")
                continue
            if key in ("1", "2", "3", "4"):
                return Response(
                    Action.RATE,
                    rating=Rating(int(key)),
                    duration_ms=int((time.monotonic() - started) * 1000),
                )
            if key in ("\r", "\n", " ") and suggested is not None:
                return Response(Action.RATE, rating=suggested)
            if key.lower() == "r" and suggested is not None and self._wrong:
                self.console.print(f"[green]{tr('recorded as right (I was right)', self.lang)}[/]")
                return Response(Action.RATE, rating=Rating.GOOD, overruled=True)
            if key.lower() in _RATING_COMMANDS:
                return Response(COMMANDS[key.lower()])
            if key == ":":
                command = self._command_line(_RATING_COMMANDS)
                if command is not None:
                    return Response(command)
                self.console.print(f"[dim]{keys}[/]")
                continue
            if key in ("\x03", "\x04"):
                return Response(Action.QUIT)

    def _piped_overrule(self, suggested: Rating) -> Response:
        """After a graded piped answer, an optional line `=1`..`=4` (a rating) or `=r`
        ("I was right"); any other line is given back as the next card's answer."""
        line = self._line()
        if line is None:
            return Response(Action.RATE, rating=suggested)
        word = line.strip().lower()
        if word.startswith("=") and word[1:].strip() in ("1", "2", "3", "4"):
            return Response(Action.RATE, rating=Rating(int(word[1:].strip())))
        if word.startswith("=") and word[1:].strip() == "r":
            return Response(Action.RATE, rating=Rating.GOOD, overruled=self._wrong)
        self._pushed.append(line)
        return Response(Action.RATE, rating=suggested)

    def verdict(self, item: StoredCard, verdict: Verdict, result: RunResult | None) -> None:
        self.console.print(card_view.verdict_view(item, verdict, result, self.lang, self._order))
        self._shown = None
        self._wrong = not verdict.correct
        if item.card.kind == CardKind.OUTPUT and item.card.code and result is not None:
            self._traceable = (item, verdict.given)

    def _step_through(self) -> None:
        """`t` after an output card: run it again in the sandbox, traced (the trace
        is computed there, never here), and mark where the prediction went wrong."""
        from quiz.sandbox import SandboxError, TraceBound, default_sandbox
        from quiz.trace import parse
        from quiz.ui.trace_view import trace_view

        assert self._traceable is not None
        item, predicted = self._traceable
        card = item.card
        try:
            result = default_sandbox().run(
                card.code or "", timeout=card.timeout, trace=TraceBound()
            )
        except SandboxError as exc:
            self.console.print(
                tr("no step-through: {reason}", self.lang, reason=exc),
                style="yellow",
                soft_wrap=True,
                markup=False,
            )
            return
        self.console.print(Rule(tr("step through", self.lang), style="dim"))
        self.console.print(trace_view(card.code or "", parse(result.trace), predicted))

    def explain(self, item: StoredCard) -> None:
        view = card_view.explanation(item, self.lang)
        if view is not None:
            self.console.print(view)

    def notice(self, message: str) -> None:
        from quiz.ui.safe import text as safe

        self.console.print(safe(notice(message, self.lang), style="yellow"), soft_wrap=True)

    def running(self, item: StoredCard) -> None:
        if self.interactive:
            self.console.print(f"[dim]{tr('running the snippet…', self.lang)}[/]")
