"""parse_feed on hand-written bodies: formats, encodings, links, dates, ids."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import ParseError
from monitor.ingest.parse import ParsePool, parse_date, parse_feed, parse_in_pool

FETCHED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
URL = "https://news.example.invalid/feeds/world.xml"


def rss(items: str, decl: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return (f'{decl}<rss version="2.0"><channel><title>World</title>'
            f"<link>https://news.example.invalid/</link><ttl>45</ttl><language>id-ID</language>"
            f"{items}</channel></rss>").encode()


def test_rss_basics_html_stripped_and_ids_stable() -> None:
    body = rss("<item><title>Kim &amp; Putin</title><link>/a/1</link><guid>g-1</guid>"
               "<pubDate>Wed, 13 Sep 2023 10:00:00 +0700</pubDate>"
               "<description>&lt;p&gt;First &lt;b&gt;para&lt;/b&gt;&lt;/p&gt;"
               "&lt;script&gt;evil()&lt;/script&gt;&lt;p&gt;Second&lt;/p&gt;</description>"
               "</item>")
    parsed = parse_feed(body, {"Content-Type": "application/rss+xml"}, URL, FETCHED)
    assert parsed.title == "World" and parsed.ttl_minutes == 45 and parsed.language == "id"
    (a,) = parsed.entries
    assert a.title == "Kim & Putin"
    assert a.url.startswith("https://news.example.invalid/a/1")  # relative link resolved
    assert a.summary == "First para\nSecond"
    assert a.published == datetime(2023, 9, 13, 3, 0, tzinfo=UTC)
    assert a.source == "World" and a.feed == URL and a.guid == "g-1"
    again = parse_feed(body, {}, URL, datetime(2024, 6, 1, tzinfo=UTC))
    assert again.entries[0].id == a.id  # stable across polls


def test_ids_without_guid_come_from_link_then_content() -> None:
    body = rss("<item><title>A</title><link>https://x.invalid/a</link></item>"
               "<item><title>B</title><description>only text</description></item>")
    a, b = parse_feed(body, {}, URL, FETCHED).entries
    assert a.guid is None and b.guid is None and a.id != b.id
    assert parse_feed(body, {}, URL, FETCHED).entries[1].id == b.id


def test_duplicate_guids_keep_the_first() -> None:
    body = rss("<item><title>first</title><guid>same</guid></item>"
               "<item><title>second</title><guid>same</guid></item>")
    parsed = parse_feed(body, {}, URL, FETCHED)
    assert [a.title for a in parsed.entries] == ["first"]
    assert any("repeat" in w for w in parsed.warnings)


def test_atom_xml_base_resolves_links() -> None:
    body = (b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            b'xml:base="https://blog.example.invalid/posts/"><title>B</title>'
            b'<entry><title>E</title><id>tag:1</id><link href="2024/e.html"/>'
            b"<updated>2024-04-30T08:00:00Z</updated>"
            b'<content type="html">&lt;p&gt;Hello&lt;/p&gt;</content></entry></feed>')
    (entry,) = parse_feed(body, {}, URL, FETCHED).entries
    assert entry.url == "https://blog.example.invalid/posts/2024/e.html"
    assert entry.summary == "Hello" or entry.content == "Hello"


def test_http_charset_header_wins_and_undeclared_legacy_is_detected() -> None:
    text = "<item><title>Путин и Ким Чен Ын обсудили поставки оружия</title></item>" * 3
    body = rss(text, decl="").decode().encode("windows-1251")
    declared = parse_feed(body, {"content-type": "text/xml; charset=windows-1251"}, URL,
                          FETCHED)
    sniffed = parse_feed(body, {}, URL, FETCHED)
    for parsed in (declared, sniffed):
        assert parsed.entries[0].title == "Путин и Ким Чен Ын обсудили поставки оружия"


def test_missing_and_future_dates_fall_back_to_first_seen() -> None:
    body = rss("<item><title>undated</title><guid>1</guid></item>"
               "<item><title>future</title><guid>2</guid>"
               "<pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item>")
    undated, future = parse_feed(body, {}, URL, FETCHED).entries
    assert undated.published == FETCHED and undated.published_is_guess
    assert future.published == FETCHED and future.published_is_guess


@pytest.mark.parametrize(("raw", "expected"), [
    ("Rabu, 13 September 2023 10:00 WIB", datetime(2023, 9, 13, 3, 0, tzinfo=UTC)),
    ("Jum'at, 15 Agu 2023 - 08:15 WIB", datetime(2023, 8, 15, 1, 15, tzinfo=UTC)),
    ("Kamis, 14 Sep 2023 09:30:00 WITA", datetime(2023, 9, 14, 1, 30, tzinfo=UTC)),
    ("Seg, 24 Set 2018 19:18:49 -0300", datetime(2018, 9, 24, 22, 18, 49, tzinfo=UTC)),
    ("2023년 9월 13일 (수) 오후 3:20", datetime(2023, 9, 13, 6, 20, tzinfo=UTC)),
    ("2023.09.13 15:20 KST", datetime(2023, 9, 13, 6, 20, tzinfo=UTC)),
    ("2023-09-13 15:20:00", datetime(2023, 9, 13, 15, 20, tzinfo=UTC)),
    ("not a date", None),
])
def test_dates_feedparser_misses(raw: str, expected: datetime | None) -> None:
    assert parse_date(raw) == expected


def test_wib_dates_in_a_feed() -> None:
    body = rss("<item><title>Kim tiba</title><guid>1</guid>"
               "<pubDate>Rabu, 13 Sep 2023 10:00:00 WIB</pubDate></item>")
    (a,) = parse_feed(body, {}, URL, FETCHED).entries
    assert a.published == datetime(2023, 9, 13, 3, 0, tzinfo=UTC)
    assert not a.published_is_guess


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_parse_date_never_raises_and_is_aware(raw: str) -> None:
    result = parse_date(raw)
    assert result is None or result.tzinfo is not None


def test_json_feed() -> None:
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "JF",
           "home_page_url": "https://jf.example.invalid/", "language": "en-GB",
           "items": [{"id": "1", "url": "/p/1", "title": "Arms deal",
                      "content_html": "<p>Text <em>here</em></p>",
                      "date_published": "2024-04-30T10:00:00+02:00"},
                     {"id": "1", "title": "dup"},
                     {"id": 2, "content_text": "No title, only text"}]}
    parsed = parse_feed(json.dumps(doc).encode(), {"content-type": "application/feed+json"},
                        "https://jf.example.invalid/feed.json", FETCHED)
    assert parsed.version == "json11" and parsed.language == "en"
    first, second = parsed.entries
    assert first.url == "https://jf.example.invalid/p/1" and first.summary == "Text here"
    assert first.published == datetime(2024, 4, 30, 8, 0, tzinfo=UTC)
    assert second.title == "No title, only text" and second.guid == "2"


@pytest.mark.parametrize("body", [b"", b"   ", b'{"not": "a feed"}', b"[1, 2]",
                                  b"just some text", b"<html><body>hi</body></html>"])
def test_non_feeds_raise_parse_error_naming_the_feed(body: bytes) -> None:
    with pytest.raises(ParseError) as info:
        parse_feed(body, {}, URL, FETCHED)
    assert info.value.feed == URL and str(info.value).startswith(URL)


def test_naive_fetched_time_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_feed(rss(""), {}, URL, datetime(2024, 1, 1))


def test_parse_pool_matches_inline_and_reports_errors() -> None:
    body = rss("<item><title>pooled</title><guid>p</guid></item>")

    async def run() -> tuple[object, object, str]:
        async with ParsePool(workers=1) as pool:
            pooled = await parse_in_pool(pool, body, {}, URL, FETCHED)
            inline = await parse_in_pool(None, body, {}, URL, FETCHED)
            with pytest.raises(ParseError) as info:
                await pool.parse(b"<html><body>x</body></html>", {}, URL, FETCHED)
            return pooled, inline, str(info.value)

    pooled, inline, error = asyncio.run(run())
    assert pooled == inline
    assert error.startswith(URL) and "HTML" in error
