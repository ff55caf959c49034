"""OPML import and export: pure functions over bytes / str.

Import walks nested `<outline>`s; any outline with an `xmlUrl` is a feed, and the
titles of the outlines around it become its category ("News/Indonesia"). Entities are
never expanded and no DTD or network access happens (lxml with those features off).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from lxml import etree

from monitor.errors import ParseError

_DOCTYPE = re.compile(rb"<!DOCTYPE(?:[^\[>]*\[.*?\]\s*>|[^>]*>)", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str = ""
    category: str = ""  # enclosing outline titles joined with "/"
    html_url: str = ""
    description: str = ""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, recover=True, remove_comments=True)


def parse_opml(data: bytes | str, source: str = "OPML") -> tuple[OpmlFeed, ...]:
    """Feeds listed in an OPML document, in document order, first of each URL kept.

    Raises ParseError naming `source` when it is not OPML or lists no feed."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if isinstance(data, str) and raw.lstrip().startswith(b"<?xml"):
        # a str has already been decoded: drop the declaration's encoding claim
        raw = raw.split(b"?>", 1)[1]
    # OPML never needs entity declarations: drop any DOCTYPE so none can expand.
    raw = _DOCTYPE.sub(b"", raw, count=1)
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        raise ParseError(source, f"not an OPML file: {exc}") from None
    if root is None or not isinstance(root.tag, str) or root.tag.lower() != "opml":
        raise ParseError(source, "not an OPML file: the root element is not <opml>")
    body = next((c for c in root if isinstance(c.tag, str) and c.tag.lower() == "body"), None)
    if body is None:
        raise ParseError(source, "not an OPML file: no <body>")
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()

    def walk(node: etree._Element, path: tuple[str, ...]) -> None:
        for child in node:
            if not isinstance(child.tag, str) or child.tag.lower() != "outline":
                continue
            attrs = {k.lower(): (v or "").strip() for k, v in child.attrib.items()}
            title = attrs.get("title") or attrs.get("text") or ""
            url = attrs.get("xmlurl", "")
            if url and url not in seen:
                seen.add(url)
                feeds.append(OpmlFeed(url=url, title=title, category="/".join(path),
                                      html_url=attrs.get("htmlurl", ""),
                                      description=attrs.get("description", "")))
            walk(child, (*path, title) if title and not url else path)

    walk(body, ())
    if not feeds:
        raise ParseError(source, "OPML lists no feeds (no outline with an xmlUrl)")
    return tuple(feeds)


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
