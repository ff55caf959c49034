"""Hostile servers and bodies, each against a real HTTP server on 127.0.0.1.

Every hostile feed is fetched in the same cycle as healthy ones: each gives a clear
error naming the feed (or parses with warnings), and the healthy feeds still succeed.
"""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from monitor.errors import ParseError
from monitor.ingest.fetch import FeedRequest, Fetcher, FetchLimits, FetchResult
from monitor.ingest.parse import MAX_TITLE, parse_feed

FETCHED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def rss(items: str, title: str = "Healthy feed") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>http://example.invalid/</link>{items}"
            f"</channel></rss>").encode()


def item(i: int, title: str | None = None) -> str:
    return (f"<item><title>{title or f'Story {i}'}</title><link>http://example.invalid/{i}</link>"
            f"<guid>g{i}</guid><pubDate>Wed, 01 May 2024 10:{i % 60:02d}:00 +0000</pubDate>"
            f"<description>&lt;p&gt;Body of story {i}&lt;/p&gt;</description></item>")


GOOD = rss("".join(item(i) for i in range(5)))
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
    + b"".join(b'<!ENTITY lol%d "%s">\n' % (i, (b"&lol%s;" % (b"" if i == 1 else b"%d" % (i - 1)))
                                            * 10) for i in range(1, 10))
    + b']>\n<rss version="2.0"><channel><title>Laughs</title>'
    b"<item><title>boom &lol9;</title><link>http://example.invalid/lol</link></item>"
    b"</channel></rss>")
BAD_UTF8 = rss(item(1, "Café ok") + "<item><title>broken XX</title><guid>b</guid></item>"
               ).replace(b"XX", b"\xff\xfe")
TEN_THOUSAND = rss("".join(f"<item><title>Story {i}</title><link>http://example.invalid/{i}</link>"
                           "</item>" for i in range(10_000)))
