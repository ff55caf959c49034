"""`monitor once` over feeds that fail: progress on stderr, the real count, the exit status."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from feedservers import Answer, FeedHost, rss
from helpers import ROOT, closed_port, run_cli

from monitor.commands.progress import PollProgress


@pytest.fixture
def host() -> Any:
    h = FeedHost()
    yield h
    h.close()


def config(tmp_path: Path, urls: list[str]) -> Path:
    feeds = "".join(f'[[feeds]]\nurl = "{u}"\n' for u in urls)
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"""
[monitor]
state_dir = "{tmp_path / 'state'}"
rules_dir = "{ROOT / 'rules'}"
[classifier]
enabled = false
[polling]
timeout = 5
{feeds}
[channels.console]
url = "console://"
[[routes]]
topic = "*"
channels = ["console"]
""", encoding="utf-8")
    return cfg


def once(tmp_path: Path, urls: list[str]) -> Any:
    return run_cli("--config", str(config(tmp_path, urls)), "once", env={"MONITOR_STATE_DIR": str(tmp_path / "state")})


def test_every_feed_failing_shows_progress_counts_them_and_exits_1(tmp_path: Path, host: FeedHost) -> None:
    host.routes["/500.xml"] = Answer(b"oops", "text/plain", 500)
    urls = [f"http://127.0.0.1:{closed_port()}/gone-{n}.xml" for n in range(10)]
    urls += [host.url("/500.xml") + f"?n={n}" for n in range(10)]
    host.routes.update({f"/500.xml?n={n}": Answer(b"oops", "text/plain", 500) for n in range(10)})
    res = once(tmp_path, urls)
    assert res.returncode == 1, res.stderr
    progress = re.findall(r"^polled (\d+)/20 feeds, (\d+) failed$", res.stderr, re.MULTILINE)
    assert [int(done) for done, _ in progress] == [2, 4, 6, 8, 10, 12, 14, 16, 18], res.stderr
    assert all(done == failed for done, failed in progress)
    assert "polled 20 feeds: 0 ok, 20 failed (every feed failed: exit status 1)" in res.stderr


def test_some_feeds_failing_are_counted_and_the_run_exits_0(tmp_path: Path, host: FeedHost) -> None:
    host.routes["/500.xml"] = Answer(b"oops", "text/plain", 500)
    host.routes["/ok.xml"] = Answer(rss(2))
    res = once(tmp_path, [host.url("/500.xml"), f"http://127.0.0.1:{closed_port()}/gone.xml", host.url("/ok.xml")])
    assert res.returncode == 0, res.stderr
    assert "polled 3 feeds: 1 ok, 2 failed; 2 new articles" in res.stderr, res.stderr


def test_progress_prints_every_tenth_and_when_slow() -> None:
    lines: list[str] = []
    clock = iter([0.0, 1.0, 2.0, 9.0, 9.5]).__next__
    progress = PollProgress(lines.append, every=5.0, clock=clock)
    progress(1, 30, 0)  # t=1: neither a tenth (3) nor 5 s
    progress(3, 30, 1)  # t=2: a tenth
    progress(4, 30, 1)  # t=9: 7 s since the last line
    progress(30, 30, 2)  # the end: the summary says it
    assert lines == ["polled 3/30 feeds, 1 failed", "polled 4/30 feeds, 1 failed"]
