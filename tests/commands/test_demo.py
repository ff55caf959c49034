"""The offline demo behind `make run`: bundled seed feeds -> ALERT lines on stdout."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path

from helpers import MONITOR, ROOT, demo_config, run_cli

# A bound so a broken daemon fails the test instead of hanging CI; not a speed check.
DEADLINE_SECONDS = 180


def test_check_accepts_the_example_config(tmp_path: Path) -> None:
    res = run_cli("--config", str(demo_config(tmp_path)), "check")
    assert res.returncode == 0, res.stderr
    assert "dprk-russia" in res.stdout and "arms-transfers" in res.stdout


def test_once_prints_alerts_for_both_topics_and_only_warns_about_unreachable_feeds(tmp_path: Path) -> None:
    cfg = demo_config(tmp_path)
    res = run_cli("--config", str(cfg), "once", env={"MONITOR_STATE_DIR": str(tmp_path / "state")})
    assert res.returncode == 0, res.stderr
    alerts = [ln for ln in res.stdout.splitlines() if ln.startswith("ALERT")]
    assert any("dprk-russia" in ln for ln in alerts), res.stdout
    assert any("arms-transfers" in ln for ln in alerts), res.stdout
    assert any("score=" in ln for ln in alerts)
    # the real-world feeds cannot be reached here: a warning naming each, nothing worse
    warnings = [ln for ln in res.stderr.splitlines() if "WARNING" in ln and "127.0.0.1" in ln]
    assert len(warnings) >= 1, res.stderr
    assert "Traceback" not in res.stderr

    # a second cycle over the same files creates nothing new and alerts nothing again
    again = run_cli("--config", str(cfg), "once", env={"MONITOR_STATE_DIR": str(tmp_path / "state")})
    assert again.returncode == 0, again.stderr
    assert not [ln for ln in again.stdout.splitlines() if ln.startswith("ALERT")]
    assert "0 new articles" in again.stderr


def _reader(stream, lines: queue.Queue[str]) -> None:  # type: ignore[no-untyped-def]
    for line in stream:
        lines.put(line)


def test_daemon_prints_alerts_then_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    cfg = demo_config(tmp_path)
    env = {**os.environ, "MONITOR_STATE_DIR": str(tmp_path / "state"), "PYTHONUNBUFFERED": "1"}
    env.pop("MONITOR_CONFIG", None)
    with subprocess.Popen([*MONITOR, "--config", str(cfg), "run"], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        out: queue.Queue[str] = queue.Queue()
        err_lines: queue.Queue[str] = queue.Queue()
        readers = [threading.Thread(target=_reader, args=(proc.stdout, out), daemon=True),
                   threading.Thread(target=_reader, args=(proc.stderr, err_lines), daemon=True)]
        for t in readers:
            t.start()
        seen: list[str] = []
        try:
            deadline = time.monotonic() + DEADLINE_SECONDS
            while time.monotonic() < deadline and not (
                any("dprk-russia" in s for s in seen) and any("arms-transfers" in s for s in seen)
            ):
                try:
                    line = out.get(timeout=1)
                except queue.Empty:
                    assert proc.poll() is None, "daemon exited early: " + "".join(list(err_lines.queue))
                    continue
                if line.startswith("ALERT"):
                    seen.append(line)
            assert any("dprk-russia" in s for s in seen), "".join(list(err_lines.queue))
            assert any("arms-transfers" in s for s in seen)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
            for t in readers:
                t.join(timeout=10)
    assert code == 0
    assert any("stopped" in s for s in err_lines.queue)
