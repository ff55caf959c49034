"""Pure checks between fetch and store: refused content types, the per-poll item cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.ingest.screen import newest_entries, refused_content_type
from monitor.models import Article

T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)
XML = b'<?xml version="1.0"?><rss version="2.0"></rss>'


@pytest.mark.parametrize("content_type, body, refused", [
    ("image/png", b"\x89PNG", True),
    ("IMAGE/JPEG; charset=binary", b"\xff\xd8", True),
    ("audio/mpeg", b"ID3", True),
    ("video/mp4", b"", True),
    ("font/woff2", b"wOF2", True),
    ("application/pdf", b"%PDF", True),
    ("application/zip", b"PK", True),
    ("application/gzip", b"\x1f\x8b", True),
    ("application/octet-stream", b"\x00\x01", True),
    ("application/octet-stream", XML, False),
    ("application/octet-stream", b"\xef\xbb\xbf" + XML, False),
    ("application/octet-stream", b'  {"version": "https://jsonfeed.org/version/1.1"}', False),
    ("application/rss+xml", XML, False),
    ("application/atom+xml", XML, False),
    ("application/feed+json", b"{}", False),
    ("application/xml", XML, False),
    ("text/xml", XML, False),
    ("text/html", b"<html>", False),  # parse decides: an HTML page is refused with its own message
    ("text/plain", XML, False),
    (None, XML, False),
    ("", b"\x00", False),
])
def test_refused_content_types(content_type: str | None, body: bytes, refused: bool) -> None:
    why = refused_content_type(content_type, body)
    assert (why is not None) == refused, why
    if why:
        assert (content_type or "").split(";")[0].strip().lower() in why


def article(n: int, published: datetime | None, guess: bool = False) -> Article:
    return Article(id=str(n), feed="f", url=f"http://x/{n}", guid=None, title=f"t{n}", summary="", content="",
                   language=None, published=published, fetched=T0, content_hash=str(n), published_is_guess=guess)


def test_cap_keeps_the_newest_in_document_order() -> None:
    entries = [article(n, T0 - timedelta(hours=h)) for n, h in enumerate([5, 1, 3, 0, 4, 2])]
    kept, dropped = newest_entries(entries, 3)
    assert [a.id for a in kept] == ["1", "3", "5"] and dropped == 3


def test_cap_ranks_undated_entries_after_dated_ones_in_document_order() -> None:
    entries = [article(0, None), article(1, T0, guess=True), article(2, T0 - timedelta(days=9)), article(3, None)]
    kept, dropped = newest_entries(entries, 2)
    assert [a.id for a in kept] == ["0", "2"] and dropped == 2
    assert newest_entries(entries, 10) == (tuple(entries), 0)
    with pytest.raises(ValueError):
        newest_entries(entries, 0)
