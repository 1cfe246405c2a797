"""`quiz cards`' listing answered by the store (quiz.store.browse_reads) is the listing of
the browser's rules applied to every card in Python, as the browser did before: the
same cards, in the same order, the same count, for every filter and sort, on both back
ends. The oracle here is that old rule, kept as the specification."""

from __future__ import annotations

import json
import logging
import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from quiz.browse import SORTS, STATES, CardQuery, Listed, Listing, searchable_text
from quiz.clock import DayClock
from quiz.config import load_config
from quiz.manage import _listing, find_cards
from quiz.model import CardFilter, StoredCard
from quiz.review.settings import scheduling
from quiz.store import open_store
from quiz.store.models import CardStateRow
from tests.conftest import write_deck

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)
FAR = datetime.max.replace(tzinfo=None)


def _deck(slug: str, n: int, rng: random.Random) -> str:
    words = ["closure", "GIL", "Straße", "KELVIN", "ſpecial", "late binding", "Ünïcode", "日本"]
    words += ["snake_case", "100%"]  # LIKE's wildcards in a needle
    lines = [f"deck: {slug}", f"title: {slug}", "cards:"]
    for i in range(n):
        tags = rng.sample(["gc", "oop", "hash", "threads"], rng.randint(0, 2))
        front = f"Q{i} {rng.choice(words)}?"
        lines += [
            f"  - id: c{i:02d}",
            f"    front: {json.dumps(front, ensure_ascii=False)}",
            f"    back: {json.dumps(rng.choice(words), ensure_ascii=False)}",
        ]
        if tags:
            lines.append(f"    tags: [{', '.join(tags)}]")
    return "\n".join(lines) + "\n"


def _old_matches(x: Listing, card: StoredCard, q: CardQuery) -> bool:
    if q.text and q.text.casefold() not in searchable_text(card):
        return False
    if q.states and not set(q.states) & set(x.states):
        return False
    due = x.item.schedule.due
    if q.due_before is not None and (due is None or due >= q.due_before):
        return False
    return x.item.schedule.lapses >= q.min_lapses


def _old_key(sort: str):  # type: ignore[no-untyped-def]
    def due(x: Listing):  # type: ignore[no-untyped-def]
        d = x.item.schedule.due
        return (d.replace(tzinfo=None) if d else FAR, x.key)

    return {
        "deck": lambda x: (x.item.deck, x.item.line, x.key),
        "due": due,
        "interval": lambda x: (-(x.interval_days or 0.0), x.key),
        "lapses": lambda x: (-x.item.schedule.lapses, x.key),
        "recall": lambda x: (x.recall if x.recall is not None else 2.0, x.key),
        "reviews": lambda x: (-x.item.schedule.reps, x.key),
    }[sort]


@pytest.fixture
def browsed(cli, env, store_url):  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    for slug in ("alpha", "beta", "gamma"):
        deck = write_deck(env, f"{slug}.yaml", _deck(slug, 14, rng))
        assert cli("import", str(deck)).exit_code == 0
    with open_store(store_url) as store, store.unit("ann") as repo:
        for card in repo.cards(CardFilter()):
            if rng.random() < 0.2:
                continue  # never answered: no state row
            last = NOW - timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 900))
            due = last + timedelta(days=rng.choice([0, 1, 3, 30, 200]), hours=rng.randint(0, 5))
            answered = rng.random() < 0.9
            repo.session.add(
                CardStateRow(
                    learner_id=repo.learner_id,
                    card_id=card.row_id,
                    state=rng.choice([0, 1, 2, 2, 3]) if answered else 0,
                    step=rng.choice([None, 0, 1]),
                    stability=rng.choice([None, 0.5, 3.2, 40.0, 300.0]) if answered else None,
                    difficulty=rng.uniform(1, 10) if answered else None,
                    due=due if answered and rng.random() < 0.95 else None,
                    last_review=last if answered and rng.random() < 0.9 else None,
                    reps=rng.randint(0, 12),
                    lapses=rng.choice([0, 0, 1, 2, 5]),
                    suspended=rng.random() < 0.15,
                    leech=rng.random() < 0.1,
                    buried_until=rng.choice(
                        [None, None, NOW - timedelta(hours=1), NOW + timedelta(hours=3)]
                    ),
                )
            )
        repo.session.commit()
        yield repo


