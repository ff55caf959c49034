"""Dedup preparation on another core.

`prepare_many` (text signatures, identity keys, numbers and designators of an article) is
pure and needs nothing from the window, so a worker process can compute it for the next
articles while this process decides earlier ones, or while it scores the same ones. About
a third of the cost of an article through dedup moves off the deciding process; decisions
are unchanged (the index still decides one article at a time, in order).

The worker is a convenience, never a dependency: when it cannot start or dies, its batch
and every later one are prepared in this process, with one error in the log.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

from monitor.dedup import DedupInput, Prepared, PrepareSettings, prepare_many

log = logging.getLogger(__name__)

T = TypeVar("T")


class PrepareWorker:
    """One worker process running `prepare_many`; use as a context manager or `close()` it."""

    def __init__(self, settings: PrepareSettings) -> None:
        self.settings = settings
        self._pool: ProcessPoolExecutor | None = None
        self._failed = False
        try:
            # spawn, not fork: the daemon has threads (scheduler, HTTP), and a forked child
            # would inherit their locks in whatever state they were.
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        except (OSError, ValueError) as e:
            self._fail(e)

    @property
    def active(self) -> bool:
        """False once the worker failed: everything is then prepared in this process."""
        return self._pool is not None and not self._failed

    def submit(self, items: Sequence[DedupInput]) -> Future[list[Prepared]] | None:
        """Start preparing `items` in the worker (None when it is not available)."""
        if not self.active or not items:
            return None
        try:
            return self._pool.submit(prepare_many, list(items), self.settings)  # type: ignore[union-attr]
        except Exception as e:  # BrokenProcessPool, RuntimeError after shutdown, pickling
            self._fail(e)
            return None

    def collect(self, future: Future[list[Prepared]] | None, items: Sequence[DedupInput]) -> list[Prepared]:
        """The result of `submit(items)`, or `items` prepared here when the worker failed."""
        if future is not None:
            try:
                prepared = future.result()
                if len(prepared) == len(items):
                    return prepared
                raise RuntimeError(f"worker returned {len(prepared)} results for {len(items)} articles")
            except Exception as e:
                self._fail(e)
        return prepare_many(items, self.settings)

    def ahead(self, batches: Iterable[tuple[Sequence[DedupInput], T]]) -> Iterator[tuple[Sequence[DedupInput], T, list[Prepared]]]:
        """(items, extra, prepared) for each batch, in order, the next batch being prepared
        in the worker while the caller handles the current one."""
        pending: tuple[Sequence[DedupInput], T, Future[list[Prepared]] | None] | None = None
        for items, extra in batches:
            started = (items, extra, self.submit(items))
            if pending is not None:
                yield pending[0], pending[1], self.collect(pending[2], pending[0])
            pending = started
        if pending is not None:
            yield pending[0], pending[1], self.collect(pending[2], pending[0])

    def _fail(self, error: BaseException) -> None:
        if not self._failed:
            log.error("dedup worker process failed, preparing in the main process from now on: %s", error)
        self._failed = True
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> PrepareWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
