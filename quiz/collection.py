"""Deck files versus the store: import, retire, restore.

An import is all or nothing: every file is read and validated first, and only when
all of them are clean is anything written, in one transaction. A file whose bytes
have not changed since its last import is skipped without parsing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from quiz.deck import find_deck_files, parse_deck
from quiz.deck.files import file_digest
from quiz.deck.yaml_nodes import gc_paused
from quiz.errors import DeckError, DeckProblem
from quiz.model import CardKind, Deck

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    from quiz.store.deck_sync import StoredDeckInfo

    class DeckStore(Protocol):
        """What an import asks of a store: the Repo, or the sqlite3 writer of `quiz
        import` (quiz.store.lean_write); both run quiz.store.deck_sync."""

        def decks_by_path(self) -> dict[str, StoredDeckInfo]: ...

        def sync_deck(
            self, deck: Deck, path: str, file_hash: str, now: datetime
        ) -> dict[str, int]: ...


@dataclass(frozen=True)
class DeckImport:
    deck: str
    path: str
    skipped: bool = False  # file unchanged since its last import
    added: int = 0
    updated: int = 0
    retired: int = 0
    restored: int = 0
    unchanged: int = 0
    # Output cards claim what Python prints; import does not run them (`quiz check` does).
    output_cards: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired or self.restored)


@dataclass(frozen=True)
class ImportReport:
    decks: tuple[DeckImport, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        return any(d.changed for d in self.decks)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DeckError([DeckProblem(str(path), None, f"cannot read: {exc.strerror}")]) from None


def import_paths(
    repo: DeckStore,
    paths: Iterable[Path],
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    # The decks read stay alive until written, and writing them allocates a dict or two
    # per card: the cyclic collector would walk every card again, for nothing (issue #19).
    with gc_paused():
        return _import_paths(repo, paths, now, progress)


def _import_paths(
    repo: DeckStore,
    paths: Iterable[Path],
    now: datetime,
    progress: Callable[[int, int], None] | None,
) -> ImportReport:
    files = find_deck_files([Path(p) for p in paths])
    stored = repo.decks_by_path()
    unchanged: list[tuple[str, str]] = []  # (deck slug, path)
    to_sync: list[tuple[Deck, str, str]] = []
    problems: list[DeckProblem] = []
    claimed: dict[str, str] = {}  # deck id -> path, within this run

    for index, path in enumerate(files):
        key = str(path.resolve())
        data = _read(path)
        digest = file_digest(data)
        known = stored.get(key)
        if known is not None and known.file_hash == digest:
            unchanged.append((known.slug, key))
            deck_id = known.slug
        else:
            try:
                deck = parse_deck(data, str(path))
            except DeckError as exc:
                problems.extend(exc.problems)
                continue
            to_sync.append((deck, key, digest))
            deck_id = deck.id
        if deck_id in claimed:
            problems.append(
                DeckProblem(
                    str(path), 1, f"deck id '{deck_id}' is also defined in {claimed[deck_id]}"
                )
            )
        claimed.setdefault(deck_id, str(path))
        if progress:
            progress(index + 1, len(files) * 2)
    if problems:
        raise DeckError(problems)

    results = [DeckImport(deck=slug, path=path, skipped=True) for slug, path in unchanged]
    for index, (deck, key, digest) in enumerate(to_sync):
        counts = repo.sync_deck(deck, key, digest, now)
        outputs = sum(1 for card in deck.cards if card.kind == CardKind.OUTPUT)
        results.append(
            DeckImport(
                deck=deck.id,
                path=key,
                added=counts["added"],
                updated=counts["updated"],
                retired=counts["retired"],
                restored=counts["restored"],
                unchanged=counts["unchanged"],
                output_cards=outputs,
            )
        )
        if progress:
            progress(len(files) + index + 1, len(files) * 2)
    return ImportReport(tuple(sorted(results, key=lambda r: r.deck)))