def _queries() -> list[CardQuery]:
    rng = random.Random(11)
    out = [CardQuery(sort=s) for s in SORTS]
    out += [CardQuery(sort=s, limit=5) for s in SORTS]
    for _ in range(60):
        out.append(
            CardQuery(
                text=rng.choice(
                    ["", "", "q1", "strasse", "kelvin", "s", "日本", "alpha/c0", "ü", "e_c", "%"]
                ),
                decks=tuple(rng.sample(["alpha", "beta", "gamma"], rng.randint(0, 2))),
                tags=tuple(rng.sample(["gc", "oop", "hash"], rng.randint(0, 1))),
                states=tuple(rng.sample(STATES, rng.randint(0, 2))),
                due_before=rng.choice([None, NOW, NOW + timedelta(days=20)]),
                min_lapses=rng.choice([0, 0, 1, 2]),
                sort=rng.choice(SORTS),
                limit=rng.choice([None, 1, 7]),
            )
        )
    return out


# a deck whose recall falls on another curve (FSRS-6 decay w20 = 0.5, as FSRS-4.5's), and
# a zone whose UTC offset changes: learner days apart from clock days
_DECAY_HALF = [*DEFAULT_PARAMETERS[:20], 0.5]
CONFIGS = {
    "defaults": {},
    "own decay, summer time": {
        "timezone": "America/New_York",
        "deck_overrides": {"alpha": {"parameters": _DECAY_HALF}},
    },
}


@pytest.mark.parametrize("settings", CONFIGS.values(), ids=list(CONFIGS))
def test_the_store_lists_what_the_rules_say(browsed, settings, caplog):
    repo = browsed
    cfg = replace(load_config(None), **settings)
    day = DayClock.from_settings(cfg.timezone, cfg.day_starts_at)
    schedulers = scheduling(cfg, repo, day, NOW, goals=False).schedulers
    # what a listing shows of each stored card, as it is read for one card (`quiz cards
    # show`, a screen): the listing of every match reads the same from the store's rows
    cards = {c.row_id: c for c in repo.cards(CardFilter())}
    everything = [_listing(Listed.of(c), schedulers, day, NOW, None) for c in cards.values()]
    checked = 0
    caplog.set_level(logging.DEBUG, logger="quiz")
    for query in _queries():
        flt = CardFilter(decks=query.decks, tags=query.tags)
        wanted_ids = {c.row_id for c in repo.cards(flt)}
        expected = sorted(
            (
                x
                for x in everything
                if x.item.row_id in wanted_ids and _old_matches(x, cards[x.item.row_id], query)
            ),
            key=_old_key(query.sort),
        )
        found = find_cards(repo, query, config=cfg, day=day, now=NOW, lang=None)
        shown = [x for chunk in found.chunks for x in chunk]
        limit = query.limit if query.limit is not None else len(expected)
        assert found.total == len(expected), query
        assert [x.key for x in shown] == [x.key for x in expected[:limit]], query
        assert shown == expected[:limit], query  # every field of every line
        checked += bool(expected)
    assert checked > 40  # most queries matched something
    # the shortcuts of a screen's worth ran, and so did the sorts of every match
    said = caplog.text
    assert "matches ranked of those that may have faded" in said
    assert "cards --sort recall: every match ranked" in said
    assert "cards --sort lapses: the cards with lapses >=" in said
    assert "cards --sort reviews: the cards with reps >=" in said
    assert "every match sorted (floor" in said
    assert "matches ranked of the longest intervals" in said
    assert "cards --sort interval: every match ranked" in said


def test_a_text_search_finds_what_case_folding_finds(browsed):
    """ß folds to ss, the Kelvin sign to k, a long s to s, and `_` and `%` are LIKE's
    wildcards: the shortcut over the stored texts must not lose a card the exact search
    finds, nor keep one it does not."""
    repo = browsed
    cfg = load_config(None)
    day = DayClock.from_settings(cfg.timezone, cfg.day_starts_at)
    for text in ("STRASSE", "kelvin", "special", "\u212aelvin", "E_C", "0%"):
        query = CardQuery(text=text)
        found = find_cards(repo, query, config=cfg, day=day, now=NOW, lang=None)
        keys = [x.key for chunk in found.chunks for x in chunk]
        exact = [
            c.card.key for c in repo.cards(CardFilter()) if text.casefold() in searchable_text(c)
        ]
        assert sorted(keys) == sorted(exact) and exact, text
        assert found.total == len(exact)


