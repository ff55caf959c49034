"""Shared parts of the whole-daemon benchmarks (bench_latency.py, bench_soak.py).

- `FeedServer`: RSS feeds served from 127.0.0.1 (on several ports, so the daemon's
  per-host limit does not serialise a thousand feeds) whose items can be added while
  the daemon runs; ETag / If-None-Match answered with 304.
- `SmtpInbox`: an aiosmtpd receiver that records each message with its arrival time.
- `DripFeed`: a feed that sends one byte a second and never finishes (the client's total
  timeout cuts it); `SilentSmtp`: a TCP server that accepts and never answers (a hanging
  e-mail channel).
- `deals(n)`: n distinct on-topic arms-transfer headlines, each a different event.
- `write_config`, `start_daemon`, `stop_daemon`: run `python -m monitor run` as a
  subprocess with its state in a temporary folder.
- `ProcTree`: RSS, open file descriptors and CPU time of the daemon and its parse
  workers, read from /proc.

Traffic goes to 127.0.0.1 only. Nothing here is a test.
"""

from __future__ import annotations

import email
import itertools
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


# ---------------------------------------------------------------------------
# Feeds
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    title: str
    link: str
    summary: str
    published: float  # epoch seconds


@dataclass
class _Feed:
    items: list[Item] = field(default_factory=list)
    version: int = 0
    body: bytes = b""


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):  # type: ignore[no-untyped-def]
        # the daemon closing an idle keep-alive connection is not worth a traceback
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FeedServer:
    """`feeds` RSS feeds at http://127.0.0.1:PORT/feed/N.xml, spread over `ports` ports.

    `publish(n, item)` adds an item (newest first, the last `keep` kept) and returns the
    wall-clock time from which the server hands it out. Each change bumps the feed's
    ETag; a request carrying the current ETag gets 304.
    """

    def __init__(
        self, feeds: int, *, ports: int = 1, keep: int = 20, title: str = "Loopback wire"
    ) -> None:
        self.keep = keep
        self.title = title
        self.lock = threading.Lock()
        self.feeds = [_Feed() for _ in range(feeds)]
        self.requests = 0
        self.not_modified = 0
        self.served: list[int] = [0] * feeds  # requests per feed
        for n in range(feeds):
            self._render(n)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                m = re.fullmatch(r"/feed/(\d+)\.xml", self.path)
                if m is None or int(m.group(1)) >= len(server.feeds):
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                n = int(m.group(1))
                with server.lock:
                    feed = server.feeds[n]
                    etag, body = f'"{n}-{feed.version}"', feed.body
                    server.requests += 1
                    server.served[n] += 1
                    fresh = self.headers.get("If-None-Match") == etag
                    if fresh:
                        server.not_modified += 1
                if fresh:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.servers: list[_QuietServer] = []
        for _ in range(ports):
            httpd = _QuietServer(("127.0.0.1", 0), Handler)
            threading.Thread(target=httpd.serve_forever, daemon=True).start()
            self.servers.append(httpd)

    def url(self, n: int) -> str:
        port = self.servers[n % len(self.servers)].server_address[1]
        return f"http://127.0.0.1:{port}/feed/{n}.xml"

    def urls(self) -> list[str]:
        return [self.url(n) for n in range(len(self.feeds))]

    def publish(self, n: int, item: Item) -> float:
        with self.lock:
            feed = self.feeds[n]
            feed.items.insert(0, item)
            del feed.items[self.keep :]
            self._render(n)
            return time.time()  # visible to any request from now on

    def _render(self, n: int) -> None:
        feed = self.feeds[n]
        feed.version += 1
        entries = "".join(
            f"<item><title>{escape(it.title)}</title><link>{escape(it.link)}</link>"
            f'<guid isPermaLink="true">{escape(it.link)}</guid>'
            f"<pubDate>{formatdate(it.published, usegmt=True)}</pubDate>"
            f"<description>{escape(it.summary)}</description></item>"
            for it in feed.items
        )
        feed.body = (
            f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{escape(self.title)} {n}</title><link>http://127.0.0.1/</link>"
            f"<description>benchmark feed</description>{entries}</channel></rss>"
        ).encode()

    def close(self) -> None:
        for httpd in self.servers:
            httpd.shutdown()
            httpd.server_close()


