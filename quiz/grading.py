"""Answer checking: is the learner's answer right, and is a deck's stored answer right?

Pure — no subprocess, terminal or SQL: the live run arrives as a RunResult.

Output is compared after normalisation (CRLF and lone CR to LF, Unicode NFC,
trailing whitespace per line and trailing blank lines dropped) with memory
addresses (`0x7f3a...`, six or more hex digits) masked on both sides, since
`<object at 0x...>` differs on every run. A card's `match:` says how strict:

- `exact` (default): equal text;
- `literal`: line by line, lines that are Python literals compare as values, so
  `{1, 2}` matches `{2, 1}` and `{'a': 1, 'b': 2}` matches the other order;
- `unordered-lines`: the same lines in any order (threads printing);
- `regex`: the stored output (and each `accept`) is a pattern that must
  fullmatch the normalised output.

For a snippet that raises, a prediction is right when its last line names the
exception type (`KeyError`, `builtins.KeyError`, or `KeyError: 'x'`) and what it
says was printed before matches; the message is a bonus, compared leniently
(quotes, whitespace and case ignored). A pasted traceback is tolerated.
"""

from __future__ import annotations

import ast
import difflib
import re
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from quiz.model import Card, Rating, RunResult, Verdict

MATCH_MODES = ("exact", "literal", "unordered-lines", "regex")
_ADDRESS = re.compile(r"0x(?:[0-9a-fA-F]{6,}|\.\.\.|…)")
_EXC_LINE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?:\s*:\s*(?P<msg>.*))?$")
_TB_FRAME = re.compile(
    r"^(\s+.*|Traceback \(most recent call last\):|During handling of the above exception.*|The above exception was.*)$"
)


def normalize(text: str) -> str:
    """Newlines to LF, NFC, no trailing whitespace per line, no trailing blank lines."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def mask_addresses(text: str) -> str:
    return _ADDRESS.sub("0x…", text)


def _canon(text: str) -> str:
    return mask_addresses(normalize(text))


def _literal(line: str) -> object:
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" must not reach the screen
            warnings.simplefilter("ignore")
            return ("value", ast.literal_eval(line.strip()))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return ("text", line)


def same_output(expected: str, actual: str, mode: str = "exact") -> bool:
    """Does `actual` match `expected` under `mode` (both raw; normalised here)?
    In `regex` mode `expected` is the pattern."""
    if mode == "regex":
        try:
            with warnings.catch_warnings():  # FutureWarning "possible nested set"
                warnings.simplefilter("ignore")
                return re.fullmatch(normalize(expected), normalize(actual)) is not None
        except (re.error, RecursionError, OverflowError, MemoryError):  # a hostile pattern
            return False
    a, b = _canon(expected), _canon(actual)
    if mode == "literal":
        la, lb = a.split("\n"), b.split("\n")
        return len(la) == len(lb) and all(
            _literal(x) == _literal(y) for x, y in zip(la, lb, strict=False)
        )
    if mode == "unordered-lines":
        return sorted(a.split("\n")) == sorted(b.split("\n"))
    return a == b


def _lenient(message: str) -> str:
    return " ".join(message.replace("'", "").replace('"', "").replace("`", "").split()).casefold()


@dataclass(frozen=True)
class _Raised:
    before: str  # what the prediction says was printed first
    type: str
    message: str | None


def _split_prediction(prediction: str) -> _Raised | None:
    """Read a prediction for a raising snippet: output lines, then `Type[: msg]`."""
    lines = normalize(prediction).split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return None
    match = _EXC_LINE.match(lines[-1].strip())
    if match is None:
        return None
    body = lines[:-1]
    if any(
        line.startswith("Traceback (most recent call last)") for line in body
    ):  # pasted traceback
        start = next(
            i for i, line in enumerate(body) if line.startswith("Traceback (most recent call last)")
        )
        body = body[:start] + [line for line in body[start:] if not _TB_FRAME.match(line)]
    return _Raised("\n".join(body), match.group("type"), match.group("msg"))


def _type_matches(named: str, real: str) -> bool:
    named_short = named.rsplit(".", 1)[-1]
    real_short = real.rsplit(".", 1)[-1]
    return named == real or named_short == real_short


def _exception_parts(exception: str) -> tuple[str, str]:
    kind, _, message = exception.partition(":")
    return kind.strip(), message.strip()


def real_text(result: RunResult) -> str:
    """What the run showed, as a learner would write it: stdout, then `Type: msg`."""
    text = normalize(result.stdout)
    if result.exception:
        text = f"{text}\n{result.exception}" if text else result.exception
    return text


def expected_text(card: Card) -> str:
    """The deck's stored answer, as a learner would write it."""
    out = normalize(card.output or "")
    if card.raises:
        return f"{out}\n{card.raises}" if out else card.raises
    return out


def _diff(prediction: str, real: str) -> tuple[str, ...]:
    return tuple(
        difflib.unified_diff(
            normalize(prediction).split("\n"),
            real.split("\n"),
            "your answer",
            "real output",
            lineterm="",
            n=2,
        )
    )


def _verdict(
    correct: bool, expected: str, given: str, message: str = "", diff: tuple[str, ...] = ()
) -> Verdict:
    return Verdict(
        correct=correct,
        expected=expected,
        given=given,
        diff=() if correct else diff,
        message=message,
        suggested=Rating.GOOD if correct else Rating.AGAIN,
    )


