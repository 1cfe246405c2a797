"""Benchmark: where `quiz import` of a new 10k-card deck spends its CPU, phase by phase.

    python -m tests.bench.bench_import_phases [--runs 7]

Not part of the default test run (pyproject ignores tests/bench). In one process, on
the benchmark deck (fixtures.big_deck), the least CPU and wall time of several runs of each
phase the command goes through (issue #19): decoding the file, libyaml's compose, the
walk for duplicate keys, tags and aliases (yaml_nodes.check_tree), the validation
into cards (validate.build_deck), the four as `parse_deck` runs them (the read side that
`quiz check` and `quiz fmt` share, the tree's release included), `deck_sync.sync_deck`'s
own work with its statements not run, then the same sync into a copy of an empty store as
`quiz import`'s lean writer runs it (its SQL on a second thread: wall below CPU; then the
planner statistics and the commit the command runs). The start-up and imports of the
whole command are `python -m tests.bench --only import`'s rows less these.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tests.bench import fixtures


def least_cpu(runs: int, once: Callable[[], object]) -> tuple[float, float]:
    """The least CPU time (both threads' where the writer runs one) and least wall time."""
    best, best_wall = float("inf"), float("inf")
    for _ in range(runs):
        started, started_wall = time.process_time(), time.perf_counter()
        once()
        best = min(best, time.process_time() - started)
        best_wall = min(best_wall, time.perf_counter() - started_wall)
    return best, best_wall


class _NoSql:
    """A deck_sync runner that runs nothing: a new deck, each value still converted to
    what sqlite3 binds (`form`)."""

    def rows(self, sql: str, params: dict[str, Any]) -> list[Any]:
        from quiz.store import deck_sync

        return [(1,)] if sql == deck_sync.DECK_ID else []

    def run(self, sql: str, params: dict[str, Any]) -> None:
        pass

    def form(self, name: str) -> Any:
        from quiz.store import deck_sync

        return deck_sync.SqliteRunner(None, None).form(name)

    def run_many(self, sql: str, rows: list[tuple[Any, ...]], once: str | None = None) -> None:
        pass

    def card_ids(self, count: int) -> range:
        return range(1, count + 1)

    def finish(self) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    import yaml

    from quiz.deck.loader import parse_deck
    from quiz.deck.validate import build_deck
    from quiz.deck.yaml_nodes import _decode, _Loader, check_tree
    from quiz.store import deck_sync, lean_write, open_store
    from quiz.store.pragmas import writer_connection

    path = str(fixtures.big_deck())
    data = Path(path).read_bytes()
    now = datetime(2026, 6, 1, tzinfo=timezone.utc)
    gc.disable()  # as the import runs (yaml_nodes.gc_paused, collection.import_paths)
    root = yaml.compose(data, Loader=_Loader)
    deck, problems = build_deck(root, path)
    assert deck is not None, problems
    phases: list[tuple[str, Callable[[], object]]] = [
        ("decode", lambda: _decode(data, path)),
        ("compose (libyaml)", lambda: yaml.compose(data, Loader=_Loader)),
        ("check_tree", lambda: check_tree(root, path, anchors=False, tags=False)),
        # no alias in this deck: parse_deck tells build_deck so (yaml_nodes.shares_nodes)
        ("validate (build_deck)", lambda: build_deck(root, path, aliases=False)),
        ("read side whole (parse_deck)", lambda: parse_deck(data, path)),
        ("sync_deck, no SQL", lambda: deck_sync.sync_deck(_NoSql(), deck, path, "x", now)),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "empty.db"
        with open_store(str(template)) as store, store.unit(fixtures.LEARNER):
            pass
        target = Path(tmp) / "import.db"

        def into_store() -> None:
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(template, target)
            # the lean writer `quiz import` runs: its runner, thread and transaction
            with lean_write.LeanWriter(
                writer_connection(str(target), threads=True), target, f"sqlite:///{target}"
            ) as writer:
                writer.sync_deck(deck, path, "x", now)
                writer.refresh_catalogue_stats()
                writer.commit()

        phases.append(("sync_deck into an empty store", into_store))
        for name, once in phases:
            cpu, wall = least_cpu(args.runs, once)
            print(
                f"{name:32} {cpu * 1000:7.1f} ms CPU, {wall * 1000:7.1f} ms wall"
                f" (least of {args.runs})"
            )
    print(f"({len(deck.cards)} cards from {len(data) / 1e6:.1f} MB of YAML)")


if __name__ == "__main__":
    main()
