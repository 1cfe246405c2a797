"""A large Anki collection (10,000 notes, 100,000 reviews) into quiz and back out.

    python -m tests.bench.bench_anki            # builds the package once (the `anki` library)
    python -m tests.bench --only bench_anki

The package is made by Anki's own library (tests/anki/build.py's ways: notes added
through the collection, revlog rows written for them) and exported in the current
format (zstd `collection.anki21b`). The figures are one cold `quiz import` into an empty
store, then the re-import (which must change nothing), as a learner would run them, and
`quiz export --format apkg` of what came in, with the history and without it (issue
#19: an export of 10k notes in a second).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NOTES = 10_000
REVIEWS = 100_000
DAY_MS = 86_400_000
START_MS = 1_500_000_000_000
PATTERN = (3, 3, 1, 3, 4, 3, 2, 3, 3, 3)  # ten answers per card, one lapse


def build_package(folder: Path) -> Path:
    from anki.collection import Collection, ExportAnkiPackageOptions

    target = folder / f"big-{NOTES}.apkg"
    if target.exists():
        return target
    col = Collection(str(folder / "big.anki2"))
    try:
        deck = col.decks.id("Big::Deck")
        model = col.models.by_name("Basic")
        for i in range(NOTES):
            note = col.new_note(model)
            note.fields[0] = f"Question <b>{i}</b>?"
            note.fields[1] = f"Answer {i}"
            note.tags = [f"t{i % 20}"]
            col.add_note(note, deck)
        cids = sorted(col.find_cards(""))
        per_card = REVIEWS // len(cids)
        rows = []
        for i, cid in enumerate(cids):
            for k in range(per_card):
                rows.append(
                    (
                        START_MS + i * 7 + k * 40 * DAY_MS,
                        cid,
                        -1,
                        PATTERN[k % 10],
                        1,
                        0,
                        2500,
                        3000,
                        1,
                    )
                )
        col.db.executemany("insert into revlog values (?,?,?,?,?,?,?,?,?)", rows)
        col.export_anki_package(
            out_path=str(target),
            options=ExportAnkiPackageOptions(with_scheduling=True, with_media=True, legacy=False),
            limit=None,
        )
    finally:
        col.close()
    return target


def _quiz(*args: str, env: dict[str, str]) -> tuple[float, str]:
    script = Path(sys.executable).with_name("quiz")
    start = time.perf_counter()
    done = subprocess.run(
        [str(script), *args], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"quiz {' '.join(args)} failed: {done.stderr[-2000:]}")
    return elapsed, done.stdout + done.stderr


def measure(folder: Path) -> dict[str, object]:
    package = build_package(folder)
    work = Path(tempfile.mkdtemp(dir=folder))
    try:
        copy = work / package.name
        shutil.copy(package, copy)
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZ_")}
        config = work / "config.toml"
        config.write_text('timezone = "UTC"\n')
        env.update(
            QUIZ_DB=str(work / "store.db"),
            QUIZ_CONFIG=str(config),
            QUIZ_BUNDLED="0",
            QUIZ_LEARNER="bench",
        )
        first, out = _quiz("import", str(copy), env=env)
        again, out2 = _quiz("import", str(copy), env=env)
        check_s, check = _quiz("rebuild", "--check", env=env)
        back = str(work / "back.apkg")
        export_s, _ = _quiz("export", "--format", "apkg", "-o", back, env=env)
        bare_s, _ = _quiz(
            "export", "--format", "apkg", "--no-history", "-o", back, "--force", env=env
        )
        return {
            "import_s": first,
            "reimport_s": again,
            "rebuild_check_s": check_s,
            "export_s": export_s,
            "export_no_history_s": bare_s,
            "import_output": out.strip(),
            "reimport_output": out2.strip(),
            "rebuild_check": check.strip(),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench(ctx) -> list:  # type: ignore[no-untyped-def]
    from tests.bench.measure import Row

    result = measure(Path(ctx.work))
    note = f"{NOTES} notes, {REVIEWS} reviews; {result['rebuild_check']}"
    return [
        Row("anki import (cold)", "-", float(result["import_s"]), note=note),  # type: ignore[arg-type]
        Row("anki re-import", "-", float(result["reimport_s"])),  # type: ignore[arg-type]
        Row("export apkg of it", "<= 1 s", float(result["export_s"])),  # type: ignore[arg-type]
        Row(
            "export apkg --no-history of it",
            "<= 1 s",
            float(result["export_no_history_s"]),  # type: ignore[arg-type]
        ),
    ]


if __name__ == "__main__":
    folder = Path(os.environ.get("QUIZ_BENCH_DIR", tempfile.gettempdir())) / "quiz-bench-anki"
    folder.mkdir(parents=True, exist_ok=True)
    for key, value in measure(folder).items():
        print(f"{key}: {value:.1f} s" if isinstance(value, float) else f"{key}: {value}")
