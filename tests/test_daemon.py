"""The daemon process: crash safety of the outbox, and SIGHUP reload."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from helpers import MONITOR, ROOT, zebra_rules

from monitor.state.store import Store

DEADLINE = 120  # bounds a broken run; not a speed check


class SlowWebhook:
    """Records every alert title it receives; each answer takes `delay` seconds, so a
    message can be caught in flight."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.titles: Counter[str] = Counter()
        self.requests = 0
        self.lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with hook.lock:
                    hook.requests += 1
                time.sleep(hook.delay)
                text = json.loads(body).get("message", "")
                with hook.lock:
                    hook.titles.update(re.findall(r"burst alert \d{3}", text))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def config(tmp_path: Path, channel_url: str, rules: Path = ROOT / "rules") -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"""
[monitor]
state_dir = "{tmp_path / 'state'}"
rules_dir = "{rules}"
[classifier]
enabled = false
[delivery]
tick_seconds = 0.5
[channels.hook]
url = "{channel_url}"
group_wait = 0
rate_limit = "1000/min"
[[routes]]
topic = "*"
channels = ["hook"]
""", encoding="utf-8")
    return cfg


def start(cfg: Path, tmp_path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "MONITOR_STATE_DIR": str(tmp_path / "state")}
    env.pop("MONITOR_CONFIG", None)
    log = open(tmp_path / "daemon.log", "a", encoding="utf-8")
    try:
        return subprocess.Popen([*MONITOR, "--config", str(cfg), "run"], cwd=ROOT, env=env,
                                stdout=log, stderr=log, text=True)
    finally:
        log.close()


def wait_for(predicate, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_sigkill_mid_burst_loses_nothing_and_resends_only_the_message_in_flight(tmp_path: Path) -> None:
    hook = SlowWebhook(delay=1.0)
    try:
        (tmp_path / "state").mkdir()
        store = Store(tmp_path / "state" / "monitor.db")
        now = datetime.now(UTC)
        for i in range(100):
            store.enqueue_alert(dedup_key=f"burst{i}", story=f"s{i}", topic="dprk-russia", channel="hook",
                                article_id=f"a{i}", score=0.9, now=now, payload={"title": f"burst alert {i:03d}"})
        store.close()
        cfg = config(tmp_path, f"json://127.0.0.1:{hook.port}/hook")

        first = start(cfg, tmp_path)
        try:
            wait_for(lambda: hook.requests >= 2, "the second message to be in flight")
        finally:
            first.kill()  # SIGKILL: no chance to finish or to mark anything
            first.wait(timeout=30)
        received_before = sum(hook.titles.values())

        second = start(cfg, tmp_path)
        try:
            wait_for(lambda: len(hook.titles) == 100, "every alert to arrive after the restart")
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=60) == 0
        twice = [t for t, n in hook.titles.items() if n > 1]
        assert len(hook.titles) == 100
        assert all(n <= 2 for n in hook.titles.values())
        # only the message caught in flight (one batch of at most 20) arrives twice
        assert len(twice) <= 20, twice
        assert received_before < 100
        log = (tmp_path / "daemon.log").read_text()
        assert "mid-send" in log
        db = Store(tmp_path / "state" / "monitor.db")
        try:
            assert db.alert_counts() == {"sent": 100}
        finally:
            db.close()
    finally:
        hook.close()


