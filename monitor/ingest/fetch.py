"""Fetch feeds and pages over HTTP (httpx) or from local files, within hard limits.

Per-feed problems never raise: `Fetcher.fetch` returns a `FetchResult` whose `error`
names the feed. Limits enforced on every fetch:

- one total deadline (`asyncio.timeout`) on top of httpx's per-read timeouts, so a
  server dripping a byte at a time cannot hold a slot past `total_timeout`;
- a body cap counted on *decoded* bytes (we decompress ourselves with a bounded
  zlib window, so a gzip bomb stops at the cap, not in memory);
- a redirect cap with loop detection, redirects followed by hand so permanent ones
  (301/308) can be reported for the stored feed URL;
- a global and a per-host (host:port) concurrency limit.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any, Self
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from monitor import __version__
from monitor.errors import FetchError

DEFAULT_USER_AGENT = f"media-monitor/{__version__} (+https://example.invalid/media-monitor)"
_PERMANENT = frozenset({301, 308})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_SHARDS = 8


@dataclass(frozen=True)
class FetchLimits:
    """Limits for every fetch; validated on construction."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    concurrency: int = 50
    per_host: int = 4
    user_agent: str = DEFAULT_USER_AGENT

    def __post_init__(self) -> None:
        problems = []
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if not getattr(self, name) > 0:
                problems.append(f"{name} must be > 0")
        if self.total_timeout < max(self.connect_timeout, 0):
            problems.append("total_timeout must be >= connect_timeout")
        if self.max_bytes < 1:
            problems.append("max_bytes must be >= 1")
        if self.max_redirects < 0:
            problems.append("max_redirects must be >= 0")
        if self.concurrency < 1 or self.per_host < 1:
            problems.append("concurrency and per_host must be >= 1")
        if not self.user_agent.strip():
            problems.append("user_agent must not be empty")
        if problems:
            raise ValueError("invalid FetchLimits: " + "; ".join(problems))


@dataclass(frozen=True)
class FeedRequest:
    url: str  # http(s) URL, file:// URL or local path
    etag: str | None = None
    last_modified: str | None = None
    force_unconditional: bool = False  # ignore validators (servers whose validators lie)

    @classmethod
    def for_state(cls, state: Any, force_unconditional: bool = False) -> FeedRequest:
        """Build the request for a `monitor.ingest.schedule.FeedState` (duck-typed)."""
        return cls(state.url, state.etag, state.last_modified, force_unconditional)


@dataclass(frozen=True)
class FetchResult:
    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int | None  # HTTP status of the final response (200 for local files)
    body: bytes | None  # None on 304 and on errors
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    etag: str | None = None
    last_modified: str | None = None
    permanent_redirect_to: str | None = None  # new URL to store (301/308 chain)
    not_modified: bool = False
    error: str | None = None  # clear message naming the feed; None on success
    retry_after: float | None = None  # seconds, from Retry-After
    max_age: float | None = None  # seconds, from Cache-Control max-age
    elapsed: float = 0.0
    body_unchanged: bool = False  # sha256(body) equals the previous hash
    body_hash: str | None = None  # sha256 hex of body

    @property
    def ok(self) -> bool:
        return self.error is None

    def raise_for_error(self) -> None:
        if self.error is not None:
            raise FetchError(self.url, self.error.removeprefix(f"{self.url}: "),
                             retry_after=self.retry_after)


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class _TooLarge(Exception):
    pass


class _Decoder:
    """Incremental Content-Encoding decoder that never produces more than `room` bytes."""

    def __init__(self, encoding: str) -> None:
        self._kind = encoding.strip().lower()
        if self._kind not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise ValueError(f"unsupported Content-Encoding {encoding!r}")
        self._z: Any = None
        if self._kind in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, data: bytes, room: int) -> bytes:
        """Decode `data`; raise _TooLarge if the output would exceed `room` bytes."""
        if self._kind in ("", "identity"):
            if len(data) > room:
                raise _TooLarge
            return data
        if self._z is None:  # deflate: zlib-wrapped per the RFC, raw from some servers
            zlib_header = len(data) >= 2 and data[0] & 0x0F == 8 and (
                (data[0] << 8) | data[1]) % 31 == 0
            self._z = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
        out = self._z.decompress(data, room + 1)
        if len(out) > room or self._z.unconsumed_tail:
            raise _TooLarge
        return out

    def flush(self, room: int) -> bytes:
        if self._z is None:
            return b""
        out = self._z.flush()
        if len(out) > room:
            raise _TooLarge
        return out


