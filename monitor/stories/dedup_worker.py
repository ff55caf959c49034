"""Dedup preparation on another core.

`prepare_many` (text signatures, identity keys, numbers and designators of an article) is
pure and needs nothing from the window, so a worker process can compute it for the next
articles while this process decides earlier ones, or while it scores the same ones. A
third to a half of the cost of an article through dedup moves off the deciding process
(docs/stories.md#cost); decisions are unchanged (the index still decides one article at a time, in order).

Requests and replies go through two pipes, read and written by the calling thread (see
monitor/stories/workerpipe.py for why not a `ProcessPoolExecutor`).

The worker is a convenience, never a dependency: when it cannot start, dies or is stuck
(no answer within `timeout`), its batch and every later one are prepared in this process,
with one error in the log.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import signal
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from multiprocessing.connection import Connection
from typing import TypeVar

import numpy as np

from monitor.stories.dedup import DedupInput, Prepared, PrepareSettings, prepare_many
from monitor.stories.shingle import TextSignature
from monitor.stories.workerpipe import Channel, enlarge, read_message, write_message

log = logging.getLogger(__name__)

T = TypeVar("T")
Ticket = int  # what `submit` returns and `collect` takes: the batch's number


class PrepareWorker:
    """One worker process running `prepare_many`; use as a context manager or `close()` it."""

    def __init__(self, settings: PrepareSettings, timeout: float = 60.0) -> None:
        self.settings = settings
        # A batch takes milliseconds; a worker silent this long is stuck (stopped, swapping)
        # and must not stall the daemon.
        self.timeout = timeout
        self._process: multiprocessing.process.BaseProcess | None = None
        self._channel: Channel | None = None
        self._failed = False
        self._sent = 0  # tickets issued
        try:
            # spawn, not fork: the daemon has threads (scheduler, HTTP), and a forked child
            # would inherit their locks in whatever state they were.
            context = multiprocessing.get_context("spawn")
            requests_in, requests_out = context.Pipe(duplex=False)
            replies_in, replies_out = context.Pipe(duplex=False)
            for end in (requests_out, replies_out):
                enlarge(end.fileno())
            self._process = context.Process(
                target=_serve, args=(requests_in, replies_out, settings), name="dedup-prepare", daemon=True
            )
            self._process.start()
            self._channel = Channel(_take_fd(replies_in), _take_fd(requests_out))
            # The child has its own copies: without closing ours, its exit would not be seen.
            requests_in.close()
            replies_out.close()
        except (OSError, ValueError) as e:
            self._fail(e)

    @property
    def active(self) -> bool:
        """False once the worker failed: everything is then prepared in this process."""
        return self._channel is not None and not self._failed

    @property
    def pid(self) -> int | None:
        """The worker's process id while it runs (for operators and tests)."""
        return self._process.pid if self._process is not None else None  # None once stopped

    def submit(self, items: Sequence[DedupInput]) -> Ticket | None:
        """Start preparing `items` in the worker (None when it is not available)."""
        if not self.active or not items:
            return None
        try:
            rows = [(i.article_id, i.url, i.guid, i.title, i.text, i.source, i.published) for i in items]
            self._sent += 1
            request = pickle.dumps((self._sent, rows), protocol=pickle.HIGHEST_PROTOCOL)
            self._channel.send(request, self.timeout)  # type: ignore[union-attr]
            return self._sent
        except Exception as e:  # worker gone, stuck, or an item that cannot be pickled
            self._fail(e)
            return None

    def collect(self, ticket: Ticket | None, items: Sequence[DedupInput]) -> list[Prepared]:
        """The result of `submit(items)`, or `items` prepared here when the worker failed."""
        if ticket is not None and self.active:
            try:
                while True:
                    number, packed, error = pickle.loads(self._channel.receive(self.timeout))  # type: ignore[union-attr]
                    if number >= ticket:
                        break  # earlier replies belong to batches nobody collected
                if number != ticket:
                    raise RuntimeError(f"worker answered batch {number} when batch {ticket} was expected")
                if error is not None:
                    raise RuntimeError(error)
                prepared = _unpack(packed)
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
        pending: deque[tuple[Sequence[DedupInput], T, Ticket | None]] = deque()
        for items, extra in batches:
            pending.append((items, extra, self.submit(items)))
            if len(pending) > depth:
                items, extra, ticket = pending.popleft()
                yield items, extra, self.collect(ticket, items)
        while pending:
            items, extra, ticket = pending.popleft()
            yield items, extra, self.collect(ticket, items)

    def _fail(self, error: BaseException) -> None:
        if not self._failed:
            log.error("dedup worker process failed, preparing in the main process from now on: %s", _describe(error, self.timeout))
        self._failed = True
        # A stuck worker would never exit by itself: it holds no state, so kill it.
        self._stop(kill=True)

    def _stop(self, kill: bool) -> None:
        if self._channel is not None:
            self._channel.close()  # the worker reads end of input and exits
            self._channel = None
        process, self._process = self._process, None
        if process is not None:
            if kill:
                process.kill()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)

    def close(self) -> None:
        self._stop(kill=False)

    def __enter__(self) -> PrepareWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _take_fd(end: Connection) -> int:
    """The pipe end's file descriptor, now ours to close (the Connection is closed)."""
    fd = os.dup(end.fileno())
    end.close()
    return fd


def _describe(error: BaseException, timeout: float) -> str:
    """A log line's reason: some exceptions (a timeout) have no message of their own."""
    if isinstance(error, TimeoutError):
        return f"no answer within {timeout:g} s"
    return str(error) or type(error).__name__


def _serve(requests: Connection, replies: Connection, settings: PrepareSettings) -> None:
    """The worker's loop: a batch in, its `Prepared` values (packed) out, until end of input."""
    # Ctrl-C in a terminal reaches the whole process group; the main process handles it and
    # closes the pipe (under systemd, KillMode=mixed signals only the main process).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    source, sink = requests.fileno(), replies.fileno()
    while (request := read_message(source)) is not None:
        number, rows = pickle.loads(request)
        try:
            reply = (number, _prepare_packed(rows, settings), None)
        except Exception as e:  # a bug or a hostile text: the parent logs it and goes on alone
            reply = (number, None, f"{type(e).__name__}: {e}")
        write_message(sink, pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))


# What crosses the process boundary. Plain tuples, strings and a few arrays per batch: the
# pickling is done by the deciding thread of *this* process, so it must be cheap (a list
# of `Prepared` with their small arrays cost ~4x more).
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
