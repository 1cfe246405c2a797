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
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from quiz.model import Card, CardKind, Rating, RunResult, Verdict

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
    """Grade a prediction against the live run (the truth) and the card's `accept`;
    the verdict carries how close it came (`output_closeness`)."""
    verdict = _grade_output(card, prediction, result)
    return replace(
        verdict, closeness=output_closeness(card, prediction, result, correct=verdict.correct)
    )


def _grade_output(card: Card, prediction: str, result: RunResult) -> Verdict:
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


# -- typed answers -------------------------------------------------------------------
#
# A typed answer is right when it says the same thing as one of the deck's answers.
# Rather than have authors list every spelling, three equivalences are applied, each
# one that a reader of the answer would grant and none that changes what is named:
#
# 1. Text: NFKC (full-width 「（）」 and digits fold to ASCII), case and runs of
#    whitespace ignored, surrounding backticks or quotes dropped.
# 2. Names: a trailing empty call `()` is dropped (`gc.collect()` = `gc.collect`);
#    a dotted name that only adds qualification matches the deck's shorter one: the
#    same first and last part with more in between (`asyncio.locks.Lock` for
#    `asyncio.Lock`), or an owner in front of a bare attribute (`C.__mro__` for
#    `__mro__`). A shorter name never matches a longer one (`Lock` is not
#    `asyncio.Lock`), and different modules stay different.
# 3. Quantities: a number with a unit is converted to the unit's base (seconds, bytes,
#    a ratio `×`) and compared exactly, so `0.005 s`, `5ms`, `5 milliseconds`, `5毫秒` and `0.005秒`
#    are one answer and `5s` is not. A bare number is read in the unit of the deck's
#    first answer when that has one (a card asking "in seconds?" writes `0.005 s`);
#    otherwise bare numbers compare as text, so a version `3.10` never equals `3.1`.

_UNITS: dict[str, tuple[str, Decimal]] = {}


def _unit(base: str, factor: str, *names: str) -> None:
    for name in names:
        _UNITS[name.casefold()] = (base, Decimal(factor))


_unit("s", "1", "s", "sec", "secs", "second", "seconds", "秒", "秒钟")
_unit("s", "0.001", "ms", "msec", "millisecond", "milliseconds", "毫秒")
_unit("s", "0.000001", "us", "µs", "μs", "microsecond", "microseconds", "微秒")
_unit("s", "0.000000001", "ns", "nanosecond", "nanoseconds", "纳秒")
_unit("s", "60", "min", "mins", "minute", "minutes", "分钟")
_unit("B", "1", "b", "byte", "bytes", "字节")
_unit("×", "1", "x", "×", "times", "倍")  # a ratio: 10x = 10 times = 10倍
_unit("B", "1024", "kib", "kb", "kilobyte", "kilobytes")
_unit("B", "1048576", "mib", "mb", "megabyte", "megabytes")
_unit("B", "1073741824", "gib", "gb", "gigabyte", "gigabytes")

_QUANTITY = re.compile(
    r"(?P<num>[+-]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*(?P<unit>[^\d\s.+-][^\d\s]*)?"
)
_DOTTED = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)*")
_QUOTES = "`'\"“”‘’「」"


def _typed_norm(text: str) -> str:
    text = " ".join(unicodedata.normalize("NFKC", text).split()).casefold()
    while len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return text


def _quantity(text: str) -> tuple[Decimal, str | None] | None:
    """`5 ms` -> (0.005, "s"); `0.005` -> (0.005, None); anything else -> None."""
    match = _QUANTITY.fullmatch(text)
    if match is None:
        return None
    try:
        number = Decimal(match.group("num").replace("_", ""))
    except InvalidOperation:
        return None
    unit = match.group("unit")
    if unit is None:
        return number, None
    known = _UNITS.get(unit)
    if known is None:
        return None
    base, factor = known
    return number * factor, base


