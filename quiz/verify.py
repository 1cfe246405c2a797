"""Checking decks' predict-output cards against live runs (`quiz check`).

A deck's stored `output`/`raises` is a claim about what Python does; this module
tests the claim. Every output card runs in the sandbox with PYTHONHASHSEED=0 and
again with other seeds (1 and 2 by default): a card whose output changes with the
seed (set and dict-of-str ordering, `hash()`) or between runs must say so with
`accept:` or a lenient `match:`, or learners would be marked wrong for a right
answer. Cards whose `python:` specifier excludes the interpreter are skipped with a
notice; with `lint`, such a card still runs once, and a `python:` pin that the
excluded interpreter passes anyway is reported (`unneeded-pin`) with the content lint
of quiz.deck.lint. Runs are spread over the cores by a thread pool that drives sandbox
subprocesses (the work happens in the children; the threads only wait).

`--record` writes the live result into output cards that have none yet, by text
insertion at the end of the card's block, so every other byte of the file —
comments, quoting, key order, blank lines — stays as the author wrote it.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from quiz.deck.lint import Finding, lint_decks
from quiz.errors import DeckProblem
from quiz.grading import check_expected, normalize, real_text, same_output
from quiz.model import Card, CardKind, Deck, RunResult

log = logging.getLogger("quiz.verify")

SEEDS = (1, 2)
Runner = Callable[[str, float | None, int], RunResult]  # (code, timeout, hash_seed) -> result


@dataclass(frozen=True)
class CardOutcome:
    """What checking one output card found."""

    path: str
    card: Card
    status: (
        str  # ok | mismatch | seed-dependent | timeout | skipped | recorded | unrecorded | error
    )
    message: str = ""
    result: RunResult | None = None

    def problem(self) -> DeckProblem:
        return DeckProblem(self.path, self.card.line, self.message)


@dataclass(frozen=True)
class CheckReport:
    decks: int = 0
    cards: int = 0  # output cards found
    ran: int = 0  # sandbox runs made
    problems: tuple[DeckProblem, ...] = ()  # structure problems and failed cards
    notices: tuple[DeckProblem, ...] = ()  # skipped cards and other remarks
    outcomes: tuple[CardOutcome, ...] = field(default=(), repr=False)
    recorded: tuple[DeckProblem, ...] = ()  # cards whose answer --record wrote
    warnings: tuple[Finding, ...] = ()  # content lint; problems instead under `strict`

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, object]:
        as_dict = lambda p: {"path": p.path, "line": p.line, "message": p.message}  # noqa: E731
        return {
            "ok": self.ok,
            "decks": self.decks,
            "output_cards": self.cards,
            "runs": self.ran,
            "problems": [as_dict(p) for p in self.problems],
            "notices": [as_dict(p) for p in self.notices],
            "recorded": [as_dict(p) for p in self.recorded],
            "warnings": [
                {"path": w.path, "line": w.line, "rule": w.rule, "message": w.message}
                for w in self.warnings
            ],
            "cards": [
                {
                    "path": o.path,
                    "line": o.card.line,
                    "card": o.card.key,
                    "status": o.status,
                    "message": o.message,
                }
                for o in self.outcomes
            ],
        }


def short(text: str, limit: int = 80) -> str:
    """A one-line repr of output for `expected …, got …` messages."""
    text = normalize(text)
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 4] + "…" + shown[-3:]


def excluded_by(card: Card, version: str) -> str | None:
    """The card's `python:` specifier when `version` does not satisfy it."""
    if not card.python:
        return None
    try:
        spec = SpecifierSet(card.python)
    except InvalidSpecifier:
        return None  # the loader reports bad specifiers
    return None if spec.contains(version, prereleases=True) else card.python


def _lenient(card: Card) -> bool:
    return bool(card.accept) or card.match != "exact"


def judge(
    path: str, card: Card, base: RunResult, others: Sequence[tuple[int, RunResult]]
) -> CardOutcome:
    """Compare the live runs of one recorded card with its stored answer."""
    if base.timed_out:
        return CardOutcome(path, card, "timeout", f"timed out after {card.timeout or 2:g}s", base)
    verdict = check_expected(card, base)
    if not verdict.correct:
        return CardOutcome(
            path,
            card,
            "mismatch",
            f"expected {short(verdict.expected)}, got {short(verdict.given)}",
            base,
        )
    for seed, result in others:
        if check_expected(card, result).correct:
            continue
        hint = (
            ""
            if _lenient(card)
            else " (output that varies must be listed in `accept:` or use a lenient `match:`)"
        )
        return CardOutcome(
            path,
            card,
            "seed-dependent",
            f"output depends on the hash seed: PYTHONHASHSEED={seed} gives {short(real_text(result))}, "
            f"PYTHONHASHSEED=0 gives {short(real_text(base))}{hint}",
            result,
        )
    return CardOutcome(path, card, "ok", "", base)


