"""`quiz run` (one output card, live) and `quiz doctor` (which sandbox layers hold here).

Thin: find the card, run it through quiz.sandbox, grade with quiz.grading, render.
Everything the snippet printed is escaped by quiz.safe_text before it reaches the
terminal.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, replace
from pathlib import Path

from quiz.cli.boundary import Exit, echo
from quiz.cli.declare import Argument, Option, command
from quiz.errors import NotFound, UsageError
from quiz.model import Card, CardKind, Deck
from quiz.trace import Trace


def _find_in(deck: Deck, card_id: str) -> Card | None:
    for card in deck.cards:
        if card.id == card_id or (card.note == card_id and card.kind is CardKind.OUTPUT):
            return card
    return None


def _from_store(deck_id: str, card_id: str) -> tuple[Deck, Card] | None:
    """The card as imported into the store (None when the store lacks it, or there is
    no store yet: then the deck folders below are searched)."""
    from quiz.cli import context
    from quiz.cli.boundary import GLOBALS
    from quiz.model import Text as ModelText
    from quiz.store.engine import resolve_url, sqlite_path

    local = sqlite_path(resolve_url(GLOBALS.db))
    if local is not None and not local.exists():
        return None
    key = f"{deck_id}/{card_id}"
    lean = _lean_card(local, key) if local is not None else None
    if lean is not None:
        card, path = lean
    else:
        with context.unit() as repo:
            stored = repo.get_card(key)
        if stored is None:
            return None
        card, path = stored.card, stored.path
    deck = Deck(id=deck_id, title=ModelText.plain(deck_id), cards=(card,), path=path or "")
    return deck, card


def _lean_card(path: Path, key: str) -> tuple[Card, str | None] | None:
    """The card through the read-only sqlite3 store (quiz.store.lean), when it is a
    current store that has it; None sends the lookup to the full store."""
    from quiz.cli.boundary import GLOBALS
    from quiz.model import card_from_dict
    from quiz.store.lean import LeanStore
    from quiz.store.location import learner_name

    if os.environ.get("QUIZ_DEBUG"):
        return None
    try:
        store = LeanStore.open(path, learner_name(GLOBALS.learner))
    except (OSError, ValueError):
        return None
    if store is None:
        return None
    try:
        found = store.card(key)
    except Exception:  # a locked or damaged store: the full store reports it properly
        return None
    finally:
        store.close()
    if found is None:
        return None
    content, deck_path = found
    return card_from_dict(content), deck_path


def _deck_folders() -> list[Path]:
    folders = [Path("decks")]
    try:
        from importlib.resources import files

        folders.append(Path(str(files("quiz").joinpath("bundled_decks"))))
    except (ModuleNotFoundError, TypeError):
        pass
    extra = os.environ.get("QUIZ_DECKS")
    if extra:
        folders[:0] = [Path(p) for p in extra.split(os.pathsep) if p]
    return [f for f in folders if f.is_dir()]


def find_card(target: str) -> tuple[Deck, Card]:
    """`PATH#ID` (a deck file and a card id) or `DECK/ID` (a deck id and a card id)."""
    from quiz.deck import find_deck_files, load_deck

    if "#" in target:
        path, _, card_id = target.rpartition("#")
        if not Path(path).is_file():
            raise UsageError(f"no such deck file: {path}")
        deck = load_deck(path, allow_unrecorded=True)
        card = _find_in(deck, card_id)
        if card is None:
            raise NotFound(f"no card {card_id!r} in {path}")
        return deck, card
    deck_id, sep, card_id = target.partition("/")
    if not sep or not deck_id or not card_id:
        raise UsageError(f"expected DECK/ID or PATH#ID, not {target!r}")
    found = _from_store(deck_id, card_id)
    if found is not None:
        return found
    for file in find_deck_files(_deck_folders()):
        try:
            deck = load_deck(file, allow_unrecorded=True)
        except Exception:
            continue
        if deck.id == deck_id:
            card = _find_in(deck, card_id)
            if card is None:
                raise NotFound(f"no card {card_id!r} in deck {deck_id!r} ({file})")
            return deck, card
    raise NotFound(
        f"no deck {deck_id!r} found (searched {', '.join(str(f) for f in _deck_folders()) or 'nothing'}); try PATH#ID"
    )


@command(
    "run",
    help=(
        "Run one output card's snippet in the sandbox, show the real output and whether it matches "
        "the deck's stored answer (exit 1 if not).\n\n"
        "With --trace, step through the run: each line as it runs, the variables it changed, "
        "calls and returns by depth, exceptions where raised, what each step printed; with "
        "--predict FILE (or - for stdin) the step where the output departs from your prediction "
        "is marked.\n\n"
        "A card with `vary:` runs one variant: the first (every name's first value) unless "
        "--variant picks another (names left out take their first value); it has no stored "
        "answer, so it passes when the variant runs and prints.\n\n"
        "Example: quiz run closures/cl-late-binding   |   quiz run decks/closures.yaml#cl-late-binding"
        "   |   quiz run closures/cl-late-binding --trace --predict -"
        "   |   quiz run data-structures/ds-aliasing --variant n=3,op=+="
    ),
)
def run(
    target: str = Argument(..., help="DECK/ID, or PATH#ID for a deck file."),
    python: str | None = Option(None, "--python", help="Run with this interpreter."),
    as_json: bool = Option(False, "--json", help="Print the result as JSON."),
    trace: bool = Option(False, "--trace", help="Step through the run."),
    predict: str | None = Option(
        None,
        "--predict",
        help="A file with your predicted output (- for stdin); implies --trace.",
        metavar="FILE",
    ),
    pick: str | None = Option(
        None,
        "--variant",
        help="For a card with `vary:`: which variant, as name=value,... (default: the first).",
        metavar="NAME=VALUE,...",
    ),
) -> None:
    from quiz.grading import check_expected, expected_text
    from quiz.sandbox import Sandbox, SandboxConfig, TraceBound

    predicted = _read_prediction(predict) if predict is not None else None
    trace = trace or predicted is not None
    deck, card = find_card(target)
    if card.kind is not CardKind.OUTPUT or not card.code:
        raise UsageError(f"{card.key} is a {card.kind.value} card; only output cards run")
    variant = None
    total = 1
    if card.vary is not None:
        from quiz.deck.variants import apply, parse_pick

        try:
            variant = parse_pick(card.vary, pick or "")
        except ValueError as exc:
            raise UsageError(f"--variant: {exc}") from None
        total = card.vary.count
        card = apply(card, variant)
    elif pick is not None:
        raise UsageError(f"--variant: {card.key} has no variants (no `vary:`)")
    code = card.code or ""
    with Sandbox(SandboxConfig.from_env(python=python, prestart=False)) as box:
        result = box.run(code, timeout=card.timeout, trace=TraceBound() if trace else None)
    steps = None
    if trace:
        from quiz.trace import parse

        steps = parse(result.trace)
    result = replace(result, trace=())
    recorded = card.output is not None or card.raises is not None
    verdict = check_expected(card, result) if recorded else None
    matches = bool(verdict and verdict.correct)
    if variant is not None:  # no stored answer: the variant must run and print
        matches = (
            not result.timed_out
            and result.exception is None
            and result.exit_code in (0, None)
            and bool(result.stdout.strip())
        )
    if as_json:
        from quiz.safe_text import json_text

        echo(
            json_text(
                json.dumps(
                    {
                        "card": card.key,
                        "variant": dict(variant.values) if variant is not None else None,
                        "path": deck.path,
                        "line": card.line,
                        "code": card.code,
                        "result": asdict(result),
                        "expected": expected_text(card) if recorded else None,
                        "matches": matches,
                        "message": verdict.message
                        if verdict
                        else (
                            "a card with vary: its answer is the live run"
                            if variant is not None
                            else "no stored answer"
                        ),
                        "diff": list(verdict.diff) if verdict else [],
                        **(_trace_json(steps, predicted) if steps is not None else {}),
                    },
                    indent=2,
                    ensure_ascii=False,
                )
            )
        )
    else:
        if variant is not None:
            from rich.text import Text

            from quiz.safe_text import escape
            from quiz.ui.console import out

            which = "the first" if pick is None else "picked"
            out().print(
                Text(
                    escape(
                        f"variant {variant.label()} ({which} of {total}; "
                        "another: --variant NAME=VALUE,...)"
                    ),
                    style="cyan",
                )
            )
        _render(deck, card, result, verdict, varies=variant is not None)
        if steps is not None:
            from rich.text import Text

            from quiz.ui.console import out
            from quiz.ui.trace_view import trace_view

            out().print(Text("step through", style="bold"))
            out().print(trace_view(code, steps, predicted))
    raise Exit(0 if matches else 1)


def _read_prediction(source: str) -> str:
    import sys

    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the prediction {source}: {exc}") from exc


def _trace_json(steps: Trace, predicted: str | None) -> dict[str, object]:
    from quiz.trace import departure

    return {
        "trace": {
            "steps": [asdict(step) for step in steps.steps],
            "cut_at": steps.cut_at,
            "departs_at": departure(steps, predicted) if predicted is not None else None,
        }
    }


def _render(deck: Deck, card: Card, result, verdict, varies: bool = False) -> None:
    from rich.panel import Panel
    from rich.syntax import Syntax
    from rich.text import Text

    from quiz.grading import expected_text
    from quiz.safe_text import escape
    from quiz.ui.card_view import run_output
    from quiz.ui.console import out

    console = out()
    console.print(Text(escape(f"{card.key}  ({deck.path}:{card.line})"), style="bold"))
    console.print(
        Syntax(
            escape(card.code or ""),
            "python",
            theme="ansi_dark",
            line_numbers=True,
            word_wrap=True,
        )
    )
    console.print(run_output(result))
    if result.stderr and not result.exception:
        console.print(
            Panel(
                Text(escape(result.stderr)),
                title="stderr",
                title_align="left",
                expand=False,
                style="dim",
            )
        )
    status = []
    if result.timed_out:
        status.append("timed out")
    if result.signal:
        status.append(f"killed by signal {int(result.signal)}")
    if result.exit_code not in (0, None, 1):
        status.append(f"exit status {result.exit_code}")
    status.append(f"{result.duration_ms:.0f} ms")
    console.print(Text(", ".join(status), style="dim"))
    for note in result.notes:
        console.print(Text(f"note: {escape(note)}", style="dim"))
    if verdict is None and varies:
        console.print(
            Text(
                "a card with vary: no stored answer, the live run is the answer "
                "(quiz check runs every variant)",
                style="dim",
            )
        )
    elif verdict is None:
        console.print(
            Text("no stored answer in the deck (run `quiz check --record`)", style="yellow")
        )
    elif verdict.correct:
        console.print(Text("✓ matches the deck's answer", style="green"))
    else:
        console.print(
            Text(f"✗ does not match the deck's answer: {escape(verdict.message)}", style="red")
        )
        console.print(
            Panel(
                Text(escape(expected_text(card)) or "(no output)"),
                title="deck says",
                title_align="left",
                expand=False,
            )
        )


@command(
    "doctor",
    help=(
        "Show which sandbox layers protect predict-output runs on this machine "
        "(bubblewrap, Landlock, seccomp, namespaces, privilege drop, limits).\n\nExample: quiz doctor --json"
    ),
)
def doctor(
    python: str | None = Option(None, "--python", help="Describe runs with this interpreter."),
    as_json: bool = Option(False, "--json", help="Print the layers as JSON."),
) -> None:
    from quiz.sandbox import Sandbox, SandboxConfig

    box = Sandbox(SandboxConfig.from_env(python=python, prestart=False))
    layers = box.layers()
    plan = box.plan
    if as_json:
        echo(
            json.dumps(
                {
                    "python": {
                        "executable": plan.interpreter.executable,
                        "version": plan.interpreter.version_text,
                    },
                    "bwrap": plan.bwrap,
                    "running_as_root": plan.as_root,
                    "layers": [
                        {"name": layer.name, "status": layer.status, "detail": layer.detail}
                        for layer in layers
                    ],
                },
                indent=2,
            )
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"sandbox layers (Python {plan.interpreter.version_text}: {plan.interpreter.executable})"
    )
    table.add_column("layer")
    table.add_column("status")
    table.add_column("detail")
    colour = {"active": "green", "missing": "red", "off": "yellow"}
    for layer in layers:
        table.add_row(
            layer.name, f"[{colour.get(layer.status, 'dim')}]{layer.status}[/]", layer.detail
        )
    Console().print(table)
