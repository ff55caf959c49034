"""A tiny HTTP/1.1 server on loopback: GET /healthz (JSON) and GET /metrics (Prometheus).

It runs on the daemon's event loop, so the callables it is given may use the daemon's
single SQLite connection. One request per connection, bounded in size and time; only
loopback addresses are accepted, since it has no authentication.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
from collections.abc import Callable
from http import HTTPStatus

from monitor.ops.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from monitor.ops.metrics import is_healthy

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 8192  # request line + headers
READ_TIMEOUT_SECONDS = 5.0


def loopback_host(host: str) -> str:
    """The host if it is a loopback IP literal ("localhost" means 127.0.0.1); else ValueError."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        addr = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        raise ValueError(
            f"health endpoint: {host!r} is not an IP address; use 127.0.0.1 or ::1"
        ) from None
    if not addr.is_loopback:
        raise ValueError(
            f"health endpoint: refusing to listen on {host} (not loopback); use 127.0.0.1 or ::1"
        )
    return str(addr)


def parse_listen(value: str) -> tuple[str, int] | None:
    """`[health] listen`: "127.0.0.1:9464", "[::1]:9464", "localhost:9464"; "" means off."""
    value = value.strip()
    if not value:
        return None
    if value.startswith("["):
        host, sep, port = value[1:].partition("]:")
    else:
        host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"health endpoint: {value!r} is not HOST:PORT (e.g. 127.0.0.1:9464)")
    return loopback_host(host), int(port)


class HealthServer:
    def __init__(
        self,
        host: str,
        port: int,
        get_health: Callable[[], dict],
        get_metrics: Callable[[], str],
        *,
        max_request_bytes: int = MAX_REQUEST_BYTES,
        read_timeout: float = READ_TIMEOUT_SECONDS,
    ) -> None:
        self.host = loopback_host(host)
        self.port = port  # 0 picks a free port; the real one is set by start()
        self.get_health = get_health
        self.get_metrics = get_metrics
        self.max_request_bytes = max_request_bytes
        self.read_timeout = read_timeout
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._handle, self.host, self.port, limit=self.max_request_bytes
        )
        self.port = self._server.sockets[0].getsockname()[1]
        log.info(
            "health endpoint on http://%s:%d/healthz and /metrics",
            f"[{self.host}]" if ":" in self.host else self.host,
            self.port,
        )

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, ctype, body = await self._respond(reader)
            head = (
                f"HTTP/1.1 {status.value} {status.phrase}\r\n"
                f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                "Cache-Control: no-store\r\nConnection: close\r\n"
            )
            if status is HTTPStatus.METHOD_NOT_ALLOWED:
                head += "Allow: GET\r\n"
            writer.write(head.encode("ascii") + b"\r\n" + body)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away; nothing to answer
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _respond(self, reader: asyncio.StreamReader) -> tuple[HTTPStatus, str, bytes]:
        try:
            async with asyncio.timeout(self.read_timeout):
                raw = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.LimitOverrunError, ValueError):
            return _text(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request too large\n")
        except TimeoutError:
            return _text(HTTPStatus.REQUEST_TIMEOUT, "request timeout\n")
        except asyncio.IncompleteReadError:
            return _text(HTTPStatus.BAD_REQUEST, "incomplete request\n")
        request_line = raw.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            return _text(HTTPStatus.BAD_REQUEST, "bad request line\n")
        method, target, _ = parts
        if method != "GET":
            return _text(HTTPStatus.METHOD_NOT_ALLOWED, "only GET\n")
        path = target.split("?", 1)[0]
        try:
            if path == "/healthz":
                report = self.get_health()
                code = HTTPStatus.OK if is_healthy(report) else HTTPStatus.SERVICE_UNAVAILABLE
                body = json.dumps(report, default=str, sort_keys=True).encode("utf-8") + b"\n"
                return code, "application/json", body
            if path == "/metrics":
                return HTTPStatus.OK, METRICS_CONTENT_TYPE, self.get_metrics().encode("utf-8")
        except Exception:
            # a broken metrics query must not take the daemon down, but it is a bug: say so loudly
            log.exception("health endpoint: %s failed", path)
            return _text(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error, see the daemon log\n")
        return _text(HTTPStatus.NOT_FOUND, "not found: try /healthz or /metrics\n")


def _text(status: HTTPStatus, message: str) -> tuple[HTTPStatus, str, bytes]:
    return status, "text/plain; charset=utf-8", message.encode("utf-8")
