"""Whole-daemon latency: an article appears in a loopback feed -> its alert e-mail arrives at
a loopback SMTP server (aiosmtpd). Then a burst of 1,000 queued alerts to one channel.

    .venv/bin/python bench/bench_latency.py                      # classifier off, then on, then the burst
    .venv/bin/python bench/bench_latency.py --classifier off --articles 50 --burst 0

Latency phase: `python -m monitor --config CFG run` as a subprocess polls 10 loopback RSS
feeds every `--interval` seconds (min = max = interval, so the adaptive schedule cannot
stretch it), scheduler and outbox ticks of 1 s, channel `group_wait = 0`. 100 distinct
on-topic articles (each a different arms deal, so story dedup cannot merge them; checked
first with `monitor replay` on the same config) are published round-robin into the feeds
at random gaps. Each carries a unique token in its link; the latency of an article is the
arrival time of the first e-mail holding its token minus the time the feed server began
to hand the article out. Target (issue 7): p95 <= poll interval + 5 s.

Beside the healthy feeds there is one slow-drip feed (a byte a second until the daemon's
10 s total timeout cuts it, every poll), and beside the healthy e-mail channel one hanging
channel (an SMTP server that accepts the connection and never answers) that every topic is
routed to as well (`--no-hazards` leaves both out). The latencies are the healthy channel's;
PASS when their p95 <= poll interval + 5 s and none is missing (issue 18: a slow feed or
a hanging channel must not delay anyone else).

Burst phase: 1,000 alerts are committed to the outbox (monitor.state.store.Store.enqueue_alert,
as a burst of matches would) before the daemon starts; the channel has a rate limit
(`--burst-rate`, default 30/min) and the outbox groups up to 20 alerts per message.
Reported: messages received, alerts covered, duplicates, duration, and the most messages
in any sliding window of the rate-limit period. Target: none lost, within the rate limit.

Baseline for the latency: the poll interval itself (an article waits on average half an
interval for the next poll; the rest is the daemon's own work).
Traffic goes to 127.0.0.1 only; every wait is bounded.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _loopback import (
    DripFeed,
    FeedServer,
    SilentSmtp,
    SmtpInbox,
    deal_item,
    deals,
    log_has,
    percentile,
    preflight,
    quiet_item,
    start_daemon,
    stop_daemon,
    wait_until,
    write_config,
)

from monitor.delivery.outbox_policy import RateLimit


def stage_breakdown(
    db_path: Path, published: dict[str, float], arrivals: dict[str, float], tag: str
) -> dict[str, float]:
    """Median seconds spent in each stage, from the daemon's own timestamps:
    poll wait (published -> fetched), pipeline (fetched -> alert committed), outbox wait
    (committed -> delivery pass that sent it), send (that pass -> arrival at the receiver)."""
    import sqlite3

    from monitor.state.store import parse_ts

    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT ar.url, ar.fetched, al.created, al.sent_at FROM alerts al "
            "JOIN articles ar ON ar.id = al.article_id WHERE al.state = 'sent'"
        ).fetchall()
    finally:
        db.close()
    stages: dict[str, list[float]] = {
        "poll wait": [],
        "pipeline": [],
        "outbox wait": [],
        "send": [],
    }
    pattern = re.compile(rf"{tag}-\d{{5}}")
    for url, fetched, created, sent in rows:
        m = pattern.search(url)
        if m is None or m.group(0) not in arrivals:
            continue
        t_fetched, t_created, t_sent = (parse_ts(x).timestamp() for x in (fetched, created, sent))  # type: ignore[union-attr]
        stages["poll wait"].append(t_fetched - published[m.group(0)])
        stages["pipeline"].append(t_created - t_fetched)
        stages["outbox wait"].append(t_sent - t_created)
        stages["send"].append(arrivals[m.group(0)] - t_sent)
    return {k: statistics.median(v) for k, v in stages.items() if v}


def latency_phase(
    base: Path,
    *,
    classifier: bool,
    articles: int,
    feeds: int,
    interval: float,
    gap: float,
    seed: int,
    hazards: bool = True,
) -> dict[str, object]:
    tag = "lat" + ("on" if classifier else "off")
    workdir = base / tag
    (workdir / "state").mkdir(parents=True)
    server = FeedServer(feeds)
    inbox = SmtpInbox()
    drip = DripFeed() if hazards else None
    silent = SilentSmtp() if hazards else None
    proc = None
    try:
        for n in range(feeds):
            for k in range(3):
                server.publish(n, quiet_item(n, k))
        cfg = write_config(
            workdir / "config.toml",
            state_dir=workdir / "state",
            feed_urls=server.urls() + ([drip.url()] if drip else []),
            channel_url=inbox.url(),
            interval=interval,
            classifier=classifier,
            extra_channels={"stuck": silent.url()} if silent else None,
        )
        pool = deals(articles * (2 if classifier else 1) + 50, seed=seed, prefix=tag)
        chosen = preflight(cfg, pool, workdir, articles)

        started = time.time()
        proc = start_daemon(cfg, workdir)
        if not wait_until(lambda: log_has(workdir, "started:"), 180):
            raise SystemExit(f"daemon did not start; see {workdir / 'daemon.log'}")
        ready = time.time()
        # warm: every feed polled once (200) and once more with its ETag (304)
        wait_until(lambda: min(server.served) >= 2, 4 * interval + 30)
        print(
            f"  daemon up {ready - started:.1f} s after launch; feeds warm after {time.time() - started:.1f} s"
        )

        if drip is not None:
            drip.armed.set()  # from now on each fetch of it drips until the 10 s timeout
        rng = random.Random(seed)
        published: dict[str, float] = {}
        for i, deal in enumerate(chosen):
            published[deal.token] = server.publish(i % feeds, deal_item(deal))
            time.sleep(rng.uniform(0.5 * gap, 1.5 * gap))
        pattern = re.compile(rf"{tag}-\d{{5}}")
        wait_until(
            lambda: len(inbox.first_arrivals(pattern)) >= len(chosen), 3 * interval + 60, step=0.5
        )
        arrivals = inbox.first_arrivals(pattern)
        code = stop_daemon(proc)
        proc = None
    finally:
        if proc is not None:
            stop_daemon(proc)
        inbox.close()
        server.close()
        drip_requests = drip.drips if drip else 0
        stuck_connections = len(silent.connections) if silent else 0
        if drip:
            drip.close()
        if silent:
            silent.close()

    messages = inbox.snapshot()
    per_token = inbox.messages_per_token(pattern)
    latencies = [arrivals[t] - published[t] for t in published if t in arrivals]
    missing = sorted(set(published) - set(arrivals))
    p95 = percentile(latencies, 95)
    stages = stage_breakdown(workdir / "state" / "monitor.db", published, arrivals, tag)
    return {
        "stages": stages,
        "classifier": "on" if classifier else "off",
        "articles": len(published),
        "arrived": len(latencies),
        "missing": missing,
        "messages": len(messages),
        "sent_twice": sorted(t for t, c in per_token.items() if c > 1),
        "median": statistics.median(latencies) if latencies else float("nan"),
        "p95": p95,
        "max": max(latencies, default=float("nan")),
        "min": min(latencies, default=float("nan")),
        "interval": interval,
        "target": interval + 5.0,
        "met": bool(latencies) and p95 <= interval + 5.0 and not missing,
        "exit": code,
        "workdir": str(workdir),
        "hazards": hazards,
        "drip_requests": drip_requests,
        "stuck_connections": stuck_connections,
    }


def burst_phase(base: Path, *, alerts: int, rate: str, interval: float) -> dict[str, object]:
    from monitor.state.store import Store

    workdir = base / "burst"
    (workdir / "state").mkdir(parents=True)
    limit = RateLimit.parse(rate)
    server = FeedServer(1)
    server.publish(0, quiet_item(0))
    inbox = SmtpInbox()
    proc = None
    try:
        store = Store(workdir / "state" / "monitor.db")
        now = datetime.now(UTC)
        for i in range(alerts):
            token = f"burst-{i:05d}"
            store.enqueue_alert(
                dedup_key=f"bench|{token}",
                story=token,
                topic="arms-transfers",
                channel="out",
                article_id=token,
                score=0.9,
                now=now,
                payload={
                    "title": f"Burst alert {token}: a state buys {i} howitzers",
                    "url": f"https://wire.example.org/burst/{token}",
                    "source": "Loopback",
                    "snippet": "howitzers sold",
                    "terms": ["howitzer*"],
                },
            )
        store.close()
        cfg = write_config(
            workdir / "config.toml",
            state_dir=workdir / "state",
            feed_urls=server.urls(),
            channel_url=inbox.url(),
            interval=interval,
            rate_limit=rate,
        )
        pattern = re.compile(r"burst-\d{5}")
        started = time.time()
        proc = start_daemon(cfg, workdir)
        # bounded by what the rate limit needs for 50 messages, plus slack
        expected = (alerts / 20 - limit.capacity) / limit.refill_per_second
        wait_until(
            lambda: len(inbox.first_arrivals(pattern)) >= alerts,
            max(60.0, 1.5 * expected + 60),
            step=0.5,
        )
        code = stop_daemon(proc)
        proc = None
    finally:
        if proc is not None:
            stop_daemon(proc)
        inbox.close()
        server.close()

    messages = inbox.snapshot()
    counts = inbox.messages_per_token(pattern)
    times = sorted(t for t, _ in messages)
    window_max = 0
    lo = 0
    for hi, t in enumerate(times):
        while t - times[lo] >= limit.per_seconds:
            lo += 1
        window_max = max(window_max, hi - lo + 1)
    db = Store(workdir / "state" / "monitor.db")
    try:
        states = db.alert_counts()
    finally:
        db.close()
    return {
        "alerts": alerts,
        "rate": rate,
        "count": limit.count,
        "period": limit.per_seconds,
        "messages": len(messages),
        "covered": len(counts),
        "lost": alerts - len(counts),
        "twice": sum(1 for c in counts.values() if c > 1),
        "duration": (times[-1] - times[0]) if times else float("nan"),
        "from_launch": (times[-1] - started) if times else float("nan"),
        "window_max": window_max,
        "bucket_bound": limit.capacity + limit.count,
        "states": states,
        "exit": code,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--classifier", choices=["off", "on", "both"], default="both")
    ap.add_argument("--articles", type=int, default=100)
    ap.add_argument("--feeds", type=int, default=10)
    ap.add_argument("--interval", type=float, default=5.0, help="poll interval of every feed (s)")
    ap.add_argument(
        "--gap", type=float, default=0.6, help="mean seconds between two published articles"
    )
    ap.add_argument("--burst", type=int, default=1000, help="alerts in the burst (0 = skip)")
    ap.add_argument("--burst-rate", default="30/min")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-hazards", action="store_true", help="no slow-drip feed, no hanging channel")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (logs, state)")
    args = ap.parse_args()

    base = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    results = []
    modes = {"off": [False], "on": [True], "both": [False, True]}[args.classifier]
    for classifier in modes:
        print(
            f"latency, classifier {'on' if classifier else 'off'}: {args.articles} articles into "
            f"{args.feeds} feeds polled every {args.interval:g} s"
        )
        r = latency_phase(
            base,
            classifier=classifier,
            articles=args.articles,
            feeds=args.feeds,
            interval=args.interval,
            gap=args.gap,
            seed=args.seed,
            hazards=not args.no_hazards,
        )
        results.append(r)
        if r["hazards"]:
            print(f"  hazards: slow-drip feed dripped on {r['drip_requests']} fetches, hanging SMTP channel "
                  f"connected {r['stuck_connections']} times")
        print(
            f"  {r['arrived']}/{r['articles']} alerts arrived in {r['messages']} e-mails; "
            f"median {r['median']:.2f} s, p95 {r['p95']:.2f} s, max {r['max']:.2f} s, min {r['min']:.2f} s; "
            f"daemon exit {r['exit']}"
        )
        print("  median per stage: " + ", ".join(f"{k} {v:.2f} s" for k, v in r["stages"].items()))
        if r["missing"]:
            print(f"  MISSING ({len(r['missing'])}): {', '.join(r['missing'][:10])}")
        if r["sent_twice"]:
            print(
                f"  IN MORE THAN ONE E-MAIL ({len(r['sent_twice'])}): {', '.join(r['sent_twice'][:10])}"
            )

    burst = None
    if args.burst:
        print(
            f"burst: {args.burst} queued alerts to one e-mail channel, rate limit {args.burst_rate}"
        )
        burst = burst_phase(base, alerts=args.burst, rate=args.burst_rate, interval=args.interval)
        print(
            f"  {burst['messages']} messages covering {burst['covered']} alerts ({burst['lost']} lost, "
            f"{burst['twice']} in two messages); first->last message {burst['duration']:.1f} s "
            f"({burst['from_launch']:.1f} s from launch); outbox states {burst['states']}; exit {burst['exit']}"
        )

    print()
    print(
        f"{'run':<22}{'articles':>9}{'arrived':>9}{'median s':>10}{'p95 s':>8}{'max s':>8}"
        f"{'interval s':>12}{'target p95':>12}  met"
    )
    for r in results:
        print(
            f"{'latency, classifier ' + str(r['classifier']):<22}{r['articles']:>9}{r['arrived']:>9}"
            f"{r['median']:>10.2f}{r['p95']:>8.2f}{r['max']:>8.2f}{r['interval']:>12g}"
            f"{'<= ' + format(r['target'], 'g'):>12}  {'yes' if r['met'] else 'NO'}"
        )
        print(f"{'':<22}p95 / poll interval = {r['p95'] / r['interval']:.2f}")
        print(f"{'':<22}healthy channel: p50 {r['median']:.2f} s, p95 {r['p95']:.2f} s, max {r['max']:.2f} s "
              f"{'with' if r['hazards'] else 'without'} a slow-drip feed and a hanging channel: "
              f"{'PASS' if r['met'] else 'FAIL'} (p95 <= {r['target']:g} s, none missing)")
    if burst is not None:
        strict = burst["window_max"] <= burst["count"]
        bucket = burst["window_max"] <= burst["bucket_bound"]
        print(
            f"burst: {burst['alerts']} alerts -> {burst['messages']} messages, {burst['covered']} covered, "
            f"{burst['lost']} lost, duration {burst['duration']:.1f} s; max {burst['window_max']} messages in any "
            f"{burst['period']:g} s window (limit {burst['rate']}: "
            f"{'within' if strict else 'ABOVE'} {burst['count']}/window; "
            f"{'within' if bucket else 'ABOVE'} the token bucket's {burst['bucket_bound']} "
            f"= burst {burst['count']} + refill {burst['count']})"
        )
        print(
            f"burst verdict: none lost: {'yes' if burst['lost'] == 0 else 'NO'}; "
            f"grouped: {'yes' if burst['messages'] < burst['alerts'] else 'NO'}; "
            f"within {burst['rate']} in every window: {'yes' if strict else 'NO'}"
        )
    if args.keep:
        print(f"work folder kept: {base}")
    else:
        import shutil

        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