def test_sighup_reloads_rules_and_keeps_running_set_on_bad_files(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    good = "name: alpha\nquery: 'zebra'\nthreshold: 0.1\n"
    (rules / "alpha.yaml").write_text(good, encoding="utf-8")
    hook = SlowWebhook(delay=0)
    try:
        cfg = config(tmp_path, f"json://127.0.0.1:{hook.port}/hook", rules=rules)
        proc = start(cfg, tmp_path)
        log_path = tmp_path / "daemon.log"
        try:
            wait_for(lambda: "started" in log_path.read_text(), "start")
            (rules / "beta.yaml").write_text("name: beta\nquery: '@missing AND'\n", encoding="utf-8")
            proc.send_signal(signal.SIGHUP)
            wait_for(lambda: "reload refused" in log_path.read_text(), "the refused reload")
            text = log_path.read_text()
            assert "beta.yaml:2" in text  # every problem named with file and line
            (rules / "beta.yaml").write_text("name: beta\nquery: 'giraffe'\n", encoding="utf-8")
            proc.send_signal(signal.SIGHUP)
            wait_for(lambda: "reloaded" in log_path.read_text(), "the good reload")
            assert "2 topics" in log_path.read_text().split("reloaded")[-1]
            assert proc.poll() is None
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0
    finally:
        hook.close()


def test_health_and_metrics_endpoint_on_loopback(tmp_path: Path) -> None:
    import urllib.request

    from helpers import closed_port

    port = closed_port()
    hook = SlowWebhook(delay=0)
    try:
        cfg = config(tmp_path, f"json://127.0.0.1:{hook.port}/hook")
        cfg.write_text(cfg.read_text() + f'\n[health]\nlisten = "127.0.0.1:{port}"\n', encoding="utf-8")
        proc = start(cfg, tmp_path)
        log_path = tmp_path / "daemon.log"
        try:
            wait_for(lambda: "health endpoint" in log_path.read_text(), "the health endpoint")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as r:
                text = r.read().decode()
            assert "media_monitor_" in text and "# TYPE" in text
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as r:
                body = json.loads(r.read())
            assert body["status"] in ("ok", "starting")
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0
    finally:
        hook.close()


# -- issue 18: a slow feed or a hanging channel holds up nobody else ---------------------

WAIT = 60.0  # bounds a broken run; the fixed daemon needs a few seconds


def feeds_config(tmp_path: Path, rules: Path, feeds: list[str], channels: dict[str, str], extra: str = "") -> Path:
    listed = "".join(f'[[feeds]]\nurl = "{u}"\n' for u in feeds)
    defined = "".join(f'[channels.{name}]\nurl = "{url}"\ngroup_wait = 0\nrate_limit = "1000/min"\ntimeout = 120\n'
                      for name, url in channels.items())
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"""
[monitor]
state_dir = "{tmp_path / 'state'}"
rules_dir = "{rules}"
[classifier]
enabled = false
[polling]
tick_seconds = 0.5
timeout = 120
[delivery]
tick_seconds = 0.5
{extra}
{listed}
{defined}
[[routes]]
topic = "*"
channels = {json.dumps(list(channels))}
""", encoding="utf-8")
    return cfg


def test_an_alert_from_a_fast_feed_is_delivered_while_a_slow_feed_is_still_dripping(tmp_path: Path) -> None:
    from feedservers import Answer, Drip, FeedHost, rss
    from receivers import WebhookReceiver

    feeds = FeedHost()
    slow = Drip(rss(3, title="Slow"))
    feeds.routes["/slow.xml"] = slow
    feeds.routes["/fast.xml"] = Answer(rss([("Zebra seen crossing the river", "http://127.0.0.1/zebra/1")]))
    hook = WebhookReceiver()
    slow_done_at_delivery: list[bool] = []

    def delivered() -> None:
        slow_done_at_delivery.append(slow.finished.is_set())
        slow.release.set()

    hook.on_post = delivered
    try:
        cfg = feeds_config(tmp_path, zebra_rules(tmp_path), [feeds.url("/slow.xml"), feeds.url("/fast.xml")],
                           {"hook": hook.url})
        proc = start(cfg, tmp_path)
        try:
            assert hook.received.wait(WAIT), (tmp_path / "daemon.log").read_text()
            assert slow_done_at_delivery[0] is False  # the slow feed was still being sent
            assert slow.started.is_set()
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0
    finally:
        hook.close()
        feeds.close()


def test_a_hanging_channel_does_not_hold_up_the_next_alerts_of_another(tmp_path: Path) -> None:
    from receivers import WebhookReceiver

    stuck, healthy = WebhookReceiver(), WebhookReceiver()
    stuck.script = ["hang"]  # answers only when released
    second = threading.Event()
    stuck_open_at_second: list[bool] = []

    def on_healthy() -> None:
        if len(healthy.answers) == 1:
            # queued once the first delivery pass is under way: old daemons waited for the stuck channel
            db = Store(tmp_path / "state" / "monitor.db")
            try:
                db.enqueue_alert(dedup_key="second|healthy", story="s2", topic="alpha", channel="healthy",
                                 article_id="a2", score=0.9, now=datetime.now(UTC), payload={"title": "second"})
            finally:
                db.close()
        elif len(healthy.answers) == 2:
            stuck_open_at_second.append(not stuck.release.is_set())
            second.set()

    healthy.on_post = on_healthy
    try:
        (tmp_path / "state").mkdir()
        store = Store(tmp_path / "state" / "monitor.db")
        now = datetime.now(UTC)
        for channel in ("stuck", "healthy"):
            store.enqueue_alert(dedup_key=f"first|{channel}", story="s1", topic="alpha", channel=channel,
                                article_id="a1", score=0.9, now=now, payload={"title": "first"})
        store.close()
        cfg = feeds_config(tmp_path, zebra_rules(tmp_path), [], {"stuck": stuck.url, "healthy": healthy.url})
        proc = start(cfg, tmp_path)
        try:
            assert second.wait(WAIT), (tmp_path / "daemon.log").read_text()
            assert stuck_open_at_second == [True]
        finally:
            stuck.release.set()
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0
    finally:
        stuck.close()
        healthy.close()
