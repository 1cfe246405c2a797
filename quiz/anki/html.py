"""Anki field HTML -> the Markdown-ish text a deck holds.

Anki fields are HTML written by a rich-text editor: `<div>`/`<br>` lines, `<b>`/`<i>`,
lists, `<img>`, `<pre>`/`<code>`, `&nbsp;`, and `[sound:...]` tags. Decks are plain text
read in a terminal, so markup becomes the Markdown a reader recognises (`**bold**`,
`*italic*`, `` `code` ``, fenced blocks, `- ` items, `![](media/x.png)` for images) and
everything else (styles, spans, fonts, scripts) is dropped. A small stdlib parser is
enough: the input is a few lines per field, and a browser-grade parser would cost an
import on every run for nothing quiz can show.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = {"div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tr", "blockquote"}
_SKIP = {"script", "style", "head", "title"}
_INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*"}
SOUND = re.compile(r"\[sound:([^\]]+)\]")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")


def media_name(src: str) -> str:
    """The plain file name Anki stores a media reference under (no folders, no URL bits)."""
    from urllib.parse import unquote

    name = unquote(src.split("?", 1)[0]).replace("\\", "/").rsplit("/", 1)[-1]
    return name.strip()


class _Converter(HTMLParser):
    def __init__(self, media_dir: str) -> None:
        super().__init__(convert_charrefs=True)
        self.media_dir = media_dir
        self.out: list[str] = []
        self.skip = 0
        self.pre = 0
        self.links: list[str | None] = []
        self.lists: list[list[int]] = []  # [counter] per open list; -1 for bullets
        self.media: list[str] = []

    # the text so far ends a line?
    def _newline(self, count: int = 1) -> None:
        text = "".join(self.out)
        trailing = len(text) - len(text.rstrip("\n"))
        if text.strip() and trailing < count:
            self.out.append("\n" * (count - trailing))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag in _INLINE:
            self.out.append(_INLINE[tag])
        elif tag == "code" and not self.pre:
            self.out.append("`")
        elif tag == "pre":
            self._newline()
            self.out.append("```\n")
            self.pre += 1
        elif tag in ("ul", "ol"):
            self._newline()
            self.lists.append([0 if tag == "ol" else -1])
        elif tag == "li":
            self._newline()
            if self.lists and self.lists[-1][0] >= 0:
                self.lists[-1][0] += 1
                self.out.append(f"{self.lists[-1][0]}. ")
            else:
                self.out.append("- ")
        elif tag == "img":
            name = media_name(values.get("src", ""))
            if name:
                self.media.append(name)
                alt = values.get("alt", "").replace("]", "")
                self.out.append(f"![{alt}]({self.media_dir}{name})")
        elif tag == "a":
            href = values.get("href", "")
            self.links.append(href if href.startswith(("http://", "https://")) else None)
            if self.links[-1]:
                self.out.append("[")
        elif tag in _BLOCK or tag in ("td", "th"):
            if tag in ("td", "th") and self.out and not "".join(self.out).endswith("\n"):
                self.out.append(" | ")
            elif tag not in ("td", "th"):
                self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _INLINE:
            self.out.append(_INLINE[tag])
        elif tag == "code" and not self.pre:
            self.out.append("`")
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self._newline()
            self.out.append("```\n")
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._newline()
        elif tag == "a":
            href = self.links.pop() if self.links else None
            if href:
                self.out.append(f"]({href})")
        elif tag in _BLOCK or tag == "li":
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            self.out.append(data)
        else:
            self.out.append(_SPACES.sub(" ", data))


def html_to_text(field: str, media_dir: str = "media/") -> tuple[str, tuple[str, ...]]:
    """The field as text, and the media files it refers to (images and sounds, in order).

    `[sound:x.mp3]` becomes `(sound: media/x.mp3)`: quiz cannot play it, but the reader
    sees that the card had one and where the file went.
    """
    parser = _Converter(media_dir)
    parser.feed(field)
    parser.close()
    text = "".join(parser.out).replace("\xa0", " ")
    media = list(parser.media)

    def sound(match: re.Match[str]) -> str:
        name = media_name(match.group(1))
        media.append(name)
        return f"(sound: {media_dir}{name})"

    text = SOUND.sub(sound, text)
    lines = [line.rstrip() for line in text.split("\n")]
    # leading spaces are the text's own only inside a code block
    out: list[str] = []
    fenced = False
    for line in lines:
        if line.strip() == "```":
            fenced = not fenced
            out.append("```")
            continue
        out.append(line if fenced else line.lstrip(" "))
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")
    return text.strip(), tuple(dict.fromkeys(m for m in media if m))
