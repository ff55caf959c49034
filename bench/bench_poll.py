"""Polling cycles over N feeds served from loopback, through the real Poller: fetch, parse,
store, relevance, stories, outbox. Wall time, CPU time and peak RSS, first poll and second pass.

    .venv/bin/python bench/bench_poll.py                       # 1,000, 3,000 and 10,000 feeds
    .venv/bin/python bench/bench_poll.py --feeds 500
    .venv/bin/python bench/bench_poll.py --feeds 2000 --only first --state /tmp/x   # one pass, JSON

The server is our own asyncio HTTP/1.1 server (no framework) in a separate process,
listening on 40 127.0.0.1 ports so the per-host limit does not serialise the run. Each
feed has 20 items. Mix per 100 feeds: 80 answer 304 to their ETag, 10 change on every
fetch, 5 return identical bytes with 200 (no validators: the body hash skips parsing),
5 are slow or failing (2 answer 500, 2 answer after 0.5 s, 1 never finishes and is cut
by the 5 s total timeout). 16 fetches in flight, 8 per host, classifier off (the keyword
stage, dedup and the store run in full).

Each pass runs in a fresh process on the same state folder, so peak RSS is per pass:
"first" (an empty database: every item is new) then "second" (the database the first
left: mostly 304). RSS is the polling process's; the parse workers are reported apart.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PORTS = 40
ITEMS = 20


def kind(i: int) -> str:
    r = i % 100
    if r < 80:
        return "etag"
    if r < 90:
        return "changed"
    if r < 95:
        return "same"
    return {95: "error", 96: "error", 97: "slow", 98: "slow"}.get(r, "hang")


_SYLLABLES = ["ka", "ri", "to", "mel", "san", "dor", "vi", "lu", "pre", "nak", "os", "tem", "ga", "bur",
              "qui", "fen", "al", "zo", "har", "mi", "set", "plo", "un", "dre"]


def _words(seed: int, count: int) -> str:
    """Distinct pseudo-words: news items differ, so dedup sees few near-copies (as with real
    text; templated items made every article a near-copy of every other, see docs)."""
    import random

    rng = random.Random(seed)
    return " ".join("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(count))


def feed_body(i: int, version: int) -> bytes:
    items = "".join(
        f"<item><title>Feed {i} story {version}-{n}: {_words(hash((i, version, n, 1)), 6)}</title>"
        f"<link>https://site{i % 97}.example.invalid/{i}/{version}/{n}</link>"
        f"<guid>f{i}-v{version}-{n}</guid>"
        f"<pubDate>Wed, 01 May 2024 {n % 24:02d}:{version % 60:02d}:00 +0000</pubDate>"
        f"<description>&lt;p&gt;{_words(hash((i, version, n, 2)), 30)}.&lt;/p&gt;"
        f"&lt;p&gt;{_words(hash((i, version, n, 3)), 12)}.&lt;/p&gt;</description></item>"
        for n in range(ITEMS))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Feed {i}</title><link>https://site{i}.example.invalid/</link>"
            f"<ttl>15</ttl>{items}</channel></rss>").encode()


# ---------------------------------------------------------------- server process


def serve(ports: list[int], ready: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    cache: dict[int, bytes] = {}
    counter = [0]

    def respond(status: str, body: bytes, extra: str = "") -> bytes:
        return (f"HTTP/1.1 {status}\r\nContent-Type: application/rss+xml\r\n"
                f"Content-Length: {len(body)}\r\n{extra}\r\n").encode() + body

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {k.lower(): v.strip() for k, _, v in
                           (ln.partition(":") for ln in lines[1:] if ln)}
                i = int(path.rsplit("/", 1)[1])
                k = kind(i)
                if k == "hang":
                    await asyncio.sleep(3600)
                if k == "slow":
                    await asyncio.sleep(0.5)
                if k == "error":
                    writer.write(respond("500 Internal Server Error", b"oops"))
                elif k in ("etag", "slow"):
                    etag = f'"v{i}"'
                    if headers.get("if-none-match") == etag:
                        writer.write(respond("304 Not Modified", b"", f"ETag: {etag}\r\n"))
                    else:
                        body = cache.get(i) or cache.setdefault(i, feed_body(i, 0))
                        writer.write(respond("200 OK", body, f"ETag: {etag}\r\n"))
                elif k == "same":
                    body = cache.get(i) or cache.setdefault(i, feed_body(i, 0))
                    writer.write(respond("200 OK", body))
                else:
                    counter[0] += 1
                    writer.write(respond("200 OK", feed_body(i, counter[0])))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        servers = [await asyncio.start_server(handle, "127.0.0.1", p, backlog=1024)
                   for p in ports]
        ready.set()
        await asyncio.gather(*(s.serve_forever() for s in servers))

    asyncio.run(main())


def free_ports(n: int) -> list[int]:
    import socket

    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


# ---------------------------------------------------------------- one cycle


def _worker_peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def feed_url(i: int, ports: list[int]) -> str:
    return f"http://127.0.0.1:{ports[zlib.crc32(b'%d' % i) % len(ports)]}/feed/{i}"


def write_config(state: Path, n: int, ports: list[int]) -> Path:
    root = Path(__file__).resolve().parents[1]
    feeds = "".join(f'[[feeds]]\nurl = "{feed_url(i, ports)}"\n' for i in range(n))
    cfg = state / "config.toml"
    cfg.write_text(f"""