def grade_output(card: Card, prediction: str, result: RunResult) -> Verdict:
    """Grade a prediction against the live run (the truth) and the card's `accept`."""
    real = real_text(result)
    diff = _diff(prediction, real)
    if result.timed_out:
        return _verdict(False, real, prediction, "the snippet did not finish in time", diff)
    if result.exception:
        parsed = _split_prediction(prediction)
        kind, message = _exception_parts(result.exception)
        if (
            parsed is not None
            and _type_matches(parsed.type, kind)
            and same_output(result.stdout, parsed.before, "exact")
        ):
            if parsed.message is None or _lenient(parsed.message) == _lenient(message):
                return _verdict(True, real, prediction)
            return _verdict(
                True, real, prediction, f"right exception; the message is really: {message}"
            )
        alternatives = card.accept
    else:
        mode = card.match if card.match in MATCH_MODES else "exact"
        if mode == "regex":
            patterns = tuple(p for p in (card.output, *card.accept) if p is not None)
            if same_output(result.stdout, prediction, "exact") or any(
                same_output(p, prediction, "regex") for p in patterns
            ):
                return _verdict(True, real, prediction)
            return _verdict(False, real, prediction, "", diff)
        if same_output(result.stdout, prediction, mode):
            return _verdict(True, real, prediction)
        alternatives = card.accept + (
            (card.output,) if card.accept and card.output is not None else ()
        )
        if any(same_output(alt, prediction, mode) for alt in alternatives):
            return _verdict(
                True, real, prediction, "an accepted answer (the output varies between runs)"
            )
        return _verdict(False, real, prediction, "", diff)
    if any(same_output(alt, prediction) for alt in alternatives):
        return _verdict(True, real, prediction, "an accepted answer")
    return _verdict(False, real, prediction, f"it raises {kind}", diff)


def check_expected(card: Card, result: RunResult) -> Verdict:
    """Does the deck's stored `output`/`raises` agree with the live run? (`quiz check`)"""
    expected = expected_text(card)
    real = real_text(result)
    diff = tuple(
        difflib.unified_diff(
            expected.split("\n"), real.split("\n"), "stored", "live", lineterm="", n=2
        )
    )
    if card.output is None and card.raises is None:
        return _verdict(False, expected, real, "no expected output or raises recorded")
    if result.timed_out:
        return _verdict(False, expected, real, "timed out", diff)
    mode = card.match if card.match in MATCH_MODES else "exact"
    if card.raises:
        if not result.exception:
            return _verdict(
                False, expected, real, f"expected {card.raises}, but it did not raise", diff
            )
        want_kind, want_msg = _exception_parts(card.raises)
        kind, message = _exception_parts(result.exception)
        if not _type_matches(want_kind, kind):
            return _verdict(
                False, expected, real, f"expected {card.raises}, got {result.exception}", diff
            )
        if want_msg and _lenient(want_msg) != _lenient(message):
            return _verdict(
                False, expected, real, f"expected {card.raises}, got {result.exception}", diff
            )
        if card.output is not None and not same_output(
            card.output, result.stdout, "exact" if mode == "regex" else mode
        ):
            return _verdict(False, expected, real, "the output before the exception differs", diff)
        return _verdict(True, expected, real)
    if result.exception:
        return _verdict(False, expected, real, f"expected output, got {result.exception}", diff)
    candidates = (card.output or "", *card.accept)
    if any(same_output(c, result.stdout, mode) for c in candidates):
        return _verdict(True, expected, real)
    return _verdict(False, expected, real, "the output differs", diff)


def _typed_norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def grade_typed(card: Card, answer: str) -> Verdict:
    """Case-insensitive, surrounding space ignored, inner whitespace collapsed."""
    given = _typed_norm(answer)
    expected = card.answers[0] if card.answers else ""
    correct = bool(given) and any(given == _typed_norm(a) for a in card.answers)
    return _verdict(
        correct,
        expected,
        answer,
        "" if correct or len(card.answers) < 2 else "accepted: " + " | ".join(card.answers),
    )


def grade_choice(card: Card, picks: Sequence[int]) -> Verdict:
    """Right when exactly the correct choices are picked (0-based indices)."""
    want, got = set(card.correct), set(picks)
    show = lambda idx: ", ".join(str(i + 1) for i in sorted(idx))  # noqa: E731
    return _verdict(
        want == got, show(want), show(got), "" if want == got else f"the right choice: {show(want)}"
    )


def parse_picks(text: str) -> tuple[int, ...]:
    """ "1 3", "1,3" or "a c" (1-based numbers or letters) to 0-based indices.
    Raises ValueError on anything else."""
    tokens = [t for t in re.split(r"[\s,;]+", text.strip()) if t]
    if not tokens:
        raise ValueError("no choice given")
    picks: list[int] = []
    for token in tokens:
        if token.isdigit() and int(token) >= 1:
            index = int(token) - 1
        elif len(token) == 1 and token.isalpha() and token.isascii():
            index = ord(token.lower()) - ord("a")
        else:
            raise ValueError(f"not a choice: {token!r} (type numbers like 1 3)")
        if index not in picks:
            picks.append(index)
    return tuple(sorted(picks))