class DripFeed:
    """http://127.0.0.1:PORT/drip.xml: a 200 with a large Content-Length, then one byte a
    second until the client hangs up. Until `armed` is set it answers a small valid feed
    at once (so the drip falls inside the measured window, not the warm-up). `requests`
    counts fetches begun, `drips` the dripping ones."""

    def __init__(self) -> None:
        self.requests = 0
        self.drips = 0
        self.stop = threading.Event()
        self.armed = threading.Event()
        drip = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                drip.requests += 1
                head = b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Drip</title>'
                if not drip.armed.is_set():
                    body = head + b"<link>http://127.0.0.1/</link><description>d</description></channel></rss>"
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                drip.drips += 1
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                    self.send_header("Content-Length", str(len(head) + 1_000_000))
                    self.end_headers()
                    self.wfile.write(head[:1])
                    self.wfile.flush()
                    while not drip.stop.wait(1.0):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                except OSError:
                    pass  # the daemon gave up (its total timeout)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/drip.xml"

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class SilentSmtp:
    """Accepts SMTP connections on 127.0.0.1 and never says a word (no greeting, no reply)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)  # held open, never read or written

    def url(self) -> str:
        return (f"mailto://127.0.0.1:{self.port}?mode=insecure"
                "&from=monitor@example.org&to=stuck@example.org")

    def close(self) -> None:
        self.sock.close()
        for conn in self.connections:
            conn.close()


# ---------------------------------------------------------------------------
# SMTP
# ---------------------------------------------------------------------------


class SmtpInbox:
    """aiosmtpd on 127.0.0.1; `received` holds (arrival epoch seconds, message text)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[tuple[float, str]] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        arrived = time.time()
        with self.lock:
            self.received.append((arrived, message_text(envelope.content)))
        return "250 OK"

    def url(self) -> str:
        return (
            f"mailto://127.0.0.1:{self.port}?mode=insecure"
            f"&from=monitor@example.org&to=analyst@example.org"
        )

    def snapshot(self) -> list[tuple[float, str]]:
        with self.lock:
            return list(self.received)

    def first_arrivals(self, pattern: re.Pattern[str]) -> dict[str, float]:
        """Each token matching `pattern` -> arrival time of the first message holding it."""
        first: dict[str, float] = {}
        for arrived, text in self.snapshot():
            for token in set(pattern.findall(text)):
                first[token] = min(first.get(token, arrived), arrived)
        return first

    def messages_per_token(self, pattern: re.Pattern[str]) -> dict[str, int]:
        """Each token matching `pattern` -> how many messages hold it (a token twice = sent twice)."""
        counts: dict[str, int] = {}
        for _, text in self.snapshot():
            for token in set(pattern.findall(text)):
                counts[token] = counts.get(token, 0) + 1
        return counts

    def close(self) -> None:
        self.controller.stop()


def free_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def message_text(raw: bytes) -> str:
    """Headers plus every decoded text part of an e-mail."""
    msg = email.message_from_bytes(raw)
    parts = [str(msg.get("Subject", ""))]
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                parts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(parts)


# ---------------------------------------------------------------------------
# Distinct on-topic articles
# ---------------------------------------------------------------------------

