"""Imports every command module so that each registers its commands on the app."""

from quiz.cli import (
    authoring,  # noqa: F401
    cards,  # noqa: F401
    check,  # noqa: F401
    decks,  # noqa: F401
    optimize,  # noqa: F401
    progress,  # noqa: F401
    review,  # noqa: F401
    sandbox,  # noqa: F401
    store_cmds,  # noqa: F401
)
