"""`quiz import` of real Anki packages (made by the `anki` library) of every format:
decks, note types, media, tags, and the review history replayed into quiz's log."""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from tests.anki.build import FORMATS, RATINGS, collection, export, revlog


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return collection(tmp_path_factory.mktemp("anki"))


def _import(cli, package: Path, *extra: str):
    result = cli("import", str(package), *extra)
    assert result.exit_code == 0, result.output
    return result


def _store():
    import os

    from quiz.store import open_store

    return open_store(os.environ["QUIZ_DB"])


def _decks(folder: Path) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text()) for p in sorted(folder.glob("*.yaml"))}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_imports_cards_media_and_history(cli, env, source, fmt):
    package = export(source, fmt, env)
    result = _import(cli, package)
    folder = package.with_suffix("")
    decks = _decks(folder)
    assert set(decks) == {"python-basics", "spanish"}
    basics = {c["id"]: c for c in decks["python-basics"]["cards"]}
    assert decks["python-basics"]["title"] == "Python::Basics"
    assert sorted(decks["python-basics"]["tags"]) == ["anki-made", "py-core"]
    fronts = {c.get("front") for c in basics.values()}
    assert "What is the **GIL**?\n![](media/gil.png)" in fronts
    assert (folder / "media" / "gil.png").read_bytes().startswith(b"\x89PNG")
    # reversed: both directions; optional reversed: only where the note asks for it
    dict_card = next(c for c in basics.values() if c.get("front") == "dict")
    assert basics[dict_card["id"] + "-r"] == {
        **dict_card,
        "id": dict_card["id"] + "-r",
        "front": "mapping",
        "back": "dict",
    }
    set_card = next(c for c in basics.values() if c.get("front") == "set")
    tuple_card = next(c for c in basics.values() if c.get("front") == "tuple")
    assert set_card["id"] + "-r" in basics and tuple_card["id"] + "-r" not in basics
    typed = next(c for c in basics.values() if c.get("type") == "typed")
    assert (typed["front"], typed["answer"]) == ("2 + 2 =", "4")
    spanish = {c.get("type", "basic"): c for c in decks["spanish"]["cards"]}
    assert spanish["cloze"]["text"] == "{{c1::Paris}} is in {{c2::France}}"
    assert spanish["cloze"]["explain"] == "geography"
    # the custom note type: a basic card with its fields, and a notice
    assert spanish["basic"]["front"] == "perro"
    assert spanish["basic"]["back"] == "dog\n\nel perro ladra"
    assert "'Vocab': imported as basic cards" in result.output
    # the history: every rated Anki answer (not the manual reschedule) is in quiz's log
    rated = [r for r in revlog(source) if 1 <= r[2] <= 4]
    assert f"{len(rated)} Anki answers imported" in result.output
    assert cli("rebuild", "--check").stdout.strip().endswith("would change 0")
    stats = json.loads(cli("stats", "--json").stdout)  # the imported years are in the figures
    assert stats["answers"]["total"] == len(rated)
    assert {d["day"][:4] for d in stats["retention"]["by_day"]} >= {"2018", "2019"}
    with _store() as store, store.unit("tester") as repo:
        log = list(repo.review_log())
        assert len(log) == len(rated)
        years = {r.reviewed_at.year for r in log}
        assert {2017, 2018, 2019} <= years
        suspended = [c for c in repo.cards(_all()) if c.suspended]
        assert [c.card.front.get() for c in suspended if c.card.front] == ["perro"]


def _all():
    from quiz.model import CardFilter

    return CardFilter()


def test_the_history_comes_in_whole_on_both_back_ends(cli, store_url, source, env):
    """On PostgreSQL the history is packed in one statement (quiz.store.log_writer): the
    same log and figures as SQLite's (the writer itself: test_review_packs)."""
    package = export(source, "anki21b", env)
    result = _import(cli, package)
    rated = [r for r in revlog(source) if 1 <= r[2] <= 4]
    assert f"{len(rated)} Anki answers imported" in result.output
    assert cli("rebuild", "--check").stdout.strip().endswith("would change 0")
    stats = json.loads(cli("stats", "--json").stdout)
    assert stats["answers"]["total"] == len(rated)
    with _store() as store, store.unit("tester") as repo:
        log = list(repo.review_log())
        assert len(log) == len(rated) and len({e.id for e in log}) == len(log)
    again = _import(cli, package)
    assert "0 Anki answers imported" in again.output


