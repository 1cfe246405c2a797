"""Deck authoring commands: `quiz schema`, `quiz new deck|card`, `quiz draft`, `quiz fmt`,
and `quiz export` (decks back out of the store: Anki, CSV, YAML).

Thin, like every command module: parse, call one function in quiz.authoring or
quiz.export, write the result, map errors. Heavy imports stay inside the commands.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from quiz.cli import context
from quiz.cli.boundary import Exit, echo
from quiz.cli.declare import Argument, Option, command, group
from quiz.errors import QuizError, UsageError
from quiz.ui.plural import counted

new_app = group(
    "new",
    help="Start a deck, or add a card skeleton to one.\n\nExample: quiz new deck my-deck && quiz new card my-deck.yaml --type output",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

FORMATS = ("apkg", "csv", "yaml")


def write_atomic(path: Path, data: str) -> None:
    """Write `data` (exactly: no newline translation) via a temporary file and a rename,
    so an interrupted write never leaves half a deck."""
    tmp = path.with_name(f".{path.name}.quiz-tmp")
    try:
        tmp.write_bytes(data.encode("utf-8"))
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):  # a file where a folder should be: no tmp either
            tmp.unlink(missing_ok=True)
        raise QuizError(f"{path}: cannot write: {exc.strerror or exc}") from None


def check_target(path: Path, force: bool, data: str | None = None) -> bool:
    """Whether to write the file `path` (-o): False when it already holds exactly `data`.

    A folder, a missing folder, or a file where a folder should be is a usage error
    (one line, exit 2), and so is an existing file without --force: an export never
    replaces a file silently.
    """
    if path.is_dir():
        raise UsageError(f"{path} is a folder; give -o a file name")
    parent = path.parent
    if not parent.exists():
        raise UsageError(f"{parent}: no such folder")
    if not parent.is_dir():
        raise UsageError(f"{parent} is not a folder")
    if path.exists():
        if data is not None and _holds(path, data):
            return False
        if not force:
            raise UsageError(f"{path} already exists; use --force to replace it, or another -o")
    return True


def _holds(path: Path, data: str) -> bool:
    try:
        return path.read_bytes() == data.encode("utf-8")
    except OSError:
        return False


def write_stdout(data: str) -> None:
    """Deck data written to stdout: exact bytes into a pipe or a file, but on a terminal
    with control and bidi characters escaped (quiz.safe_text), since the data comes
    from decks that may be hostile."""
    if sys.stdout.isatty():
        from quiz.safe_text import escape

        data = escape(data)
    sys.stdout.write(data)
    sys.stdout.flush()


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a folder, not a deck file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise QuizError(f"{path}: cannot read: {exc.strerror or exc}") from None


@command("schema")
def schema(
    output: Path | None = Option(
        None, "--output", "-o", help="Write it to this file instead of stdout."
    ),
    force: bool = Option(False, "--force", help="Replace an existing -o file."),
) -> None:
    """Print the JSON Schema of deck format v1 (for editors and CI).

    Decks point editors at it with a first line like
    `# yaml-language-server: $schema=../quiz/deck/deck-v1.schema.json`.

    Example: quiz schema -o deck-v1.schema.json
    """
    from quiz.authoring.schema_line import schema_file

    text = schema_file().read_text(encoding="utf-8")
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    elif check_target(output, force, text):
        write_atomic(output, text)
        echo(f"wrote {output}", err=True)
    else:
        echo(f"{output} is up to date", err=True)


@command("deck", group=new_app)
def new_deck(
    name: Path = Argument(
        ..., help="File to create (NAME or NAME.yaml); NAME also gives the deck id."
    ),
    title: str | None = Option(None, "--title", help="The deck's title (default: from NAME)."),
    lang: str = Option("en", "--lang", help="Language of the deck's text (en, zh, ...)."),
    schema_ref: str | None = Option(
        None,
        "--schema",
        help="Path or URL of the JSON Schema for the editor line (default: the installed one).",
    ),
    deck_id: str | None = Option(None, "--id", help="The deck id (default: from NAME)."),
) -> None:
    """Write a new deck file with one working example card of each type.

    The file passes `quiz check` as written; edit or delete the examples. It never
    overwrites an existing file.

    Example: quiz new deck decks/python-basics --title "Python basics"
    """
    from quiz.authoring.ids import deck_id as make_deck_id
    from quiz.authoring.schema_line import schema_line
    from quiz.authoring.skeleton import deck_skeleton
    from quiz.deck.fields import DECK_ID_RE, LANG_RE

    path = name if name.suffix.lower() in (".yaml", ".yml") else name.with_name(name.name + ".yaml")
    ident = deck_id or make_deck_id(path.stem)
    if not ident or not DECK_ID_RE.fullmatch(ident):
        raise UsageError(
            f"cannot make a deck id from '{path.stem}'; give one with --id (lowercase letters, digits, '-')"
        )
    if not LANG_RE.fullmatch(lang):
        raise UsageError(f"--lang '{lang}' is not a language code (like en, zh, zh-Hans)")
    if path.exists():
        raise UsageError(f"{path} already exists; pick another name (quiz new never overwrites)")
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent}: no such folder")
    text = deck_skeleton(
        ident,
        title or ident.replace("-", " ").capitalize(),
        lang,
        path.name,
        schema_line(path, schema_ref),
    )
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError(
            f"{path} already exists; pick another name (quiz new never overwrites)"
        ) from None
    echo(f"wrote {path} (deck '{ident}', 5 example cards); next: quiz check {path}")


@command("card", group=new_app)
def new_card(
    deck_file: Path = Argument(..., help="The deck file to append the card to."),
    kind: str = Option("basic", "--type", "-t", help="basic | typed | choice | cloze | output."),
    front: str | None = Option(
        None,
        "--front",
        help="The question (for cloze: the text with {{c1::...}}); also names the id.",
    ),
    card_id: str | None = Option(
        None, "--id", help="The card's id (default: from --front, else TYPE-N)."
    ),
    vary: bool = Option(
        False,
        "--vary",
        help="An output card that is new every review: a `vary:` block and code using "
        "{{n}} and {{container}}.",
    ),
) -> None:
    """Append a card skeleton to a deck file, leaving the rest of the file byte for byte.

    The card goes at the end of `cards:`, indented like the cards before it, with a fresh
    id. An output card has no expected output yet: write its code, then run
    `quiz check --record FILE`. With --vary it gets a `vary:` block instead (each
    variant's answer is its live run; `quiz check FILE` runs them).

    Example: quiz new card decks/python-basics.yaml --type typed --front "2 ** 10?"
    |  quiz new card decks/python-basics.yaml --type output --vary
    """
    from quiz.authoring.insert import append_card, card_ids
    from quiz.authoring.skeleton import card_skeleton
    from quiz.deck import parse_deck
    from quiz.deck.fields import CARD_ID_RE, CARD_TYPES

    if kind not in CARD_TYPES:
        raise UsageError(f"unknown card type '{kind}'; use one of: {', '.join(CARD_TYPES)}")
    text = _read_text(deck_file)
    parse_deck(
        text.encode("utf-8"), str(deck_file), allow_unrecorded=True
    )  # a broken deck: its problems
    taken = set(card_ids(text, str(deck_file)))
    if card_id is not None:
        if not CARD_ID_RE.fullmatch(card_id):
            raise UsageError(
                f"--id '{card_id}' may only use lowercase letters, digits, '_' and '-'"
            )
        if card_id in taken:
            raise UsageError(f"card id '{card_id}' is already used in {deck_file}")
    card = card_skeleton(kind, taken, card_id, front, vary=vary)
    new_text = append_card(text, card, str(deck_file))
    parse_deck(new_text.encode("utf-8"), str(deck_file), allow_unrecorded=True)
    write_atomic(deck_file, new_text)
    echo(f"added {kind} card '{card['id']}' to {deck_file}")
    if kind == "output" and vary:
        echo(
            f"write its code with {{{{name}}}} placeholders, then run every variant: "
            f"quiz check {deck_file}"
        )
    elif kind == "output":
        echo(f"write its code, then record the expected output: quiz check --record {deck_file}")


@command("draft")
def draft(
    notes: Path = Argument(..., help="Notes to draft from: Markdown (.md) or plain text."),
    output: Path | None = Option(
        None, "--output", "-o", help="Write the deck here (default: stdout). Never overwrites."
    ),
    deck_id: str | None = Option(None, "--deck", help="Deck id (default: from the file name)."),
    title: str | None = Option(
        None, "--title", help="Deck title (default: the first heading, or the file name)."
    ),
    lang: str | None = Option(
        None, "--lang", help="Deck language (default: guessed from the text)."
    ),
    run: bool = Option(
        True, "--run/--no-run", help="Run Python code blocks in the sandbox to record their output."
    ),
    schema_ref: str | None = Option(
        None, "--schema", help="Path or URL of the JSON Schema for the editor line."
    ),
) -> None:
    """Draft a deck from study notes, for you to edit.

    Headings become tags; questions (a line ending in ?, Q:/A: pairs), definitions
    (`term: definition`) and a heading followed by a paragraph become basic cards; each
    fenced Python block becomes an output card whose expected output is recorded by
    running it in the sandbox. Works on Markdown and on plain-text notes (headings there
    are short lines ending in a colon, like `组合与继承:`).

    Example: quiz draft notes/gil.md -o decks/gil.yaml
    """
    from quiz.authoring.draft import draft as make_draft
    from quiz.authoring.schema_line import schema_line
    from quiz.deck.fields import DECK_ID_RE, LANG_RE

    if deck_id is not None and not DECK_ID_RE.fullmatch(deck_id):
        raise UsageError(f"--deck '{deck_id}' may only use lowercase letters, digits and '-'")
    if lang is not None and not LANG_RE.fullmatch(lang):
        raise UsageError(f"--lang '{lang}' is not a language code (like en, zh, zh-Hans)")
    if output is not None and output.exists():
        raise UsageError(f"{output} already exists; quiz draft never overwrites (pick another -o)")
    if output is not None:
        check_target(output, force=False)
    text = _read_text(notes)
    runner = None
    if run:
        from quiz.sandbox import Sandbox, SandboxConfig

        box = Sandbox(SandboxConfig())
        runner = box.run
    result = make_draft(text, notes.name, runner, deck=deck_id, title=title, lang=lang)
    target = output if output is not None else Path.cwd() / "draft.yaml"
    header = (
        schema_line(target, schema_ref)[2:],
        f"Drafted by `quiz draft` from {notes.name}: every card is a guess; edit it, then `quiz check`.",
    )
    deck_text = result.text(header)
    for warning in result.warnings:
        echo(f"quiz: {warning}", err=True)
    made = ", ".join(f"{n} {how}" for how, n in sorted(result.counts.items())) or "no cards"
    count = len(result.deck["cards"])  # type: ignore[arg-type]  # a drafted deck's cards is always a list
    if output is None:
        write_stdout(deck_text)
        echo(f"drafted {counted(count, 'card')} ({made})", err=True)
    else:
        write_atomic(output, deck_text)
        echo(f"wrote {output}: {counted(count, 'card')} ({made}); next: quiz check {output}")


@command("fmt")
def fmt(
    paths: list[Path] = Argument(..., help="Deck files or folders of them."),
    check: bool = Option(
        False,
        "--check",
        help="Change nothing; list files that would change and exit 1 if any (for CI).",
    ),
) -> None:
    """Normalise deck files: key order, quoting of YAML traps (no, on, 1e3, dates),
    `|` blocks for multi-line text, 2-space indentation. Comments are kept.

    The meaning never changes: each result is loaded and compared with the original
    deck, and a file is left alone if they differ. Running it twice changes nothing.

    Example: quiz fmt decks/   (in CI: quiz fmt --check decks/)
    """
    from quiz.authoring.fmt import format_checked, known_unchanged, remember_unchanged
    from quiz.cli.boundary import report
    from quiz.deck import find_deck_files
    from quiz.errors import DeckError

    files = find_deck_files(paths)
    failed = 0
    changed: list[tuple[Path, bool]] = []
    unchanged: list[str] = []
    for path in files:
        text = _read_text(path)
        if known_unchanged(text):
            continue
        try:
            result = format_checked(text, str(path))
        except (DeckError, QuizError) as exc:
            report(exc)
            failed += 1
            continue
        if not result.changed:
            unchanged.append(text)
        else:
            changed.append((path, result.fixed))
            if not check:
                write_atomic(path, result.after)
    remember_unchanged(unchanged)
    for path, fixed in changed:
        if check:
            echo(f"would reformat {path}")
        else:
            echo(
                f"formatted {path}"
                + (" (quoted values YAML misreads; it loads now)" if fixed else "")
            )
    echo(
        f"{len(changed)} of {counted(len(files), 'file')} {'would change' if check else 'formatted'}"
        + (f", {failed} with problems" if failed else ""),
        err=True,
    )
    if failed or (check and changed):
        raise Exit(1)


@command("export")
def export(
    fmt_name: str = Option("apkg", "--format", "-f", help="apkg (Anki package) | csv | yaml."),
    output: Path | None = Option(
        None,
        "--output",
        "-o",
        help="File to write (yaml with several decks: a folder). csv and a single yaml deck default to stdout.",
    ),
    deck: list[str] | None = Option(
        None, "--deck", "-d", help="Only these decks (repeatable; default: all)."
    ),
    lang: str | None = Option(
        None, "--lang", help="Language of the text in apkg/csv (en, zh, ...)."
    ),
    force: bool = Option(False, "--force", help="Replace existing files."),
    history: bool = Option(
        True,
        "--history/--no-history",
        help="apkg: include your answers and each card's schedule (Anki's scheduling information).",
    ),
) -> None:
    """Export decks from the store: to Anki (.apkg), CSV (front, back, tags) or YAML.

    apkg: one Anki deck per quiz deck, a note per card (cloze notes as Anki cloze
    notes), code highlighted, tags kept, with your review history (--no-history to share
    the cards alone); GUIDs come from card keys, so re-importing a newer export into Anki
    updates the notes, and `quiz import` of a package back from Anki finds the cards. yaml: deck files that `quiz import` reads
    back to the same cards (e.g. a deck that exists only in a shared store).

    Example: quiz export --format apkg -o python.apkg --deck python-gil
    """
    if fmt_name not in FORMATS:
        raise UsageError(f"unknown --format '{fmt_name}'; use one of: {', '.join(FORMATS)}")
    names = tuple(deck or ())
    if fmt_name == "apkg":
        with _bulk_export(fmt_name):
            counts = _export_reads(
                lambda reads, collection: _write_anki(
                    reads, collection, names, output, lang, force, history
                ),
                attach=history,
            )
        echo(
            f"wrote {output}: {sum(counts.values())} notes in {len(counts)} deck{'s' if len(counts) != 1 else ''}"
        )
        return
    language = lang or context.config().lang
    if fmt_name == "csv":
        text, rows = _export_reads(lambda reads, _: _csv_text(reads, names, language))
        if output is None:
            write_stdout(text)
        elif check_target(output, force, text):
            write_atomic(output, text)
            echo(f"wrote {output}: {counted(rows, 'row')}")
        else:
            echo(f"{output} is up to date: {counted(rows, 'row')}")
    else:
        _write_yaml(_export_reads(lambda reads, _: _yaml_texts(reads, names, output)), force)


def _write_anki(reads, collection, names, output, lang, force, history) -> dict[str, int]:
    """Read what the package needs, then write it: the learner's answers are read into
    the package's revlog as it is written (`ExportReads.revlog_into`), in the same
    snapshot of the store as its cards."""
    from quiz.export.apkg import write_apkg
    from quiz.export.gather import read_export

    decks, changed, answers = read_export(reads, names, True, history)
    language = lang or context.config().lang
    if output is None:
        raise UsageError("--format apkg needs -o FILE.apkg")
    check_target(output, force)
    revlog = reads if history else None
    return write_apkg(decks, output, language, changed, answers, context.now(), revlog, collection)


def _export_reads(work, attach: bool = False):
    """`work(reads, collection)` over the store: through the read-only sqlite3 connection
    of a current SQLite store (no ORM to import; one snapshot, as in the full store), else
    through the full store, which also words whatever that connection could not read.
    With `attach`, the read-only connection gets a scratch file for the package's
    collection attached (before its snapshot begins: SQLite attaches outside a
    transaction), so that the answers go from the log into the package's revlog in
    SQLite alone; through the full store `collection` is None."""
    import sqlite3

    from quiz.store.export_reads import ExportReads

    lean = context.read_only_store()
    if lean is not None:
        try:
            with contextlib.ExitStack() as stack:
                collection = None
                if attach:
                    from quiz.export.apkg import scratch_collection

                    collection = stack.enter_context(scratch_collection())
                    lean.conn.execute("ATTACH DATABASE ? AS pkg", (str(collection),))
                    lean.conn.execute("PRAGMA pkg.journal_mode = OFF")
                    lean.conn.execute("PRAGMA pkg.synchronous = OFF")
                    lean.conn.execute("PRAGMA temp_store = MEMORY")
                lean.conn.execute("BEGIN")
                attached = lean.conn if attach else None
                return work(ExportReads(lean.selection, attached), collection)
        except sqlite3.Error as exc:
            import logging

            logging.getLogger(__name__).info("export: read through the full store (%s)", exc)
        finally:
            lean.close()
    with context.unit(create=False) as repo:
        return work(ExportReads(repo.selection), None)


def _bulk_export(fmt_name: str) -> contextlib.AbstractContextManager[None]:
    """An Anki export reads and builds objects per card and per answer that all stay
    alive until the package is written: the cyclic collector, paused for it, would only
    walk them again and again (quiz.deck.yaml_nodes.gc_paused). Its module needs PyYAML,
    which genanki loads anyway; the other formats keep their start-up as it is."""
    if fmt_name != "apkg":
        return contextlib.nullcontext()
    from quiz.deck.yaml_nodes import gc_paused

    return gc_paused()


def _csv_text(reads, names: tuple[str, ...], language: str | None) -> tuple[str, int]:
    """The CSV of the decks, read a deck at a time in the store's snapshot."""
    import io

    from quiz.export.gather import read_deck, wanted_decks
    from quiz.export.table import write_csv

    buffer = io.StringIO()
    rows = write_csv((read_deck(reads, d) for d in wanted_decks(reads, names)), buffer, language)
    return buffer.getvalue(), rows


def _yaml_texts(
    reads, names: tuple[str, ...], output: Path | None
) -> list[tuple[Path | None, str]]:
    """Each deck's YAML and the file it goes to (None: stdout), read and written out a deck
    at a time in the store's snapshot: a big store's cards are never all held at once."""
    from quiz.authoring.schema_line import schema_ref
    from quiz.export.gather import read_deck, wanted_decks
    from quiz.export.yaml_deck import deck_yaml

    listed = wanted_decks(reads, names)
    targets: list[Path | None]
    if output is None:
        if len(listed) != 1:
            raise UsageError(
                f"{len(listed)} decks: give -o FOLDER (one file per deck), or pick one with --deck"
            )
        targets = [None]
    elif len(listed) == 1 and output.suffix.lower() in (".yaml", ".yml"):
        check_target(output, force=True)  # a folder or a missing one; clashes come below
        targets = [output]
    else:
        if output.exists() and not output.is_dir():
            raise UsageError(
                f"{output} is a file; give -o a folder (one file per deck), or a .yaml file for one deck"
            )
        targets = [output / f"{d.deck}.yaml" for d in listed]
    return [
        (path, deck_yaml(read_deck(reads, d), schema_ref(path or Path.cwd() / "deck.yaml")))
        for d, path in zip(listed, targets, strict=True)
    ]


def _write_yaml(texts: list[tuple[Path | None, str]], force: bool) -> None:
    if texts[0][0] is None:
        write_stdout(texts[0][1])
        return
    files = [(path, text) for path, text in texts if path is not None]
    folder = files[0][0].parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{folder}: cannot make the folder: {exc.strerror or exc}") from None
    clash = [
        str(p)
        for p, text in files
        if p.exists() and not force and p.read_bytes() != text.encode("utf-8")
    ]
    if clash:
        raise UsageError(f"would overwrite {', '.join(clash)}; use --force, or another -o")
    for path, text in files:
        write_atomic(path, text)
        echo(f"wrote {path}")
