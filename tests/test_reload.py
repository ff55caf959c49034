"""SIGHUP reload validates as `monitor check` does (issue 18): a real daemon object, real
config and rule files on disk, `Daemon.reload()` awaited directly (the signal path is in
tests/test_daemon.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import ZEBRA_RULE

from monitor.daemon import Daemon

GOOD_RULE = ZEBRA_RULE
BAD_RULE = "name: beta\nquery: '@missing AND'\n"  # line 2: an undefined group and a dangling AND
HOOK = "json://127.0.0.1:9/hook"  # apprise loads it; nothing is sent (no delivery job runs here)


@dataclass
class Setup:
    cfg: Path
    rules: Path
    feed: Path

    def write(self, *, channel: str = HOOK, feed: str | None = None) -> None:
        self.cfg.write_text(f"""[monitor]
state_dir = "{self.cfg.parent / 'state'}"
rules_dir = "{self.rules}"
[classifier]
enabled = false

[[feeds]]
url = "{feed or self.feed}"

[channels.hook]
url = "{channel}"

[[routes]]
topic = "*"
channels = ["hook"]
""", encoding="utf-8")

    def line_of(self, text: str) -> int:
        return next(no for no, line in enumerate(self.cfg.read_text().splitlines(), 1) if text in line)


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Setup:
    monkeypatch.setenv("MONITOR_STATE_DIR", str(tmp_path / "state"))
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "alpha.yaml").write_text(GOOD_RULE, encoding="utf-8")
    feed = tmp_path / "feed.xml"
    feed.write_text("<rss/>", encoding="utf-8")
    s = Setup(tmp_path / "config.toml", rules, feed)
    s.write()
    return s


@pytest.fixture
def daemon(setup: Setup, caplog: pytest.LogCaptureFixture) -> Iterator[Daemon]:
    caplog.set_level(logging.INFO, logger="monitor")
    d = Daemon(str(setup.cfg), None)
    yield d
    d.rt.close()


def reload(d: Daemon) -> None:
    asyncio.run(d.reload())


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The error lines of refused reloads: a summary, then one line per problem."""
    return [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and "reload refused" in r.getMessage()]


def test_a_bad_channel_url_keeps_the_old_channels_and_logs_file_and_line(
        setup: Setup, daemon: Daemon, caplog: pytest.LogCaptureFixture) -> None:
    running = daemon.rt
    setup.write(channel="notascheme://x")
    reload(daemon)
    assert daemon.rt is running and daemon.rt.config.channels["hook"].url == HOOK
    summary, problem = refusals(caplog)
    assert "(1 problem(s)), keeping the running config" in summary
    assert problem.startswith(f"reload refused: {setup.cfg}:{setup.line_of('notascheme://x')}: channels.hook.url: "
                              "apprise cannot load this URL: unknown scheme notascheme://")
    assert daemon.counters().reload_failures_total == 1


def test_problems_in_two_files_are_logged_together(setup: Setup, daemon: Daemon,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    running = daemon.rt
    setup.write(feed="ftp://example.org/feed.xml")
    (setup.rules / "beta.yaml").write_text(BAD_RULE, encoding="utf-8")
    reload(daemon)
    assert daemon.rt is running
    summary, *problems = refusals(caplog)  # every problem of both files, from the one reload
    assert "(2 problem(s))" in summary
    feed, rule = problems
    assert feed.startswith(f"reload refused: {setup.cfg}:{setup.line_of('ftp://')}: feeds[0].url: ")
    assert "unsupported scheme ftp://" in feed
    assert rule.startswith(f"reload refused: {setup.rules / 'beta.yaml'}:2:")
    assert daemon.counters().reload_failures_total == 1


def test_a_good_reload_after_a_refused_one_swaps_everything_in(setup: Setup, daemon: Daemon,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    running = daemon.rt
    setup.write(feed="gopher://example.org/feed")  # refused: `monitor check` would refuse it
    reload(daemon)
    assert daemon.rt is running and daemon.poller.configured_feeds()[0][0] == str(setup.feed)

    other = "json://127.0.0.1:9/other"
    setup.write(channel=other)
    (setup.rules / "beta.yaml").write_text("name: beta\nquery: 'giraffe'\n", encoding="utf-8")
    reload(daemon)
    assert daemon.rt is not running
    assert daemon.poller.rt is daemon.rt and daemon.outbox.rt is daemon.rt
    assert daemon.rt.config.channels["hook"].url == other
    assert sorted(t.name for t in daemon.rt.ruleset.topics) == ["alpha", "beta"]
    assert any("reloaded: 1 feeds, 2 topics" in r.getMessage() for r in caplog.records)
    assert daemon.counters().reload_failures_total == 1  # the refusal stays counted
