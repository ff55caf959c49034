"""Fetcher against a real HTTP server on loopback (pytest-httpserver) and local files."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from monitor.ingest.fetch import (
    DEFAULT_USER_AGENT,
    FeedRequest,
    Fetcher,
    FetchLimits,
    FetchResult,
    body_hash,
    parse_max_age,
    parse_retry_after,
)

FEED = (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        b"<item><title>One</title><link>http://example.invalid/1</link></item></channel></rss>")


def fetch(*requests: FeedRequest, limits: FetchLimits | None = None,
          previous: str | None = None) -> list[FetchResult]:
    async def run() -> list[FetchResult]:
        async with Fetcher(limits or FetchLimits(total_timeout=10)) as fetcher:
            return list(await asyncio.gather(*(fetcher.fetch(r, previous) for r in requests)))

    return asyncio.run(run())


def conditional(etag: str, last_modified: str):
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag or (
                request.headers.get("If-Modified-Since") == last_modified):
            return Response(status=304, headers={"ETag": etag})
        return Response(FEED, content_type="application/rss+xml",
                        headers={"ETag": etag, "Last-Modified": last_modified,
                                 "Cache-Control": "public, max-age=900"})

    return handler


def test_etag_and_last_modified_round_trip(httpserver: HTTPServer) -> None:
    lm = "Wed, 01 May 2024 10:00:00 GMT"
    httpserver.expect_request("/feed").respond_with_handler(conditional('"v1"', lm))
    url = httpserver.url_for("/feed")
    (first,) = fetch(FeedRequest(url))
    assert first.ok and first.status == 200 and first.body == FEED
    assert first.etag == '"v1"' and first.last_modified == lm and first.max_age == 900
    assert first.headers["content-type"] == "application/rss+xml"  # lower-case names

    by_etag, by_date, forced = fetch(FeedRequest(url, etag='"v1"'),
                                     FeedRequest(url, last_modified=lm),
                                     FeedRequest(url, '"v1"', lm, force_unconditional=True))
    assert by_etag.not_modified and by_etag.status == 304 and by_etag.body is None
    assert by_etag.ok and by_date.not_modified
    assert forced.status == 200 and forced.body == FEED  # validators left out on purpose
    sent = [r.headers.get("If-None-Match") for r, _ in httpserver.log]
    # the three conditional fetches run concurrently: their arrival order is not fixed
    assert sent[0] is None and sorted(sent[1:], key=str) == ['"v1"', None, None]


def test_body_unchanged_flag(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(FEED, content_type="text/xml")
    url = httpserver.url_for("/feed")
    same, = fetch(FeedRequest(url), previous=body_hash(FEED))
    other, = fetch(FeedRequest(url), previous=body_hash(b"older body"))
    assert same.body_unchanged and not other.body_unchanged
    assert same.body_hash == body_hash(FEED)


@pytest.mark.parametrize(("status", "permanent"), [(301, True), (308, True), (302, False),
                                                   (307, False)])
def test_permanent_redirects_are_reported(httpserver: HTTPServer, status: int,
                                          permanent: bool) -> None:
    httpserver.expect_request("/old").respond_with_data(
        "", status=status, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(FEED, content_type="application/xml")
    (result,) = fetch(FeedRequest(httpserver.url_for("/old")))
    assert result.ok and result.body == FEED
    assert result.final_url == httpserver.url_for("/new")
    assert result.permanent_redirect_to == (httpserver.url_for("/new") if permanent else None)


def test_permanent_then_temporary_redirect_stores_the_permanent_target(
        httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("", 301, {"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", 302, {"Location": "/c"})
    httpserver.expect_request("/c").respond_with_data(FEED)
    (result,) = fetch(FeedRequest(httpserver.url_for("/a")))
    assert result.permanent_redirect_to == httpserver.url_for("/b")
    assert result.final_url == httpserver.url_for("/c")


def test_user_agent_and_accept_encoding(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(FEED)
    fetch(FeedRequest(httpserver.url_for("/feed")))
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"] == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("media-monitor/")
    assert "gzip" in request.headers["Accept-Encoding"]


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_compressed_bodies_are_decoded(httpserver: HTTPServer, encoding: str) -> None:
    if encoding == "gzip":
        data = gzip.compress(FEED)
    elif encoding == "deflate":
        data = zlib.compress(FEED)
    else:
        squeeze = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        data = squeeze.compress(FEED) + squeeze.flush()
    header = "deflate" if "deflate" in encoding else "gzip"
    httpserver.expect_request("/feed").respond_with_data(
        data, headers={"Content-Encoding": header})
    (result,) = fetch(FeedRequest(httpserver.url_for("/feed")))
    assert result.ok and result.body == FEED


def test_http_errors_name_the_feed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone").respond_with_data("gone", status=410)
    url = httpserver.url_for("/gone")
    (result,) = fetch(FeedRequest(url))
    assert result.error == f"{url}: HTTP 410 Gone"
    assert result.status == 410 and result.body is None


def test_connection_refused_is_a_result_not_an_exception() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed"
    (result,) = fetch(FeedRequest(url), limits=FetchLimits(connect_timeout=2, total_timeout=5))
    assert result.error is not None and result.error.startswith(url)
    assert "connection failed" in result.error


def test_local_files_are_feeds_with_the_same_cap(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)
    big = tmp_path / "big.xml"
    big.write_bytes(b" " * 2048)
    limits = FetchLimits(max_bytes=1024)
    plain, as_url, too_big, missing = fetch(
        FeedRequest(str(path)), FeedRequest(path.as_uri()), FeedRequest(str(big)),
        FeedRequest(str(tmp_path / "nope.xml")), limits=limits)
    assert plain.body == FEED and as_url.body == FEED and plain.status == 200
    assert too_big.error == f"{big}: body larger than the 1024 byte limit"
    assert missing.error is not None and "no such file" in missing.error
    (again,) = fetch(FeedRequest(str(path), etag=plain.etag), limits=limits)
    assert again.not_modified and again.body is None


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        FetchLimits(max_bytes=0)
    with pytest.raises(ValueError, match="total_timeout"):
        FetchLimits(connect_timeout=30, total_timeout=5)


def test_header_helpers() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Wed, 01 May 2024 12:05:00 GMT", now) == 300
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now) == 0
    assert parse_retry_after("soon", now) is None
    assert parse_max_age("no-cache, max-age=60") == 60
    assert parse_max_age("private") is None
