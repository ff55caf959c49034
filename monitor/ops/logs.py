"""Logging set-up: one line per event, journald-friendly or JSON, secrets redacted.

Formats (`[monitor] log_format`, `--log-format`):
- `text`: `TIME LEVEL LOGGER: MESSAGE`; without the time under journald, which stamps
  lines itself.
- `json`: one object per line with the keys `time` (ISO 8601 UTC), `level`, `logger`,
  `message`, and `exception` when a traceback is attached. The keys are stable.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

from monitor.ops.secrets import DEFAULT_REDACTOR, RedactingFilter

LOG_FORMATS = ("text", "json")


def under_journald() -> bool:
    return bool(os.environ.get("JOURNAL_STREAM") or os.environ.get("INVOCATION_ID"))


class JsonFormatter(logging.Formatter):
    """One JSON object per record (the redacting filter has already masked secrets)."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exception"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False)


def _formatter(fmt: str) -> logging.Formatter:
    if fmt == "json":
        return JsonFormatter()
    if fmt != "text":
        raise ValueError(f"unknown log format {fmt!r} (use {' or '.join(LOG_FORMATS)})")
    # journald stamps lines itself; a terminal wants the time
    line = "%(levelname)s %(name)s: %(message)s" if under_journald() else "%(asctime)s %(levelname)s %(name)s: %(message)s"
    return logging.Formatter(line)


def setup_logging(level: str = "info", fmt: str = "text") -> None:
    """Install (or replace) the one stderr handler; safe to call again with new settings."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_formatter(fmt))
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
