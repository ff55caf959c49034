"""The loopback health server: a real server on 127.0.0.1, real HTTP clients."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from monitor.ops.healthserver import HealthServer, loopback_host, parse_listen
from monitor.ops.metrics import CONTENT_TYPE, DeadManPolicy, ProcessCounters, health

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def serve(
    get_health: Callable[[], dict],
    get_metrics: Callable[[], str],
    body: Callable[[HealthServer], Awaitable[Any]],
    host: str = "127.0.0.1",
    **kw: Any,
) -> Any:
    async def main() -> Any:
        server = HealthServer(host, 0, get_health, get_metrics, **kw)
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


def metrics_text() -> str:
    return "# TYPE media_monitor_polls_total counter\nmedia_monitor_polls_total 3\n"


def test_healthz_ok_when_cycles_are_recent() -> None:
    async def body(server: HealthServer) -> None:
        assert server.port != 0
        r = await get(server, "/healthz")
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
        assert r.headers["connection"] == "close"
        data = r.json()
        assert data["status"] == "ok" and data["polls_total"] == 3

    serve(fresh, metrics_text, body)


def test_healthz_503_when_the_last_cycle_is_old() -> None:
    async def body(server: HealthServer) -> None:
        r = await get(server, "/healthz?verbose=1")
        assert r.status_code == 503
        assert r.json()["status"] == "stale"

    serve(stale, metrics_text, body)


def test_metrics_served_as_prometheus_text() -> None:
    async def body(server: HealthServer) -> None:
        r = await get(server, "/metrics")
        assert r.status_code == 200
        assert r.headers["content-type"] == CONTENT_TYPE
        assert r.text == metrics_text()
        assert int(r.headers["content-length"]) == len(metrics_text().encode())

    serve(fresh, metrics_text, body)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "HEAD", "OPTIONS"])
def test_only_get_is_allowed(method: str) -> None:
    async def body(server: HealthServer) -> None:
        r = await get(server, "/healthz", method)
        assert r.status_code == 405
        assert r.headers["allow"] == "GET"

    serve(fresh, metrics_text, body)


def test_unknown_path_is_404_and_bad_request_line_is_400() -> None:
    async def body(server: HealthServer) -> tuple[httpx.Response, bytes, bytes]:
        return (
            await get(server, "/admin"),
            await raw(server, b"HELLO\r\n\r\n"),
            await raw(server, b"GET /x"),
        )

    r, bad, incomplete = serve(fresh, metrics_text, body)
    assert r.status_code == 404
    assert bad.startswith(b"HTTP/1.1 400 ")
    assert incomplete.startswith(b"HTTP/1.1 400 ")


def test_oversized_request_is_refused() -> None:
    async def body(server: HealthServer) -> bytes:
        huge = b"GET /healthz HTTP/1.1\r\nX-Filler: " + b"a" * 5000 + b"\r\n\r\n"
        return await raw(server, huge)

    reply = serve(fresh, metrics_text, body, max_request_bytes=1024)
    assert reply.startswith(b"HTTP/1.1 431 ")


def test_a_failing_callable_is_a_500_and_the_server_keeps_serving() -> None:
    calls = {"n": 0}

    def flaky_metrics() -> str:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("query failed")
        return metrics_text()

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

    reply, other = serve(fresh, metrics_text, body, read_timeout=0.2)
    assert other == 200
    assert reply.startswith(b"HTTP/1.1 408 ")


def test_stop_closes_the_listening_socket() -> None:
    async def main() -> int:
        server = HealthServer("127.0.0.1", 0, fresh, metrics_text)
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
        HealthServer(host, 0, fresh, metrics_text)


def test_ipv6_loopback() -> None:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")

    async def body(server: HealthServer) -> bytes:
        return await raw(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", host="::1")

    reply = serve(fresh, metrics_text, body, host="::1")
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
