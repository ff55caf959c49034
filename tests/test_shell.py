"""The shell end to end against real parts: an HTTP feed server, an SMTP server and a
webhook receiver on loopback, and a real SQLite file."""

from __future__ import annotations

import email
import sqlite3
import threading
from email.message import Message as EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from helpers import ROOT, closed_port
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from monitor.daemon import run_once

FEED = (ROOT / "seeds" / "feeds" / "berita-nusantara.rss").read_bytes()
ETAG = '"v1"'


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Inbox:
    inbox = Inbox()
    port = closed_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port  # type: ignore[attr-defined]
    yield inbox
    controller.stop()


def feed_handler(log: list[str]):  # type: ignore[no-untyped-def]
    def handle(request: Request) -> Response:
        if request.headers.get("If-None-Match") == ETAG:
            log.append("304")
            return Response(status=304, headers={"ETag": ETAG})
        log.append("200")
        return Response(FEED, headers={"ETag": ETAG, "Content-Type": "application/rss+xml; charset=utf-8"})
    return handle


def write_config(tmp_path: Path, feed_urls: list[str], channel_url: str, *, classifier: bool = False,
                 extra: str = "") -> Path:
    feeds = "".join(f'[[feeds]]\nurl = "{u}"\ninterval = 60\n\n' for u in feed_urls)
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"""
[monitor]
state_dir = "{tmp_path / 'state'}"
rules_dir = "{ROOT / 'rules'}"

[classifier]
enabled = {str(classifier).lower()}
training_dir = "{ROOT / 'seeds' / 'training'}"

[delivery]
backoff_base = 1
max_attempts = 2

{feeds}
[channels.out]
url = "{channel_url}"
group_wait = 0
rate_limit = "100/min"

[[routes]]
topic = "*"
channels = ["out"]
{extra}
""", encoding="utf-8")
    return cfg