def _name(text: str) -> tuple[str, ...] | None:
    """A dotted name (an empty call dropped) as its parts, or None."""
    if text.endswith("()"):
        text = text[:-2].rstrip()
    return tuple(text.split(".")) if _DOTTED.fullmatch(text) else None


def _qualifies(given: tuple[str, ...], want: tuple[str, ...]) -> bool:
    if given == want:
        return True
    if len(given) <= len(want) or given[-1] != want[-1]:
        return False
    if len(want) == 1:  # an owner in front of a bare attribute: C.__mro__
        return want[0].startswith("__") and want[0].endswith("__")
    if given[0] != want[0]:
        return False
    rest = iter(given[1:-1])
    return all(part in rest for part in want[1:-1])  # in order, extra parts allowed


def typed_matches(answer: str, accepted: Sequence[str]) -> bool:
    """Does the learner's `answer` say what one of the deck's `accepted` answers says?"""
    given = _typed_norm(answer)
    if not given:
        return False
    wanted = [_typed_norm(a) for a in accepted]
    if given in wanted:
        return True
    quantity = _quantity(given)
    if quantity is not None:
        first = _quantity(wanted[0]) if wanted else None
        default_unit = first[1] if first is not None else None
        number, unit = quantity
        unit = unit or default_unit
        for want in wanted:
            other = _quantity(want)
            if other is None or unit is None:
                continue
            other_unit = other[1] or default_unit
            if other_unit == unit and other[0] == number:
                return True
        return False
    name = _name(given)
    if name is not None:
        for want in wanted:
            parts = _name(want)
            if parts is not None and _qualifies(name, parts):
                return True
    return False


def grade_typed(card: Card, answer: str) -> Verdict:
    """Right when the answer says what one of the deck's answers says (see above).

    Its closeness is 1 or 0: a typed answer names one thing (`asyncio.Lock`, `5 ms`),
    and a spelling close to a wrong name (`asyncio.Event`) is no nearer the truth."""
    expected = card.answers[0] if card.answers else ""
    correct = typed_matches(answer, card.answers)
    return replace(
        _verdict(
            correct,
            expected,
            answer,
            "" if correct or len(card.answers) < 2 else "accepted: " + " | ".join(card.answers),
        ),
        closeness=1.0 if correct else 0.0,
    )


def grade_choice(card: Card, picks: Sequence[int]) -> Verdict:
    """Right when exactly the correct choices are picked (0-based indices).

    Its closeness is the share of choices right, counted as the picks that are right
    out of all the choices that were either picked or right (intersection over union):
    1 only when exactly right, 0 when no right choice was picked, and a pick added or
    missed on a multi-answer card costs the same."""
    want, got = set(card.correct), set(picks)
    show = lambda idx: ", ".join(str(i + 1) for i in sorted(idx))  # noqa: E731
    union = want | got
    return replace(
        _verdict(
            want == got,
            show(want),
            show(got),
            "" if want == got else f"the right choice: {show(want)}",
        ),
        closeness=len(want & got) / len(union) if union else 1.0,
    )


# -- closeness of an output prediction ----------------------------------------------
#
# The share of the expected lines the prediction got right, in order: the lines that
# difflib's SequenceMatcher matches between the real output and the prediction (each
# line compared as the card's `match:` compares lines: after normalisation and
# address masking; as a value under `literal`), divided by the longer of the two, so
# that missing lines and extra lines both cost. Under `unordered-lines` the lines
# match as a multiset. For a snippet that raises, the exception is one more expected
# line, right when the prediction's last line names its type (the message is a bonus
# there too). A `regex` card has no lines to count: 1 when right, else 0. A right
# prediction is always 1 (an `accept`ed alternative included).


