"""A tiny HTTP/1.1 server on loopback: GET/HEAD /healthz (JSON) and /metrics (Prometheus).

It runs on the daemon's event loop, so the callables it is given may use the daemon's
single SQLite connection. One request per connection, bounded in size and time; only
loopback addresses are accepted, since it has no authentication. The /metrics body is
`prometheus_client.generate_latest` of the registry it is given (`metrics_registry`: the
daemon's own families plus the process metrics).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import math
from collections.abc import Callable, Iterator
from http import HTTPStatus

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from monitor.ops.metrics import Family, MetricsSnapshot, families, is_healthy

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


def prometheus_family(family: Family) -> Metric:
    if family.kind == "histogram":
        buckets = [("+Inf" if math.isinf(le) else repr(le), n) for le, n in family.buckets]
        return HistogramMetricFamily(family.name, family.help, buckets=buckets, sum_value=family.sum_value)
    kind = CounterMetricFamily if family.kind == "counter" else GaugeMetricFamily
    metric = kind(family.name, family.help, labels=family.labels)
    for values, value in family.samples:
        metric.add_metric(values, value)
    return metric


class SnapshotCollector(Collector):
    """The `media_monitor_` families of a fresh snapshot at each scrape (see `metrics.families`)."""

    def __init__(self, snapshot: Callable[[], MetricsSnapshot]) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        return map(prometheus_family, families(self.snapshot()))


def metrics_registry(snapshot: Callable[[], MetricsSnapshot]) -> CollectorRegistry:
    """A registry of the daemon's own (not prometheus_client's global one): its figures, process metrics."""
    registry = CollectorRegistry(auto_describe=False)
    ProcessCollector(registry=registry)
    registry.register(SnapshotCollector(snapshot))
    return registry


class HealthServer:
    def __init__(
        self,
        host: str,
        port: int,
        get_health: Callable[[], dict],
        registry: Collector,
        *,
        max_request_bytes: int = MAX_REQUEST_BYTES,
        read_timeout: float = READ_TIMEOUT_SECONDS,
    ) -> None:
        self.host = loopback_host(host)
        self.port = port  # 0 picks a free port; the real one is set by start()
        self.get_health = get_health
        self.registry = registry
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
            method, (status, ctype, body) = await self._respond(reader)
            head = (
                f"HTTP/1.1 {status.value} {status.phrase}\r\n"
                f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                "Cache-Control: no-store\r\nConnection: close\r\n"
            )
            if status is HTTPStatus.METHOD_NOT_ALLOWED:
                head += "Allow: GET, HEAD\r\n"
            # HEAD: the headers GET would send, no body
            writer.write(head.encode("ascii") + b"\r\n" + (b"" if method == "HEAD" else body))
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away; nothing to answer
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _respond(self, reader: asyncio.StreamReader) -> tuple[str, tuple[HTTPStatus, str, bytes]]:
        """(method, answer); the method is "" when no request line could be read."""
        try:
            async with asyncio.timeout(self.read_timeout):
                raw = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.LimitOverrunError, ValueError):
            return "", _text(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request too large\n")
        except TimeoutError:
            return "", _text(HTTPStatus.REQUEST_TIMEOUT, "request timeout\n")
        except asyncio.IncompleteReadError:
            return "", _text(HTTPStatus.BAD_REQUEST, "incomplete request\n")
        request_line = raw.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            return "", _text(HTTPStatus.BAD_REQUEST, "bad request line\n")
        method, target, _ = parts
        if method not in ("GET", "HEAD"):
            return method, _text(HTTPStatus.METHOD_NOT_ALLOWED, "only GET and HEAD\n")
        return method, self._route(target.split("?", 1)[0])

    def _route(self, path: str) -> tuple[HTTPStatus, str, bytes]:
        try:
            if path == "/healthz":
                report = self.get_health()
                code = HTTPStatus.OK if is_healthy(report) else HTTPStatus.SERVICE_UNAVAILABLE
                body = json.dumps(report, default=str, sort_keys=True).encode("utf-8") + b"\n"
                return code, "application/json", body
            if path == "/metrics":
                return HTTPStatus.OK, CONTENT_TYPE_LATEST, generate_latest(self.registry)
        except Exception:
            # a broken metrics query must not take the daemon down, but it is a bug: say so loudly
            log.exception("health endpoint: %s failed", path)
            return _text(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error, see the daemon log\n")
        return _text(HTTPStatus.NOT_FOUND, "not found: try /healthz or /metrics\n")


def _text(status: HTTPStatus, message: str) -> tuple[HTTPStatus, str, bytes]:
    return status, "text/plain; charset=utf-8", message.encode("utf-8")
