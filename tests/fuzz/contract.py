"""The contract every fuzz input is held to, one checker per parser.

For any input a parser either succeeds or raises quiz's own error type, whose every
line is `path:line: message` (decks) or `path: message` (tables, config) on ONE line.
Any other exception is an internal error: the checker raises `Violation` carrying the
exception's type, message and where it was raised, so the fuzzer can group failures
by cause. (Hangs are the runner's business: see `tests.fuzz.__main__`.)
"""

from __future__ import annotations

import re
import tempfile
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from quiz.errors import DeckError, DeckProblem, QuizError

DECK_PATH = "fuzz/deck.yaml"


class Violation(Exception):
    """An input broke the contract; `kind` groups failures with the same cause."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


def _internal(exc: BaseException) -> Violation:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    text = str(exc)
    shown = text if len(text) < 300 else text[:300] + "..."
    return Violation(f"{type(exc).__name__} at {where}", shown)


def _one_line(text: str, what: str) -> None:
    if "\n" in text or "\r" in text:
        raise Violation(f"{what} spans several lines", repr(text[:300]))


def _check_problem(problem: DeckProblem, path: str, n_lines: int) -> None:
    if problem.path != path:
        raise Violation("problem names another file", repr(str(problem)[:300]))
    if problem.line is not None and not 1 <= problem.line <= n_lines + 1:
        raise Violation("problem line out of the file", repr(str(problem)[:300]))
    text = str(problem)
    _one_line(text, "deck problem")
    if not text.startswith(f"{path}:"):
        raise Violation("problem not as path:line: message", repr(text[:300]))
    if not problem.message.strip():
        raise Violation("empty problem message", repr(text))


def yaml_lines(data: bytes) -> int:
    """Lines as YAML counts them: a lone CR (old Mac files), NEL, LS and PS end lines too."""
    return len(re.split("\r\n|[\r\n\x85\u2028\u2029]", data.decode("utf-8", "replace")))


def check_deck(data: bytes, *, allow_unrecorded: bool = False) -> str:
    """Parse one deck file's bytes; 'ok' or 'refused', else Violation."""
    from quiz.deck import parse_deck

    try:
        deck = parse_deck(data, DECK_PATH, allow_unrecorded=allow_unrecorded)
    except DeckError as exc:
        if not exc.problems:
            raise Violation("DeckError without problems", "") from None
        n_lines = yaml_lines(data)
        for problem in exc.problems:
            _check_problem(problem, DECK_PATH, n_lines)
        return "refused"
    except Exception as exc:  # the contract: nothing else may escape
        raise _internal(exc) from exc
    try:
        _use_deck(deck)
    except Exception as exc:
        raise _internal(exc) from exc
    return "ok"


def _use_deck(deck: Any) -> None:
    """What review does with a loaded deck's values first: texts, cloze parts, answers."""
    from quiz.deck import cloze

    for card in deck.cards:
        for text in (card.front, card.back, card.explain, card.text, *card.choices):
            if text is not None:
                text.get("zh", deck.lang)
        if card.text is not None and card.cloze is not None:
            for _lang, variant in card.text.variants:
                cloze.question(variant, card.cloze)
                cloze.reveal(variant)
                cloze.answers(variant, card.cloze)


class TableFolder:
    """One scratch folder for the table target: `convert` writes NAME.yaml beside NAME.csv."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="quiz-fuzz-")
        self.path = Path(self._dir.name)

    def close(self) -> None:
        self._dir.cleanup()


def check_table(data: bytes, suffix: str, folder: TableFolder) -> str:
    """Convert one table file, then load the deck it became."""
    from quiz.authoring.csv_import import convert
    from quiz.deck import load_deck

    table = folder.path / f"cards{suffix}"
    target = table.with_suffix(".yaml")
    target.unlink(missing_ok=True)
    table.write_bytes(data)
    try:
        try:
            written = convert(table)
        except QuizError as exc:
            for line in exc.lines():
                _one_line(line, "table error")
                if not line.startswith(str(table)) and not line.startswith(str(target)):
                    raise Violation(
                        "table error does not name the file", repr(line[:300])
                    ) from None
            return "refused"
        try:
            load_deck(written)
        except DeckError as exc:
            # a table that converts to a deck the loader refuses: the author is told
            # what to fix in NAME.yaml, so this is within the contract, but it is odd
            for problem in exc.problems:
                _check_problem(problem, str(written), yaml_lines(written.read_bytes()))
            return "refused-after-convert"
    except Violation:
        raise
    except Exception as exc:
        raise _internal(exc) from exc
    return "ok"


def check_config(data: bytes, folder: TableFolder) -> str:
    """Read one config.toml; a config that is accepted must also work everywhere it is
    used (scheduler, day clock, per-deck overrides) without raising."""
    from quiz.config import load_config

    path = folder.path / "config.toml"
    path.write_bytes(data)
    try:
        try:
            config = load_config(path)
        except QuizError as exc:
            for line in exc.lines():
                _one_line(line, "config error")
                if not line.startswith(str(path)):
                    raise Violation(
                        "config error does not name the file", repr(line[:300])
                    ) from None
            return "refused"
        _use_config(config)
    except Violation:
        raise
    except Exception as exc:
        raise _internal(exc) from exc
    return "ok"


def _use_config(config: Any) -> None:
    from quiz.clock import DayClock
    from quiz.scheduler import Scheduler

    now = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)
    for deck in ("python-gil", "x", *config.deck_overrides):
        cfg = config.for_deck(deck)
        day = DayClock.from_settings(cfg.timezone, cfg.day_starts_at)
        day.start_of(day.day_of(now))
        Scheduler(cfg.scheduler, day)
        if not isinstance(cfg.new_per_day, int) or not isinstance(cfg.reviews_per_day, int):
            raise Violation("config accepted a non-integer limit", repr(cfg)[:300])
        if not isinstance(cfg.leech_lapses, int) or cfg.leech_lapses < 1:
            raise Violation("config accepted a bad leech_lapses", repr(cfg.leech_lapses)[:300])
        if cfg.lang is not None and not isinstance(cfg.lang, str):
            raise Violation("config accepted a non-string lang", repr(cfg.lang)[:300])


def check_matcher(case: dict[str, Any]) -> str:
    """Grade one prediction every way quiz grades: output, check, typed, choice, picks."""
    from quiz import grading
    from quiz.model import Card, CardKind, RunResult

    try:
        card = Card(
            deck="d",
            id="c",
            kind=CardKind.OUTPUT,
            output=case["output"],
            raises=case["raises"],
            accept=case["accept"],
            match=case["match"],
        )
        result = RunResult(
            stdout=case["stdout"], exception=case["exception"], timed_out=case["timed_out"]
        )
        grading.grade_output(card, case["prediction"], result)
        grading.check_expected(card, result)
        typed = Card(deck="d", id="t", kind=CardKind.TYPED, answers=case["answers"])
        grading.grade_typed(typed, case["prediction"])
        choice = Card(deck="d", id="h", kind=CardKind.CHOICE, correct=case["correct"])
        try:
            picks = grading.parse_picks(case["prediction"])
        except ValueError as exc:  # the documented refusal: shown to the learner
            _one_line(str(exc), "picks error")
        else:
            grading.grade_choice(choice, picks)
        for mode in grading.MATCH_MODES:
            grading.same_output(case["stdout"], case["prediction"], mode)
    except Violation:
        raise
    except Exception as exc:
        raise _internal(exc) from exc
    return "ok"
