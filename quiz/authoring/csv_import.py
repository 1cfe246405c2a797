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
- tags are space-separated (Anki's convention; `::` hierarchies become `-`).

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
from quiz.deck.fields import TAG_RE
from quiz.errors import QuizError, UsageError

TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " ", "colon": ":"}
_FRONT = {"front", "question", "q", "text", "正面", "问题"}
_BACK = {"back", "answer", "a", "back extra", "extra", "背面", "答案"}
_TAGS = {"tags", "tag", "标签"}
_BREAK = re.compile(r"<\s*br\s*/?\s*>|</\s*(div|p|li|h[1-6])\s*>", re.I)
_TAG_HTML = re.compile(r"<[^>]+>")
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
        cell = html.unescape(cell).replace("\xa0", " ")
    lines = [line.rstrip() for line in cell.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


def _tags(cell: str) -> list[str]:
    tags = []
    for tag in cell.replace("::", "-").split():
        tag = tag.strip(",")
        if tag and TAG_RE.fullmatch(tag):
            tags.append(tag)
    return list(dict.fromkeys(tags))


def table_rows(text: str, suffix: str) -> list[dict[str, str]]:
    """Rows of a CSV/TSV/Anki export as {front, back, tags} (missing ones empty)."""
    meta, lines = _headers(text.lstrip("\ufeff").splitlines())
    name = meta.get("separator", "").lower()
    separator = _SEPARATORS.get(name) or (name if len(name) == 1 else None)
    if separator is None:
        separator = "," if suffix == ".csv" else "\t"
    as_html = meta.get("html", "").lower() == "true"
    rows = [
        r
        for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=separator)
        if any(c.strip() for c in r)
    ]
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
    skip = {
        int(meta[k]) - 1
        for k in ("guid column", "notetype column", "deck column")
        if meta.get(k, "").isdigit()
    }
    if meta.get("tags column", "").isdigit():
        columns["tags"] = int(meta["tags column"]) - 1
    free = [
        i for i in range(max(len(r) for r in rows)) if i not in skip and i not in columns.values()
    ]
    for role in ("front", "back"):
        if role not in columns and free:
            columns[role] = free.pop(0)
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
            }
        )
    return out


def deck_from_rows(rows: list[dict[str, str]], name: str) -> dict[str, object]:
    cards: list[dict[str, object]] = []
    taken: set[str] = set()
    for row in rows:
        if not row["front"]:
            continue
        card: dict[str, object] = {
            "id": text_id(row["front"], taken, prefix="note"),
            "front": row["front"],
            "back": row["back"] or "TODO: the answer.",
        }
        taken.add(str(card["id"]))
        tags = _tags(row["tags"])
        if tags:
            card["tags"] = tags
        cards.append(card)
    deck_tags, cards = hoist_common_tags(cards)
    data: dict[str, object] = {"deck": deck_id(name) or "imported", "title": name}
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
    rows = [r for r in table_rows(text, path.suffix.lower()) if r["front"]]
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
