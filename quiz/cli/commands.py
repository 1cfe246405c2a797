"""Imports every command module so that each registers its commands on the app.

The order is the order of `quiz --help`: stats comes right after drill and goal."""

from quiz.cli import (
    authoring,  # noqa: F401
    cards,  # noqa: F401
    check,  # noqa: F401
    decks,  # noqa: F401
    optimize,  # noqa: F401
    progress,  # noqa: F401
)

# isort: split
from quiz.cli import stats  # noqa: F401

# isort: split
from quiz.cli import (
    review,  # noqa: F401
    sandbox,  # noqa: F401
    store_cmds,  # noqa: F401
)