def test_the_table_shows_a_screenful_unless_asked(cli, env):
    rng = random.Random(3)
    deck = write_deck(env, "big.yaml", _deck("big", 60, rng))
    assert cli("import", str(deck)).exit_code == 0
    shown = cli("cards", now="2026-05-01T09:00:00Z")
    assert shown.exit_code == 0, shown.output
    assert "big/c49" in shown.stdout and "big/c50" not in shown.stdout
    assert "50 of 60 cards (--limit N or --all for more)" in shown.stdout
    every = cli("cards", "--all", now="2026-05-01T09:00:00Z")
    assert "big/c59" in every.stdout and " of 60 cards" not in every.stdout
    as_json = cli("cards", "--json", now="2026-05-01T09:00:00Z")
    assert len(json.loads(as_json.stdout)) == 60
    limited = cli("cards", "--limit", "3", "--sort", "reviews", now="2026-05-01T09:00:00Z")
    assert "3 of 60 cards" in limited.stdout


def test_listing_json_is_the_list_json_dumps_writes(cli, env):
    deck = write_deck(env, "few.yaml", _deck("few", 3, random.Random(5)))
    assert cli("import", str(deck)).exit_code == 0
    result = cli("cards", "--json", now="2026-05-01T09:00:00Z")
    data = json.loads(result.stdout)
    assert result.stdout == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    empty = cli("cards", "--json", "--text", "nothing like this", now="2026-05-01T09:00:00Z")
    assert empty.stdout == "[]\n"


def test_the_lean_path_lists_what_the_full_app_lists(cli, env):
    """The listing's line runs without typer's parsing (quiz.cli.lean DIRECT) and reads
    a current SQLite store through sqlite3: its output is the full app's."""
    import os
    import subprocess
    import sys

    rng = random.Random(9)
    deck = write_deck(env, "lean.yaml", _deck("lean", 20, rng))
    assert cli("import", str(deck)).exit_code == 0
    environ = {**os.environ, "QUIZ_NOW": "2026-05-01T09:00:00Z", "COLUMNS": "100"}
    for argv in (["--sort", "due", "--limit", "4"], ["--state", "new"], ["--json", "--text", "q1"]):
        lean = subprocess.run(
            [sys.executable, "-m", "quiz", "cards", *argv],
            env=environ,
            capture_output=True,
            text=True,
        )
        full = subprocess.run(
            [sys.executable, "-m", "quiz", "cards", *argv],
            env={**environ, "QUIZ_DEBUG": "1"},
            capture_output=True,
            text=True,
        )
        assert lean.returncode == 0, lean.stderr
        assert lean.stdout == full.stdout and lean.stdout.strip(), argv


def test_listing_json_keeps_deck_text_inert(cli, env):
    """The listing's JSON went out through typer.echo: a C1 control or a bidi override in
    a card reached the terminal raw. Now it is written as \\uXXXX, and reads back."""
    deck = write_deck(
        env,
        "hostile.yaml",
        'deck: hostile\ntitle: h\ncards:\n  - id: x\n    front: "a\\u009b31mb\\u202ec"\n    back: y\n',
    )
    assert cli("import", str(deck)).exit_code == 0
    result = cli("cards", "--json", now="2026-05-01T09:00:00Z")
    assert "\x9b" not in result.stdout and "\u202e" not in result.stdout
    assert json.loads(result.stdout)[0]["question"] == "a\x9b31mb\u202ec"


