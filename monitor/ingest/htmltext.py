"""HTML fragments (feed summaries, replay input) to clean plain text. Pure."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
          "table", "blockquote", "section", "article", "header", "footer", "figure", "figcaption", "pre"}
_SKIP = {"script", "style", "noscript", "template", "iframe", "svg", "head"}
_SPACE = re.compile(r"[ \t\r\f\v\xa0]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment; paragraphs kept as single newlines."""
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        text = fragment
    elif "<" not in fragment:
        text = html.unescape(fragment)
    else:
        parser = _Collector()
        parser.feed(fragment)
        parser.close()
        text = "".join(parser.parts)
    text = _CONTROL.sub("", text)
    if "\n" not in text:  # most titles and summaries: one line
        return _SPACE.sub(" ", text).strip()
    lines = (_SPACE.sub(" ", ln).strip() for ln in text.split("\n"))
    return "\n".join(ln for ln in lines if ln)
