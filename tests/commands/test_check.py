"""`monitor check` (and `monitor run`, which validates the same way) report every problem
of config, secrets, feeds, channel URLs and rules in one run, with file and line, exit 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import ROOT, demo_config, run_cli

BAD_CONFIG = """\
[monitor]
state_dir = "state"
rules_dir = "rules"
colour = "blue"

[[feeds]]
url = "ftp://example.org/feed.xml"

[[feeds]]
url = "missing.xml"

[[feeds]]
url = "https://example.org/rss"
interval = "often"

[[feeds]]
url = "seeds.xml"

[channels.hook]
url = { env = "MONITOR_TEST_NEVER_SET" }

[channels.bad]
url = "nosuchservice://token/abc"

[channels.ok]
url = "console://"
mode = "digest"

[[routes]]
topic = "*"
channels = ["ok", "nope"]
"""

# (line, dotted path or rule file, a word of the message)
EXPECTED = [
    ("config.toml:4:", "monitor.colour", "Extra inputs"),
    ("config.toml:7:", "feeds[0].url", "ftp://"),
    ("config.toml:10:", "feeds[1].url", "no such file"),
    ("config.toml:14:", "feeds[2].interval", "valid number"),
    ("config.toml:20:", "channels.hook.url", "MONITOR_TEST_NEVER_SET"),
    ("config.toml:23:", "channels.bad.url", "nosuchservice"),
    ("config.toml:25:", "channels.ok.digest", "digest"),
    ("config.toml:31:", "routes[0].channels", "'nope'"),
    ("bad.yaml:2:", "query", "query"),
    ("bad.yaml:3:", "threshold", "threshold"),
]


def bad_setup(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir()
    for f in (ROOT / "rules").glob("*.yaml"):
        (rules / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (rules / "lexicon").mkdir()
    for f in (ROOT / "rules" / "lexicon").glob("*.yaml"):
        (rules / "lexicon" / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (rules / "bad.yaml").write_text("name: bad\nquery: '@nowhere AND'\nthreshold: 2\n", encoding="utf-8")
    (tmp_path / "seeds.xml").write_text("<rss/>", encoding="utf-8")  # exists: no problem
    cfg = tmp_path / "config.toml"
    cfg.write_text(BAD_CONFIG, encoding="utf-8")
    return cfg


def assert_all_reported(stderr: str) -> None:
    lines = stderr.splitlines()
    for where, path, word in EXPECTED:
        hit = [ln for ln in lines if where in ln and path in ln]
        assert hit, f"{where} {path} not reported:\n{stderr}"
        assert word.lower() in hit[0].lower(), hit[0]
    assert "seeds.xml" not in stderr  # an existing file is a valid feed
    assert "Traceback" not in stderr


def test_check_reports_every_problem_in_one_run(tmp_path: Path) -> None:
    cfg = bad_setup(tmp_path)
    res = run_cli("--config", str(cfg), "check")
    assert res.returncode == 2, res.stdout + res.stderr
    assert_all_reported(res.stderr)
    assert res.stderr.startswith(f"error: {cfg}: invalid configuration; 2 problem(s) in rules under")


def test_run_refuses_with_the_same_problems_and_options_after_the_command(tmp_path: Path) -> None:
    cfg = bad_setup(tmp_path)
    res = run_cli("run", "--config", str(cfg), timeout=120)
    assert res.returncode == 2, res.stdout + res.stderr
    assert_all_reported(res.stderr)


def test_a_valid_schema_with_a_bad_feed_and_a_bad_channel_url(tmp_path: Path) -> None:
    # the case that was never reported: nothing else wrong, so no earlier stage stopped
    cfg = demo_config(tmp_path, extra='\n[[feeds]]\nurl = "ftp://x/y"\n\n[channels.mail]\nurl = "nosuchservice://a/b"\n')
    res = run_cli("check", "--config", str(cfg))
    assert res.returncode == 2, res.stdout + res.stderr
    text = cfg.read_text(encoding="utf-8").splitlines()
    feed_line = text.index('url = "ftp://x/y"') + 1
    channel_line = text.index('url = "nosuchservice://a/b"') + 1
    assert re.search(rf"config\.toml:{feed_line}: feeds\[\d+\]\.url: .*unsupported scheme ftp://", res.stderr), res.stderr
    assert f"config.toml:{channel_line}: channels.mail.url:" in res.stderr, res.stderr


def test_the_example_config_checks_clean(tmp_path: Path) -> None:
    res = run_cli("--config", str(demo_config(tmp_path)), "check")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("ok: ")


def test_a_toml_syntax_error_still_checks_the_rules_given(tmp_path: Path) -> None:
    cfg = bad_setup(tmp_path)
    cfg.write_text("[monitor]\nstate_dir = \n", encoding="utf-8")
    res = run_cli("--config", str(cfg), "check")
    assert res.returncode == 2
    assert "config.toml:2" in res.stderr and "rules are checked once the config parses" in res.stderr
    res = run_cli("--config", str(cfg), "--rules", str(tmp_path / "rules"), "check")
    assert res.returncode == 2
    assert "config.toml:2" in res.stderr and "bad.yaml:2" in res.stderr and "bad.yaml:3" in res.stderr


@pytest.mark.parametrize("url", ["file:///nonexistent/feed.xml", "http://", "https://exa mple.org/rss", "gopher://x"])
def test_feed_url_problems(tmp_path: Path, url: str) -> None:
    from monitor.config import feed_url_problem

    assert feed_url_problem(url, tmp_path)


@pytest.mark.parametrize("url", ["https://example.org/rss", "http://127.0.0.1:8080/feed.xml", "feed.xml"])
def test_feed_urls_that_are_fine(tmp_path: Path, url: str) -> None:
    from monitor.config import feed_url_problem

    (tmp_path / "feed.xml").write_text("<rss/>", encoding="utf-8")
    assert feed_url_problem(url, tmp_path) is None
    assert feed_url_problem((tmp_path / "feed.xml").as_uri(), tmp_path) is None