@pytest.mark.parametrize("fmt", ["anki21b", "anki21"])
def test_reimport_changes_nothing(cli, env, source, fmt):
    package = export(source, fmt, env)
    _import(cli, package)
    folder = package.with_suffix("")
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with _store() as store, store.unit("tester") as repo:
        count = len(list(repo.review_log()))
    again = _import(cli, package)
    assert "nothing changed" in again.stdout
    assert "0 Anki answers imported" in again.output
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    with _store() as store, store.unit("tester") as repo:
        assert len(list(repo.review_log())) == count


def test_the_fsrs_state_is_a_replay_of_the_anki_log(cli, env, source):
    """The state after import equals quiz's scheduler run over Anki's ratings directly."""
    from quiz.clock import DayClock
    from quiz.config import load_config
    from quiz.model import Rating, Schedule
    from quiz.review.settings import Schedulers

    package = export(source, "anki21b", env)
    _import(cli, package)
    ratings: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for rid, cid, ease, kind in revlog(source):
        if 1 <= ease <= 4 and kind <= 3:
            ratings[cid].append((rid, ease))
    config = load_config()
    schedulers = Schedulers(config, DayClock.from_settings(config.timezone, config.day_starts_at))
    with _store() as store, store.unit("tester") as repo:
        cards = {c.card.key: c for c in repo.cards(_all())}
        answered = [c for c in cards.values() if c.schedule.reps]
        assert len(answered) == len(ratings)
        by_reps = sorted(len(v) for v in ratings.values())
        assert sorted(c.schedule.reps for c in answered) == by_reps
        matched = 0
        for item in answered:
            # find the Anki card whose rating count and last answer match this card's
            candidates = [
                v
                for v in ratings.values()
                if datetime.fromtimestamp(v[-1][0] / 1000, timezone.utc)
                == item.schedule.last_review
            ]
            assert len(candidates) == 1
            state = Schedule()
            scheduler = schedulers.for_deck(item.card.deck)
            for rid, ease in candidates[0]:
                at = datetime.fromtimestamp(rid / 1000, timezone.utc)
                state = scheduler.review(
                    item.row_id, state, Rating(ease), at, fuzz_key=item.card.key
                ).after
            assert state == item.schedule
            matched += 1
        assert matched == len(ratings)


def test_output_folder_and_a_changed_deck_file_is_never_overwritten(cli, env, source):
    package = export(source, "anki21b", env)
    out = env / "elsewhere"
    _import(cli, package, "-o", str(out))
    deck = out / "spanish.yaml"
    deck.write_text(deck.read_text() + "# my edit\n")
    result = cli("import", str(package), "-o", str(out))
    assert result.exit_code != 0
    assert re.search(r"spanish\.yaml already exists and differs", result.output)
    assert "Traceback" not in result.output
    assert deck.read_text().endswith("# my edit\n")


def test_not_a_package_is_one_clear_line(cli, env):
    bad = env / "broken.apkg"
    bad.write_bytes(b"not a zip")
    result = cli("import", str(bad))
    assert result.exit_code != 0
    assert "broken.apkg: not an Anki package" in result.output
    assert "Traceback" not in result.output


def test_round_trip_quiz_anki_quiz_keeps_cards_tags_and_history(cli, env, tmp_path, monkeypatch):
    """quiz export -> Anki imports it, reviews in Anki -> quiz imports Anki's export."""
    from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageOptions

    from tests.conftest import BASIC_DECK, write_deck

    deck = write_deck(env, "demo.yaml", BASIC_DECK)
    _import(cli, deck)
    exported = env / "demo-export.apkg"
    assert cli("export", "--format", "apkg", "-o", str(exported)).exit_code == 0
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "c.anki2"))
    try:
        col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(exported), options=ImportAnkiPackageOptions())
        )
        cids = sorted(col.find_cards(""))
        assert len(cids) == 4
        for i, cid in enumerate(cids):
            for k, ease in enumerate((3, 3, 1, 3)):
                col.db.execute(
                    "insert into revlog values (?,?,?,?,?,?,?,?,?)",
                    1_600_000_000_000 + i + k * 5 * 86_400_000,
                    cid,
                    -1,
                    ease,
                    1,
                    0,
                    2500,
                    3000,
                    1,
                )
        back = tmp_path / "back.apkg"
        col.export_anki_package(
            out_path=str(back),
            options=ExportAnkiPackageOptions(with_scheduling=True, with_media=True, legacy=False),
            limit=None,
        )
    finally:
        col.close()
    monkeypatch.setenv("QUIZ_DB", str(tmp_path / "second.db"))  # a fresh store
    result = _import(cli, back)
    assert "16 Anki answers imported for 4 cards" in result.output
    [(name, data)] = _decks(tmp_path / "back").items()
    assert name == "demo"  # the quiz deck the notes were exported from
    fronts = {c["front"] for c in data["cards"]}
    assert {"First question?", "Second question?"} <= fronts
    assert data.get("tags") == ["demo"]
    assert cli("rebuild", "--check").stdout.strip().endswith("would change 0")


