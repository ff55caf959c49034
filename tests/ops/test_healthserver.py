"""The loopback health server: a real server on 127.0.0.1, real HTTP clients."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import prometheus_client
import pytest
from promcheck import parse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from monitor.ops.healthserver import HealthServer, loopback_host, metrics_registry, parse_listen
from monitor.ops.metrics import DeadManPolicy, DeliveryLatency, MetricsSnapshot, ProcessCounters, health

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def serve(
    get_health: Callable[[], dict],
    registry: Collector,
    body: Callable[[HealthServer], Awaitable[Any]],
    host: str = "127.0.0.1",
    **kw: Any,
) -> Any:
    async def main() -> Any:
        server = HealthServer(host, 0, get_health, registry, **kw)
        await server.start()
        try:
            return await body(server)
        finally:
            await server.stop()

    return asyncio.run(main())


async def get(server: HealthServer, path: str, method: str = "GET") -> httpx.Response:
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{server.port}", trust_env=False
    ) as client:
        return await client.request(method, path)


async def raw(server: HealthServer, data: bytes, host: str = "127.0.0.1") -> bytes:
    reader, writer = await asyncio.open_connection(host, server.port)
    writer.write(data)
    writer.write_eof()  # a request cut short ends here
    await writer.drain()
    reply = await reader.read()  # the server closes the connection after one answer
    writer.close()
    await writer.wait_closed()
    return reply


def fresh() -> dict:
    return health(
        ProcessCounters(polls_total=3, last_cycle=NOW - timedelta(seconds=2)), NOW, DeadManPolicy()
    )


def stale() -> dict:
    return health(ProcessCounters(last_cycle=NOW - timedelta(hours=1)), NOW, DeadManPolicy())


class Polls(Collector):
    """One counter; raises on the first `failures` scrapes."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures

    def collect(self) -> Any:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("query failed")
        yield CounterMetricFamily("media_monitor_polls", "Feed polls.", value=3)


def metrics(failures: int = 0) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(Polls(failures))
    return registry


def snapshot() -> MetricsSnapshot:
    return MetricsSnapshot(
        polls_total=3, poll_errors_total=1, articles_total=9, articles_stored=9, articles_24h=2,
        topics=(), alerts_by_state={}, latency=DeliveryLatency(), queue_depth=0, feeds_ok=1,
        feeds_failing=0, scheduler_misfires_total=0, last_cycle_age_seconds=1.0,
    )


def test_healthz_ok_when_cycles_are_recent() -> None:
    async def body(server: HealthServer) -> None:
        assert server.port != 0
        r = await get(server, "/healthz")
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
        assert r.headers["connection"] == "close"
        data = r.json()
        assert data["status"] == "ok" and data["polls_total"] == 3

    serve(fresh, metrics(), body)


def test_healthz_503_when_the_last_cycle_is_old() -> None:
    async def body(server: HealthServer) -> None:
        r = await get(server, "/healthz?verbose=1")
        assert r.status_code == 503
        assert r.json()["status"] == "stale"

    serve(stale, metrics(), body)


def test_metrics_is_prometheus_client_exposition() -> None:
    registry = metrics()

    async def body(server: HealthServer) -> None:
        r = await get(server, "/metrics")
        assert r.status_code == 200
        assert r.headers["content-type"] == CONTENT_TYPE_LATEST
        assert r.content == generate_latest(registry)
        assert int(r.headers["content-length"]) == len(r.content)
        assert parse(r.text).value("media_monitor_polls_total") == 3

    serve(fresh, registry, body)