[monitor]
state_dir = "{state}"
rules_dir = "{root / 'rules'}"
log_level = "error"
[classifier]
enabled = false
[polling]
concurrency = 16
per_host = 8
timeout = 5
{feeds}
[channels.null]
url = "console://"
[[routes]]
topic = "*"
channels = ["null"]
""", encoding="utf-8")
    return cfg


async def cycle(n: int, ports: list[int], state: Path, which: str) -> dict[str, float]:
    import logging

    from monitor.app import load_config_and_rules, open_runtime
    from monitor.ingest.poller import Poller

    logging.basicConfig(level=logging.ERROR)
    cfg = state / "config.toml" if which == "second" else write_config(state, n, ports)
    config, ruleset = load_config_and_rules(str(cfg), None)
    rt = open_runtime(config, ruleset)
    poller = Poller(rt)
    rt.store.sync_feeds(poller.configured_feeds(), datetime.now(UTC))
    await poller.start()
    assert poller.pool is not None
    await poller.pool.parse(feed_body(0, 0), {}, "warmup", datetime.now(UTC))  # workers up outside timing
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    cpu_started = time.process_time()
    summary = await poller.poll_all(lambda: datetime.now(UTC))
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    loop = asyncio.get_running_loop()
    worker_rss = max([await loop.run_in_executor(poller.pool._executor, _worker_peak_rss)  # type: ignore[arg-type]
                      for _ in range(4)])
    await poller.close()
    articles = rt.store.count_articles_since(datetime(2000, 1, 1, tzinfo=UTC))
    rt.close()
    return {"feeds": n, "pass": which, "wall_s": wall, "cpu_s": cpu, **summary, "articles_stored": articles,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "rss_before_mb": rss_before, "worker_peak_rss_mb": worker_rss / 1024}


def run_one(n: int, state: Path, which: str) -> dict[str, float]:
    ports = json.loads((state / "ports.json").read_text()) if which == "second" else free_ports(PORTS)
    (state / "ports.json").write_text(json.dumps(ports))
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    server = ctx.Process(target=serve, args=(ports, ready), daemon=True)
    server.start()
    try:
        if not ready.wait(30):
            raise RuntimeError("bench server did not start")
        return asyncio.run(cycle(n, ports, state, which))
    finally:
        server.terminate()
        server.join(5)


def main() -> None:
    import shutil
    import tempfile

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, action="append")
    ap.add_argument("--only", choices=["first", "second"], help="run one pass in this process, print JSON")
    ap.add_argument("--state", type=Path, help="state folder for --only")
    args = ap.parse_args()
    if args.only:
        print(json.dumps(run_one((args.feeds or [1000])[0], args.state, args.only)))
        return
    results: dict[tuple[int, str], dict[str, float]] = {}
    for n in args.feeds or [1000, 3000, 10_000]:
        state = Path(tempfile.mkdtemp(prefix=f"bench-poll-{n}-"))
        try:
            for which in ("first", "second"):
                out = subprocess.run([sys.executable, __file__, "--only", which, "--feeds", str(n),
                                      "--state", str(state)], capture_output=True, text=True, check=True,
                                     env={**os.environ, "PYTHONWARNINGS": "ignore"})
                r = results[(n, which)] = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"{n:>6} feeds, {which:<6} pass: wall {r['wall_s']:6.1f} s, CPU {r['cpu_s']:6.1f} s, "
                      f"peak RSS {r['peak_rss_mb']:4.0f} MB (before the pass {r['rss_before_mb']:.0f} MB; "
                      f"largest parse worker {r['worker_peak_rss_mb']:.0f} MB); {r['new_articles']} new articles, "
                      f"{r['feed_errors']} feed errors, {r['articles_stored']} stored; "
                      f"per feed {1000 * r['wall_s'] / n:.1f} ms wall, {1000 * r['cpu_s'] / n:.1f} ms CPU", flush=True)
        finally:
            shutil.rmtree(state, ignore_errors=True)
    sizes = sorted({n for n, _ in results})
    if len(sizes) >= 2:
        small = sizes[0]
        for large in sizes[1:]:
            for which in ("first", "second"):
                a, b = results[(small, which)], results[(large, which)]
                k = large / small
                print(f"{which:<6} pass {large}/{small} feeds ({k:.0f}x): wall {b['wall_s'] / a['wall_s']:.1f}x, "
                      f"CPU {b['cpu_s'] / a['cpu_s']:.1f}x; per feed {b['wall_s'] / a['wall_s'] / k:.2f}x wall, "
                      f"{b['cpu_s'] / a['cpu_s'] / k:.2f}x CPU (1.00 = linear); peak RSS "
                      f"{a['peak_rss_mb']:.0f} -> {b['peak_rss_mb']:.0f} MB")
    worst = max((r["peak_rss_mb"] for r in results.values()), default=0.0)
    print(f"peak RSS of the polling process, worst pass: {worst:.0f} MB "
          f"({'within' if worst <= 300 else 'ABOVE'} the 300 MB target)")


if __name__ == "__main__":
    main()
