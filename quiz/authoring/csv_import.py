"""CSV / TSV / Anki text exports -> a YAML deck file beside them, for `quiz import`.

Anki's "Notes in Plain Text" export is tab-separated with header lines such as
`#separator:tab`, `#html:true`, `#tags column:3`, `#columns:Front	Back	Tags`; other
tools write a CSV whose first row names the columns (`front,back,tags`). Both work:

- the separator comes from `#separator:` (tab, comma, semicolon, pipe, space, colon),
  else from the extension (`.tsv`/`.txt` tab, `.csv` comma);
- columns are found by name (`#columns:` or a header row: front/question, back/answer,
  tags), or by `#tags column:N`, else by position: front, back, then tags;
- with `#html:true` (or cells that look like HTML) markup is turned into plain text:
  `<br>` and block ends become newlines, entities are decoded, other tags dropped;
- tags are space-separated (Anki's convention; `::` hierarchies become `-`);
- Anki's `#notetype column` decides each row's cards: Cloze notes become cloze cards
  (Back Extra, when filled, their `explain`), type-in notes typed cards, reversed notes
  a card each way (optional reversed ones when their third field is filled); a cloze
  text without a note type column is recognised by its `{{c1::...}}`;
- Anki's `#deck column` names the deck (one deck) or tags each card with its deck.

The result is `NAME.yaml` next to `NAME.csv` (a deck with basic cards, ids from the
front text) that the author can then edit. An existing different `NAME.yaml` is never
overwritten; an identical one is reused.
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

from quiz.authoring.ids import deck_id, text_id
from quiz.authoring.schema_line import schema_line
from quiz.authoring.tags import hoist_common_tags
from quiz.authoring.yaml_text import deck_text
from quiz.deck.cloze import CLOZE_RE
from quiz.deck.fields import TAG_RE
from quiz.errors import QuizError, UsageError

TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " ", "colon": ":"}
_FRONT = {"front", "question", "q", "text", "正面", "问题"}
_BACK = {"back", "answer", "a", "back extra", "extra", "背面", "答案"}
_TAGS = {"tags", "tag", "标签"}
_BREAK = re.compile(r"<\s*br\s*/?\s*>|</\s*(div|p|li|h[1-6])\s*>", re.I)
_TAG_HTML = re.compile(r"<[^>]+>")
# html.unescape int()s a numeric reference: thousands of digits raise ValueError
_HUGE_CHARREF = re.compile(r"&#(?:[xX][0-9a-fA-F]{9,}|[0-9]{12,});?")
_LOOKS_HTML = re.compile(r"<\s*(br|div|p|b|i|span|ul|li|img|a)\b[^>]*>", re.I)


class ConvertError(QuizError):
    """The table cannot become a deck (no rows, or a YAML file of that name exists)."""


def is_table(path: Path) -> bool:
    return path.suffix.lower() in TABLE_SUFFIXES


def _headers(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Anki's `#key:value` header lines, and the remaining lines."""
    meta: dict[str, str] = {}
    rest_at = 0
    for i, line in enumerate(lines):
        match = re.match(r"#([a-z ]+):(.*)$", line.strip())
        if not match:
            rest_at = i
            break
        meta[match.group(1).strip().lower()] = match.group(2).strip()
    else:
        rest_at = len(lines)
    return meta, lines[rest_at:]


