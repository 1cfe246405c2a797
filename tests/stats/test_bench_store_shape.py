"""The benchmark store's log (tests/bench/fixtures.build_store) is shaped like a
learner's at three times the default reviews per card too: its reviews end before NOW
instead of piling up in the last month, which `quiz stats --since` is timed on
(tests/bench/bench_stats.py). A small store of ~35 reviews per card, as the 3M-review
store has, read through `quiz stats --json`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from quiz.cli import app
from tests.bench import fixtures


def _answers(store: Path, *args: str) -> int:
    env = {
        "QUIZ_DB": str(store),
        "QUIZ_CONFIG": str(store.with_name("config.toml")),
        "QUIZ_LEARNER": fixtures.LEARNER,
        "QUIZ_BUNDLED": "0",
        "QUIZ_NOW": fixtures.NOW.isoformat(),
    }
    result = CliRunner().invoke(app, ["stats", "--json", *args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return int(json.loads(result.output)["answers"]["total"])


def test_many_reviews_per_card_do_not_pile_up_in_the_last_month(tmp_path: Path) -> None:
    spec = fixtures.StoreSpec(cards=400, reviews=12_000, decks=2)  # ~35 a seen card
    store = fixtures.build_store(tmp_path / "store.db", spec, log=lambda _message: None)
    (tmp_path / "config.toml").write_text(fixtures.CONFIG)
    month_ago = (fixtures.NOW - timedelta(days=30)).date().isoformat()
    assert _answers(store) == spec.reviews
    assert _answers(store, "--since", month_ago) < spec.reviews * 0.01
