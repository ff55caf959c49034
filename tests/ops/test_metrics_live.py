"""/metrics and /healthz of a live daemon, after a replay of historical articles into its database.

The operators' report: after `monitor replay --db` of old articles, `delivery_latency_seconds`
read 2.5 years and `articles_total` 557 while the database held 37,625, and `promtool check
metrics` failed. Here a real daemon (a subprocess) polls a bundled feed, delivers both its own
alerts and those of the replayed articles to a webhook on 127.0.0.1, and is scraped over HTTP
on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from helpers import MONITOR, ROOT, closed_port, run_cli, write_jsonl
from promcheck import NO_PROMTOOL, PROMTOOL, Families, parse, promtool_check
from receivers import WebhookReceiver

from monitor.state.store import Store

pytestmark = pytest.mark.slow  # a daemon subprocess: ~20 s

DEADLINE = 120  # bounds a broken run; not a speed check
LATENCY = "media_monitor_delivery_latency_seconds"

# Historical articles (our own words), months apart so that each is a story of its own.
REPLAYED = [
    {"id": "old-1", "title": "North Korea shipped artillery shells to Russia, US says",
     "summary": "Washington said Pyongyang had delivered more than a thousand containers of munitions to Moscow.",
     "published": "2023-10-13T09:00:00Z", "language": "en", "url": "https://example.org/old/1"},
    {"id": "old-2", "title": "North Korean troops deployed to Russia's Kursk region",
     "summary": "Seoul's spy agency said thousands of soldiers from the DPRK were fighting alongside Russian forces.",
     "published": "2024-10-18T09:00:00Z", "language": "en", "url": "https://example.org/old/2"},
]


@dataclass
class Scrape:
    metrics_text: str
    content_type: str
    healthz_get: bytes
    healthz_head: bytes
    db_articles: int
    live_sent: int  # sent alerts of articles the daemon fetched
    replayed_sent: int  # sent alerts of replayed articles (created at their 2023/2024 dates)
    replayed_articles: int


def _db(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)


def _figures(path: Path) -> dict[str, int]:
    with _db(path) as db:
        one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "articles": one("SELECT count(*) FROM articles"),
            "replayed_articles": one("SELECT count(*) FROM articles WHERE feed = ''"),
            "unsent": one("SELECT count(*) FROM alerts WHERE state != 'sent'"),
            "live_sent": one("SELECT count(*) FROM alerts al JOIN articles ar ON ar.id = al.article_id "
                             "WHERE al.state = 'sent' AND ar.feed != ''"),
            "replayed_sent": one("SELECT count(*) FROM alerts al JOIN articles ar ON ar.id = al.article_id "
                                 "WHERE al.state = 'sent' AND ar.feed = '' AND al.created < '2025'"),
            "polled": one("SELECT count(*) FROM feeds WHERE last_poll IS NOT NULL"),
        }


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(request)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _wait_for(predicate, what: str, proc: subprocess.Popen[str], log: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the daemon exited ({proc.returncode}):\n{log.read_text()}")
        try:
            if predicate():
                return
        except (sqlite3.Error, OSError):
            pass  # the database or the endpoint is not there yet
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()}")


@pytest.fixture(scope="module")
def scrape(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrape]:
    tmp = tmp_path_factory.mktemp("live")
    state = tmp / "state"
    state.mkdir()
    db_path = state / "monitor.db"
    port = closed_port()
    hook = WebhookReceiver()
    cfg = tmp / "config.toml"
    cfg.write_text(f"""
