"""OPML import and export: pure functions over bytes / str.

Import walks nested `<outline>`s; any outline with an `xmlUrl` is a feed, and the
titles of the outlines around it become its category ("News/Indonesia"). Entities are
never expanded and no DTD or network access happens (lxml with those features off).
The parser recovers from broken markup; `read_opml` also names, with their line, the
feed outlines it had to drop (an attribute with unescaped quotes, say), and counts them
in its total.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

from lxml import etree

from monitor.errors import ParseError, Problem

_DOCTYPE = re.compile(rb"<!DOCTYPE(?:[^\[>]*\[.*?\]\s*>|[^>]*>)", re.DOTALL | re.IGNORECASE)
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
# a feed outline's start tag as written: "<outline", then up to the next "<" (which an
# attribute value may not hold), with an xmlUrl attribute in it
_RAW_FEED_OUTLINE = re.compile(rb"<outline\b[^<]*?\bxmlurl\s*=", re.IGNORECASE)
_RAW_XMLURL = re.compile(rb"""\bxmlurl\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""", re.IGNORECASE)


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str = ""
    category: str = ""  # enclosing outline titles joined with "/"
    html_url: str = ""
    description: str = ""
    line: int = field(default=0, compare=False)  # of its <outline> in the file (0 = unknown)


@dataclass(frozen=True)
class OpmlImport:
    """What an OPML file lists: the feeds read, and the feed outlines that could not be."""

    feeds: tuple[OpmlFeed, ...]
    unreadable: tuple[Problem, ...]  # one per dropped feed outline, with its line

    @property
    def total(self) -> int:
        """Feed outlines in the file, read or not (repeated URLs counted once)."""
        return len(self.feeds) + len(self.unreadable)


def _blank(m: re.Match[bytes]) -> bytes:
    """A removed span's newlines, so line numbers stay those of the file."""
    return b"\n" * m.group().count(b"\n")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, recover=True, remove_comments=True)


def parse_opml(data: bytes | str, source: str = "OPML") -> tuple[OpmlFeed, ...]:
    """Feeds listed in an OPML document, in document order, first of each URL kept.

    Raises ParseError naming `source` when it is not OPML or lists no feed."""
    return read_opml(data, source).feeds


def read_opml(data: bytes | str, source: str = "OPML") -> OpmlImport:
    """The feeds of an OPML document, and the feed outlines that could not be read.

    Raises ParseError naming `source` when it is not OPML or lists no feed at all."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if isinstance(data, str) and raw.lstrip().startswith(b"<?xml"):
        # a str has already been decoded: drop the declaration's encoding claim
        raw = raw.split(b"?>", 1)[1]
    # OPML never needs entity declarations: drop any DOCTYPE so none can expand.
    raw = _DOCTYPE.sub(_blank, raw, count=1)
    parser = _parser()
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(source, f"not an OPML file: {exc}") from None
    if root is None or not isinstance(root.tag, str) or root.tag.lower() != "opml":
        raise ParseError(source, "not an OPML file: the root element is not <opml>")
    body = next((c for c in root if isinstance(c.tag, str) and c.tag.lower() == "body"), None)
    if body is None:
        raise ParseError(source, "not an OPML file: no <body>")
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    unreadable: list[Problem] = []
    parsed_lines: Counter[int] = Counter()

    def walk(node: etree._Element, path: tuple[str, ...]) -> None:
        for child in node:
            if not isinstance(child.tag, str) or child.tag.lower() != "outline":
                continue
            attrs = {k.lower(): (v or "").strip() for k, v in child.attrib.items()}
            title = attrs.get("title") or attrs.get("text") or ""
            url = attrs.get("xmlurl", "")
            if "xmlurl" in attrs:
                parsed_lines[child.sourceline or 0] += 1
                if not url:
                    unreadable.append(Problem(source, "outline with an empty xmlUrl", child.sourceline or 0))
            if url and url not in seen:
                seen.add(url)
                feeds.append(OpmlFeed(url=url, title=title, category="/".join(path),
                                      html_url=attrs.get("htmlurl", ""),
                                      description=attrs.get("description", ""), line=child.sourceline or 0))
            walk(child, (*path, title) if title and not url else path)

    walk(body, ())
    unreadable += _dropped_outlines(raw, parsed_lines, parser.error_log, source)
    if not feeds and not unreadable:
        raise ParseError(source, "OPML lists no feeds (no outline with an xmlUrl)")
    return OpmlImport(tuple(feeds), tuple(sorted(unreadable, key=lambda p: p.line)))


def _dropped_outlines(raw: bytes, parsed: Counter[int], errors: object, source: str) -> list[Problem]:
    """Feed outlines written in the file that the recovering parser did not return."""
    text = _COMMENT.sub(_blank, raw)
    written: dict[int, list[bytes]] = {}
    for m in _RAW_FEED_OUTLINE.finditer(text):
        line = text.count(b"\n", 0, m.start()) + 1
        end = text.find(b"<", m.end())
        written.setdefault(line, []).append(text[m.start():end if end >= 0 else len(text)])
    why = {}
    for err in errors:  # type: ignore[attr-defined]
        why.setdefault(err.line, err.message)
    out = []
    for line, tags in sorted(written.items()):
        for tag in tags[parsed.get(line, 0):]:
            m = _RAW_XMLURL.search(tag)
            url = (m.group(1) or m.group(2)).decode("utf-8", "replace").strip() if m else ""
            what = f"xmlUrl {url} was not imported" if url else "its feed was not imported"
            out.append(Problem(source, f"outline could not be read ({why.get(line, 'malformed markup')}); {what}",
                               line))
    return out


def export_opml(feeds: Iterable[OpmlFeed], title: str = "media-monitor feeds") -> str:
    """OPML 2.0 text with one category outline per distinct category."""
    groups: dict[str, list[OpmlFeed]] = {}
    for feed in feeds:
        groups.setdefault(feed.category, []).append(feed)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">',
             f"  <head><title>{_text(title)}</title></head>", "  <body>"]

    def outline(feed: OpmlFeed, indent: str) -> str:
        attrs = [f"type={quoteattr('rss')}", f"text={quoteattr(feed.title)}"]
        if feed.title:
            attrs.append(f"title={quoteattr(feed.title)}")
        attrs.append(f"xmlUrl={quoteattr(feed.url)}")
        if feed.html_url:
            attrs.append(f"htmlUrl={quoteattr(feed.html_url)}")
        if feed.description:
            attrs.append(f"description={quoteattr(feed.description)}")
        return f"{indent}<outline {' '.join(attrs)}/>"

    for category, members in groups.items():
        if not category:
            lines.extend(outline(f, "    ") for f in members)
            continue
        parts = category.split("/")
        for depth, part in enumerate(parts):
            lines.append("    " + "  " * depth + f"<outline text={quoteattr(part)}>")
        lines.extend(outline(f, "    " + "  " * len(parts)) for f in members)
        for depth in reversed(range(len(parts))):
            lines.append("    " + "  " * depth + "</outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
