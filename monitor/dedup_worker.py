"""Dedup preparation on another core.

`prepare_many` (text signatures, identity keys, numbers and designators of an article) is
pure and needs nothing from the window, so a worker process can compute it for the next
articles while this process decides earlier ones, or while it scores the same ones. A
third to a half of the cost of an article through dedup moves off the deciding process
(docs/stories.md#cost); decisions are unchanged (the index still decides one article at a time, in order).

The worker is a convenience, never a dependency: when it cannot start, dies or is stuck
(no answer within `timeout`), its batch and every later one are prepared in this process,
with one error in the log.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime
from typing import TypeVar

import numpy as np

from monitor.dedup import DedupInput, Prepared, PrepareSettings, prepare_many
from monitor.shingle import TextSignature

log = logging.getLogger(__name__)

T = TypeVar("T")


class PrepareWorker:
    """One worker process running `prepare_many`; use as a context manager or `close()` it."""

    def __init__(self, settings: PrepareSettings, timeout: float = 60.0) -> None:
        self.settings = settings
        # A batch takes milliseconds; a worker silent this long is stuck (stopped, swapping)
        # and must not stall the daemon.
        self.timeout = timeout
        self._pool: ProcessPoolExecutor | None = None
        self._failed = False
        try:
            # spawn, not fork: the daemon has threads (scheduler, HTTP), and a forked child
            # would inherit their locks in whatever state they were.
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_ignore_interrupts
            )
        except (OSError, ValueError) as e:
            self._fail(e)

    @property
    def active(self) -> bool:
        """False once the worker failed: everything is then prepared in this process."""
        return self._pool is not None and not self._failed

    def submit(self, items: Sequence[DedupInput]) -> Future[_Packed] | None:
        """Start preparing `items` in the worker (None when it is not available)."""
        if not self.active or not items:
            return None
        try:
            rows = [(i.article_id, i.url, i.guid, i.title, i.text, i.source, i.published) for i in items]
            return self._pool.submit(_prepare_packed, rows, self.settings)  # type: ignore[union-attr]
        except Exception as e:  # BrokenProcessPool, RuntimeError after shutdown, pickling
            self._fail(e)
            return None

    def collect(self, future: Future[_Packed] | None, items: Sequence[DedupInput]) -> list[Prepared]:
        """The result of `submit(items)`, or `items` prepared here when the worker failed."""
        if future is not None:
            try:
                prepared = _unpack(future.result(timeout=self.timeout))
                if len(prepared) == len(items):
                    return prepared
                raise RuntimeError(f"worker returned {len(prepared)} results for {len(items)} articles")
            except Exception as e:
                self._fail(e)
        return prepare_many(items, self.settings)

    def ahead(
        self, batches: Iterable[tuple[Sequence[DedupInput], T]], depth: int = 2
    ) -> Iterator[tuple[Sequence[DedupInput], T, list[Prepared]]]:
        """(items, extra, prepared) for each batch, in order, the next `depth` batches being
        prepared in the worker while the caller handles the current one (two, so that the
        worker's own hiccups do not stall the caller)."""
        pending: deque[tuple[Sequence[DedupInput], T, Future[_Packed] | None]] = deque()
        for items, extra in batches:
            pending.append((items, extra, self.submit(items)))
            if len(pending) > depth:
                items, extra, future = pending.popleft()
                yield items, extra, self.collect(future, items)
        while pending:
            items, extra, future = pending.popleft()
            yield items, extra, self.collect(future, items)

    def _fail(self, error: BaseException) -> None:
        if not self._failed:
            log.error("dedup worker process failed, preparing in the main process from now on: %s", _describe(error, self.timeout))
        self._failed = True
        if self._pool is not None:
            # A stuck worker would never exit by itself: it holds no state, so kill it (the
            # executor offers no public way before Python 3.14).
            for process in list((getattr(self._pool, "_processes", None) or {}).values()):
                if process.is_alive():
                    process.kill()
            self._pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> PrepareWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _describe(error: BaseException, timeout: float) -> str:
    """A log line's reason: some of the pool's exceptions have no message of their own."""
    if isinstance(error, TimeoutError):
        return f"no answer within {timeout:g} s"
    return str(error) or type(error).__name__


def _ignore_interrupts() -> None:
    """In the worker: Ctrl-C in a terminal reaches the whole process group; the main process
    handles it and shuts the worker down (under systemd, KillMode=mixed signals only it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# What crosses the process boundary. Plain tuples, strings and a few arrays per batch: the
# pickling is done by a thread of *this* process, which competes with the deciding thread,
# so it must be cheap (a list of `Prepared` with their small arrays cost ~4x more).
_Row = tuple[str, str, str | None, str, str, str, datetime]
_Packed = tuple[
    list[int], bytes, list[bool], np.ndarray | None, np.ndarray | None, list[tuple[int, int, int]], list[tuple[str, ...]], list[float]
]
_DIGEST = 16  # bytes of TextSignature.fingerprint


def _prepare_packed(rows: list[_Row], settings: PrepareSettings) -> _Packed:
    """Runs in the worker: `prepare_many`, packed for the trip back."""
    items = [DedupInput(aid, url, guid, title, text, source, None, published) for aid, url, guid, title, text, source, published in rows]
    prepared = prepare_many(items, settings)
    signatures = [p.signature for p in prepared]
    signed = [s.minhash is not None and s.bands is not None for s in signatures]
    minhashes = np.stack([s.minhash for s, ok in zip(signatures, signed, strict=True) if ok]) if any(signed) else None
    bands = np.stack([s.bands for s, ok in zip(signatures, signed, strict=True) if ok]) if any(signed) else None
    digests = b"".join(s.fingerprint for s in signatures)
    if len(digests) != _DIGEST * len(signatures):
        raise ValueError("unexpected fingerprint size")
    return (
        [s.tokens for s in signatures],
        digests,
        signed,
        minhashes,
        bands,
        [p.identity for p in prepared],
        [p.extras for p in prepared],
        [p.stamp for p in prepared],
    )


def _unpack(packed: _Packed) -> list[Prepared]:
    tokens, digests, signed, minhashes, bands, identities, extras, stamps = packed
    out: list[Prepared] = []
    row = 0
    for i, has_minhash in enumerate(signed):
        digest = digests[_DIGEST * i : _DIGEST * (i + 1)]
        if has_minhash and minhashes is not None and bands is not None:
            signature = TextSignature(tokens[i], digest, minhashes[row], bands[row])
            row += 1
        else:
            signature = TextSignature(tokens[i], digest, None)
        out.append(Prepared(signature, identities[i], extras[i], stamps[i]))
    return out