# Buyers and sellers the shipped lexicons know (countries.yaml); every event pairs a
# different buyer, seller, weapon, model designator and number, so story dedup must keep
# them apart (a different designator is a different deal).
_STATES = [
    "Poland",
    "Egypt",
    "India",
    "Indonesia",
    "Turkey",
    "Japan",
    "Taiwan",
    "Israel",
    "Pakistan",
    "Saudi Arabia",
    "Vietnam",
    "Australia",
    "Germany",
    "France",
    "Britain",
    "the Philippines",
    "South Korea",
    "Ukraine",
    "Iran",
    "Belarus",
    "Syria",
    "Venezuela",
    "Myanmar",
    "the United States",
    "China",
    "Russia",
]
_WEAPONS = [
    ("howitzers", "self-propelled artillery"),
    ("fighter jets", "combat aircraft"),
    ("battle tanks", "armoured units"),
    ("missiles", "coastal batteries"),
    ("drones", "reconnaissance squadrons"),
    ("submarines", "its navy"),
    ("air defence systems", "its capital's air cover"),
    ("rocket launchers", "artillery brigades"),
    ("artillery shells", "frontline units"),
    ("warplanes", "its air force"),
    ("rifles", "infantry battalions"),
    ("grenades", "border guards"),
]
_FAMILIES = ["KX", "Su", "Tor", "AH", "CH", "TB", "JF", "MX", "Ka", "Pz", "Rf", "Vk", "Ty", "Zr"]
_HEADLINES = [
    "{buyer} buys {n} {model} {weapon} from {seller}",
    "{seller} to deliver {n} {model} {weapon} to {buyer}",
    "{buyer} signs deal to purchase {n} {model} {weapon} from {seller}",
    "{seller} approves sale of {n} {model} {weapon} to {buyer}",
    "{buyer} receives first of {n} {model} {weapon} supplied by {seller}",
    "{seller} agrees to supply {buyer} with {n} {model} {weapon}",
]
_LEADS = [
    "Officials in {capital_of_buyer} said the {model} order worth {money} million dollars would equip {role}.",
    "The {money} million dollar contract for the {model} was signed on {day}, the defence ministry said.",
    "Deliveries of the {model} are due to start in {year}, according to a statement released on {day}.",
    "Analysts said the purchase of the {model}, valued at {money} million dollars, strengthens {role}.",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class Deal:
    token: str  # unique, also in the link: "deal-00042"
    title: str
    summary: str


def deals(count: int, *, seed: int = 7, prefix: str = "deal") -> list[Deal]:
    rng = random.Random(seed)
    pairs = [(b, s) for b, s in itertools.permutations(_STATES, 2)]
    rng.shuffle(pairs)
    out: list[Deal] = []
    for i in range(count):
        buyer, seller = pairs[i % len(pairs)]
        weapon, role = _WEAPONS[rng.randrange(len(_WEAPONS))]
        # a designator unique to this event: family + a number no other event uses
        model = f"{_FAMILIES[i % len(_FAMILIES)]}-{100 + i}"
        values = {
            "buyer": buyer,
            "seller": seller,
            "weapon": weapon,
            "role": role,
            "model": model,
            "n": rng.randrange(4, 400),
            "money": rng.randrange(50, 9000),
            "day": _DAYS[rng.randrange(7)],
            "year": rng.randrange(2026, 2032),
            "capital_of_buyer": buyer.removeprefix("the "),
        }
        title = rng.choice(_HEADLINES).format(**values)
        title = title[0].upper() + title[1:]
        summary = rng.choice(_LEADS).format(**values)
        out.append(Deal(f"{prefix}-{i:05d}", title, summary))
    return out


def deal_item(deal: Deal, now: float | None = None) -> Item:
    return Item(
        deal.title,
        f"https://wire.example.org/defence/{deal.token}",
        deal.summary,
        time.time() if now is None else now,
    )


_QUIET = [
    "Central bank holds rates steady as inflation eases",
    "City council approves new tram line",
    "Heatwave expected to last until the weekend",
    "Football club names new head coach",
    "Museum reopens after two-year renovation",
    "Farmers report record wheat harvest",
    "Tech company unveils new smartphone lineup",
    "Marathon draws thousands of runners",
]


def quiet_item(n: int, k: int = 0) -> Item:
    """An off-topic item (never alerts), unique per feed n and index k."""
    title = f"{_QUIET[(n + k) % len(_QUIET)]} in district {n}-{k}"
    return Item(
        title,
        f"https://city.example.org/local/{n}/{k}",
        f"Local news report number {k} for district {n}.",
        time.time() - 3600,
    )


def preflight(cfg: Path, candidates: list[Deal], workdir: Path, want: int) -> list[Deal]:
    """The first `want` candidates that `monitor replay` alerts on, each its own story."""
    path = workdir / "candidates.jsonl"
    now = datetime.now(UTC)
    with path.open("w", encoding="utf-8") as f:
        for i, d in enumerate(candidates):
            f.write(
                json.dumps(
                    {
                        "id": d.token,
                        "title": d.title,
                        "summary": d.summary,
                        "language": "en",
                        "url": f"https://wire.example.org/defence/{d.token}",
                        "source": "Loopback wire",
                        "published": (now + timedelta(seconds=i)).isoformat(),
                    }
                )
                + "\n"
            )
    out = subprocess.run(
        [PYTHON, "-m", "monitor", "--config", str(cfg), "replay", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    alerting = {
        r["id"] for r in rows if any(m["alert"] for m in r["matches"]) and r["story"] == r["id"]
    }
    chosen = [d for d in candidates if d.token in alerting][:want]
    print(
        f"  preflight (monitor replay): {len(alerting)} of {len(candidates)} candidates alert, "
        f"each its own story; using {len(chosen)}"
    )
    return chosen


# ---------------------------------------------------------------------------
# The daemon as a subprocess
# ---------------------------------------------------------------------------


def write_config(
    path: Path,
    *,
    state_dir: Path,
    feed_urls: list[str],
    channel_url: str,
    interval: float,
    classifier: bool = False,
    rate_limit: str = "1000/min",
    group_wait: float = 0.0,
    tick: float = 1.0,
    delivery_tick: float = 1.0,
    per_host: int = 2,
    concurrency: int = 50,
    log_level: str = "info",
    ops_channels: tuple[str, ...] = (),
    extra_channels: dict[str, str] | None = None,
) -> Path:
    """A config polling `feed_urls` every `interval` s (pinned: min = max = interval),
    routing every topic to one channel named `out` (and to each of `extra_channels`)."""
    feeds = "".join(f'[[feeds]]\nurl = "{u}"\ninterval = {interval}\n\n' for u in feed_urls)
    extra = extra_channels or {}
    more = "".join(f'[channels.{name}]\nurl = "{url}"\ngroup_wait = {group_wait}\nrate_limit = "{rate_limit}"\n\n'
                   for name, url in extra.items())
    routed = ["out", *extra]
    path.write_text(
        f"""
[monitor]
state_dir = "{state_dir}"
rules_dir = "{ROOT / "rules"}"
log_level = "{log_level}"

[polling]
tick_seconds = {tick}
default_interval = {interval}
min_interval = {interval}
max_interval = {interval}
concurrency = {concurrency}
per_host = {per_host}
timeout = 10
full_text_min_chars = 0

[delivery]
tick_seconds = {delivery_tick}
ops_channels = {list(ops_channels)!r}

[classifier]
enabled = {str(classifier).lower()}
training_dir = "{ROOT / "seeds" / "training"}"

{feeds}
[channels.out]
url = "{channel_url}"
group_wait = {group_wait}
rate_limit = "{rate_limit}"

{more}
[[routes]]
topic = "*"
channels = {json.dumps(routed)}
""",
        encoding="utf-8",
    )
    return path


def start_daemon(cfg: Path, workdir: Path) -> subprocess.Popen[bytes]:
    """`python -m monitor --config CFG run`; stdout -> workdir/stdout.txt, stderr -> daemon.log."""
    env = {**os.environ, "MONITOR_STATE_DIR": str(workdir / "state"), "PYTHONUNBUFFERED": "1"}
    env.pop("MONITOR_CONFIG", None)
    env.pop("NOTIFY_SOCKET", None)
    with open(workdir / "stdout.txt", "ab") as out, open(workdir / "daemon.log", "ab") as err:
        return subprocess.Popen(
            [PYTHON, "-m", "monitor", "--config", str(cfg), "run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )


def stop_daemon(proc: subprocess.Popen[bytes], timeout: float = 60) -> int | None:
    """SIGTERM, then SIGKILL if it does not exit in time; the exit code (None if killed)."""
    if proc.poll() is not None:
        return proc.returncode
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)
        return None


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def log_has(workdir: Path, text: str) -> bool:
    path = workdir / "daemon.log"
    return path.exists() and text in path.read_text(encoding="utf-8", errors="replace")


# ---------------------------------------------------------------------------
# /proc readings
# ---------------------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


class ProcTree:
    """The daemon process and its descendants (the spawn-based parse workers)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def pids(self) -> list[int]:
        out, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            out.append(p)
            todo.extend(_children(p))
        return out

    @staticmethod
    def rss_kb(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    @staticmethod
    def fds(pid: int) -> int:
        try:
            return len(os.listdir(f"/proc/{pid}/fd"))
        except OSError:
            return 0

    @staticmethod
    def cpu_seconds(pid: int) -> float:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return 0.0
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime

    def sample(self) -> dict[str, float]:
        pids = self.pids()
        return {
            "rss_main_kb": self.rss_kb(self.pid),
            "rss_total_kb": sum(self.rss_kb(p) for p in pids),
            "fds_main": self.fds(self.pid),
            "fds_total": sum(self.fds(p) for p in pids),
            "cpu_main_s": self.cpu_seconds(self.pid),
            "cpu_total_s": sum(self.cpu_seconds(p) for p in pids),
            "processes": len(pids),
        }


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def chunks(seq: list[Deal], size: int) -> Iterator[list[Deal]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]