def to_text(cell: str, as_html: bool) -> str:
    """A cell as plain text (Markdown-friendly) for a deck."""
    if as_html or _LOOKS_HTML.search(cell):
        cell = _BREAK.sub("\n", cell)
        cell = _TAG_HTML.sub("", cell)
        cell = html.unescape(_HUGE_CHARREF.sub("\ufffd", cell)).replace("\xa0", " ")
    lines = [line.rstrip() for line in cell.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


def _tags(cell: str) -> list[str]:
    tags = []
    for tag in cell.replace("::", "-").split():
        tag = tag.strip(",")
        if tag and TAG_RE.fullmatch(tag):
            tags.append(tag)
    return list(dict.fromkeys(tags))


_MAX_COLUMN = 999
_CELL_LIMIT = "128 KB"


def _separator(meta: dict[str, str], suffix: str) -> str:
    """`#separator:` by name (as Anki writes it) or as the character itself; else the
    extension's. Anything else is refused: a guess would split every row wrongly."""
    given = meta.get("separator")
    if given is None:
        return "," if suffix == ".csv" else "\t"
    name = given.lower()
    if name in _SEPARATORS:
        return _SEPARATORS[name]
    if given in _SEPARATORS.values() and given:
        return given
    raise ConvertError(
        f"#separator:{_show(given)} is not a separator quiz knows; "
        f"use one of: {', '.join(_SEPARATORS)}"
    )


def _column(meta: dict[str, str], key: str) -> int | None:
    """A `#... column:N` header as a 0-based index (N in ASCII digits, 1 to 999)."""
    value = meta.get(key)
    if value is None:
        return None
    # not str.isdigit/int(): both accept '١' and int() then fails on '²'
    if re.fullmatch(r"[0-9]{1,3}", value) and 1 <= int(value) <= _MAX_COLUMN:
        return int(value) - 1
    raise ConvertError(
        f"#{key}:{_show(value)} is not a column number (1 to {_MAX_COLUMN}, in digits 0-9)"
    )


def _show(value: str) -> str:
    shown = value if len(value) <= 40 else value[:37] + "..."
    return repr(shown)


def _read_rows(text: str, separator: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    try:
        return [r for r in reader if any(c.strip() for c in r)]
    except csv.Error as exc:
        if "field limit" in str(exc):
            why = f"a cell is larger than {_CELL_LIMIT}; a card's side must be shorter"
        else:
            why = f"not a valid table: {exc}"
        raise ConvertError(f"row {reader.line_num}: {why}") from None


def table_rows(text: str, suffix: str) -> list[dict[str, str]]:
    """Rows of a CSV/TSV/Anki export as {front, back, tags} (missing ones empty).

    Raises ConvertError (without the file's name: `convert` adds it) for headers and
    cells it cannot read.
    """
    meta, lines = _headers(text.lstrip("\ufeff").splitlines())
    separator = _separator(meta, suffix)
    as_html = meta.get("html", "").lower() == "true"
    skip = {
        skipped
        for k in ("guid column", "notetype column", "deck column")
        if (skipped := _column(meta, k)) is not None
    }
    tags_column = _column(meta, "tags column")
    rows = _read_rows("\n".join(lines), separator)
    if not rows:
        return []
    columns: dict[str, int] = {}
    named = (
        [c.strip().lower() for c in meta["columns"].split(separator)] if "columns" in meta else None
    )
    header = [c.strip().lower() for c in rows[0]]
    if named is None and (set(header) & _FRONT) and (set(header) & (_BACK | _TAGS)):
        named, rows = header, rows[1:]
    if named:
        for index, column in enumerate(named):
            for role, names in (("front", _FRONT), ("back", _BACK), ("tags", _TAGS)):
                if column in names:
                    columns.setdefault(role, index)
    for role in ("notetype", "deck"):
        number = _column(meta, f"{role} column")
        if number is not None:
            columns[role] = number
    if tags_column is not None:
        columns["tags"] = tags_column
    if not rows:  # a header row and nothing under it
        return []
    free = [
        i for i in range(max(len(r) for r in rows)) if i not in skip and i not in columns.values()
    ]
    for role in ("front", "back"):
        if role not in columns and free:
            columns[role] = free.pop(0)
    if "notetype" in columns and free:  # Anki's export: a third field (Add Reverse)
        columns["extra"] = free.pop(0)
    if (
        "tags" not in columns
        and not named
        and free
        and len(free) >= 1
        and max(len(r) for r in rows) >= 3
    ):
        columns["tags"] = free.pop(0)
    out = []
    for row in rows:

        def cell(role, row=row):
            return row[columns[role]] if role in columns and columns[role] < len(row) else ""

        out.append(
            {
                "front": to_text(cell("front"), as_html),
                "back": to_text(cell("back"), as_html),
                "tags": cell("tags"),
                "notetype": cell("notetype").strip(),
                "deck": cell("deck").strip(),
                "extra": to_text(cell("extra"), as_html),
            }
        )
    return out


def _cards_of_row(row: dict[str, str], card_id: str) -> list[dict[str, object]]:
    """A row's cards, by Anki's note type when the export names it (see the module
    docstring): cloze, type-in, reversed and optional reversed notes keep their shape."""
    kind = row.get("notetype", "").lower()
    front, back = row["front"], row["back"]
    if (not kind or "cloze" in kind) and CLOZE_RE.search(front):
        card: dict[str, object] = {"id": card_id, "type": "cloze", "text": front}
        if back:  # Back Extra: shown after the answer, not an answer itself
            card["explain"] = back
        return [card]
    if "type in the answer" in kind and back:
        return [{"id": card_id, "type": "typed", "front": front, "answer": back}]
    cards: list[dict[str, object]] = [
        {"id": card_id, "front": front, "back": back or "TODO: the answer."}
    ]
    reverse = "and reversed" in kind or ("optional reversed" in kind and row.get("extra"))
    if reverse and back:
        cards.append({"id": f"{card_id}-r", "front": back, "back": front})
    return cards


def deck_from_rows(rows: list[dict[str, str]], name: str) -> dict[str, object]:
    cards: list[dict[str, object]] = []
    taken: set[str] = set()
    anki_decks = {row.get("deck", "") for row in rows if row["front"]}
    one_deck = next(iter(anki_decks)) if len(anki_decks) == 1 else ""
    for row in rows:
        if not row["front"]:
            continue
        card_id = text_id(row["front"], taken, prefix="note")
        tags = _tags(row["tags"])
        if row.get("deck") and not one_deck:  # several Anki decks in one table: kept as tags
            tags = list(dict.fromkeys([*tags, deck_id(row["deck"].replace("::", "-"))]))
        for card in _cards_of_row(row, card_id):
            taken.add(str(card["id"]))
            if tags:
                card["tags"] = list(tags)
            cards.append(card)
    deck_tags, cards = hoist_common_tags(cards)
    title = one_deck or name
    data: dict[str, object] = {"deck": deck_id(title) or "imported", "title": title}
    if deck_tags:
        data["tags"] = deck_tags
    data["cards"] = cards
    return data


def convert(path: Path) -> Path:
    """Write `NAME.yaml` beside the table `path` and return it (see the module docstring)."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise ConvertError(f"{path}: not UTF-8 text; save it as UTF-8 and try again") from None
    except OSError as exc:
        raise ConvertError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        rows = [r for r in table_rows(text, path.suffix.lower()) if r["front"]]
    except ConvertError as exc:
        raise ConvertError(f"{path}: {exc.message}") from None
    if not rows:
        raise ConvertError(f"{path}: no rows with a front side found")
    target = path.with_suffix(".yaml")
    data = deck_from_rows(rows, path.stem)
    header = (
        schema_line(target)[2:],
        f"Converted by quiz from {path.name}: edit the cards, then `quiz check {target.name}`.",
    )
    new = deck_text(data, header)
    if target.exists():
        if target.read_text(encoding="utf-8", errors="replace") == new:
            return target
        raise ConvertError(
            f"{target} already exists and differs from what {path.name} converts to; "
            "move it away (or import it directly)"
        )
    target.write_text(new, encoding="utf-8")
    return target