def test_the_listing_is_the_table_rich_lays_out(cli, browsed, monkeypatch):
    """`quiz cards` lays its table out once and writes it a block of lines at a time
    (quiz.ui.cards_view): the text rich renders for the whole table, column for column,
    whatever the block size."""
    import io

    from rich.console import Console

    import quiz.ui.cards_view as view
    from quiz.ui.console import out
    from quiz.ui.safe import guard

    monkeypatch.setenv("QUIZ_LEARNER", "ann")  # whose states the fixture wrote
    cfg = load_config(None)
    day = DayClock.from_settings(cfg.timezone, cfg.day_starts_at)
    for sort in ("due", "recall"):
        for limit, argv in ((None, ["--all"]), (7, ["--limit", "7"])):
            query = CardQuery(sort=sort, limit=limit)
            found = find_cards(browsed, query, config=cfg, day=day, now=NOW, lang=None)
            rows = [view._cells(x) for chunk in found.chunks for x in chunk]
            for block in (1000, 5):
                monkeypatch.setattr(view, "BLOCK_ROWS", block)
                shown = cli("cards", *argv, "--sort", sort, now="2026-05-01T09:00:00Z").stdout
                rendered = io.StringIO()
                width = out().width
                guard(Console(file=rendered, width=width, highlight=False)).print(view._table(rows))
                table = rendered.getvalue()
                assert shown.startswith(table), (sort, argv, block)
                assert shown.count("\n") == len(rows) + 1 + (limit is not None)
            assert "suspended" in table and "learning" in table


def test_the_whole_listing_as_json_is_every_listing(cli, browsed, monkeypatch):
    """`--json` of every card is encoded by orjson a chunk at a time: parsed, it is the
    list the standard library's encoder writes of the same listings, whatever the
    chunks, and the layout is that encoder's."""
    import quiz.manage as manage
    from quiz.ui.cards_view import _as_json

    monkeypatch.setenv("QUIZ_LEARNER", "ann")  # whose states the fixture wrote
    cfg = load_config(None)
    day = DayClock.from_settings(cfg.timezone, cfg.day_starts_at)
    for sort in ("deck", "recall"):
        found = find_cards(browsed, CardQuery(sort=sort), config=cfg, day=day, now=NOW, lang=None)
        expected = json.dumps(
            [_as_json(x) for chunk in found.chunks for x in chunk], ensure_ascii=False, indent=2
        )
        for chunk in (500, 4):
            monkeypatch.setattr(manage, "_SHOWN_CHUNK", chunk)
            shown = cli("cards", "--json", "--sort", sort, now="2026-05-01T09:00:00Z").stdout
            assert json.loads(shown) == json.loads(expected) and len(json.loads(shown)) == 42
            assert shown.count("\n") == expected.count("\n") + 1


KINDS_DECK = """\
deck: kinds
title: Kinds
lang: zh
cards:
  - id: front
    front: {en: What is a closure?, zh: 什么是闭包?}
    back: x
  - id: gap
    type: cloze
    text: {en: "A {{c1::closure}} keeps {{c2::free variables::what}}.", zh: "{{c1::闭包}}保存{{c2::自由变量}}。"}
  - id: snippet
    type: output
    code: |

      print(1)
      print(2)
    output: "1\\n2\\n"
  - id: typed
    type: typed
    front: sys.getswitchinterval()?
    answer: ["0.005"]
"""


def test_every_kind_is_listed_with_its_question(cli, env, store_url):
    """The listing of every match reads only the question's texts of each card from the
    store's rows (quiz.store.browse_reads `listed`): the same questions, in either
    language, as the whole cards give (a screen, `quiz cards show`)."""
    assert cli("import", str(write_deck(env, "kinds.yaml", KINDS_DECK))).exit_code == 0
    cfg = load_config(None)
    day = DayClock.from_settings(cfg.timezone, cfg.day_starts_at)
    with open_store(store_url) as store, store.unit("tester") as repo:
        schedulers = scheduling(cfg, repo, day, NOW, goals=False).schedulers
        for lang, questions in {
            None: [
                "什么是闭包?",
                "[...]保存自由变量。",
                "闭包保存[...]。",
                "print(1)",
                "sys.getswitchinterval()?",
            ],
            "en": [
                "What is a closure?",
                "A [...] keeps free variables.",
                "A closure keeps [what].",
                "print(1)",
                "sys.getswitchinterval()?",
            ],
        }.items():
            found = find_cards(repo, CardQuery(), config=cfg, day=day, now=NOW, lang=lang)
            listed = [x for chunk in found.chunks for x in chunk]
            assert [x.question for x in listed] == questions, lang
            whole = {c.row_id: c for c in repo.cards(CardFilter())}
            assert listed == [
                _listing(Listed.of(whole[x.item.row_id]), schedulers, day, NOW, lang)
                for x in listed
            ]
            shown = cli(
                "cards", "show", "kinds/gap#c2", "--lang", lang or "zh", now="2026-05-01T09:00:00Z"
            )
            assert questions[2] in shown.stdout
