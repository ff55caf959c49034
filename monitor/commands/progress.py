"""Progress and summary of `monitor once` on stderr: numbers only, so always terminal-safe.

A line at each tenth of the feeds, and at a feed's end when `every` seconds passed since
the last line (a run of slow feeds still shows it is alive). Lines start with "polled " like
the summary, so a log reader can tell them from log records.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class PollProgress:
    def __init__(self, echo: Callable[[str], None], *, every: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.echo = echo
        self.every = every
        self.clock = clock
        self._last = clock()

    def __call__(self, done: int, total: int, failed: int) -> None:
        if done >= total:
            return  # the summary line follows
        step = max(1, math.ceil(total / 10))
        now = self.clock()
        if done % step == 0 or now - self._last >= self.every:
            self._last = now
            self.echo(f"polled {done}/{total} feeds, {failed} failed")


def all_feeds_failed(summary: dict[str, int]) -> bool:
    """`monitor once` exits 1 when it polled feeds and not one of them worked."""
    return summary["feeds"] > 0 and summary["feed_errors"] >= summary["feeds"]


def summary_line(summary: dict[str, int]) -> str:
    feeds, failed = summary["feeds"], summary["feed_errors"]
    verdict = " (every feed failed: exit status 1)" if all_feeds_failed(summary) else ""
    return (f"polled {feeds} feeds: {feeds - failed} ok, {failed} failed{verdict}; "
            f"{summary['new_articles']} new articles, {summary['alerts_queued']} alerts queued; "
            f"delivery: {summary.get('sent', 0)} sent, {summary.get('failed', 0)} failed")
