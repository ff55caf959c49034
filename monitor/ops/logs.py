"""Logging set-up: one line per event, journald-friendly, secrets redacted."""

from __future__ import annotations

import logging
import os
import sys

from monitor.ops.secrets import DEFAULT_REDACTOR, RedactingFilter


def under_journald() -> bool:
    return bool(os.environ.get("JOURNAL_STREAM") or os.environ.get("INVOCATION_ID"))


def setup_logging(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    # journald stamps lines itself; a terminal wants the time
    fmt = "%(levelname)s %(name)s: %(message)s" if under_journald() else "%(asctime)s %(levelname)s %(name)s: %(message)s"
    handler.setFormatter(logging.Formatter(fmt))
    handler.addFilter(RedactingFilter(DEFAULT_REDACTOR))
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_monitor", False):
            root.removeHandler(h)
    handler._monitor = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default", "trafilatura"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # "maximum number of running instances reached" is the designed coalescing of a long
    # cycle, not a problem; real misses are logged by the daemon's own listener
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