def _lower_headers(headers: httpx.Headers) -> dict[str, str]:
    merged: dict[str, str] = {}
    for key, value in headers.multi_items():
        k = key.lower()
        merged[k] = f"{merged[k]}, {value}" if k in merged else value
    return merged


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def parse_max_age(value: str | None) -> float | None:
    if not value:
        return None
    for part in value.split(","):
        name, _, arg = part.strip().partition("=")
        if name.lower() in ("max-age", "s-maxage") and arg.strip().strip('"').isdigit():
            return float(arg.strip().strip('"'))
    return None


def _is_local(url: str) -> bool:
    scheme = urlsplit(url).scheme.lower()
    return scheme == "file" or (scheme not in ("http", "https") and len(scheme) <= 1)


def _local_path(url: str) -> Path:
    if url.lower().startswith("file:"):
        parts = urlsplit(url)
        return Path(unquote(parts.path))
    return Path(url).expanduser()


class Fetcher:
    """Async fetcher. Use as `async with Fetcher(limits) as f: await f.fetch(request)`."""

    def __init__(self, limits: FetchLimits | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.limits = limits or FetchLimits()
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._clients: list[httpx.AsyncClient] = []
        self._global: asyncio.Semaphore | None = None
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._host_users: dict[str, int] = {}

    async def __aenter__(self) -> Self:
        lim = self.limits
        # Several small connection pools instead of one big one: httpcore scans its whole
        # pool on every request event, which costs O(concurrency^2) at high concurrency.
        shards = max(1, min(_SHARDS, lim.concurrency // 8))
        self._clients = [httpx.AsyncClient(
            timeout=httpx.Timeout(lim.read_timeout, connect=lim.connect_timeout,
                                  pool=lim.total_timeout),
            limits=httpx.Limits(max_connections=lim.concurrency,
                                max_keepalive_connections=max(4, lim.concurrency // shards)),
            follow_redirects=False,
            headers={"user-agent": lim.user_agent, "accept-encoding": "gzip, deflate",
                     "accept": "application/rss+xml, application/atom+xml, "
                               "application/feed+json, application/xml;q=0.9, "
                               "text/xml;q=0.9, */*;q=0.5"},
            transport=self._transport,
            trust_env=False,
        ) for _ in range(shards)]
        self._client = self._clients[0]
        self._global = asyncio.Semaphore(lim.concurrency)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in self._clients:
            await client.aclose()
        self._clients = []
        self._client = None

    def _client_for(self, url: str) -> httpx.AsyncClient:
        host = urlsplit(url).netloc.lower()
        return self._clients[zlib.crc32(host.encode()) % len(self._clients)]

    async def fetch(self, request: FeedRequest | str,
                    previous_body_hash: str | None = None) -> FetchResult:
        """Fetch one feed or page. Never raises for per-feed problems."""
        if isinstance(request, str):
            request = FeedRequest(request)
        started = time.monotonic()
        url = request.url
        try:
            if _is_local(url):
                result = await self._fetch_local(request)
            else:
                if self._client is None or self._global is None:
                    raise RuntimeError("Fetcher used outside 'async with'")
                result = await self._fetch_http(request)
        except TimeoutError:
            result = self._failed(url, url, None,
                                  f"timed out after {self.limits.total_timeout:g} s in total")
        except _TooLarge:
            result = self._failed(url, url, None,
                                  f"body larger than the {self.limits.max_bytes} byte limit")
        except FetchError as exc:
            result = self._failed(url, getattr(exc, "final_url", url),
                                  getattr(exc, "status", None), str(exc).removeprefix(f"{url}: "),
                                  retry_after=exc.retry_after)
        except httpx.HTTPError as exc:
            result = self._failed(url, url, None, _describe_http_error(exc))
        except OSError as exc:
            result = self._failed(url, url, None, f"{type(exc).__name__}: {exc.strerror or exc}")
        result = _finish(result, time.monotonic() - started, previous_body_hash)
        return result

    def _failed(self, url: str, final_url: str, status: int | None, message: str,
                retry_after: float | None = None) -> FetchResult:
        return FetchResult(url=url, final_url=final_url, status=status, body=None,
                           error=str(FetchError(url, message)), retry_after=retry_after)

    async def _fetch_local(self, request: FeedRequest) -> FetchResult:
        path = _local_path(request.url)

        def read() -> tuple[bytes, str]:
            st = path.stat()
            validator = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
            if (request.etag == validator and not request.force_unconditional):
                return b"", validator
            with path.open("rb") as fh:
                data = fh.read(self.limits.max_bytes + 1)
            if len(data) > self.limits.max_bytes:
                raise _TooLarge
            return data, validator

        try:
            async with asyncio.timeout(self.limits.total_timeout):
                data, validator = await asyncio.to_thread(read)
        except FileNotFoundError:
            raise FetchError(request.url, f"no such file: {path}") from None
        except IsADirectoryError:
            raise FetchError(request.url, f"is a directory, not a feed file: {path}") from None
        mtime = datetime.fromtimestamp(os.stat(path).st_mtime, UTC)
        last_modified = format_datetime(mtime, usegmt=True)
        if request.etag == validator and not request.force_unconditional:
            return FetchResult(url=request.url, final_url=request.url, status=304, body=None,
                               etag=validator, last_modified=last_modified, not_modified=True)
        return FetchResult(url=request.url, final_url=request.url, status=200, body=data,
                           etag=validator, last_modified=last_modified)

    async def _host_slot(self, url: str) -> tuple[str, asyncio.Semaphore]:
        key = urlsplit(url).netloc.lower()
        sem = self._hosts.get(key)
        if sem is None:
            sem = self._hosts[key] = asyncio.Semaphore(self.limits.per_host)
        self._host_users[key] = self._host_users.get(key, 0) + 1
        return key, sem

    def _host_release(self, key: str) -> None:
        # Forget idle hosts so 100k distinct hosts do not pile up semaphores.
        self._host_users[key] -= 1
        if self._host_users[key] == 0:
            del self._host_users[key]
            self._hosts.pop(key, None)

    async def _fetch_http(self, request: FeedRequest) -> FetchResult:
        assert self._client is not None and self._global is not None
        lim = self.limits
        url = request.url
        current = url
        seen = {url}
        permanent_to: str | None = None
        all_permanent = True
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        headers: dict[str, str] = {}
        if not request.force_unconditional:
            if request.etag:
                headers["if-none-match"] = request.etag
            if request.last_modified:
                headers["if-modified-since"] = request.last_modified
        for _hop in range(lim.max_redirects + 1):
            key, sem = await self._host_slot(current)
            try:
                # Host slot first, then a global one: a feed queued behind a slow host
                # must not sit on a global slot that other hosts could use.
                async with sem, self._global:
                    if deadline is None:
                        deadline = loop.time() + lim.total_timeout
                    async with asyncio.timeout_at(deadline):
                        outcome = await self._one_request(current, headers)
            finally:
                self._host_release(key)
            status, resp_headers, body = outcome
            if status in _REDIRECTS and "location" in resp_headers:
                target = urljoin(current, resp_headers["location"].strip())
                if urlsplit(target).scheme not in ("http", "https"):
                    raise _error(url, current, status,
                                 f"redirect to unsupported URL {target!r}")
                if status in _PERMANENT and all_permanent:
                    permanent_to = target
                else:
                    all_permanent = False
                if target in seen:
                    raise _error(url, current, status,
                                 f"redirect loop ({len(seen)} URLs, back to {target})")
                seen.add(target)
                current = target
                continue
            return self._result(request, current, status, resp_headers, body, permanent_to)
        raise _error(url, current, None, f"too many redirects (more than {lim.max_redirects})")

    async def _one_request(self, url: str, headers: dict[str, str]
                           ) -> tuple[int, dict[str, str], bytes | None]:
        async with self._client_for(url).stream("GET", url, headers=headers) as response:
            resp_headers = _lower_headers(response.headers)
            status = response.status_code
            if status != 200:
                await _drain(response)  # read the (small) rest so the connection is reused
                return status, resp_headers, None
            body = await _read_capped(response.aiter_raw(_CHUNK),
                                      resp_headers.get("content-encoding", ""),
                                      self.limits.max_bytes, url)
            return status, resp_headers, body

    def _result(self, request: FeedRequest, final_url: str, status: int,
                headers: dict[str, str], body: bytes | None,
                permanent_to: str | None) -> FetchResult:
        now = datetime.now(UTC)
        if "date" in headers:  # server clock for HTTP-date Retry-After
            try:
                now = parsedate_to_datetime(headers["date"])
            except (TypeError, ValueError, IndexError):
                pass
        retry_after = parse_retry_after(headers.get("retry-after"), now)
        base = FetchResult(
            url=request.url, final_url=final_url, status=status, body=None, headers=headers,
            etag=headers.get("etag"), last_modified=headers.get("last-modified"),
            permanent_redirect_to=permanent_to, retry_after=retry_after,
            max_age=parse_max_age(headers.get("cache-control")))
        if status == 304:
            return replace(base, not_modified=True)
        if status == 200 and body is not None:
            return replace(base, body=body)
        reason = _reason(status)
        hint = f", retry after {retry_after:g} s" if retry_after is not None else ""
        message = f"HTTP {status} {reason}{hint}" if reason else f"HTTP {status}{hint}"
        return replace(base, error=str(FetchError(request.url, message)))


def _reason(status: int) -> str:
    try:
        from http import HTTPStatus

        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _error(url: str, final_url: str, status: int | None, message: str) -> FetchError:
    exc = FetchError(url, message)
    exc.final_url = final_url  # type: ignore[attr-defined]
    exc.status = status  # type: ignore[attr-defined]
    return exc


async def _read_capped(chunks: AsyncIterator[bytes], content_encoding: str, max_bytes: int,
                       url: str) -> bytes:
    try:
        decoder = _Decoder(content_encoding.split(",")[-1])
    except ValueError as exc:
        raise FetchError(url, str(exc)) from None
    parts: list[bytes] = []
    size = 0
    try:
        async for raw in chunks:
            out = decoder.feed(raw, max_bytes - size)
            size += len(out)
            parts.append(out)
        tail = decoder.flush(max_bytes - size)
    except zlib.error as exc:
        raise FetchError(url, f"corrupt {content_encoding} body: {exc}") from None
    parts.append(tail)
    return b"".join(parts)


async def _drain(response: httpx.Response, limit: int = 64 * 1024) -> None:
    seen = 0
    async for raw in response.aiter_raw(_CHUNK):
        seen += len(raw)
        if seen > limit:  # a large error page: not worth reading, drop the connection
            return


def _describe_http_error(exc: httpx.HTTPError) -> str:
    url = str(exc.request.url) if getattr(exc, "_request", None) is not None else ""
    kind = {
        httpx.ConnectTimeout: "connect timeout",
        httpx.ReadTimeout: "read timeout",
        httpx.PoolTimeout: "timed out waiting for a connection",
        httpx.ConnectError: "connection failed",
        httpx.RemoteProtocolError: "server broke the HTTP protocol",
        httpx.ReadError: "read error",
    }.get(type(exc), type(exc).__name__)
    detail = str(exc) or ""
    where = f" ({url})" if url else ""
    return f"{kind}{where}: {detail}" if detail else f"{kind}{where}"


def _finish(result: FetchResult, elapsed: float, previous_hash: str | None) -> FetchResult:
    digest = body_hash(result.body) if result.body is not None else None
    return replace(result, elapsed=elapsed, body_hash=digest,
                   body_unchanged=digest is not None and digest == previous_hash)
