"""`monitor browse` as a process: SIGTERM and SIGINT reach Datasette, which exits, and the
temporary folder goes with it. A stand-in `datasette` package (first on PYTHONPATH) plays
Datasette everywhere; the real one is used too when it is installed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import MONITOR, ROOT, closed_port, demo_config

from monitor.commands import browse
from monitor.models import Article, DedupDecision
from monitor.state.store import Store

pytestmark = pytest.mark.skipif(not Path("/proc/self").exists(), reason="reads /proc (Linux)")

DEADLINE = 60.0

FAKE_DATASETTE = textwrap.dedent("""
    import os, pathlib, signal, sys
    log = pathlib.Path(os.environ["FAKE_DATASETTE_LOG"])
    def stop(signum, frame):
        with log.open("a") as f:
            f.write(f"signal {signum}\\n")
        sys.exit(0)
    if os.environ.get("FAKE_DATASETTE_STUBBORN"):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    meta = sys.argv[sys.argv.index("--metadata") + 1]
    log.write_text(f"pid {os.getpid()}\\nmeta {meta}\\nready\\n")
    while True:
        signal.pause()
""")


def wait_for(predicate, what: str, deadline: float = DEADLINE):  # type: ignore[no-untyped-def]
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def child_pids(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def metadata_arg(pid: int) -> Path:
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    return Path(argv[argv.index(b"--metadata") + 1].decode())


def stop(proc: subprocess.Popen[str], *children: int) -> None:
    """Clean-up after a failed assertion: never leave a server behind."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for pid in children:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def start_browse(tmp_path: Path, env: dict[str, str], port: int) -> subprocess.Popen[str]:
    cfg = demo_config(tmp_path)
    full = {**os.environ, "MONITOR_STATE_DIR": str(tmp_path / "state"), **env}
    full.pop("MONITOR_CONFIG", None)
    return subprocess.Popen([*MONITOR, "--config", str(cfg), "browse", "--port", str(port)], cwd=ROOT, env=full,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def fake_datasette(tmp_path: Path) -> dict[str, str]:
    pkg = tmp_path / "fake" / "datasette"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "__main__.py").write_text(FAKE_DATASETTE, encoding="utf-8")
    path = os.pathsep.join([str(tmp_path / "fake"), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return {"PYTHONPATH": path, "FAKE_DATASETTE_LOG": str(tmp_path / "fake.log")}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_browse_stops_datasette_and_removes_the_temp_folder(
        tmp_path: Path, fake_datasette: dict[str, str], sig: signal.Signals) -> None:
    log = Path(fake_datasette["FAKE_DATASETTE_LOG"])
    proc = start_browse(tmp_path, fake_datasette, closed_port())
    try:
        wait_for(lambda: log.exists() and "ready" in log.read_text(), "the stand-in Datasette to start")
        lines = dict(ln.split(" ", 1) for ln in log.read_text().splitlines() if " " in ln)
        child, meta = int(lines["pid"]), Path(lines["meta"])
        assert meta.exists() and json.loads(meta.read_text())["databases"]["monitor"]["tables"]
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=DEADLINE)
    finally:
        stop(proc, *child_pids(proc.pid))
    assert proc.returncode == 0, err
    assert f"signal {int(sig)}" in log.read_text()  # forwarded once, as that signal
    assert log.read_text().count("signal ") == 1
    assert not alive(child), "Datasette outlived monitor browse"
    assert not meta.parent.exists(), "the temporary folder was left behind"
    assert "Traceback" not in err


def test_a_datasette_that_ignores_the_signal_is_killed_after_the_grace(
        tmp_path: Path, fake_datasette: dict[str, str]) -> None:
    env = {**os.environ, **fake_datasette, "FAKE_DATASETTE_STUBBORN": "1"}
    script = (
        "import sys\n"
        "from monitor.commands.browse import run_forwarding_signals\n"
        "sys.exit(run_forwarding_signals([sys.executable, '-m', 'datasette', '--metadata', 'x'], grace=0.5))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    log = Path(fake_datasette["FAKE_DATASETTE_LOG"])
    try:
        wait_for(lambda: log.exists() and "ready" in log.read_text(), "the stand-in Datasette to start")
        child = int(log.read_text().split()[1])
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=DEADLINE)
    finally:
        stop(proc, *child_pids(proc.pid))
    assert proc.returncode == 0, err
    assert not alive(child)


def test_the_real_datasette_searches_prefixes_and_stops_on_sigterm(tmp_path: Path) -> None:
    if not browse.datasette_available():
        pytest.skip("datasette is not installed (optional extra: pip install datasette)")
    (tmp_path / "state").mkdir()
    store = Store(tmp_path / "state" / "monitor.db")
    now = datetime.now(UTC)
    store.save_article(Article(
        id="art-ru", feed="https://example.org/rss", url="https://example.org/ru", guid="art-ru",
        title="КНДР передала России артиллерийские снаряды", summary="поставки оружия",
        content="Пхеньян и Москва обсуждают военное сотрудничество и поставки оружия.", language="ru",
        published=now, fetched=now, content_hash="h-ru"), DedupDecision("art-ru", None, "s", "new"))
    store.close()
    port = closed_port()
    proc = start_browse(tmp_path, {}, port)
    base = f"http://127.0.0.1:{port}"

    def get(path: str) -> object:
        try:
            with urllib.request.urlopen(base + path, timeout=5) as r:  # loopback only
                return json.loads(r.read())
        except OSError:
            return None

    try:
        wait_for(lambda: get("/-/versions.json"), "Datasette to answer", 120)
        child = wait_for(lambda: child_pids(proc.pid), "the Datasette process")[0]
        meta = metadata_arg(child)
        for query in ("оруж*", "поставки AND оружия", '"военное сотрудничество"'):
            hits = get("/monitor/articles.json?_shape=array&_search=" + urllib.parse.quote(query))
            assert [h["id"] for h in hits] == ["art-ru"], query  # type: ignore[union-attr]
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=DEADLINE)
    finally:
        stop(proc, *child_pids(proc.pid))
    assert proc.returncode == 0
    assert not alive(child) and not meta.parent.exists()
