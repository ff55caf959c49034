"""One polling cycle over N feeds served from loopback: wall time, memory, throughput.

    .venv/bin/python bench/bench_poll.py            # 1,000 then 10,000 feeds
    .venv/bin/python bench/bench_poll.py --feeds 500 --only

The server is our own asyncio HTTP/1.1 server (no framework) in a separate process,
listening on several 127.0.0.1 ports so the per-host limit does not serialise the run.
Each feed has 20 items. Mix per 100 feeds: 80 answer 304 to their ETag, 10 change on
every fetch, 5 return identical bytes with 200 (no validators: the body hash skips
parsing), 5 are slow or failing (2 answer 500, 2 answer after 0.5 s, 1 never finishes
and is cut by the 5 s total timeout).

Each size runs in a fresh process so peak RSS is per run. RSS is reported for the
polling process and, separately, the largest parse worker (the server is not counted).
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


def feed_body(i: int, version: int) -> bytes:
    items = "".join(
        f"<item><title>Feed {i} story {version}-{n}: talks on arms and energy</title>"
        f"<link>https://site{i % 97}.example.invalid/{i}/{version}/{n}</link>"
        f"<guid>f{i}-v{version}-{n}</guid>"
        f"<pubDate>Wed, 01 May 2024 {n % 24:02d}:{version % 60:02d}:00 +0000</pubDate>"
        f"<description>&lt;p&gt;Paragraph one of story {n} in feed {i}, with a few more "
        f"words so it looks like a real summary of a news article.&lt;/p&gt;"
        f"&lt;p&gt;Second paragraph.&lt;/p&gt;</description></item>"
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


async def cycle(n: int, ports: list[int]) -> dict[str, float]:
    from monitor.ingest.fetch import FeedRequest, Fetcher, FetchLimits, body_hash
    from monitor.ingest.parse import ParsePool
    from monitor.ingest.schedule import PollOutcome, SchedulePolicy, new_feed_state, next_poll

    policy = SchedulePolicy()
    now = datetime(2024, 5, 1, 12, tzinfo=UTC)
    states = []
    for i in range(n):  # state as the store would hold it after an earlier cycle
        # spread feeds over "hosts" (ports) like real feeds over sites
        url = f"http://127.0.0.1:{ports[zlib.crc32(b'%d' % i) % len(ports)]}/feed/{i}"
        st = new_feed_state(url, now, policy)
        if kind(i) in ("etag", "slow"):
            st = st.__class__(**{**st.__dict__, "etag": f'"v{i}"'})
        if kind(i) == "same":
            st = st.__class__(**{**st.__dict__, "body_hash": body_hash(feed_body(i, 0))})
        states.append(st)

    limits = FetchLimits(connect_timeout=5, read_timeout=5, total_timeout=5.0,
                         concurrency=100, per_host=8)
    counts = {"items": 0, "parsed": 0, "not_modified": 0, "unchanged": 0, "errors": 0}
    parse_seconds = 0.0
    samples: dict[str, str] = {}
    async with Fetcher(limits) as fetcher, ParsePool(workers=2) as pool:
        await pool.parse(feed_body(0, 0), {}, "warmup", now)  # start workers outside timing
        started = time.perf_counter()
        cpu_started = time.process_time()

        async def poll(st):
            nonlocal parse_seconds
            result = await fetcher.fetch(FeedRequest(st.url, st.etag, st.last_modified),
                                         st.body_hash)
            parsed = None
            if result.error:
                counts["errors"] += 1
                samples.setdefault(kind(int(st.url.rsplit("/", 1)[1])), result.error)
            elif result.not_modified:
                counts["not_modified"] += 1
            elif result.body_unchanged:
                counts["unchanged"] += 1
            elif result.body is not None:
                t = time.perf_counter()
                parsed = await pool.parse(result.body, result.headers, st.url, now)
                parse_seconds += time.perf_counter() - t
                counts["parsed"] += 1
                counts["items"] += len(parsed.entries)
            outcome = PollOutcome.from_poll(result, parsed,
                                            new_entries=len(parsed.entries) if parsed else 0)
            return next_poll(st, outcome, now, policy)

        new_states = await asyncio.gather(*(poll(s) for s in states))
        wall = time.perf_counter() - started
        main_cpu = time.process_time() - cpu_started
        loop = asyncio.get_running_loop()
        assert pool._executor is not None  # bench introspection
        worker_rss = max([await loop.run_in_executor(pool._executor, _worker_peak_rss)
                          for _ in range(4)])
    assert len(new_states) == n
    print(json.dumps(samples), file=sys.stderr)
    return {"feeds": n, "wall_s": wall, "main_cpu_s": main_cpu, "parse_wait_s": parse_seconds, "requests_per_s": n / wall,
            "items_per_s": counts["items"] / wall, **counts,
            "main_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_peak_rss_mb": worker_rss / 1024}


def run_one(n: int) -> dict[str, float]:
    ports = free_ports(PORTS)
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    server = ctx.Process(target=serve, args=(ports, ready), daemon=True)
    server.start()
    try:
        if not ready.wait(30):
            raise RuntimeError("bench server did not start")
        return asyncio.run(cycle(n, ports))
    finally:
        server.terminate()
        server.join(5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, action="append")
    ap.add_argument("--only", action="store_true", help="run in this process, print JSON")
    args = ap.parse_args()
    if args.only:
        for n in args.feeds or [1000]:
            print(json.dumps(run_one(n)))
        return
    results = {}
    for n in args.feeds or [1000, 10_000]:
        out = subprocess.run([sys.executable, __file__, "--only", "--feeds", str(n)],
                             capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONWARNINGS": "ignore"})
        results[n] = json.loads(out.stdout.strip().splitlines()[-1])
        r = results[n]
        print(f"{n:>6} feeds: wall {r['wall_s']:.1f} s, {r['requests_per_s']:.0f} requests/s, "
              f"{r['items_per_s']:.0f} items parsed/s ({r['items']} items from "
              f"{r['parsed']} changed feeds; {r['not_modified']} x 304, "
              f"{r['unchanged']} identical bodies skipped, {r['errors']} errors), "
              f"peak RSS main {r['main_peak_rss_mb']:.0f} MB + largest parse worker "
              f"{r['worker_peak_rss_mb']:.0f} MB; polling process CPU {r['main_cpu_s']:.1f} s")
    if len(results) >= 2:
        small, large = sorted(results)[:1][0], sorted(results)[-1]
        ratio = results[large]["wall_s"] / results[small]["wall_s"]
        print(f"cost ratio {large}/{small} feeds: {ratio:.1f}x wall for "
              f"{large / small:.0f}x feeds (linear = {large / small:.0f}x)")


if __name__ == "__main__":
    main()
