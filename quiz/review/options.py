"""What the learner asked a session for, as values that the command line builds and the
review and drill use cases take (light to import: `quiz --help` loads them)."""

from __future__ import annotations

from dataclasses import dataclass

from quiz.model import CardFilter


@dataclass(frozen=True)
class ReviewOptions:
    """What the learner asked for on the command line (the defaults are a bare `quiz review`)."""

    decks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    limit: int | None = None  # answers this session at most
    new: int | None = None  # new cards today, overriding the daily limit
    lang: str | None = None

    @property
    def filter(self) -> CardFilter:
        return CardFilter(decks=self.decks, tags=self.tags)