def _line_keys(text: str, mode: str, seen: list[object]) -> list[object]:
    """Each line as a hashable key; under `literal`, lines whose values are equal share
    one (a dict's repr keeps its insertion order, equality does not: `seen` holds one
    value per key, shared by both sides)."""
    canon = _canon(text)
    if not canon:
        return []
    lines = canon.split("\n")
    if mode != "literal":
        return list(lines)
    keys: list[object] = []
    for line in lines:
        value = _literal(line)
        for index, known in enumerate(seen):
            if known == value:
                keys.append(index)
                break
        else:
            seen.append(value)
            keys.append(len(seen) - 1)
    return keys


def line_closeness(expected: Sequence[object], given: Sequence[object], ordered: bool) -> float:
    """Matched lines / the longer side (1.0 when both are empty); see above."""
    longest = max(len(expected), len(given))
    if not longest:
        return 1.0
    if ordered:
        matcher = difflib.SequenceMatcher(None, list(expected), list(given), autojunk=False)
        matched = sum(block.size for block in matcher.get_matching_blocks())
    else:
        pool = list(given)
        matched = 0
        for line in expected:
            if line in pool:
                pool.remove(line)
                matched += 1
    return matched / longest


def output_closeness(card: Card, prediction: str, result: RunResult, *, correct: bool) -> float:
    """How much of the real output (and exception) the prediction got right, 0..1."""
    if correct:
        return 1.0
    mode = card.match if card.match in MATCH_MODES else "exact"
    if mode == "regex":
        return 0.0
    if mode == "unordered-lines" and not result.exception:
        ordered = False
    else:
        ordered = True
    key_mode = "exact" if mode == "unordered-lines" else mode
    seen: list[object] = []
    expected: list[object] = _line_keys(result.stdout, key_mode, seen)
    given: list[object]
    if result.exception:
        kind, _ = _exception_parts(result.exception)
        expected.append(("raises", kind.rsplit(".", 1)[-1]))
        parsed = _split_prediction(prediction)
        if parsed is not None and _type_matches(parsed.type, kind):
            given = _line_keys(parsed.before, key_mode, seen)
            given.append(("raises", kind.rsplit(".", 1)[-1]))
        else:
            given = _line_keys(prediction, key_mode, seen)
    else:
        given = _line_keys(prediction, key_mode, seen)
    score = line_closeness(expected, given, ordered)
    # a wrong prediction whose lines all match differs elsewhere (a timeout): not 1
    return min(score, 0.99) if score >= 1.0 else score


def refusal(card: Card, text: str) -> str | None:
    """Why `text` cannot be an answer to `card` at all (None: it can be graded).

    A slip (an empty Enter, a number past the last choice, a word on a choice card) is
    asked again instead of being graded as a miss: only an answer can be wrong.
    """
    if card.kind == CardKind.TYPED and not text.strip():
        return "no answer given: type one (or :s to skip, :q to quit)"
    if card.kind == CardKind.CHOICE:
        try:
            picks = parse_picks(text, letters=False)
        except ValueError as exc:
            return f"{exc} (commands are written :s :q ...)"
        last = len(card.choices)
        outside = [str(i + 1) for i in picks if i >= last]
        if outside:
            return f"no choice {' '.join(outside)}: pick from 1 to {last}"
    return None


def parse_picks(text: str, *, letters: bool = True) -> tuple[int, ...]:
    """ "1 3", "1,3" or "a c" (1-based numbers or letters) to 0-based indices.
    Raises ValueError on anything else."""
    tokens = [t for t in re.split(r"[\s,;]+", text.strip()) if t]
    if not tokens:
        raise ValueError("no choice given")
    picks: list[int] = []
    for token in tokens:
        if token.isdigit() and int(token) >= 1:
            index = int(token) - 1
        elif letters and len(token) == 1 and token.isalpha() and token.isascii():
            index = ord(token.lower()) - ord("a")
        else:
            raise ValueError(f"not a choice: {token!r}: pick by number, like 2 or 1 3")
        if index not in picks:
            picks.append(index)
    return tuple(sorted(picks))