def record_problem(
    path: str, card: Card, base: RunResult, others: Sequence[tuple[int, RunResult]]
) -> CardOutcome | None:
    """Why the live result of an unrecorded card must not be written, if it must not."""
    if base.timed_out:
        return CardOutcome(
            path, card, "timeout", f"not recorded: timed out after {card.timeout or 2:g}s", base
        )
    if base.truncated or base.signal is not None:
        return CardOutcome(
            path, card, "error", "not recorded: the run was killed or its output truncated", base
        )
    if base.exception is None and base.exit_code not in (0, None):
        return CardOutcome(path, card, "error", f"not recorded: exit status {base.exit_code}", base)
    if not _lenient(card):
        for seed, result in others:
            if real_text(result) != real_text(base) and not same_output(
                real_text(result), real_text(base), card.match
            ):
                return CardOutcome(
                    path,
                    card,
                    "seed-dependent",
                    f"not recorded: output depends on the hash seed (PYTHONHASHSEED={seed} gives "
                    f"{short(real_text(result))}); add `accept:` or a lenient `match:`",
                    result,
                )
    return None


def variant_cards(card: Card) -> list[Card]:
    """The variants of a varying card that `quiz check` runs, each as the card a learner
    would see (quiz.deck.variants.check_sample: all of them, or a documented sample)."""
    from quiz.deck.variants import apply, check_sample

    assert card.vary is not None
    return [apply(card, v) for v in check_sample(card.vary, card.key)]


def _variant_problem(card: Card, base: RunResult, other: RunResult, seed: int) -> str | None:
    """Why one variant's runs (PYTHONHASHSEED=0 and `seed`) cannot be an answer, if so.

    A card that varies has no stored answer, so a variant is right when it runs to the
    end, prints the same under both seeds and raises nothing (the card says it prints)."""
    if base.timed_out:
        return f"timed out after {card.timeout or 2:g}s"
    if base.truncated or base.signal is not None:
        return "the run was killed or its output truncated"
    if base.exception is not None:
        return f"raises {base.exception.splitlines()[0] if base.exception else ''}, but a card with `vary` must print"
    if base.exit_code not in (0, None):
        return f"exit status {base.exit_code}"
    if not base.stdout.strip():
        return "prints nothing"
    if real_text(other) != real_text(base) and not same_output(
        real_text(other), real_text(base), card.match
    ):
        return (
            f"output depends on the hash seed: PYTHONHASHSEED={seed} gives "
            f"{short(real_text(other))}, PYTHONHASHSEED=0 gives {short(real_text(base))} "
            "(a variant's answer must not depend on it)"
        )
    return None


def judge_variants(
    runs: Sequence[tuple[str, Card, RunResult, RunResult]], seed: int = SEEDS[0]
) -> list[CardOutcome]:
    """One outcome per failing variant, and one `ok` per card whose variants all pass.

    `runs` holds (path, the card as shown for one variant, the run with
    PYTHONHASHSEED=0, the run with `seed`)."""
    outcomes: list[CardOutcome] = []
    failed: set[tuple[str, str]] = set()
    seen: dict[tuple[str, str], Card] = {}
    for path, shown, base, other in runs:
        seen.setdefault((path, shown.key), shown)
        problem = _variant_problem(shown, base, other, seed)
        if problem is None:
            continue
        failed.add((path, shown.key))
        label = ", ".join(f"{k}={v}" for k, v in shown.variant)
        status = "timeout" if base.timed_out else "error"
        if base.exception is None and not base.timed_out and "hash seed" in problem:
            status = "seed-dependent"
        outcomes.append(
            CardOutcome(
                path,
                shown,
                status,
                f"card {shown.note or shown.id} variant {{{label}}}: {problem}",
                base,
            )
        )
    for (path, key), shown in seen.items():
        if (path, key) not in failed:
            outcomes.append(CardOutcome(path, shown, "ok", "", None))
    return outcomes


# -- recording into the file ---------------------------------------------------------


