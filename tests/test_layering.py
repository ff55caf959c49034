"""The pure core imports no I/O library (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE_CORE = ["monitor.models", "monitor.errors", "monitor.relevance.text", "monitor.relevance.query", "monitor.relevance.matching",
             "monitor.relevance.scoring", "monitor.stories.canonical", "monitor.stories.dedup", "monitor.delivery.route", "monitor.delivery.outbox_policy",
             "monitor.ingest.schedule", "monitor.relevance.classify", "monitor.ingest.htmltext", "monitor.ops.metrics", "monitor.relevance.evaluate"]
IO_LIBRARIES = ["httpx", "feedparser", "sqlite_utils", "apprise", "apscheduler", "trafilatura"]


@pytest.mark.parametrize("module", PURE_CORE)
def test_pure_core_module_imports_no_io_library(module: str) -> None:
    code = (
        "import sys, importlib\n"
        f"importlib.import_module({module!r})\n"
        f"bad = sorted(m for m in {IO_LIBRARIES!r} if m in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} pulls in {out.stdout.strip()}"
