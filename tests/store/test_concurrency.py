"""Many review processes on one store at once (SQLite and PostgreSQL): nothing lost,
nothing recorded twice, no "could not serialize" / "database is locked" crash."""

from __future__ import annotations

import os
import re
import selectors
import time
from collections import Counter
from pathlib import Path

from tests.store.helpers import answer_log, basic_deck, day, spawn

CARDS = 12


def _config(env: Path) -> None:
    (env / "config.toml").write_text('timezone = "UTC"\nfuzz = false\nnew_per_day = 100\n')


def _finish(procs, answers: str, timeout: float = 240) -> list[tuple[str, str]]:
    outs = []
    for p in procs:
        outs.append(p.communicate(answers, timeout=timeout))
    for p, (out, err) in zip(procs, outs, strict=False):
        assert p.returncode == 0, err
        # (a notice that a session waits for another's write lock is fine; giving up is not)
        for bad in (
            "could not serialize",
            "database is locked",
            "try again",
            "deadlock",
            "Traceback",
            "internal error",
        ):
            assert bad not in err and bad not in out, err
    return outs


def test_learners_and_two_machines_review_at_once_while_a_deck_is_imported(cli, env, store_url):
    _config(env)
    deck = basic_deck(env, CARDS)
    assert cli("import", str(deck)).exit_code == 0
    learners = ["ann", "bob", "cid", "dee"]
    procs = [spawn(env, store_url, "review", now=day(1), learner=name) for name in learners]
    # Ann also reviews on a second machine, at the same moment
    procs.append(spawn(env, store_url, "review", now=day(1), learner="ann"))
    # and the author re-imports the deck with every card's text edited
    deck.write_text(deck.read_text().replace("back: A", "back: Edited A"))
    importer = spawn(env, store_url, "import", str(deck), now=day(1))
    outs = _finish(procs + [importer], "4\n" * CARDS)

    log = answer_log(store_url)
    per = Counter((learner, key) for learner, key, _ in log)
    assert all(n == 1 for n in per.values()), [k for k, n in per.items() if n > 1]
    for name in learners:
        assert {k for (who, k) in per if who == name} == {
            f"basics/c{i}" for i in range(1, CARDS + 1)
        }
    assert len(log) == len(learners) * CARDS
    # Ann's two machines shared her cards between them: each counts only what it recorded
    # (a card the other machine answered first is skipped with a notice, or not planned at all)
    # (a machine that starts after the other has answered everything finds nothing to do)
    reviewed = [_reviewed(outs[i][0]) for i in (0, 4)]
    assert sum(reviewed) == CARDS
    assert "12 updated" in outs[-1][0]


def _reviewed(out: str) -> int:
    found = re.search(r"Reviewed (\d+)", out)
    if found is None:  # nothing planned, or every planned card answered elsewhere first
        assert "Nothing to review" in out or "Nothing answered" in out, out
        return 0
    return int(found.group(1))


def test_one_learner_two_machines_in_turn(env, store_url, cli):
    """Machine A fetched today's cards; B answers two of them; A then skips those two."""
    _config(env)
    cli("import", str(basic_deck(env, 3)))
    a = spawn(env, store_url, "review", now=day(1), learner="ann", unbuffered=True)
    _wait_for(a, "Q1?")
    b = cli("--learner", "ann", "review", "--limit", "2", input="4\n4\n", now=day(1))
    assert b.exit_code == 0, b.output
    out, err = a.communicate("3\n3\n4\n", timeout=120)
    assert a.returncode == 0, err
    assert "already answered on another machine: basics/c1" in out
    assert "already answered on another machine: basics/c2" in out
    assert answer_log(store_url) == [
        ("ann", "basics/c1", 4),
        ("ann", "basics/c2", 4),
        ("ann", "basics/c3", 4),
    ]
    # c1 and c2 were not served again on A, and tomorrow's plan on either machine agrees
    assert cli("--learner", "ann", "due", now=day(1)).stdout.strip() == "0"


def test_first_use_of_a_fresh_store_by_many_at_once(env, store_url):
    """Migrations and learner rows: several clients opening an empty store together."""
    _config(env)
    procs = [
        spawn(env, store_url, "due", "--json", now=day(1), learner=name)
        for name in ("ann", "ann", "bob", "cid")
    ]
    _finish(procs, "")


def _wait_for(proc, text: str, timeout: float = 60) -> None:
    """Read the child's stdout until `text` shows (it printed the first card: its plan is made)."""
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    seen = ""
    deadline = time.monotonic() + timeout
    fd = proc.stdout.fileno()
    while text not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {text!r} from the review in {timeout}s: {seen!r}"
        if sel.select(left):
            chunk = os.read(fd, 4096).decode(errors="replace")
            assert chunk, (
                f"the review ended early: {seen!r} {proc.stderr.read() if proc.stderr else ''}"
            )
            seen += chunk


def _rounds(name: str, default: int) -> int:
    """How many rounds a repeated race test runs: `QUIZ_TEST_ROUNDS` (long mode) or `default`."""
    return max(1, int(os.environ.get("QUIZ_TEST_ROUNDS") or default))


def test_four_sessions_of_one_learner_never_record_a_first_answer_twice(env, store_url, cli):
    """Four `quiz review` processes of one learner answer a fresh deck at once: every
    card's first answer is in the log once, whoever wins each race (issue 14 §2).

    Each round imports a fresh deck, so every card starts with no state row (where a
    row lock has nothing to lock), on a day of its own (under the daily new-card limit). `QUIZ_TEST_ROUNDS=20` runs the long mode."""
    _config(env)
    duplicates: list[tuple[str, int]] = []
    reviewed: list[int] = []
    races = 0
    for round_ in range(_rounds("four_sessions", 2)):
        name = f"fresh{round_}"
        deck = basic_deck(env, CARDS, name=name, title=f"Fresh {round_}")
        assert cli("import", str(deck)).exit_code == 0
        procs = [
            spawn(env, store_url, "review", "--deck", name, now=day(1 + round_), learner="ann")
            for _ in range(4)
        ]
        outs = _finish(procs, "4\n" * CARDS)
        per = Counter(key for learner, key, _ in answer_log(store_url) if key.startswith(name))
        duplicates += [(key, n) for key, n in per.items() if n > 1]
        assert set(per) == {f"{name}/c{i}" for i in range(1, CARDS + 1)}
        reviewed.append(sum(_reviewed(out) for out, _err in outs))
        races += sum(out.count("already answered on another machine") for out, _err in outs)
    backend = store_url.split(":", 1)[0]
    print(f"{backend}: {len(reviewed)} rounds, {races} races lost, {len(duplicates)} duplicates")
    assert duplicates == []
    assert reviewed == [CARDS] * len(reviewed)  # each session counts only what it recorded
