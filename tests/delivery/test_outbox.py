"""The outbox against real receivers on 127.0.0.1 and a real SQLite file: channels that
cannot load fail alone, channels do not wait on each other, retry times count from the
end of the failed send, and a replay without --deliver leaves nothing to send."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import run_cli, write_jsonl, zebra_rules
from receivers import SmtpReceiver, WebhookReceiver

from monitor.app import Runtime, load_config_and_rules, open_runtime
from monitor.config import load_config
from monitor.daemon import run_once
from monitor.delivery.outbox import Outbox
from monitor.relevance.rules import load_rules

T0 = datetime(2024, 1, 10, 8, 0, tzinfo=UTC)
SECRET = "Sup3rSecretToken77"
BAD_FROM = "mailto://127.0.0.1:2525?mode=insecure&from=bad&to=analyst@example.org"


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver()
    yield receiver
    receiver.close()


def write_config(tmp_path: Path, channels: dict[str, str], *, delivery: str = "", channel_extra: str = "",
                 rules: Path | None = None) -> Path:
    """A config with one tiny topic (`alpha`: the word zebra) routed to every channel."""
    if rules is None:
        rules = zebra_rules(tmp_path)
    blocks = "".join(f'[channels.{name}]\nurl = "{url}"\ngroup_wait = 0\nrate_limit = "1000/min"\n'
                     f"{channel_extra if name.endswith('mail') else ''}\n" for name, url in channels.items())
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"""
[monitor]
state_dir = "{tmp_path / 'state'}"
rules_dir = "{rules}"
[classifier]
enabled = false
[delivery]
{delivery}
{blocks}
[[routes]]
topic = "*"
channels = {json.dumps(list(channels))}
""", encoding="utf-8")
    return cfg


def unchecked_runtime(cfg: Path) -> Runtime:
    """A runtime whose channel URLs were never checked (a URL that breaks only at send time)."""
    config = load_config(cfg)
    return open_runtime(config, load_rules(config.rules_dir), train=False)


def enqueue(rt: Runtime, channel: str, now: datetime, n: int = 1) -> None:
    for i in range(n):
        rt.store.enqueue_alert(dedup_key=f"{channel}|{i}", story=f"s-{channel}-{i}", topic="alpha", channel=channel,
                               article_id=f"a-{channel}-{i}", score=0.9, now=now,
                               payload={"title": f"zebra alert for {channel} #{i}"})


def by_channel(rt: Runtime) -> dict[str, list[tuple[str, int, str]]]:
    out: dict[str, list[tuple[str, int, str]]] = {}
    for a in sorted(rt.store.alerts(limit=1000), key=lambda a: a.id):
        out.setdefault(a.channel, []).append((a.state.value, a.attempts, a.last_error))
    return out


# --- a channel apprise cannot load fails alone --------------------------------------------


def test_unloadable_channels_fail_alone_retry_then_go_dead_with_an_ops_alert(tmp_path: Path,
                                                                             webhook: WebhookReceiver) -> None:
    cfg = write_config(tmp_path, {"a-bad": f"notascheme://{SECRET}@x", "b-bad": BAD_FROM, "c-hook": webhook.url},
                       delivery='max_attempts = 2\nbackoff_base = 1\nops_channels = ["c-hook"]')
    rt = unchecked_runtime(cfg)
    try:
        now = datetime.now(UTC)
        for name in ("a-bad", "b-bad", "c-hook"):
            enqueue(rt, name, now)
        outbox = Outbox(rt)

        first = asyncio.run(outbox.deliver_due(now))  # used to raise DeliveryError on a-bad
        assert first == {"sent": 1, "failed": 2, "dead": 0}
        assert len(webhook.bodies) == 1 and b"zebra alert for c-hook" in webhook.bodies[0]
        states = by_channel(rt)
        assert states["c-hook"] == [("sent", 1, "")]
        [(state_a, attempts_a, error_a)] = states["a-bad"]
        [(state_b, attempts_b, error_b)] = states["b-bad"]
        assert (state_a, attempts_a, state_b, attempts_b) == ("failed", 1, "failed", 1)  # never left `sending`
        assert "unknown scheme notascheme://" in error_a and SECRET not in error_a
        assert "Invalid ~From~ email specified: bad" in error_b

        later = now + timedelta(hours=1)
        second = asyncio.run(outbox.deliver_due(later))
        assert second == {"sent": 0, "failed": 2, "dead": 2}
        assert [s[0] for s in by_channel(rt)["a-bad"] + by_channel(rt)["b-bad"]] == ["dead", "dead"]

        third = asyncio.run(outbox.deliver_due(later + timedelta(hours=1)))
        assert third["sent"] == 2  # one ops alert per dead channel, through the healthy channel
        ops = b"".join(webhook.bodies[1:]).decode()
        assert "channel a-bad could not be delivered" in ops and "channel b-bad could not be delivered" in ops
        assert SECRET not in ops
    finally:
        rt.close()


def test_a_send_that_raises_inside_apprise_fails_that_channel_alone(tmp_path: Path, webhook: WebhookReceiver,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from apprise.plugins.custom_json import NotifyJSON

    send = NotifyJSON.send

    def crash_on_boom(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "/boom" in self.fullpath:
            raise RuntimeError(f"plugin bug near token {SECRET}")
        return send(self, *args, **kwargs)

    monkeypatch.setattr(NotifyJSON, "send", crash_on_boom)
    cfg = write_config(tmp_path, {"a-boom": f"json://bot:{SECRET}@127.0.0.1:{webhook.port}/boom",
                                  "b-hook": webhook.url})
    config, ruleset = load_config_and_rules(str(cfg))
    rt = open_runtime(config, ruleset, train=False)
    try:
        now = datetime.now(UTC)
        enqueue(rt, "a-boom", now)
        enqueue(rt, "b-hook", now)
        counts = asyncio.run(Outbox(rt).deliver_due(now))
        assert counts == {"sent": 1, "failed": 1, "dead": 0}
        states = by_channel(rt)
        assert states["b-hook"] == [("sent", 1, "")]
        [(state, attempts, error)] = states["a-boom"]
        assert (state, attempts) == ("failed", 1)
        assert "plugin bug near token" in error and SECRET not in error
    finally:
        rt.close()


# --- channels do not wait on each other -----------------------------------------------------


def test_a_hanging_smtp_server_does_not_delay_a_healthy_webhook(tmp_path: Path, webhook: WebhookReceiver,
                                                               smtp: SmtpReceiver) -> None:
    smtp.script = ["hang"]
    # "a-mail" sorts first: sent one after the other, the webhook waited for the SMTP timeout
    cfg = write_config(tmp_path, {"a-mail": smtp.url(), "b-hook": webhook.url}, channel_extra="timeout = 20")
    config, ruleset = load_config_and_rules(str(cfg))
    rt = open_runtime(config, ruleset, train=False)
    try:
        now = datetime.now(UTC)
        enqueue(rt, "a-mail", now)
        enqueue(rt, "b-hook", now)
        outbox = Outbox(rt)

        async def tick() -> tuple[bool, float, bool, bool, dict[str, int]]:
            task = asyncio.create_task(outbox.deliver_due(now))
            started = time.monotonic()
            received = await asyncio.to_thread(webhook.received.wait, 15)
            elapsed = time.monotonic() - started
            smtp_hanging = await asyncio.to_thread(smtp.hanging.wait, 15)
            tick_running = not task.done()
            smtp.release.set()  # now the SMTP server answers 451
            return received, elapsed, smtp_hanging, tick_running, await task

        received, elapsed, smtp_hanging, tick_running, counts = asyncio.run(tick())
        assert received and elapsed < 3.0, f"the webhook waited {elapsed:.1f} s"
        assert smtp_hanging and tick_running  # and the SMTP send still hangs
        assert counts == {"sent": 1, "failed": 1, "dead": 0}
        states = by_channel(rt)
        assert states["b-hook"][0][0] == "sent"
        assert states["a-mail"][0][0] == "failed" and "451" in states["a-mail"][0][2]
    finally:
        rt.close()


# --- retry times count from the end of the failed send --------------------------------------


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_retry_is_scheduled_from_when_the_failed_send_ended(tmp_path: Path, webhook: WebhookReceiver) -> None:
    clock = Clock(T0)
    webhook.script = [500]
    webhook.on_post = lambda: clock.advance(30)  # the send takes 30 s on the injected clock
    cfg = write_config(tmp_path, {"hook": webhook.url}, delivery="backoff_base = 30")
    config, ruleset = load_config_and_rules(str(cfg))
    rt = open_runtime(config, ruleset, train=False)
    try:
        enqueue(rt, "hook", T0)
        outbox = Outbox(rt, clock=clock)
        assert asyncio.run(outbox.deliver_due(T0))["failed"] == 1
        [alert] = rt.store.alerts()
        ended = T0 + timedelta(seconds=30)
        # 30 s backoff with +/-20 % jitter, after the send ended (not after the tick began)
        assert timedelta(seconds=24) <= alert.next_attempt - ended <= timedelta(seconds=36), alert.next_attempt

        retry_at = alert.next_attempt
        clock.now = retry_at
        assert asyncio.run(outbox.deliver_due(retry_at))["sent"] == 1
        row = sqlite3.connect(rt.store.path).execute("SELECT sent_at FROM alerts").fetchone()
        assert row[0] == (retry_at + timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    finally:
        rt.close()


# --- replay without --deliver leaves nothing to send -------------------------------------------


def test_replay_without_deliver_leaves_nothing_for_the_next_run_to_send(tmp_path: Path,
                                                                        webhook: WebhookReceiver) -> None:
    cfg = write_config(tmp_path, {"hook": webhook.url})
    db = tmp_path / "state" / "monitor.db"  # the daemon's own database
    history = write_jsonl(tmp_path / "history.jsonl", [
        {"id": f"h{i}", "title": f"Zebra number {i} escapes from the zoo", "published": f"2024-01-0{i}T08:00:00Z"}
        for i in range(1, 4)])
    res = run_cli("--config", str(cfg), "replay", str(history), "--db", str(db), "-o", str(tmp_path / "out.jsonl"))
    assert res.returncode == 0, res.stderr
    assert "3 topic alerts" in res.stderr  # the replay output still says what would alert

    summary = run_once(str(cfg), None)  # the next run on that database
    assert summary["sent"] == 0 and webhook.bodies == []
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM alerts").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 3  # state is kept
    finally:
        conn.close()

    fresh = write_jsonl(tmp_path / "fresh.jsonl", [
        {"id": "f1", "title": "A zebra crosses the motorway", "published": "2024-02-01T08:00:00Z"}])
    res = run_cli("--config", str(cfg), "replay", str(fresh), "--db", str(db), "--deliver",
                  "-o", str(tmp_path / "out2.jsonl"))
    assert res.returncode == 0, res.stderr
    assert len(webhook.bodies) == 1 and b"A zebra crosses the motorway" in webhook.bodies[0]
