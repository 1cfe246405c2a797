"""Anki's side of the side-by-side table (`python -m tests.bench --only versus`).

An Anki collection of the quiz fixture's size (100k cards in 10 decks, 1M revlog rows,
85% of the cards seen, ~1.5% in (re)learning, ~1.5% review cards due, 0.3% suspended),
built once through the `anki` library's own schema and kept beside the quiz store. The
rows are written with SQL inside a collection Anki created (adding 100k notes one by
one through the library takes minutes); `Collection.close()` then runs Anki's own
checks on open next time. Each step is then one whole Python process that imports
`anki`, opens the collection and does what the learner's step does (see STEPS).
"""

from __future__ import annotations

import hashlib
import random
import time
from pathlib import Path

CARDS = 100_000
REVIEWS = 1_000_000
DECKS = 10
RECIPE = 1  # bump when the generated collection changes


def available() -> str | None:
    """None when the `anki` library imports, else why not."""
    try:
        import anki.collection  # noqa: F401
    except Exception as exc:  # any failure to import is a reason to skip, shown in the table
        return f"anki not installed ({type(exc).__name__}: {exc})"[:120]
    return None


def _csum(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16)


def build(folder: Path, log=print) -> Path:  # type: ignore[no-untyped-def]
    """The cached collection (built on first use)."""
    target = folder / f"anki-r{RECIPE}-{CARDS}-{REVIEWS}.anki2"
    if target.exists():
        return target
    log(f"building {target} (once) ...")
    from anki.collection import Collection

    tmp = folder / f"anki-building-{RECIPE}.anki2"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    col = Collection(str(tmp))
    try:
        model = col.models.by_name("Basic")
        assert model is not None
        mid = model["id"]
        dids = [col.decks.id(f"Bench::deck-{d:02d}") for d in range(DECKS)]
        today = col.sched.today
        rng = random.Random(7)
        now_s = int(time.time())
        base_ms = (now_s - 800 * 86400) * 1000
        per_deck = CARDS // DECKS
        notes, cards = [], []
        for i in range(CARDS):
            nid = base_ms + i
            front = f"What does <code>len(range({i}))</code> return?"
            back = f"{i}: a range computes its length without building a list."
            tags = f" generated group-{i % 50} "
            notes.append(
                (nid, f"g{i:09d}", mid, now_s, -1, tags, f"{front}\x1f{back}", front, _csum(front))
            )
            cards.append([nid + 7, nid, dids[i // per_deck], i % per_deck])
        col.db.executemany(
            "insert into notes (id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data)"
            " values (?,?,?,?,?,?,?,?,?,0,'')",
            notes,
        )
        seen = rng.sample(range(CARDS), int(CARDS * 0.85))
        per_card = REVIEWS // len(seen)
        extra = REVIEWS - per_card * len(seen)
        state: dict[int, tuple[int, int, int, int, int, int]] = {}
        revlog = []
        rid = base_ms
        for n, i in enumerate(seen):
            cid = cards[i][0]
            count = per_card + (1 if n < extra else 0)
            ivl, lapses = 1, 0
            for r in range(count):
                ease = rng.choices((1, 2, 3, 4), (12, 4, 80, 4))[0]
                last = ivl
                if ease == 1 and r:
                    lapses += 1
                    ivl = max(1, ivl // 3)
                else:
                    ivl = min(3650, int(ivl * rng.uniform(1.6, 2.6)) + 1)
                rid += 1
                revlog.append((rid, cid, -1, ease, ivl, last, 2500, rng.randrange(2000, 20000), 1))
            roll = rng.random()
            if roll < 0.015:  # (re)learning, due within the day (epoch seconds)
                kind = rng.choice((1, 3))
                state[i] = (kind, 1, now_s + rng.randrange(-36000, 36000), ivl, count, lapses)
            elif roll < 0.03:  # review, overdue
                state[i] = (2, 2, today - rng.randrange(1, 20), ivl, count, lapses)
            else:
                state[i] = (2, 2, today + rng.randrange(1, 120), ivl, count, lapses)
            if rng.random() < 0.003:
                kind, _queue, due, ivl2, reps, lap = state[i]
                state[i] = (kind, -1, due, ivl2, reps, lap)
            if len(revlog) >= 200_000:
                col.db.executemany("insert into revlog values (?,?,?,?,?,?,?,?,?)", revlog)
                revlog = []
        col.db.executemany("insert into revlog values (?,?,?,?,?,?,?,?,?)", revlog)
        rows = []
        for i, (cid, nid, did, pos) in enumerate(cards):
            kind, queue, due, ivl, reps, lapses = state.get(i, (0, 0, pos, 0, 0, 0))
            rows.append(
                (cid, nid, did, now_s, kind, queue, due, ivl, 2500 if kind else 0, reps, lapses)
            )
        col.db.executemany(
            "insert into cards (id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps,"
            " lapses, left, odue, odid, flags, data) values (?,?,?,0,?,-1,?,?,?,?,?,?,?,0,0,0,0,'')",
            rows,
        )
        col.db.execute("analyze")
    finally:
        col.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    tmp.rename(target)
    log(f"  {CARDS:,} cards, {REVIEWS:,} revlog rows")
    return target


def empty(folder: Path) -> Path:
    """An empty collection (the template copied before each import run)."""
    target = folder / f"anki-empty-r{RECIPE}.anki2"
    if not target.exists():
        from anki.collection import Collection

        Collection(str(target)).close()
    return target


# One process per step; `COL` is the collection's path, `ARG` a step's argument. Each
# prints something so that the work cannot be skipped.
OPEN = "import sys\nfrom anki.collection import Collection\ncol = Collection(sys.argv[1])\n"
# the browser's columns as it loads them on open, and the cells of the first 50 rows
BROWSE = (
    "col.load_browser_card_columns()\n"
    "def rows(ids):\n"
    "    return sum(len(list(col.browser_row_for_id(i)[0])) for i in ids[:50])\n"
)
ACT = "cid = col.db.scalar('select id from cards where type = 2 order by id limit 1')\n"
STEPS: dict[str, str] = {
    # `quiz review`: open, the first queued card and its question rendered
    "review": OPEN + "q = col.sched.get_queued_cards(fetch_limit=1)\n"
    "c = col.get_card(q.cards[0].card.id) if q.cards else None\n"
    "print(c.question() if c else '-')\ncol.close()\n",
    "decks": OPEN + "tree = col.sched.deck_due_tree()\n"
    "print(sum(n.review_count + n.learn_count + n.new_count for n in tree.children))\n"
    "col.close()\n",
    "due": OPEN + "print(col.sched.counts())\ncol.close()\n",
    "stats": OPEN + "print(len(col._backend.graphs(search='', days=365).SerializeToString()))\n"
    "col.close()\n",
    "stats --deck": OPEN + "print(len(col._backend.graphs(search='deck:Bench::deck-00', days=365)"
    ".SerializeToString()))\ncol.close()\n",
    "stats --since": OPEN
    + "print(len(col._backend.graphs(search='', days=31).SerializeToString()))\n"
    "col.close()\n",
    # a drill: custom study's random cards of the collection, the first one shown
    "drill": OPEN + "import random\n"
    "ids = col.find_cards('-is:suspended', order='c.id')\n"
    "chosen = random.Random(1).sample(list(ids), min(20, len(ids)))\n"
    "print(col.get_card(chosen[0]).question())\ncol.close()\n",
    # the weakest: most lapses first, the first one shown
    "drill --weak": OPEN
    + "ids = col.find_cards('-is:suspended prop:lapses>0', order='c.lapses desc')\n"
    "print(col.get_card(ids[0]).question())\ncol.close()\n",
    # the browser: a search, sorted, and the rows of the first screen (50) built
    "cards": OPEN + BROWSE + "ids = col.find_cards('', order='c.id')\nprint(rows(ids))\n"
    "col.close()\n",
    "cards --sort lapses": OPEN + BROWSE + "ids = col.find_cards('', order='c.lapses desc')\n"
    "print(rows(ids))\ncol.close()\n",
    "cards --text": OPEN + BROWSE + "ids = col.find_cards('\"range(2066)\"', order='c.id')\n"
    "print(rows(ids))\ncol.close()\n",
    # one card's info: its state and every review
    "cards show": OPEN + "ids = col.find_cards('prop:lapses>3', order='c.id')\n"
    "print(len(col.card_stats_data(ids[0]).revlog))\ncol.close()\n",
    # a card action on one card (the first review card by id: a lookup, as quiz's by key),
    # written and closed: on a copy of the collection (versus.py)
    "cards suspend": OPEN + ACT + "print(col.sched.suspend_cards([cid]).count)\ncol.close()\n",
    "cards bury": OPEN + ACT + "print(col.sched.bury_cards([cid]).count)\ncol.close()\n",
    "cards forget": OPEN + ACT + "print(col.sched.schedule_cards_as_new([cid]) is not None)\n"
    "col.close()\n",
    "cards set-due": OPEN + ACT + "print(col.sched.set_due_date([cid], '10') is not None)\n"
    "col.close()\n",
    "export apkg": OPEN + "from anki.collection import ExportAnkiPackageOptions, DeckIdLimit\n"
    "did = col.decks.id_for_name('Bench::deck-00')\n"
    "print(col.export_anki_package(out_path=sys.argv[2], options=ExportAnkiPackageOptions("
    "with_scheduling=False, with_media=False, legacy=False), limit=DeckIdLimit(did)))\n"
    "col.close()\n",
    "export csv": OPEN + "from anki.collection import DeckIdLimit\n"
    "did = col.decks.id_for_name('Bench::deck-00')\n"
    "print(col.export_note_csv(out_path=sys.argv[2], limit=DeckIdLimit(did), with_html=True,"
    " with_tags=True, with_deck=False, with_notetype=False, with_guid=False))\ncol.close()\n",
    # a new 10k-note CSV (front, back, tags) into an empty collection
    "import csv": OPEN + "from anki.collection import ImportCsvRequest\n"
    "m = col.get_csv_metadata(path=sys.argv[2], delimiter=None)\n"
    "print(col.import_csv(ImportCsvRequest(path=sys.argv[2], metadata=m)).log.new.__len__())\n"
    "col.close()\n",
}


def csv_deck(folder: Path, notes: int = 10_000) -> Path:
    """10k new notes as Anki's CSV import reads them (front, back, tags)."""
    target = folder / f"anki-import-{notes}.csv"
    if not target.exists():
        lines = ["#separator:Comma", "#html:false", "#tags column:3"]
        lines += [f'"Question {i}?","Answer {i}","t{i % 20}"' for i in range(notes)]
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target
