"""Real feed servers on 127.0.0.1 for polling tests: fixed answers, and a slow-drip feed.

Shared by the ingest, daemon and command tests (`from feedservers import ...`; tests/ is on sys.path).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EPOCH = 1_714_560_000.0  # 2024-05-01T10:40:00Z


def rss(items: list[tuple[str, str]] | int, *, title: str = "Loopback", hourly_from: float = EPOCH,
        ttl: int | None = None) -> bytes:
    """An RSS 2.0 body; `items` are (title, link) pairs, newest first, an hour apart (or a count)."""
    if isinstance(items, int):
        items = [(f"Item {n}", f"http://127.0.0.1/item/{n}") for n in range(items)]
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{formatdate(hourly_from - 3600 * n, usegmt=True)}</pubDate>"
        f"<description>{t}, the summary.</description></item>"
        for n, (t, link) in enumerate(items))
    ttl_tag = f"<ttl>{ttl}</ttl>" if ttl is not None else ""
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://127.0.0.1/</link>{ttl_tag}{entries}</channel></rss>").encode()


class Answer:
    """A fixed answer: status, body and headers."""

    def __init__(self, body: bytes, content_type: str | None = "application/rss+xml", status: int = 200,
                 headers: dict[str, str] | None = None) -> None:
        self.body, self.content_type, self.status, self.headers = body, content_type, status, headers or {}


class Drip:
    """Sends the head of a feed, then one byte a second until `release` is set, then the
    rest. `started` is set when the first byte is out, `finished` when the answer ended
    (completed or cut by the client)."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.release = threading.Event()
        self.started = threading.Event()
        self.finished = threading.Event()

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/rss+xml")
            handler.send_header("Content-Length", str(len(self.body)))
            handler.end_headers()
            sent = 0
            while sent < len(self.body) - 1 and not self.release.is_set():
                handler.wfile.write(self.body[sent:sent + 1])
                handler.wfile.flush()
                sent += 1
                self.started.set()
                self.release.wait(1.0)
            handler.wfile.write(self.body[sent:])
            handler.wfile.flush()
        except OSError:
            pass  # the client gave up (its total timeout)
        finally:
            self.finished.set()


class FeedHost:
    """A threaded HTTP server on 127.0.0.1 answering GET by path: an `Answer`, a `Drip`,
    or a callable taking the handler. Unknown paths get 404. `seen` lists requested paths."""

    def __init__(self) -> None:
        self.routes: dict[str, Answer | Drip | Callable[[BaseHTTPRequestHandler], None]] = {}
        self.seen: list[str] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                host.seen.append(self.path)
                route = host.routes.get(self.path)
                if isinstance(route, Drip):
                    route.serve(self)
                    return
                if callable(route) and not isinstance(route, Answer):
                    route(self)
                    return
                answer = route if isinstance(route, Answer) else Answer(b"not found", "text/plain", 404)
                self.send_response(answer.status)
                if answer.content_type is not None:
                    self.send_header("Content-Type", answer.content_type)
                for k, v in answer.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        for route in self.routes.values():
            if isinstance(route, Drip):
                route.release.set()
        self.server.shutdown()
        self.server.server_close()
