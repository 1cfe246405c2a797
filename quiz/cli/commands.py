"""Imports every command module so that each registers its commands on the app."""

from quiz.cli import decks  # noqa: F401
from quiz.cli import review  # noqa: F401
from quiz.cli import progress  # noqa: F401
from quiz.cli import store_cmds  # noqa: F401
from quiz.cli import authoring  # noqa: F401
from quiz.cli import check  # noqa: F401,E402
from quiz.cli import sandbox  # noqa: F401,E402
from quiz.cli import optimize  # noqa: F401
