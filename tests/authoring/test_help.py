"""Every authoring command explains itself with an example."""

from __future__ import annotations

import pytest

COMMANDS = [
    ("schema",),
    ("new",),
    ("new", "deck"),
    ("new", "card"),
    ("draft",),
    ("fmt",),
    ("export",),
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_help_has_an_example(cli, args):
    result = cli(*args, "--help")
    assert result.exit_code == 0
    assert "Example: quiz " in result.stdout
