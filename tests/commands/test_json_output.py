"""`--json` on status, feeds, alerts and stories: stable keys, all documented; JSON log
lines from `[monitor] log_format` or `--log-format`."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import ROOT, closed_port, demo_config, run_cli

from monitor.models import Article, DedupDecision, KeywordResult, Match
from monitor.state.store import Store

FEED_KEYS = {"url", "name", "origin", "state", "language", "interval", "last_poll", "next_poll", "last_ok",
             "failing_since", "consecutive_errors", "articles", "last_error"}
ALERT_KEYS = {"id", "state", "kind", "channel", "topic", "score", "attempts", "created", "next_attempt",
              "last_error", "story", "article_id", "title", "url", "source"}
STORY_KEYS = {"id", "title", "first_seen", "last_seen", "outlets", "languages", "articles"}
STORY_ARTICLE_KEYS = {"id", "title", "source", "feed", "language", "url", "published"}
STATUS_KEYS = {"time", "last_poll", "articles_24h", "feeds_total", "feeds_failing", "alerts", "topics", "feeds"}
TOPIC_KEYS = {"topic", "matches_24h", "relevant_24h", "relevant_7d", "last_relevant"}
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


@pytest.fixture
def state(tmp_path: Path) -> Path:
    cfg = demo_config(tmp_path)
    now = datetime.now(UTC)
    store = Store(tmp_path / "state" / "monitor.db")
    store.add_feed("https://feed.example/rss", "Feed", "cli", now)
    store.update_feed("https://feed.example/rss", last_poll=now, consecutive_errors=2, last_error="HTTP 503",
                      failing_since=now)
    a = Article(id="a1", feed="https://feed.example/rss", url="https://feed.example/1", guid="a1",
                title="КНДР передала России снаряды", summary="", content="", language="ru", published=now,
                fetched=now, content_hash="h", source="Outlet")
    store.save_article(a, DedupDecision("a1", None, "s1", "new"))
    store.touch_story("s1", a.title, now)
    store.save_matches([Match("a1", "dprk-russia", 0.74, True, KeywordResult("dprk-russia", True, 1.0))], now)
    store.enqueue_alert(dedup_key="k", story="s1", topic="dprk-russia", channel="console", article_id="a1",
                        score=0.74, now=now, payload={"title": a.title, "url": a.url, "source": "Outlet"})
    store.close()
    return cfg


def json_of(cfg: Path, tmp_path: Path, *args: str) -> object:
    res = run_cli(*args, "--json", "--config", str(cfg), env={"MONITOR_STATE_DIR": str(tmp_path / "state")})
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_feeds_alerts_stories_status_json_keys(state: Path, tmp_path: Path) -> None:
    feeds = json_of(state, tmp_path, "feeds")
    assert isinstance(feeds, list) and feeds
    assert all(set(f) == FEED_KEYS for f in feeds)
    mine = next(f for f in feeds if f["url"] == "https://feed.example/rss")
    assert (mine["state"], mine["consecutive_errors"], mine["last_error"]) == ("failing", 2, "HTTP 503")
    assert TIME.match(mine["last_poll"])

    (alert,) = json_of(state, tmp_path, "alerts")
    assert set(alert) == ALERT_KEYS
    assert (alert["state"], alert["score"], alert["title"]) == ("pending", 0.74, "КНДР передала России снаряды")
    assert TIME.match(alert["created"])

    (story,) = json_of(state, tmp_path, "stories", "--topic", "dprk-russia")
    assert set(story) == STORY_KEYS
    assert story["outlets"] == ["Outlet"] and story["languages"] == ["ru"]
    assert all(set(a) == STORY_ARTICLE_KEYS for a in story["articles"])

    status = json_of(state, tmp_path, "status")
    assert set(status) == STATUS_KEYS
    assert status["alerts"] == {"pending": 1, "sending": 0, "failed": 0, "sent": 0, "dead": 0}
    assert status["feeds_failing"] == 1 and status["articles_24h"] == 1
    assert all(set(t) == TOPIC_KEYS for t in status["topics"])
    assert all(set(f) == FEED_KEYS for f in status["feeds"])


def test_every_json_key_is_documented() -> None:
    ops = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = ops[ops.index("## Scripting: `--json`"):]
    section = section[:section.index("\n## ", 1)]
    keys = FEED_KEYS | ALERT_KEYS | STORY_KEYS | STORY_ARTICLE_KEYS | STATUS_KEYS | TOPIC_KEYS
    missing = sorted(k for k in keys if f"`{k}`" not in section)
    assert not missing, f"undocumented --json keys: {missing}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("status", "feeds", "stories", "alerts"):
        assert re.search(rf"`monitor {command} [^`]*\[--json\]", readme), command


def failing_feed_config(tmp_path: Path, log_format: str | None) -> Path:
    line = f'log_format = "{log_format}"\n' if log_format else ""
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[monitor]\nstate_dir = "{tmp_path / "state"}"\nrules_dir = "{ROOT / "rules"}"\n{line}'
                   f'[classifier]\nenabled = false\n[[feeds]]\nurl = "http://127.0.0.1:{closed_port()}/feed.xml"\n'
                   '[channels.console]\nurl = "console://"\n[[routes]]\ntopic = "*"\nchannels = ["console"]\n',
                   encoding="utf-8")
    return cfg


def log_lines(stderr: str) -> list[str]:
    # `once` ends with its own summary line, which is not a log record
    return [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("polled ")]


@pytest.mark.parametrize("how", ["config", "option"])
def test_json_log_lines(tmp_path: Path, how: str) -> None:
    cfg = failing_feed_config(tmp_path, "json" if how == "config" else None)
    extra = ["--log-format", "json"] if how == "option" else []
    res = run_cli("once", "--config", str(cfg), *extra, env={"MONITOR_STATE_DIR": str(tmp_path / "state")})
    assert res.returncode == 1, res.stderr  # its one feed fails: every feed failed, exit 1 (issue 18)
    records = [json.loads(ln) for ln in log_lines(res.stderr)]
    assert records, res.stderr
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    warning = next(r for r in records if r["level"] == "warning" and r["logger"] == "monitor.ingest.poller")
    assert "127.0.0.1" in warning["message"]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", warning["time"])


def test_log_format_option_wins_over_the_config(tmp_path: Path) -> None:
    cfg = failing_feed_config(tmp_path, "json")
    res = run_cli("--log-format", "text", "once", "--config", str(cfg),
                  env={"MONITOR_STATE_DIR": str(tmp_path / "state")})
    assert res.returncode == 1, res.stderr  # its one feed fails: every feed failed, exit 1 (issue 18)
    lines = log_lines(res.stderr)
    assert lines and not any(ln.startswith("{") for ln in lines)
    assert any(" WARNING monitor.ingest.poller: " in ln for ln in lines)