def test_feed_over_http_to_email_with_conditional_get(tmp_path: Path, httpserver: HTTPServer, smtp: Inbox,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_STATE_DIR", raising=False)
    requests: list[str] = []
    httpserver.expect_request("/feed.xml").respond_with_handler(feed_handler(requests))
    mail = f"mailto://127.0.0.1:{smtp.port}?mode=insecure&from=monitor@example.org&to=analyst@example.org"  # type: ignore[attr-defined]
    cfg = write_config(tmp_path, [httpserver.url_for("/feed.xml")], mail)

    first = run_once(str(cfg), None)
    assert first["new_articles"] >= 3
    assert first["sent"] >= 1 and first["failed"] == 0
    assert smtp.messages, "no email reached the SMTP server"
    subjects = [m["Subject"] for m in smtp.messages]
    assert any("dprk-russia" in s or "arms-transfers" in s for s in subjects), subjects
    body = smtp.messages[0]
    assert body.is_multipart() and {p.get_content_type() for p in body.walk()} >= {"text/html"}

    db = sqlite3.connect(tmp_path / "state" / "monitor.db")
    try:
        n_articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        sent = db.execute("SELECT count(*) FROM alerts WHERE state = 'sent'").fetchone()[0]
    finally:
        db.close()
    assert sent == first["sent"]

    # the second poll carries the ETag, the server answers 304, nothing new is stored or sent
    mails_before = len(smtp.messages)
    second = run_once(str(cfg), None)
    assert requests == ["200", "304"]
    assert second["new_articles"] == 0 and second["sent"] == 0
    assert len(smtp.messages) == mails_before
    db = sqlite3.connect(tmp_path / "state" / "monitor.db")
    try:
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == n_articles
    finally:
        db.close()


def test_a_broken_feed_does_not_stop_the_others(tmp_path: Path, httpserver: HTTPServer,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_STATE_DIR", raising=False)
    httpserver.expect_request("/good.xml").respond_with_data(FEED, content_type="application/rss+xml")
    httpserver.expect_request("/html").respond_with_data("<html><body>not a feed</body></html>",
                                                         content_type="text/html")
    httpserver.expect_request("/truncated.xml").respond_with_data(FEED[: len(FEED) // 3],
                                                                  content_type="application/rss+xml")
    urls = [httpserver.url_for("/html"), httpserver.url_for("/truncated.xml"),
            f"http://127.0.0.1:{closed_port()}/gone.xml", httpserver.url_for("/good.xml")]
    cfg = write_config(tmp_path, urls, "console://")
    summary = run_once(str(cfg), None)
    assert summary["feeds"] == 4
    assert summary["feed_errors"] >= 2
    db = sqlite3.connect(tmp_path / "state" / "monitor.db")
    try:
        rows = dict(db.execute("SELECT url, last_error FROM feeds"))
        good_articles = db.execute("SELECT count(*) FROM articles WHERE feed = ?", [urls[3]]).fetchone()[0]
    finally:
        db.close()
    assert good_articles >= 3
    assert rows[urls[3]] == ""
    assert rows[urls[2]] and "127.0.0.1" in rows[urls[2]]
    assert rows[urls[0]], "an HTML page must be reported as a feed error"


class FlakyWebhook:
    """Answers 500 to the first `failures` POSTs, then 200; records every body."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.bodies: list[bytes] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = 500 if hook.failures > 0 else 200
                hook.failures -= 1
                if status == 200:
                    hook.bodies.append(body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_failed_send_stays_queued_and_is_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_STATE_DIR", raising=False)
    hook = FlakyWebhook(failures=1)
    try:
        cfg = write_config(tmp_path, [str(ROOT / "seeds" / "feeds" / "berita-nusantara.rss")],
                           f"json://127.0.0.1:{hook.port}/hook")
        first = run_once(str(cfg), None)
        assert first["failed"] >= 1 and not hook.bodies
        db = sqlite3.connect(tmp_path / "state" / "monitor.db")
        try:
            states = {r[0] for r in db.execute("SELECT state FROM alerts")}
            # retry is due after the 1 s backoff: make it due now
            db.execute("UPDATE alerts SET next_attempt = '2000-01-01T00:00:00.000000Z' WHERE state = 'failed'")
            db.commit()
        finally:
            db.close()
        assert states == {"failed"}
        second = run_once(str(cfg), None)
        assert second["sent"] == first["failed"]
        assert hook.bodies
    finally:
        hook.close()


def test_short_entries_get_their_page_text_before_matching(tmp_path: Path, httpserver: HTTPServer,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_STATE_DIR", raising=False)
    page_url = httpserver.url_for("/news/1.html")
    feed = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Short</title><link>{httpserver.url_for('/')}</link>
<item><title>Berita internasional hari ini</title><link>{page_url}</link><guid>n1</guid>
<description>Selengkapnya di situs kami.</description><pubDate>Tue, 05 Sep 2023 10:00:00 +0700</pubDate></item>
</channel></rss>"""
    body = ("Korea Utara dan Rusia membahas pasokan senjata. Pejabat Amerika mengatakan Putin ingin Kim Jong-un "
            "menyetujui pengiriman peluru artileri dan rudal anti tank ke Rusia untuk perang di Ukraina. ") * 3
    page = f"""<html><head><title>Berita</title></head><body><nav>Beranda | Internasional</nav>
<article><h1>Kim Jong-un dan Putin bahas pasokan senjata</h1><p>{body}</p><p>{body}</p></article>
<footer>Exit mobile version</footer></body></html>"""
    httpserver.expect_request("/feed.xml").respond_with_data(feed, content_type="application/rss+xml")
    httpserver.expect_request("/news/1.html").respond_with_data(page, content_type="text/html; charset=utf-8")
    cfg = write_config(tmp_path, [httpserver.url_for("/feed.xml")], "console://")
    text = cfg.read_text().replace("[delivery]", "[polling]\nfull_text_min_chars = 200\n\n[delivery]")
    cfg.write_text(text)
    summary = run_once(str(cfg), None)
    assert summary["new_articles"] == 1
    db = sqlite3.connect(tmp_path / "state" / "monitor.db")
    try:
        content = db.execute("SELECT content FROM articles").fetchone()[0]
        topics = {r[0] for r in db.execute("SELECT topic FROM matches WHERE alert = 1")}
    finally:
        db.close()
    assert "peluru artileri" in content and "Exit mobile version" not in content
    assert "dprk-russia" in topics


def test_guid_churn_and_edits_create_no_new_article_and_no_new_alert(tmp_path: Path, httpserver: HTTPServer,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_STATE_DIR", raising=False)
    body = {"v": FEED}
    httpserver.expect_request("/feed.xml").respond_with_handler(
        lambda request: Response(body["v"], headers={"Content-Type": "application/rss+xml"}))
    cfg = write_config(tmp_path, [httpserver.url_for("/feed.xml")], "console://")
    first = run_once(str(cfg), None)
    assert first["new_articles"] >= 3
    # the publisher re-issues every item with a new GUID and an edited headline
    text = FEED.decode("utf-8")
    import re as _re

    text = _re.sub(r"<guid([^>]*)>([^<]+)</guid>", r"<guid\1>\2-republished</guid>", text)
    text = text.replace("<title>", "<title>UPDATED: ", 3)
    body["v"] = text.encode("utf-8")
    second = run_once(str(cfg), None)
    assert second["new_articles"] == 0
    assert second["alerts_queued"] == 0 and second["sent"] == 0
    db = sqlite3.connect(tmp_path / "state" / "monitor.db")
    try:
        titles = [r[0] for r in db.execute("SELECT title FROM articles")]
    finally:
        db.close()
    assert len(titles) == first["new_articles"]
    assert any(t.startswith("UPDATED: ") for t in titles), "an edited headline updates the stored article"


def test_digest_channel_holds_alerts_until_the_schedule_then_sends_one_digest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_STATE_DIR", raising=False)
    hook = FlakyWebhook(failures=0)
    try:
        feeds = [str(ROOT / "seeds" / "feeds" / name) for name in ("berita-nusantara.rss", "world-wire.rss")]
        cfg = write_config(tmp_path, feeds, f"json://127.0.0.1:{hook.port}/digest")
        cfg.write_text(cfg.read_text().replace('group_wait = 0', 'group_wait = 0\nmode = "digest"\ndigest = "daily 08:00 Asia/Jakarta"'))
        first = run_once(str(cfg), None)
        assert first["alerts_queued"] >= 2 and first["sent"] == 0 and not hook.bodies
        db = sqlite3.connect(tmp_path / "state" / "monitor.db")
        try:
            due = {r[0] for r in db.execute("SELECT next_attempt FROM alerts")}
            # the digest time has come
            db.execute("UPDATE alerts SET next_attempt = '2000-01-01T00:00:00.000000Z'")
            db.commit()
        finally:
            db.close()
        assert len(due) == 1 and next(iter(due)).endswith("01:00:00.000000Z")  # 08:00 in Jakarta is 01:00 UTC
        second = run_once(str(cfg), None)
        assert second["sent"] == first["alerts_queued"]
        assert len(hook.bodies) == 1, "one digest message, not one per alert"
        assert b"Digest" in hook.bodies[0]
    finally:
        hook.close()


def test_a_wire_copy_after_a_restart_joins_the_stored_story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_STATE_DIR", raising=False)
    feeds = ROOT / "seeds" / "feeds"
    first = write_config(tmp_path, [str(feeds / "world-wire.rss")], "console://")
    run_once(str(first), None)
    # a new process: the dedup window must be rebuilt from the database
    both = write_config(tmp_path, [str(feeds / "world-wire.rss"), str(feeds / "asia-pacific.rss")], "console://")
    run_once(str(both), None)
    db = sqlite3.connect(tmp_path / "state" / "monitor.db")
    try:
        (original_story,) = db.execute(
            "SELECT story FROM articles WHERE title LIKE 'North Korea ships artillery shells%'").fetchone()
        copy = db.execute("SELECT story, dedup_kind FROM articles WHERE title LIKE 'Pyongyang sends munitions%'").fetchone()
        alerts = db.execute("SELECT count(*) FROM alerts WHERE story = ?", [original_story]).fetchone()[0]
    finally:
        db.close()
    # same story (the retitled copy may count as a near copy or as the same event)
    assert copy[0] == original_story and copy[1] in ("exact", "near", "story")
    assert alerts == 2  # one per topic, from the first run only