def test_an_anki_answer_older_than_the_imported_history_leaves_the_card_alone(
    cli, env, source, tmp_path
):
    """A package re-exported with an answer that predates what quiz already holds for a
    card: replaying it underneath would rewrite the schedule, so the card is skipped and
    the import says so; the other cards are untouched and the log still replays."""
    from anki.collection import Collection

    package = export(source, "anki21b", env)
    _import(cli, package)
    copy = tmp_path / "later" / "collection.anki2"
    copy.parent.mkdir()
    copy.write_bytes(source.read_bytes())
    shutil.copytree(source.with_name("collection.media"), copy.with_name("collection.media"))
    col = Collection(str(copy))
    try:
        cid, first_id = col.db.first("select cid, min(id) from revlog where ease > 0")
        col.db.execute(
            "insert into revlog values (?,?,?,?,?,?,?,?,?)",
            first_id + 1,
            cid,
            -1,
            1,
            1,
            0,
            2500,
            1000,
            1,
        )
    finally:
        col.close()
    later = export(copy, "anki21b", tmp_path / "later")
    # the same folder: its deck files, not edited since their import, are replaced
    result = _import(cli, later, "-o", str(package.with_suffix("")))
    assert "0 Anki answers imported for 0 cards" in result.output
    assert "1 cards kept their quiz history" in result.output
    assert cli("rebuild", "--check").stdout.strip().endswith("would change 0")


def test_a_note_edited_in_anki_updates_the_unedited_deck_file_and_keeps_history(
    cli, env, source, tmp_path
):
    from anki.collection import Collection

    package = export(source, "anki21", env)
    _import(cli, package)
    copy = tmp_path / "edited" / "collection.anki2"
    copy.parent.mkdir()
    copy.write_bytes(source.read_bytes())
    shutil.copytree(source.with_name("collection.media"), copy.with_name("collection.media"))
    col = Collection(str(copy))
    try:
        [nid] = col.find_notes("dict")
        note = col.get_note(nid)
        note.fields[1] = "a hash map"
        col.update_note(note)
    finally:
        col.close()
    edited = export(copy, "anki21", tmp_path / "edited")
    result = _import(cli, edited, "-o", str(package.with_suffix("")))
    assert "python-basics: 2 updated" in result.output  # the note and its reverse
    deck = _decks(package.with_suffix(""))["python-basics"]
    assert any(c.get("back") == "a hash map" for c in deck["cards"])
    with _store() as store, store.unit("tester") as repo:
        [card] = [
            c for c in repo.cards(_all()) if c.card.back and c.card.back.get() == "a hash map"
        ]
        assert card.schedule.reps == len(RATINGS)  # its history stayed with it


def test_the_replay_uses_the_learners_fitted_parameters(cli, env, source):
    """With parameters from `quiz optimize` in the store, the import schedules with them,
    as `quiz rebuild` does, so the check still agrees."""
    import fsrs

    from quiz.review.settings import FITTED_PARAMETERS
    from quiz.store.settings import set_setting

    params = list(fsrs.Scheduler().parameters)
    params[0], params[2] = 1.5, 4.0  # first-answer stabilities unlike the defaults
    with _store() as store, store.unit("tester") as repo:
        set_setting(repo, FITTED_PARAMETERS, {"parameters": params})
        repo.commit()
    _import(cli, export(source, "anki21", env))
    assert cli("rebuild", "--check").stdout.strip().endswith("would change 0")
    with _store() as store, store.unit("tester") as repo:
        set_setting(repo, FITTED_PARAMETERS, {"parameters": []})  # back to the defaults
        repo.commit()
    check = cli("rebuild", "--check")
    assert check.exit_code == 1 and "differs:" in check.stdout  # the parameters mattered
