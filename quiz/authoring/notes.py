"""Study notes (Markdown or plain text) -> the pieces a deck can be drafted from.

Notes are read as a sequence of blocks - headings, fenced code, paragraphs - and the
paragraphs are mined for things that look like flashcards:

- `Q: ...` / `A: ...` pairs (also `问：`/`答：`, ASCII or full-width colons);
- a line ending in `?` (or `？`) and the lines that answer it (the rest of its
  paragraph, or the next paragraph); a line `question?answer` is split at the mark;
- definitions `term: definition` (a short term, either colon), where a term with nothing
  after its colon takes the indented lines below it as its definition;
- a heading followed by a paragraph: the heading asks, what the paragraph says that no
  rule above took answers.

Headings are Markdown `#` lines (and `===`/`---` underlines). Notes without them are
plain text, where a heading is an unindented short line ending in a colon (`组合与继承:`)
with text below it, or a short title-like line standing after a blank line
(`Python闭包`), optionally numbered (`2. 哈希`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)")
_NUMBERING = re.compile(r"^\s*(\d+[.、)）]|[一二三四五六七八九十]+[、.])\s*")
_LIST_MARK = re.compile(r"^\s*([-*+]|\d+[.)])\s+")
_QA = re.compile(
    r"^\s*(?:[-*+]\s+)?(\*\*)?(q|question|问|问题|a|answer|答|答案)(\*\*)?\s*[:：]\s*(?:\*\*)?\s*(.*)$",
    re.I,
)
_DEF = re.compile(r"^(?P<term>[^:：]{1,40}?)\s*[:：]\s*(?P<rest>.*)$")
_SENTENCE_PUNCT = set("。，,;；!！?？:：、.")
_TERM_PUNCT = set("。，,;；!！?？")
_QUESTION_MARKS = ("?", "？")
PYTHON_LANGS = {"python", "py", "python3", "py3"}


@dataclass(frozen=True)
class Heading:
    text: str
    level: int
    line: int


@dataclass(frozen=True)
class CodeBlock:
    lang: str
    code: str
    line: int


@dataclass(frozen=True)
class Paragraph:
    lines: tuple[tuple[int, str], ...]  # (1-based line number, text as written)


Block = Heading | CodeBlock | Paragraph


@dataclass(frozen=True)
class Found:
    """One flashcard-like thing in the notes."""

    how: str  # "qa" | "question" | "definition" | "heading" | "code"
    front: str
    back: str
    line: int
    headings: tuple[str, ...]  # the headings it sits under, outermost first
    code: str = ""
    lang: str = ""  # of a code block, as its fence named it


def is_markdown(text: str) -> bool:
    return any(_MD_HEADING.match(line) or _FENCE.match(line) for line in text.splitlines())


def _clean_heading(text: str) -> str:
    text = _NUMBERING.sub("", text.strip())
    return text.rstrip(":：;；").strip().strip("*_`").strip()


def _colon_heading(line: str, following: str | None) -> bool:
    stripped = line.strip()
    if line[:1].isspace() or not stripped.endswith((":", "：")) or following is None:
        return False
    body = stripped[:-1]
    return 0 < len(body) <= 40 and not any(ch in _SENTENCE_PUNCT for ch in body.strip())


def _title_line(line: str, previous: str | None, following: str | None) -> bool:
    if line[:1].isspace() or not following or not following.strip():
        return False
    numbered = bool(_NUMBERING.match(line))
    body = _NUMBERING.sub("", line).strip().rstrip(";；").strip()
    if not 0 < len(body) <= 24 or any(ch in _SENTENCE_PUNCT for ch in body):
        return False
    return numbered or previous is None or not previous.strip()


def blocks(text: str) -> list[Block]:
    """Split notes into headings, fenced code and paragraphs (blank lines end paragraphs)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    markdown = is_markdown(text)
    out: list[Block] = []
    para: list[tuple[int, str]] = []

    def flush() -> None:
        if para:
            out.append(Paragraph(tuple(para)))
            para.clear()

    def next_nonblank(i: int) -> str | None:
        for later in lines[i + 1 :]:
            if later.strip():
                return later
        return None

    i = 0
    while i < len(lines):
        line = lines[i]
        number = i + 1
        fence = _FENCE.match(line)
        if fence:
            flush()
            marker, lang, body = fence.group(2), fence.group(3).lower(), []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(marker):
                body.append(lines[i])
                i += 1
            indent = len(fence.group(1))
            code = "\n".join(b[indent:] if b[:indent].isspace() else b for b in body)
            out.append(CodeBlock(lang, code.strip("\n") + "\n" if code.strip() else "", number))
            i += 1
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            flush()
            out.append(Heading(_clean_heading(heading.group(2)), len(heading.group(1)), number))
        elif (
            markdown
            and i + 1 < len(lines)
            and _SETEXT.match(lines[i + 1])
            and line.strip()
            and not para
        ):
            flush()
            out.append(
                Heading(_clean_heading(line), 1 if lines[i + 1].startswith("=") else 2, number)
            )
            i += 1
        elif not line.strip():
            flush()
        elif not markdown and (
            _colon_heading(line, next_nonblank(i))
            or _title_line(
                line, lines[i - 1] if i else None, lines[i + 1] if i + 1 < len(lines) else None
            )
        ):
            flush()
            out.append(Heading(_clean_heading(line), 1, number))
        else:
            para.append((number, line))
        i += 1
    flush()
    return out


