"""Delivery benchmark: alerts per second through Channel.send to a loopback webhook, and a
burst of 1,000 alerts grouped by group_wait, paced by the channel's rate limit, with
injected failures retried by the outbox policy, counted at the receiver.

    .venv/bin/python bench/bench_delivery.py [--sends 300]

The policy decisions run on a simulated clock (no sleeping); the sends are real HTTP
requests over 127.0.0.1. Baseline: the same JSON POST made directly with `requests`
(what apprise's json:// plugin does underneath), measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests

from monitor.delivery.deliver import Channel
from monitor.delivery.outbox_policy import (
    RateLimit,
    RateLimiter,
    RetryPolicy,
    group,
    next_attempt,
    next_group_time,
)
from monitor.delivery.render import AlertView, render
from monitor.delivery.route import ChannelSpec
from monitor.models import Alert, AlertState
from monitor.ops.secrets import Redactor


class Receiver:
    """Loopback webhook; fails every `fail_every`-th request with 500 when set."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.requests = 0
        self.fail_every = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests += 1
                    fail = receiver.fail_every and receiver.requests % receiver.fail_every == 0
                    if not fail:
                        receiver.messages.append(json.loads(body)["message"])
                self.send_response(500 if fail else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def view(i: int) -> AlertView:
    return AlertView(topic="dprk-russia", score=0.8, title=f"alert-{i} Kim and Putin meet",
                     url=f"https://news.example.org/{i}", source="Example", language="en",
                     snippet="Kim Jong-un met Putin to discuss weapons supplies.",
                     matched_terms=("putin",))


async def throughput(channel: Channel, n: int) -> float:
    messages = [render([view(i)], channel.spec) for i in range(n)]
    start = time.perf_counter()
    for message in messages:
        result = await channel.send(message)
        assert result.ok, result.error
    return n / (time.perf_counter() - start)


def baseline(port: int, n: int) -> float:
    payload = json.dumps({"version": "1.0", "title": "t", "message": "m", "type": "info"})
    start = time.perf_counter()
    for _ in range(n):
        r = requests.post(f"http://127.0.0.1:{port}/hook", data=payload, timeout=5,
                          headers={"Content-Type": "application/json"})
        assert r.status_code == 200
    return n / (time.perf_counter() - start)


async def burst(channel: Channel, receiver: Receiver, n: int = 1000) -> dict[str, float]:
    """Outbox loop on a simulated clock: group_wait, token bucket, retry on failure."""
    spec = channel.spec
    assert spec.rate_limit is not None
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    pending = {i: Alert(id=i, story=f"s{i}", topic="dprk-russia", channel=spec.name,
                        article_id=str(i), score=0.8, state=AlertState.PENDING, attempts=0,
                        created=t0 + timedelta(milliseconds=i), next_attempt=t0)
               for i in range(n)}
    limiter = RateLimiter(spec.rate_limit)
    policy = RetryPolicy(max_attempts=10, base_delay=5, jitter=0.2)
    now, sends, failures = t0, 0, 0
    wall = time.perf_counter()
    while pending:
        for batch in group(list(pending.values()), now, spec.group_wait,
                           max_batch=spec.max_batch):
            if not limiter.try_acquire(now):
                break
            result = await channel.send(render([view(a.id) for a in batch.alerts], spec))
            sends += 1
            for a in batch.alerts:
                if result.ok:
                    del pending[a.id]
                else:
                    when = next_attempt(a.attempts + 1, now, result.retry_after, policy)
                    assert when is not None, "an alert went dead"
                    pending[a.id] = Alert(**{**a.__dict__, "attempts": a.attempts + 1,
                                             "state": AlertState.FAILED, "next_attempt": when})
            failures += not result.ok
        if pending:
            ready = next_group_time(list(pending.values()), spec.group_wait) or now
            now = max(now + timedelta(milliseconds=1), ready, limiter.next_free(now))
    wall = time.perf_counter() - wall
    received = {int(m) for body in receiver.messages for m in re.findall(r"alert-(\d+)", body)}
    simulated = (now - t0).total_seconds()
    allowed = spec.rate_limit.capacity + simulated * spec.rate_limit.refill_per_second
    return {"alerts": n, "received_unique": len(received), "lost": n - len(received),
            "messages": sends, "failed_sends": failures, "simulated_s": simulated,
            "rate_allowance": allowed, "wall_s": wall}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sends", type=int, default=300)
    args = parser.parse_args()
    receiver = Receiver()
    url = f"json://127.0.0.1:{receiver.port}/hook"
    channel = Channel(ChannelSpec("bench", url, group_wait=5, max_batch=50,
                                  rate_limit=RateLimit(10, 60)), redactor=Redactor())

    base = baseline(receiver.port, args.sends)
    rate = asyncio.run(throughput(channel, args.sends))
    start = time.perf_counter()
    for i in range(args.sends):
        render([view(i)], channel.spec)
    render_rate = args.sends / (time.perf_counter() - start)
    print(f"render (text kind):               {render_rate:10.0f} messages/s")
    print(f"baseline requests.post loopback:  {base:10.0f} requests/s")
    print(f"Channel.send (apprise json://):   {rate:10.0f} alerts/s "
          f"({rate / base:.2f}x baseline)")

    receiver.messages.clear()
    receiver.fail_every = 7  # every 7th request answers 500
    stats = asyncio.run(burst(channel, receiver))
    print(f"burst: {stats['alerts']} alerts -> {stats['messages']} messages "
          f"({stats['failed_sends']} answered 500 and were retried); "
          f"received {stats['received_unique']} unique, lost {stats['lost']}; "
          f"messages within rate limit: {stats['messages'] <= stats['rate_allowance']} "
          f"({stats['messages']} <= {stats['rate_allowance']:.1f} allowed over "
          f"{stats['simulated_s']:.0f} simulated s at 10/min); wall {stats['wall_s']:.2f} s")
    if stats["lost"]:
        raise SystemExit("alerts were lost")


if __name__ == "__main__":
    main()
