"""Errors the user can act on. Each carries one line of text and an exit code.

The CLI prints `quiz: <message>` (or the `path:line: message` lines of a deck) on
stderr and exits with `exit_code`; anything that is not a QuizError is a bug and
gets a one-line "internal error" unless `--debug` asks for the traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class QuizError(Exception):
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def lines(self) -> list[str]:
        return [self.message]


class UsageError(QuizError):
    """A wrong option or argument the CLI parser could not catch."""

    exit_code = 2


class StoreError(QuizError):
    """The store is missing, locked, corrupt or of an unknown schema version."""

    exit_code = 3


class NotFound(QuizError):
    exit_code = 4


class Conflict(QuizError):
    """Another session changed the same thing first (an answer given on another machine).

    The write was not made; the caller skips the item and tells the learner.
    """

    exit_code = 5


@dataclass(frozen=True)
class DeckProblem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}: {self.message}"
        return f"{self.path}: {self.message}"


class DeckError(QuizError):
    """One or more problems in deck files; every one is reported."""

    def __init__(self, problems: list[DeckProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]
