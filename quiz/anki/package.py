"""What reading an Anki package yields for the history import (values only)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RevlogEntry:
    id: int  # Anki's revlog id: the answer's time in epoch milliseconds, unique
    card: int
    ease: int  # 1 again .. 4 easy; 0 a manual reschedule
    duration_ms: int
    kind: int  # 0 learn, 1 review, 2 relearn, 3 filtered, 4 manual, 5 rescheduled


@dataclass(frozen=True)
class ImportedPackage:
    """What `convert` wrote, and what the history import needs."""

    folder: Path
    deck_files: tuple[Path, ...]
    card_keys: dict[int, str]  # Anki card id -> quiz card key
    suspended: frozenset[int]  # Anki card ids suspended there
    revlog: tuple[RevlogEntry, ...]
    notes: int
    unknown_types: tuple[str, ...]
    media: tuple[str, ...]  # copied into folder/media
    missing_media: tuple[str, ...]
    onto: tuple[str, ...] = ()  # the store's decks whose exported notes came back
