"""find_deck_files and load_paths: folders, missing paths, one deck id in two files."""

from __future__ import annotations

from pathlib import Path

import pytest
from deck_helpers import GOOD

from quiz.deck import find_deck_files, load_paths
from quiz.errors import DeckError

DECK = "deck: {id}\ntitle: T\ncards:\n  - id: a\n    front: Q\n    back: A\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_folders_give_sorted_yaml_files_recursively(tmp_path: Path):
    for name in (
        "b.yaml",
        "a.yml",
        "sub/c.yaml",
        "sub/deeper/d.YAML",
        "notes.md",
        ".hidden.yaml",
        ".git/e.yaml",
        "sub/.cache/f.yaml",
    ):
        write(tmp_path / name, DECK.format(id="x"))
    found = find_deck_files([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.yml",
        "b.yaml",
        "sub/c.yaml",
        "sub/deeper/d.YAML",
    ]


def test_files_are_taken_as_given_once(tmp_path: Path):
    odd = write(tmp_path / "deck.txt", DECK.format(id="x"))
    b = write(tmp_path / "b.yaml", DECK.format(id="y"))
    assert find_deck_files([odd, b, tmp_path, str(odd)]) == [odd, b]


def test_missing_paths_are_all_reported(tmp_path: Path):
    with pytest.raises(DeckError) as info:
        find_deck_files([tmp_path / "nope", GOOD, tmp_path / "gone.yaml"])
    assert [p.message for p in info.value.problems] == ["no such file or folder"] * 2
    assert [p.path for p in info.value.problems] == [
        str(tmp_path / "nope"),
        str(tmp_path / "gone.yaml"),
    ]


def test_load_paths_collects_decks_and_problems_of_all_files(tmp_path: Path):
    write(tmp_path / "a.yaml", DECK.format(id="one"))
    write(tmp_path / "b.yaml", "deck: two\ntitle: T\ncards:\n  - id: a\n    frnt: Q\n    back: A\n")
    write(tmp_path / "c.yaml", "# the same deck again\n" + DECK.format(id="one"))
    write(tmp_path / "d.yaml", DECK.format(id="three"))
    decks, problems = load_paths([tmp_path, tmp_path / "missing.yaml"])
    assert [(d.id, Path(d.path).name) for d in decks] == [("one", "a.yaml"), ("three", "d.yaml")]
    rendered = [str(p) for p in problems]
    assert rendered == [
        f"{tmp_path / 'missing.yaml'}: no such file or folder",
        f"{tmp_path / 'b.yaml'}:4: basic card 'a' has no 'front'",
        f"{tmp_path / 'b.yaml'}:5: unknown key 'frnt' (did you mean 'front'?)",
        f"{tmp_path / 'c.yaml'}:2: deck id 'one' also defined in {tmp_path / 'a.yaml'}:1",
    ]


def test_load_paths_on_the_good_corpus():
    decks, problems = load_paths([GOOD])
    assert problems == []
    assert len(decks) == len(list(GOOD.glob("*.yaml")))
