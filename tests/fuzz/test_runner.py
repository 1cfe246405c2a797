"""The long-run fuzzer itself: it counts inputs, saves what fails, and survives a hang."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.fuzz import __main__ as runner
from tests.fuzz import contract


def summary(out: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((out / "summary.json").read_text())
    return {t["target"]: t for t in data["targets"]}


def test_a_small_run_tries_every_input_of_every_target(tmp_path: Path, capsys):
    out = tmp_path / "failures"
    assert runner.main(["--inputs", "25", "--deck", "60", "--out", str(out)]) == 0
    got = summary(out)
    assert {t: s["inputs"] for t, s in got.items()} == {
        "deck": 60,
        "table": 25,
        "config": 25,
        "matcher": 25,
    }
    assert all(s["failures"] == 0 and s["hangs"] == 0 for s in got.values())
    assert "inputs/s" in capsys.readouterr().out


def test_inputs_are_made_again_from_seed_and_number():
    for target in runner.TARGETS:
        assert runner.make_input(target, 5, 17) == runner.make_input(target, 5, 17)
        assert runner.make_input(target, 5, 17) != runner.make_input(target, 5, 18)


def test_failures_are_counted_and_saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def broken(data: bytes, folder: contract.TableFolder) -> str:
        raise contract.Violation("planted", "a failure the test put there")

    monkeypatch.setattr(contract, "check_config", broken)  # the forked worker inherits it
    out = tmp_path / "failures"
    code = runner.main(["--targets", "config", "--inputs", "6", "--keep", "2", "--out", str(out)])
    assert code == 1
    got = summary(out)["config"]
    assert got["failures"] == 6 and got["failure_kinds"] == {"planted": 6}
    saved = sorted(p.name for p in (out / "config").iterdir())
    assert len(saved) == 4  # two inputs (.toml) and their notes (.txt)
    first = next(p for p in (out / "config").glob("*.toml"))
    index = int(first.stem.rsplit("-", 1)[1])
    assert first.read_bytes() == runner.make_input("config", 1, index)


def test_a_hanging_input_is_saved_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    hang_at = runner.make_input("matcher", 1, 1)

    def slow(case: dict[str, Any]) -> str:
        if case == hang_at:
            time.sleep(3600)
        return "ok"

    monkeypatch.setattr(contract, "check_matcher", slow)
    out = tmp_path / "failures"
    code = runner.main(
        ["--targets", "matcher", "--inputs", "4", "--timeout", "1", "--out", str(out)]
    )
    assert code == 1
    got = summary(out)["matcher"]
    assert got["hangs"] == 1 and got["inputs"] == 4
    assert got["outcomes"]["ok"] == 3
    [saved] = (out / "matcher").glob("*.json")
    assert json.loads(saved.read_text()) == json.loads(json.dumps(hang_at))