def _yaml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _block(key: str, text: str, indent: int) -> list[str]:
    """`key: |` with the text as a literal block, or a double-quoted scalar when a
    block cannot hold it exactly (control characters, tabs, trailing spaces, empty,
    or more than one trailing newline, which `|+` would merge with the blank lines
    that follow the card)."""
    pad = " " * indent
    body = text[:-1] if text.endswith("\n") else text
    lines = body.split("\n")
    plain = (
        text
        and not text.endswith("\n\n")
        and not text.startswith("\n")
        and not any(
            (ord(ch) < 32 and ch != "\n") or ch in "\x7f\u2028\u2029\ufeff\x85" for ch in text
        )
        and all(line == line.rstrip(" ") for line in lines)
    )
    if not plain:
        return [f"{pad}{key}: {_yaml_string(text)}\n"]
    chomp = "" if text.endswith("\n") else "-"
    indicator = "2" if lines[0].startswith(" ") else ""
    return [f"{pad}{key}: |{indicator}{chomp}\n"] + [
        f"{pad}  {line}\n" if line else "\n" for line in lines
    ]


def _card_end(lines: list[str], start: int) -> tuple[int, int] | None:
    """(index after the card's last content line, its keys' indent) for the block
    sequence item whose first line is lines[start]; None for flow-style items."""
    first = lines[start]
    stripped = first.lstrip(" ")
    dash = len(first) - len(stripped)
    if not stripped.startswith("- ") or stripped[2:].lstrip().startswith("{"):
        return None
    key_indent = dash + 2 + (len(stripped[2:]) - len(stripped[2:].lstrip(" ")))
    end = start + 1
    last = start + 1
    while end < len(lines):
        line = lines[end]
        content = line.strip()
        if content and not content.startswith("#"):
            indent = len(line) - len(line.lstrip(" "))
            if indent <= dash:
                break
            last = end + 1
        end += 1
    return last, key_indent


def record_into(path: str, answers: Sequence[tuple[Card, RunResult]]) -> list[tuple[int, str]]:
    """Insert `output:`/`raises:` for each (card, live result) into the file at `path`.

    Returns (line, problem) for cards that could not be placed; the file is rewritten once,
    bottom-up so earlier insertions do not shift later line numbers.
    """
    raw = Path(path).read_bytes()
    text = raw.decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
        added_final_newline = True
    else:
        added_final_newline = False
    problems: list[tuple[int, str]] = []
    for card, result in sorted(answers, key=lambda item: -item[0].line):
        found = _card_end(lines, card.line - 1) if 0 < card.line <= len(lines) else None
        if found is None:
            problems.append(
                (card.line, "cannot record into a flow-style card; add `output:` by hand")
            )
            continue
        at, indent = found
        insert: list[str] = []
        if result.exception is not None:  # deck format v1 holds `raises` alone
            insert.append(f"{' ' * indent}raises: {_yaml_string(result.exception)}\n")
        else:
            insert += _block("output", result.stdout, indent)
        lines[at:at] = insert
    out = "".join(lines)
    if added_final_newline:
        out = out[:-1]
    Path(path).write_bytes(
        out.replace("\n", newline).encode("utf-8") if newline != "\n" else out.encode("utf-8")
    )
    return problems


# -- the whole check -------------------------------------------------------------------


def _output_cards(decks: Iterable[Deck]) -> list[tuple[str, Card]]:
    return [
        (deck.path, card) for deck in decks for card in deck.cards if card.kind is CardKind.OUTPUT
    ]