GZIP_BOMB = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)  # ~200 KB on the wire


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes: dict[str, Callable[[Handler], None]] = {}

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        route = self.routes.get(self.path.split("?")[0])
        if route is None:
            self.reply(404, b"not found", "text/plain")
            return
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on us, as it should

    def reply(self, status: int, body: bytes, ctype: str = "application/rss+xml",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


def redirect(status: int, to: str) -> Callable[[Handler], None]:
    return lambda h: h.reply(status, b"", "text/plain", {"Location": to})


def slow_drip(h: Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    h.send_header("Content-Length", "1000000")
    h.end_headers()
    h.wfile.write(b"<rss>")
    h.wfile.flush()
    for _ in range(300):  # one byte every 0.1 s: each read is fast, the whole is endless
        time.sleep(0.1)
        h.wfile.write(b" ")
        h.wfile.flush()


def huge_body(h: Handler) -> None:
    size = 50 * 1024 * 1024
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    h.send_header("Content-Length", str(size))
    h.end_headers()
    chunk = b"<!-- padding -->" * 4096
    sent = 0
    while sent < size:
        h.wfile.write(chunk)
        sent += len(chunk)


def gzip_bomb(h: Handler) -> None:
    h.reply(200, GZIP_BOMB, headers={"Content-Encoding": "gzip"})


def retry_after_date(h: Handler) -> None:
    now = datetime.now(UTC)
    when = now.replace(microsecond=0) + (datetime(2000, 1, 1, 0, 10) - datetime(2000, 1, 1))
    h.reply(503, b"busy", "text/plain", {"Retry-After": format_datetime(when, usegmt=True),
                                         "Date": format_datetime(now, usegmt=True)})


Handler.routes = {
    **{f"/good/{i}": (lambda h: h.reply(200, GOOD)) for i in range(6)},
    "/truncated": lambda h: h.reply(200, GOOD[: len(GOOD) * 2 // 3]),
    "/truncated-head": lambda h: h.reply(200, GOOD[:60]),
    "/laughs": lambda h: h.reply(200, BILLION_LAUGHS),
    "/huge": huge_body,
    "/gzip-bomb": gzip_bomb,
    "/slow": slow_drip,
    "/html": lambda h: h.reply(200, b"<!DOCTYPE html><html><head><title>Home</title></head>"
                                     b"<body><h1>Welcome</h1><p>No feed here.</p></body></html>",
                               "text/html; charset=utf-8"),
    "/wrong-type": lambda h: h.reply(200, GOOD, "application/octet-stream"),
    "/text-plain": lambda h: h.reply(200, GOOD, "text/plain"),
    "/bad-utf8": lambda h: h.reply(200, BAD_UTF8, "application/rss+xml; charset=utf-8"),
    "/10k": lambda h: h.reply(200, TEN_THOUSAND),
    "/big-title": lambda h: h.reply(200, rss(item(1, "A" * 1_000_000))),
    "/control": lambda h: h.reply(200, rss(item(1, "bell\x07 and\x1b escape\x00 here"))),
    "/429": lambda h: h.reply(429, b"slow down", "text/plain", {"Retry-After": "120"}),
    "/503": retry_after_date,
    "/loop/a": redirect(302, "/loop/b"),
    "/loop/b": redirect(301, "/loop/a"),
    **{f"/chain/{i}": redirect(302, f"/chain/{i - 1}") for i in range(1, 12)},
    "/chain/0": lambda h: h.reply(200, GOOD),
}


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up on hostile routes is the point of these tests


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


LIMITS = FetchLimits(connect_timeout=4, read_timeout=4, total_timeout=5,
                     max_bytes=2 * 1024 * 1024, max_redirects=5, concurrency=16, per_host=16)


def fetch_all(urls: list[str], limits: FetchLimits = LIMITS) -> dict[str, FetchResult]:
    async def run() -> dict[str, FetchResult]:
        async with Fetcher(limits) as fetcher:
            results = await asyncio.gather(*(fetcher.fetch(FeedRequest(u)) for u in urls))
        return dict(zip(urls, results, strict=True))

    return asyncio.run(run())


def test_hostile_cycle_leaves_healthy_feeds_polling(server: str) -> None:
    hostile = {
        "/huge": "larger than the 2097152 byte limit",
        "/gzip-bomb": "larger than the 2097152 byte limit",
        "/slow": "timed out after 5 s in total",
        "/429": "HTTP 429 Too Many Requests, retry after 120 s",
        "/503": "HTTP 503 Service Unavailable, retry after",
        "/loop/a": "redirect loop",
        "/chain/11": "too many redirects (more than 5)",
    }
    good = [f"{server}/good/{i}" for i in range(6)]
    results = fetch_all(good + [server + path for path in hostile])
    for url in good:
        assert results[url].ok, results[url].error
        assert results[url].body == GOOD
        assert len(parse_feed(results[url].body, results[url].headers, url, FETCHED).entries) == 5
    for path, expected in hostile.items():
        result = results[server + path]
        assert result.error is not None, path
        assert result.error.startswith(f"{server}{path}: "), result.error  # names the feed
        assert expected in result.error, result.error
        assert result.body is None
    assert results[f"{server}/429"].retry_after == 120
    assert 590 <= (results[f"{server}/503"].retry_after or 0) <= 600


def test_redirect_chain_within_cap_is_followed(server: str) -> None:
    result = fetch_all([f"{server}/chain/4"])[f"{server}/chain/4"]
    assert result.ok and result.final_url == f"{server}/chain/0"
    assert result.permanent_redirect_to is None  # 302s do not move the feed


def parse_from(server: str, path: str, **kw: object) -> object:
    url = server + path
    result = fetch_all([url])[url]
    assert result.ok, result.error
    assert result.body is not None
    return parse_feed(result.body, result.headers, url, FETCHED)


def test_truncated_xml_keeps_what_it_has(server: str) -> None:
    parsed = parse_from(server, "/truncated")
    assert 1 <= len(parsed.entries) < 5
    assert parsed.entries[0].title == "Story 0"
    assert any("malformed" in w for w in parsed.warnings)


def test_truncated_before_any_entry_is_a_parse_error(server: str) -> None:
    url = f"{server}/truncated-head"
    result = fetch_all([url])[url]
    with pytest.raises(ParseError) as info:
        parse_feed(result.body or b"", result.headers, url, FETCHED)
    assert url in str(info.value) and "no entries" in str(info.value)


def test_billion_laughs_is_not_expanded(server: str) -> None:
    parsed = parse_from(server, "/laughs")
    (entry,) = parsed.entries
    assert len(entry.title) < 100 and "lollollol" not in entry.title


def test_html_page_is_a_clear_parse_error(server: str) -> None:
    url = f"{server}/html"
    result = fetch_all([url])[url]
    with pytest.raises(ParseError, match="HTML page") as info:
        parse_feed(result.body or b"", result.headers, url, FETCHED)
    assert info.value.feed == url


@pytest.mark.parametrize("path", ["/wrong-type", "/text-plain"])
def test_wrong_content_type_still_parses(server: str, path: str) -> None:
    parsed = parse_from(server, path)
    assert [a.title for a in parsed.entries] == [f"Story {i}" for i in range(5)]


def test_invalid_utf8_is_replaced_not_mojibake(server: str) -> None:
    parsed = parse_from(server, "/bad-utf8")
    titles = [a.title for a in parsed.entries]
    assert titles[0] == "Café ok"
    assert titles[1].startswith("broken")
    assert not any("Ã" in t for t in titles)
    assert any("invalid UTF-8" in w for w in parsed.warnings)


def test_ten_thousand_items(server: str) -> None:
    parsed = parse_from(server, "/10k")
    assert len(parsed.entries) == 10_000
    assert len({a.id for a in parsed.entries}) == 10_000
    assert parsed.entries[-1].title == "Story 9999"


def test_one_megabyte_title_is_capped(server: str) -> None:
    parsed = parse_from(server, "/big-title")
    (entry,) = parsed.entries
    assert len(entry.title) == MAX_TITLE and set(entry.title) == {"A"}


def test_control_characters_are_removed(server: str) -> None:
    parsed = parse_from(server, "/control")
    (entry,) = parsed.entries
    assert entry.title == "bell and escape here"
