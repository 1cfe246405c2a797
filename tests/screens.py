"""Decks, simulated days and fixed-width screens shared by the progress tests."""

from __future__ import annotations

import contextlib
import io
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console

from tests.conftest import write_deck

BILINGUAL = """
deck: {name}
title: {{en: Bilingual, zh: 双语}}
lang: {lang}
tags: [{name}]
cards:
{cards}
"""


def bilingual_deck(env: Path, n: int, name: str = "bi", lang: str = "en") -> Path:
    cards = "".join(
        f"  - id: c{i}\n"
        f'    front: {{en: "English question {i}?", zh: "中文问题第{i}题：全局解释器锁是什么？"}}\n'
        f'    back: {{en: "Answer {i}.", zh: "答案{i}。"}}\n'
        f'    explain: {{en: "Because {i}.", zh: "因为{i}。"}}\n'
        f"    tags: [{'odd' if i % 2 else 'even'}]\n"
        for i in range(1, n + 1)
    )
    return write_deck(env, f"{name}.yaml", BILINGUAL.format(name=name, lang=lang, cards=cards))


def day(n: int, hour: int = 9) -> str:
    return (datetime(2026, 3, 1, hour, tzinfo=timezone.utc) + timedelta(days=n - 1)).isoformat()


def db(env: Path) -> sqlite3.Connection:
    return sqlite3.connect(env / "store.db")


@contextlib.contextmanager
def screen(width: int) -> Iterator[io.StringIO]:
    """Route quiz's rich output to an in-memory console of `width` columns."""
    from quiz.ui import console

    buf = io.StringIO()
    console.use(
        Console(file=buf, width=width, highlight=False, color_system=None, legacy_windows=False),
        Console(file=io.StringIO(), width=width),
    )
    try:
        yield buf
    finally:
        console.use(None, None)


def widest(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)
