"""The pure core imports no I/O library (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PURE_CORE = ["monitor.models", "monitor.errors", "monitor.relevance.text", "monitor.relevance.query", "monitor.relevance.matching",
             "monitor.relevance.scoring", "monitor.stories.canonical", "monitor.stories.grouping", "monitor.delivery.route", "monitor.delivery.outbox_policy",
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


def test_layer_contracts_hold() -> None:
    """import-linter's contracts in pyproject.toml: layers, the pure core, one owner per library."""
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def test_at_most_ten_modules_wire_the_stages() -> None:
    root = Path(__file__).resolve().parents[1] / "monitor"
    assert len(list(root.glob("*.py"))) <= 10
