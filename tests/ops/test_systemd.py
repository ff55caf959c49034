"""The shipped unit passes systemd's own checks (when systemd-analyze exists here)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "systemd" / "media-monitor.service"
ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed on this machine")


def _unit_with_real_binary(tmp_path: Path) -> Path:
    # verify checks that ExecStart= exists: point it at this checkout's console script
    monitor = Path(sys.executable).with_name("monitor")
    unit = tmp_path / "media-monitor.service"
    unit.write_text(UNIT.read_text().replace("/opt/media-monitor/venv/bin/monitor", str(monitor)))
    return unit


def test_unit_declares_what_operations_rely_on() -> None:
    text = UNIT.read_text()
    for directive in ("Type=notify", "WatchdogSec=", "ExecStartPre=", "ExecReload=/bin/kill -HUP $MAINPID",
                      "Restart=on-failure", "DynamicUser=yes", "StateDirectory=", "ConfigurationDirectory=",
                      "LoadCredential="):
        assert directive in text, directive


@needs_analyze
def test_security_exposure_is_at_most_2(tmp_path: Path) -> None:
    out = subprocess.run([ANALYZE, "security", "--offline=true", str(_unit_with_real_binary(tmp_path))],
                         capture_output=True, text=True, check=False)
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", out.stdout + out.stderr)
    assert m, out.stdout + out.stderr
    assert float(m.group(1)) <= 2.0


@needs_analyze
def test_verify_passes(tmp_path: Path) -> None:
    out = subprocess.run([ANALYZE, "verify", str(_unit_with_real_binary(tmp_path))],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
