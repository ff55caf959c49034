"""Channel URLs apprise cannot load are config problems (file and line) at `monitor check`,
at the daemon's start and at its SIGHUP reload; `monitor notify test` reports them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import MONITOR, ROOT, zebra_rules
from receivers import WebhookReceiver

from monitor.app import load_config_and_rules
from monitor.commands.cli import main
from monitor.commands.notifytest import send_test
from monitor.delivery.deliver import INVALID
from monitor.delivery.route import ChannelSpec
from monitor.errors import ConfigError
from monitor.state.store import Store

SECRET = "Sup3rSecretToken77"
BAD_FROM = "mailto://127.0.0.1:2525?mode=insecure&from=bad&to=analyst@example.org"
DEADLINE = 60  # bounds a broken run; not a speed check


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


def write_config(tmp_path: Path, channels: dict[str, str], *, route_topic: str = "*") -> Path:
    rules = zebra_rules(tmp_path)
    blocks = "".join(f'[channels.{name}]\nurl = "{url}"\ngroup_wait = 0\n\n' for name, url in channels.items())
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"""[monitor]
state_dir = "{tmp_path / 'state'}"
rules_dir = "{rules}"
[classifier]
enabled = false
[delivery]
tick_seconds = 0.5

{blocks}[[routes]]
topic = "{route_topic}"
channels = {json.dumps(list(channels))}
""", encoding="utf-8")
    return cfg


def line_of(cfg: Path, text: str) -> int:
    return next(no for no, line in enumerate(cfg.read_text().splitlines(), 1) if text in line)


def test_load_reports_every_unloadable_url_with_file_and_line(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, {"hook": "json://127.0.0.1:9/ok", "bad": f"notascheme://{SECRET}@x",
                                  "mail": BAD_FROM, "console": "console://"}, route_topic="nosuchtopic")
    with pytest.raises(ConfigError) as info:
        load_config_and_rules(str(cfg))
    problems = {p.path: p for p in info.value.problems}
    assert set(problems) == {"channels.bad.url", "channels.mail.url", "routes[0].topic"}  # all at once
    bad, mail = problems["channels.bad.url"], problems["channels.mail.url"]
    assert (bad.file, bad.line) == (str(cfg), line_of(cfg, "notascheme://"))
    assert (mail.file, mail.line) == (str(cfg), line_of(cfg, "from=bad"))
    assert "unknown scheme notascheme://" in bad.message
    assert "Invalid ~From~ email specified: bad" in mail.message
    assert SECRET not in str(info.value)


def test_check_exits_2_listing_the_channel_problems_with_the_others(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, {"bad": "notascheme://x", "mail": BAD_FROM})
    (tmp_path / "rules" / "beta.yaml").write_text("name: beta\nquery: '@missing AND'\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(cfg), "check"])
    assert result.exit_code == 2, result.output
    out = result.output
    assert f"{cfg}:{line_of(cfg, 'notascheme://')}: channels.bad.url: apprise cannot load this URL" in out
    assert f"{cfg}:{line_of(cfg, 'from=bad')}: channels.mail.url:" in out and "Invalid ~From~ email" in out
    assert "beta.yaml:2" in out  # the rule file's problem in the same report
    assert "Traceback" not in out


def test_notify_test_on_an_unloadable_url_prints_the_error_and_fails(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, {"mail": BAD_FROM})
    result = CliRunner().invoke(main, ["--config", str(cfg), "notify", "test", "mail"])
    assert result.exit_code != 0
    assert "Invalid ~From~ email specified: bad" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no crash

    # the library call itself reports rather than raises
    outcome = send_test(ChannelSpec("mail", BAD_FROM), datetime.now(UTC))
    assert (outcome.ok, outcome.status, outcome.permanent) == (False, INVALID, True)
    assert "Invalid ~From~ email specified: bad" in outcome.error


# --- the daemon: start and SIGHUP reload ------------------------------------------------------


def start(cfg: Path, tmp_path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "MONITOR_STATE_DIR": str(tmp_path / "state")}
    env.pop("MONITOR_CONFIG", None)
    with open(tmp_path / "daemon.log", "a", encoding="utf-8") as log:
        return subprocess.Popen([*MONITOR, "--config", str(cfg), "run"], cwd=ROOT, env=env,
                                stdout=log, stderr=log, text=True)


def wait_for(predicate, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_daemon_refuses_to_start_on_an_unloadable_url(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, {"mail": BAD_FROM})
    proc = start(cfg, tmp_path)
    assert proc.wait(timeout=DEADLINE) == 2
    log = (tmp_path / "daemon.log").read_text()
    assert f"{cfg}:{line_of(cfg, 'from=bad')}: channels.mail.url:" in log and "Traceback" not in log


def test_sighup_with_an_unloadable_url_keeps_the_running_channels(tmp_path: Path, webhook: WebhookReceiver) -> None:
    cfg = write_config(tmp_path, {"hook": webhook.url})
    log_path = tmp_path / "daemon.log"
    proc = start(cfg, tmp_path)
    try:
        wait_for(lambda: "started" in log_path.read_text(), "start")
        cfg.write_text(cfg.read_text().replace(webhook.url, f"notascheme://{SECRET}@x"), encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "reload refused" in log_path.read_text(), "the refused reload")
        text = log_path.read_text()
        assert f"{cfg}:{line_of(cfg, 'notascheme://')}: channels.hook.url:" in text and SECRET not in text

        # the running config still delivers through the old URL
        store = Store(tmp_path / "state" / "monitor.db")
        try:
            store.enqueue_alert(dedup_key="after-reload", story="s1", topic="alpha", channel="hook",
                                article_id="a1", score=0.9, now=datetime.now(UTC),
                                payload={"title": "zebra after the refused reload"})
        finally:
            store.close()
        wait_for(lambda: any(b"after the refused reload" in b for b in webhook.bodies), "the alert")
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=DEADLINE) == 0
