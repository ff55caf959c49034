"""The poller against real feed servers on loopback and a real SQLite file.

No timed assertions: the order of events (the fast feed recorded while the slow one is
still being sent) is checked with flags the servers set.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from feedservers import Answer, Drip, FeedHost, rss
from helpers import closed_port, zebra_rules

from monitor.app import Runtime, load_config_and_rules, open_runtime
from monitor.ingest.poller import Poller, interleave_by_host
from monitor.state.store import parse_ts

ZEBRA = rss([("Zebra seen crossing the river", "http://127.0.0.1/zebra/1")], title="Fast")


@pytest.fixture
def host() -> Any:
    h = FeedHost()
    yield h
    h.close()


def runtime(tmp_path: Path, feeds: list[tuple[str, float | None]], polling: str = "") -> Runtime:
    rules = zebra_rules(tmp_path)
    listed = "".join(f'[[feeds]]\nurl = "{u}"\n' + (f"interval = {iv}\n" if iv else "") for u, iv in feeds)
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"""
[monitor]
state_dir = "{tmp_path / 'state'}"
rules_dir = "{rules}"
[classifier]
enabled = false
[polling]
timeout = 10
{polling}
{listed}
[channels.out]
url = "console://"
[[routes]]
topic = "*"
channels = ["out"]
""", encoding="utf-8")
    config, ruleset = load_config_and_rules(str(cfg), None)
    return open_runtime(config, ruleset)


def poll(rt: Runtime, progress: Callable[[int, int, int], None] | None = None) -> dict[str, int]:
    async def run() -> dict[str, int]:
        poller = Poller(rt)
        rt.store.sync_feeds(poller.configured_feeds(), datetime.now(UTC))
        await poller.start()
        try:
            return await poller.poll_all(lambda: datetime.now(UTC), progress)
        finally:
            await poller.close()

    return asyncio.run(run())


def feed_rows(rt: Runtime) -> dict[str, dict[str, Any]]:
    return {r["url"]: r for r in rt.store.feeds()}


def test_a_fast_feed_is_stored_and_alerted_while_a_slow_feed_is_still_downloading(tmp_path: Path, host: FeedHost) -> None:
    slow = Drip(rss(3, title="Slow"))
    host.routes["/slow.xml"] = slow
    host.routes["/fast.xml"] = Answer(ZEBRA)
    rt = runtime(tmp_path, [(host.url("/slow.xml"), None), (host.url("/fast.xml"), None)])
    seen: list[tuple[int, bool, dict[str, int]]] = []

    def progress(done: int, total: int, failed: int) -> None:
        # the first feed done must be the fast one, with its alert committed, while the
        # slow feed is still being sent; then the slow one may finish
        seen.append((done, slow.finished.is_set(), rt.store.alert_counts()))
        slow.release.set()

    try:
        summary = poll(rt, progress)
        assert seen[0] == (1, False, {"pending": 1}), seen
        assert summary == {"feeds": 2, "new_articles": 4, "alerts_queued": 1, "feed_errors": 0}
        assert slow.started.is_set()
    finally:
        rt.close()


def test_an_explicit_feed_interval_is_the_next_poll_whatever_the_posting_rhythm(tmp_path: Path, host: FeedHost) -> None:
    # hourly posts and cache hints (max-age, <ttl>) would make the adaptive schedule wait 30 min or more
    host.routes["/pinned.xml"] = Answer(rss(6, ttl=90), headers={"Cache-Control": "max-age=3600"})
    host.routes["/adaptive.xml"] = Answer(rss(6))
    host.routes["/asks.xml"] = Answer(rss(6), headers={"Retry-After": "300"})
    pinned, adaptive, asks = host.url("/pinned.xml"), host.url("/adaptive.xml"), host.url("/asks.xml")
    rt = runtime(tmp_path, [(pinned, 60), (adaptive, None), (asks, 60)])
    try:
        poll(rt)
        rows = feed_rows(rt)

        def wait(url: str) -> timedelta:
            return parse_ts(rows[url]["next_poll"]) - parse_ts(rows[url]["last_poll"])  # type: ignore[operator]

        assert rows[pinned]["interval"] == 60
        assert wait(pinned) == timedelta(seconds=60)
        assert wait(asks) == timedelta(seconds=300)  # a server's Retry-After stays a floor
        assert wait(adaptive) > timedelta(minutes=10)
    finally:
        rt.close()


def test_an_explicit_interval_still_backs_off_on_errors(tmp_path: Path, host: FeedHost) -> None:
    host.routes["/down.xml"] = Answer(b"oops", "text/plain", 500)
    url = host.url("/down.xml")
    rt = runtime(tmp_path, [(url, 3600)])
    try:
        poll(rt)
        row = feed_rows(rt)[url]
        wait = parse_ts(row["next_poll"]) - parse_ts(row["last_poll"])  # type: ignore[operator]
        assert row["consecutive_errors"] == 1 and wait <= timedelta(minutes=2)  # the first backoff step
    finally:
        rt.close()


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.mark.parametrize("content_type, body", [
    ("image/png", PNG),
    ("application/pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(200)),
    ("application/zip", b"PK\x03\x04" + bytes(200)),
    ("audio/mpeg", b"ID3\x03" + bytes(200)),
    ("video/mp4", bytes(4) + b"ftypisom" + bytes(200)),
    ("application/octet-stream", b"\x00\x01\x02binary" + bytes(200)),
])
def test_a_body_that_is_clearly_not_a_feed_is_refused_before_parsing(
        tmp_path: Path, host: FeedHost, content_type: str, body: bytes) -> None:
    host.routes["/bad"] = Answer(body, content_type)
    host.routes["/good.xml"] = Answer(ZEBRA)
    bad, good = host.url("/bad"), host.url("/good.xml")
    rt = runtime(tmp_path, [(bad, None), (good, None)])
    try:
        summary = poll(rt)
        rows = feed_rows(rt)
        error = rows[bad]["last_error"]
        assert error.startswith(bad) and content_type in error and "refused" in error, error
        assert rows[bad]["last_status"] == "error" and rows[bad]["consecutive_errors"] == 1
        assert rows[good]["last_error"] == "" and rows[good]["articles"] == 1
        assert summary["feed_errors"] == 1
    finally:
        rt.close()


@pytest.mark.parametrize("content_type", [
    "text/html; charset=utf-8", "text/plain", "application/xml", None, "application/octet-stream",
    "application/rss+xml", "application/atom+xml", "text/xml",
])
def test_mislabelled_feeds_are_still_read(tmp_path: Path, host: FeedHost, content_type: str | None) -> None:
    host.routes["/feed"] = Answer(ZEBRA, content_type)
    url = host.url("/feed")
    rt = runtime(tmp_path, [(url, None)])
    try:
        assert poll(rt)["feed_errors"] == 0
        assert feed_rows(rt)[url]["articles"] == 1
    finally:
        rt.close()


def test_items_per_poll_are_capped_to_the_newest(tmp_path: Path, host: FeedHost,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    # document order is not date order: the newest items are in the middle
    items = [(f"Item {n}", f"http://127.0.0.1/item/{n}") for n in range(12)]
    body = rss(items)
    order = [4, 5, 6, 0, 1, 2, 3, 7, 8, 9, 10, 11]  # item n is n hours old
    chunks = body.split(b"<item>")
    body = chunks[0] + b"".join(b"<item>" + chunks[1 + i] for i in order)
    host.routes["/many.xml"] = Answer(body)
    url = host.url("/many.xml")
    rt = runtime(tmp_path, [(url, None)], polling="max_items_per_poll = 5")
    try:
        with caplog.at_level(logging.WARNING, logger="monitor.ingest.poller"):
            summary = poll(rt)
        assert summary["new_articles"] == 5
        titles = sorted(r["title"] for r in rt.store.db.query("SELECT title FROM articles"))
        assert titles == [f"Item {n}" for n in range(5)]
        capped = [r.getMessage() for r in caplog.records if "max_items_per_poll" in r.getMessage()]
        assert len(capped) == 1 and url in capped[0] and "dropped 7" in capped[0], capped
    finally:
        rt.close()


def test_failures_of_every_kind_are_counted(tmp_path: Path, host: FeedHost) -> None:
    host.routes["/500"] = Answer(b"oops", "text/plain", 500)
    host.routes["/html"] = Answer(b"<html><body>not a feed</body></html>", "text/html")
    host.routes["/png"] = Answer(PNG, "image/png")
    host.routes["/ok.xml"] = Answer(ZEBRA)
    urls = [host.url("/500"), host.url("/html"), host.url("/png"), f"http://127.0.0.1:{closed_port()}/gone.xml",
            host.url("/ok.xml")]
    rt = runtime(tmp_path, [(u, None) for u in urls])
    calls: list[tuple[int, int, int]] = []
    try:
        summary = poll(rt, lambda *a: calls.append(a))
        assert summary["feeds"] == 5 and summary["feed_errors"] == 4
        assert [c[0] for c in calls] == [1, 2, 3, 4, 5] and calls[-1] == (5, 5, 4)
    finally:
        rt.close()


def test_feeds_of_one_host_are_spread_among_other_hosts() -> None:
    rows = [{"url": f"http://a.example/{n}"} for n in range(3)] + [{"url": "http://b.example/0"},
                                                                  {"url": "http://c.example/0"}]
    assert [r["url"] for r in interleave_by_host(rows)] == [
        "http://a.example/0", "http://b.example/0", "http://c.example/0", "http://a.example/1", "http://a.example/2"]