[monitor]
state_dir = "{state}"
rules_dir = "{ROOT / 'rules'}"
[classifier]
enabled = false
[delivery]
tick_seconds = 0.5
[health]
listen = "127.0.0.1:{port}"
[channels.hook]
url = "json://127.0.0.1:{hook.port}/hook"
group_wait = 0
rate_limit = "1000/min"
[[routes]]
topic = "*"
channels = ["hook"]
[[feeds]]
url = "{ROOT / 'seeds' / 'feeds' / 'berita-nusantara.rss'}"
name = "Berita Nusantara (demo)"
interval = 3600
language = "id"
""", encoding="utf-8")
    env = {"MONITOR_STATE_DIR": str(state)}
    try:
        # 1. replay historical articles into the daemon's database, and queue their alerts as
        # the pipeline does (created at the article's time, which replay takes from `published`)
        out = run_cli("--config", str(cfg), "replay", str(write_jsonl(tmp / "old.jsonl", REPLAYED)),
                      "--db", str(db_path), "--output", str(tmp / "old.out"), env=env)
        assert out.returncode == 0, out.stderr
        replayed = [json.loads(ln) for ln in (tmp / "old.out").read_text().splitlines()]
        assert all(any(m["alert"] for m in r["matches"]) for r in replayed), replayed
        store = Store(db_path)
        try:
            for r in REPLAYED:
                when = datetime.fromisoformat(r["published"])
                store.enqueue_alert(dedup_key=f"{r['id']}|dprk-russia|hook|article", story=r["id"],
                                    topic="dprk-russia", channel="hook", article_id=r["id"], score=1.0,
                                    now=when, payload={"title": r["title"], "url": r["url"]})
        finally:
            store.close()

        # 2. the daemon polls the feed and sends its own alerts and the replayed ones
        log = tmp / "daemon.log"
        with open(log, "w", encoding="utf-8") as fh:
            proc = subprocess.Popen([*MONITOR, "--config", str(cfg), "run"], cwd=ROOT,
                                    env={**os.environ, **env}, stdout=fh, stderr=fh, text=True)
        try:
            _wait_for(lambda: (f := _figures(db_path))["polled"] and f["live_sent"] and not f["unsent"]
                      and f["replayed_sent"] == len(REPLAYED), "every alert to be sent", proc, log)
            figures = _figures(db_path)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as r:
                text = r.read().decode("utf-8")
                content_type = r.headers["Content-Type"]
            head = _raw(port, b"HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            get = _raw(port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert _figures(db_path) == figures, "the database changed while it was scraped"
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0, log.read_text()
        yield Scrape(text, content_type, get, head, figures["articles"], figures["live_sent"],
                     figures["replayed_sent"], figures["replayed_articles"])
    finally:
        hook.close()


@pytest.fixture(scope="module")
def families(scrape: Scrape) -> Families:
    return parse(scrape.metrics_text)  # prometheus_client's parser, plus the checks in promcheck


def test_metrics_is_prometheus_client_text_with_process_metrics(scrape: Scrape, families: Families) -> None:
    from prometheus_client import CONTENT_TYPE_LATEST

    assert scrape.content_type == CONTENT_TYPE_LATEST
    assert families["process_cpu_seconds"][0] == "counter"
    assert families.value("process_resident_memory_bytes") > 0
    assert families["media_monitor_polls"][0] == "counter"
    assert families.value("media_monitor_polls_total") >= 1
    assert families[LATENCY][0] == "histogram"


def test_article_counts_agree_with_the_database(scrape: Scrape, families: Families) -> None:
    assert scrape.replayed_articles == len(REPLAYED)  # stored by replay, not by a poller
    assert scrape.db_articles > len(REPLAYED)
    assert families.value("media_monitor_articles_total") == scrape.db_articles
    assert families.value("media_monitor_articles_stored") == scrape.db_articles


def test_replayed_articles_do_not_report_years_of_latency(scrape: Scrape, families: Families) -> None:
    assert scrape.replayed_sent == len(REPLAYED)  # sent by the daemon today, queued "in 2023/2024"
    count = families.value(LATENCY + "_count")
    assert count == scrape.live_sent >= 1  # the daemon's own alerts, measured from their fetch
    assert families.value(LATENCY + "_bucket", le="86400.0") == count  # none above a day
    assert families.value(LATENCY + "_sum") / count < 600


def test_head_healthz_is_200_without_a_body(scrape: Scrape) -> None:
    head, sep, body = scrape.healthz_head.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ") and sep and body == b""
    get_head, _, get_body = scrape.healthz_get.partition(b"\r\n\r\n")
    # The headers GET sends. Content-Length may differ by a digit: the report's cycle age
    # moves between the two requests to a live daemon (test_healthserver checks it exact).
    assert _without_length(get_head) == _without_length(head)
    assert re.search(rb"\r\nContent-Length: [1-9][0-9]*\r\n", head + b"\r\n")
    assert json.loads(get_body)["status"] in ("ok", "starting")


def test_promtool_check_metrics_passes(scrape: Scrape, families: Families) -> None:
    # prometheus_client's parser already read it (the `families` fixture); promtool is stricter
    if PROMTOOL is None:
        pytest.skip(NO_PROMTOOL)
    result = promtool_check(scrape.metrics_text)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout + result.stderr == ""


def _without_length(head: bytes) -> bytes:
    return re.sub(rb"\r\nContent-Length: [0-9]+", b"", head)