def check_paths(
    paths: Sequence[str | os.PathLike[str]],
    *,
    run: bool = True,
    record: bool = False,
    runner: Runner | None = None,
    python_version: str = "",
    seeds: Sequence[int] = SEEDS,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    lint: bool = True,
    strict: bool = False,
) -> CheckReport:
    """Validate the decks under `paths` and, with `run`, check every output card live.

    `runner(code, timeout, hash_seed)` runs one snippet (the CLI passes the sandbox);
    `python_version` is the runner's interpreter version for `python:` specifiers.
    With `lint`, the content lint's findings come back as `warnings`, or as problems
    when `strict`.
    """
    from quiz.deck import is_unrecorded, load_paths, unrecorded_problems

    decks, problems = load_paths(paths, allow_unrecorded=True)
    problems = list(problems)
    cards = _output_cards(decks)
    findings: list[Finding] = lint_decks(decks) if lint else []
    if not run or runner is None:
        for deck in decks:
            problems.extend(unrecorded_problems(deck))
        return _report(CheckReport(len(decks), len(cards), 0, tuple(problems)), findings, strict)
    notices: list[DeckProblem] = []
    todo: list[tuple[str, Card]] = []
    pinned: list[tuple[str, Card]] = []  # excluded by `python:`, run once to test the pin
    varied: list[tuple[str, Card]] = []  # cards that vary: each sampled variant, run as a card
    for path, card in cards:
        spec = excluded_by(card, python_version)
        if card.vary is not None:
            if spec is not None:
                notices.append(
                    DeckProblem(
                        path, card.line, f"skipped: needs Python {spec}, running {python_version}"
                    )
                )
            else:
                varied += [(path, v) for v in variant_cards(card)]
            continue
        if spec is not None:
            notices.append(
                DeckProblem(
                    path, card.line, f"skipped: needs Python {spec}, running {python_version}"
                )
            )
            if lint and not is_unrecorded(card):
                pinned.append((path, card))
        elif is_unrecorded(card) and not record:
            problems.append(
                DeckProblem(
                    path,
                    card.line,
                    "output card has no expected `output` or `raises` (run `quiz check --record`)",
                )
            )
        else:
            todo.append((path, card))
    jobs = [(i, seed) for i in range(len(todo)) for seed in (0, *seeds)]
    jobs += [(len(todo) + i, 0) for i in range(len(pinned))]
    first_varied = len(todo) + len(pinned)
    jobs += [(first_varied + i, seed) for i in range(len(varied)) for seed in (0, *seeds[:1])]
    if pinned:
        log.info("running %d card(s) excluded by python: once, to test their pins", len(pinned))
    everything = todo + pinned + varied
    results: dict[tuple[int, int], RunResult] = {}
    done = 0
    workers = workers or max(1, os.cpu_count() or 1)

    def one(job: tuple[int, int]) -> tuple[tuple[int, int], RunResult]:
        index, seed = job
        card = everything[index][1]
        return job, runner(card.code or "", card.timeout, seed)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for job, result in pool.map(one, jobs):
            results[job] = result
            done += 1
            if progress is not None:
                progress(done, len(jobs))
    for index, (path, card) in enumerate(pinned):
        live = results[(len(todo) + index, 0)]
        if not live.timed_out and check_expected(card, live).correct:
            findings.append(
                Finding(
                    "unneeded-pin",
                    path,
                    card.line,
                    f"card '{card.note or card.id}': `python: \"{card.python}\"` (the card's or "
                    f"its deck's) excludes {python_version}, where the card gives its expected "
                    "answer; widen the pin",
                )
            )
    outcomes: list[CardOutcome] = []
    to_record: dict[str, list[tuple[Card, RunResult]]] = {}
    for index, (path, card) in enumerate(todo):
        base = results[(index, 0)]
        others = [(seed, results[(index, seed)]) for seed in seeds]
        if is_unrecorded(card):
            refusal = record_problem(path, card, base, others)
            if refusal is not None:
                outcomes.append(refusal)
                continue
            to_record.setdefault(path, []).append((card, base))
            shown = (
                f"raises: {base.exception}"
                if base.exception is not None
                else f"output: {short(base.stdout)}"
            )
            outcomes.append(CardOutcome(path, card, "recorded", f"recorded {shown}", base))
        else:
            outcomes.append(judge(path, card, base, others))
    outcomes += judge_variants(
        [
            (path, card, results[(first_varied + i, 0)], results[(first_varied + i, seeds[0])])
            for i, (path, card) in enumerate(varied)
        ]
        if seeds
        else []
    )
    recorded: list[DeckProblem] = []
    for path, answers in to_record.items():
        for line, message in record_into(path, answers):
            problems.append(DeckProblem(path, line, message))
            outcomes = [o for o in outcomes if not (o.path == path and o.card.line == line)]
    for outcome in outcomes:
        if outcome.status == "recorded":
            recorded.append(outcome.problem())
        elif outcome.status != "ok":
            problems.append(outcome.problem())
    problems.sort(key=lambda p: (p.path, p.line or 0))
    report = CheckReport(
        len(decks),
        len(cards),
        len(jobs),
        tuple(problems),
        tuple(notices),
        tuple(outcomes),
        tuple(recorded),
    )
    return _report(report, findings, strict)


def _report(report: CheckReport, findings: list[Finding], strict: bool) -> CheckReport:
    """Attach the lint findings: as warnings, or under `strict` as problems."""
    findings = sorted(findings, key=lambda f: (f.path, f.line or 0, f.rule))
    if not strict:
        return replace(report, warnings=tuple(findings))
    as_problems = [DeckProblem(f.path, f.line, f"error [{f.rule}]: {f.message}") for f in findings]
    problems = sorted((*report.problems, *as_problems), key=lambda p: (p.path, p.line or 0))
    return replace(report, problems=tuple(problems))