def test_head_answers_like_get_without_a_body() -> None:
    async def body(server: HealthServer) -> tuple[bytes, bytes, bytes]:
        return (
            await raw(server, b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
            await raw(server, b"HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n"),
            await raw(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
        )

    healthz, metrics_head, healthz_get = serve(fresh, metrics(), body)
    head, sep, rest = healthz.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ") and sep and rest == b""
    assert b"Content-Type: application/json" in head
    assert healthz_get.partition(b"\r\n\r\n")[0] == head  # the headers GET sends, Content-Length too
    head, sep, rest = metrics_head.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ") and sep and rest == b""
    assert f"Content-Type: {CONTENT_TYPE_LATEST}".encode() in head


def test_head_of_a_stale_daemon_is_503_and_httpx_agrees() -> None:
    async def body(server: HealthServer) -> tuple[httpx.Response, httpx.Response]:
        return await get(server, "/healthz", "HEAD"), await get(server, "/metrics", "HEAD")

    healthz, metrics_head = serve(stale, metrics(), body)
    assert (healthz.status_code, healthz.content) == (503, b"")
    assert (metrics_head.status_code, metrics_head.content) == (200, b"")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"])
def test_only_get_and_head_are_allowed(method: str) -> None:
    async def body(server: HealthServer) -> None:
        r = await get(server, "/healthz", method)
        assert r.status_code == 405
        assert r.headers["allow"] == "GET, HEAD"

    serve(fresh, metrics(), body)


def test_the_daemon_registry_has_its_families_and_the_process_metrics() -> None:
    async def body(server: HealthServer) -> str:
        return (await get(server, "/metrics")).text

    out = parse(serve(fresh, metrics_registry(snapshot), body))
    assert out.value("media_monitor_articles_total") == 9
    assert out["media_monitor_delivery_latency_seconds"][0] == "histogram"
    assert out["process_cpu_seconds"][0] == "counter"
    assert out.value("process_resident_memory_bytes") > 0
    assert out.value("process_open_fds") > 0
    # a registry of its own: nothing was added to prometheus_client's global one
    assert prometheus_client.REGISTRY.get_sample_value("media_monitor_articles_total") is None


def test_unknown_path_is_404_and_bad_request_line_is_400() -> None:
    async def body(server: HealthServer) -> tuple[httpx.Response, bytes, bytes]:
        return (
            await get(server, "/admin"),
            await raw(server, b"HELLO\r\n\r\n"),
            await raw(server, b"GET /x"),
        )

    r, bad, incomplete = serve(fresh, metrics(), body)
    assert r.status_code == 404
    assert bad.startswith(b"HTTP/1.1 400 ")
    assert incomplete.startswith(b"HTTP/1.1 400 ")


def test_oversized_request_is_refused() -> None:
    async def body(server: HealthServer) -> bytes:
        huge = b"GET /healthz HTTP/1.1\r\nX-Filler: " + b"a" * 5000 + b"\r\n\r\n"
        return await raw(server, huge)

    reply = serve(fresh, metrics(), body, max_request_bytes=1024)
    assert reply.startswith(b"HTTP/1.1 431 ")


def test_a_failing_collector_is_a_500_and_the_server_keeps_serving() -> None:
    flaky_metrics = metrics(failures=1)

    async def body(server: HealthServer) -> tuple[int, int]:
        first = await get(server, "/metrics")
        second = await get(server, "/metrics")
        return first.status_code, second.status_code

    assert serve(fresh, flaky_metrics, body) == (500, 200)


def test_slow_client_times_out_without_blocking_others() -> None:
    async def body(server: HealthServer) -> tuple[bytes, int]:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET /healthz HTTP/1.1\r\n")  # never finishes its headers
        await writer.drain()
        other = await get(server, "/healthz")  # served meanwhile
        reply = await reader.read()
        writer.close()
        await writer.wait_closed()
        return reply, other.status_code

    reply, other = serve(fresh, metrics(), body, read_timeout=0.2)
    assert other == 200
    assert reply.startswith(b"HTTP/1.1 408 ")


def test_stop_closes_the_listening_socket() -> None:
    async def main() -> int:
        server = HealthServer("127.0.0.1", 0, fresh, metrics())
        await server.start()
        port = server.port
        await server.stop()
        return port

    port = asyncio.run(main())
    with socket.socket() as s, pytest.raises(ConnectionRefusedError):
        s.connect(("127.0.0.1", port))


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "example.com", ""])
def test_non_loopback_addresses_are_refused(host: str) -> None:
    with pytest.raises(ValueError, match="health endpoint"):
        HealthServer(host, 0, fresh, metrics())


def test_ipv6_loopback() -> None:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")

    async def body(server: HealthServer) -> bytes:
        return await raw(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", host="::1")

    reply = serve(fresh, metrics(), body, host="::1")
    head, _, payload = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    assert json.loads(payload)["status"] == "ok"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", None),
        ("  ", None),
        ("127.0.0.1:9464", ("127.0.0.1", 9464)),
        ("[::1]:9464", ("::1", 9464)),
        ("localhost:0", ("127.0.0.1", 0)),
        ("127.0.0.2:80", ("127.0.0.2", 80)),
    ],
)
def test_parse_listen(value: str, expected: tuple[str, int] | None) -> None:
    assert parse_listen(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "9464",
        "127.0.0.1",
        "127.0.0.1:x",
        "0.0.0.0:9464",
        "[::]:9464",
        "127.0.0.1:70000",
        "host.example:9464",
    ],
)
def test_parse_listen_rejects(value: str) -> None:
    with pytest.raises(ValueError):
        parse_listen(value)


def test_loopback_host_normalises() -> None:
    assert loopback_host("localhost") == "127.0.0.1"
    assert loopback_host("[::1]") == "::1"