def _strip_item(text: str) -> str:
    return _LIST_MARK.sub("", text).strip()


def _definition(text: str) -> tuple[str, str] | None:
    """`term: definition` -> (term, definition) when the term is short and term-like."""
    if "://" in text:
        return None
    match = _DEF.match(_strip_item(text))
    if not match:
        return None
    term = _NUMBERING.sub("", match.group("term")).strip().strip("*_`").strip()
    if not term or any(ch in _TERM_PUNCT for ch in term) or len(term.split()) > 5:
        return None
    return term, match.group("rest").strip()


def _question_split(text: str) -> tuple[str, str] | None:
    """`question?` -> (question, ''); `question?answer` -> (question, answer)."""
    line = _strip_item(text)
    if "://" in line:
        return None
    if line.endswith(_QUESTION_MARKS):
        return line, ""
    positions = [line.find(m) for m in _QUESTION_MARKS if m in line]
    if not positions:
        return None
    cut = min(positions) + 1
    rest = line[cut:].strip()
    return (line[:cut].strip(), rest) if len(rest) >= 6 and len(line[:cut].strip()) >= 4 else None


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def mine(all_blocks: list[Block]) -> list[Found]:
    """Everything flashcard-like in the blocks, in reading order."""
    found: list[Found] = []
    path: list[tuple[int, str]] = []  # (level, heading text)
    after_heading: Heading | None = None
    consumed: set[int] = set()
    for index, block in enumerate(all_blocks):
        headings = tuple(text for _level, text in path)
        if isinstance(block, Heading):
            while path and path[-1][0] >= block.level:
                path.pop()
            path.append((block.level, block.text))
            after_heading = block
            continue
        if isinstance(block, CodeBlock):
            if block.code:
                found.append(
                    Found("code", "", "", block.line, headings, code=block.code, lang=block.lang)
                )
            after_heading = None
            continue
        if index in consumed:
            after_heading = None
            continue
        nxt = all_blocks[index + 1] if index + 1 < len(all_blocks) else None
        cards, leftover, took_next = _mine_paragraph(
            block, nxt if isinstance(nxt, Paragraph) else None, headings
        )
        if took_next:
            consumed.add(index + 1)
        if after_heading is not None and leftover:
            found.append(
                Found(
                    "heading", after_heading.text, "\n".join(leftover), after_heading.line, headings
                )
            )
        found.extend(cards)
        after_heading = None
    return found


def _mine_paragraph(
    para: Paragraph, nxt: Paragraph | None, headings: tuple[str, ...]
) -> tuple[list[Found], list[str], bool]:
    """Cards found in one paragraph, the lines no rule took, and whether the answer to a
    closing question came from the next paragraph."""
    lines = list(para.lines)
    cards: list[Found] = []
    leftover: list[str] = []
    took_next = False
    i = 0
    while i < len(lines):
        number, raw = lines[i]
        qa = _QA.match(raw)
        if qa and qa.group(2).lower() in ("q", "question", "问", "问题"):
            question, answer = [qa.group(4).strip()], []
            i += 1
            while i < len(lines):
                m = _QA.match(lines[i][1])
                if m and m.group(2).lower() in ("q", "question", "问", "问题"):
                    break
                if m:
                    answer.append(m.group(4).strip())
                elif answer:
                    answer.append(_strip_item(lines[i][1]))
                else:
                    question.append(_strip_item(lines[i][1]))
                i += 1
            cards.append(
                Found(
                    "qa",
                    "\n".join(q for q in question if q),
                    "\n".join(a for a in answer if a),
                    number,
                    headings,
                )
            )
            continue
        split = _question_split(raw)
        if split is not None:
            front, back = split
            answer = [back] if back else []
            i += 1
            while (
                i < len(lines)
                and _question_split(lines[i][1]) is None
                and not _QA.match(lines[i][1])
                and not (answer and _definition(lines[i][1]))
            ):
                answer.append(_strip_item(lines[i][1]))
                i += 1
            if not answer and nxt is not None and not took_next:
                answer = [_strip_item(t) for _n, t in nxt.lines]
                took_next = True
            if answer:
                cards.append(Found("question", front, "\n".join(answer), number, headings))
            else:
                leftover.append(_strip_item(raw))
            continue
        definition = _definition(raw)
        if definition is not None:
            term, meaning = definition
            i += 1
            if not meaning:  # `term:` with its definition indented below
                body = []
                while i < len(lines) and _indent(lines[i][1]) > _indent(raw):
                    body.append(_strip_item(lines[i][1]))
                    i += 1
                meaning = "\n".join(body)
            if meaning:
                cards.append(Found("definition", term, meaning, number, headings))
            continue
        leftover.append(_strip_item(raw))
        i += 1
    return cards, [text for text in leftover if text], took_next
