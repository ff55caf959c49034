"""The operators' list: Ctrl-C, `db backup` to a missing folder, rule errors in backtest,
listing without secrets, explain's score, status at 80 columns, options after the
command, untrusted text on the terminal. Real state files, the CLI in subprocesses."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import MONITOR, ROOT, closed_port, demo_config, run_cli, write_jsonl

from monitor.models import Article, DedupDecision, KeywordResult, Match
from monitor.state.store import Store

UNSAFE = "Evil\x1b[2J\x1b]0;pwned\x07 \u202egnp.exe\u202c\rnext\u2028line"


def cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return run_cli(*args, env={"MONITOR_STATE_DIR": str(tmp_path / "state"), **(env or {})})


def assert_terminal_safe(text: str) -> None:
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]", text), repr(text)


# -- Ctrl-C -------------------------------------------------------------------------------


def test_ctrl_c_stops_the_daemon_without_worker_tracebacks(tmp_path: Path) -> None:
    feed = ROOT / "seeds" / "feeds" / "world-wire.rss"
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[monitor]\nstate_dir = "{tmp_path / "state"}"\nrules_dir = "{ROOT / "rules"}"\n'
                   f'[classifier]\nenabled = false\n[[feeds]]\nurl = "{feed}"\n'
                   '[channels.console]\nurl = "console://"\n[[routes]]\ntopic = "*"\nchannels = ["console"]\n',
                   encoding="utf-8")
    log = tmp_path / "daemon.log"
    env = {**os.environ, "MONITOR_STATE_DIR": str(tmp_path / "state")}
    env.pop("MONITOR_CONFIG", None)
    with log.open("w") as out:
        # a session of its own: the signal goes to the whole process group, as Ctrl-C does
        proc = subprocess.Popen([*MONITOR, "run", "--config", str(cfg)], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while "new articles" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "new articles" in log.read_text(), log.read_text()  # the parse workers ran
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    text = log.read_text()
    assert proc.returncode == 0, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text


# -- db backup ----------------------------------------------------------------------------


def test_db_backup_to_a_missing_folder_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    cfg = demo_config(tmp_path)
    res = cli(tmp_path, "db", "backup", str(tmp_path / "no" / "such" / "folder" / "b.db"), "--config", str(cfg))
    assert res.returncode == 1, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    assert f"the folder {tmp_path / 'no' / 'such' / 'folder'} does not exist" in res.stderr
    ok = cli(tmp_path, "db", "backup", str(tmp_path / "b.db"), "--config", str(cfg))
    assert ok.returncode == 0 and (tmp_path / "b.db").exists()


# -- backtest -----------------------------------------------------------------------------


def test_rule_errors_exit_2_in_backtest_as_in_check(tmp_path: Path) -> None:
    cfg = demo_config(tmp_path)
    bad = tmp_path / "candidate"
    bad.mkdir()
    (bad / "bad.yaml").write_text("name: bad\nquery: '@nowhere AND'\nthreshold: 2\n", encoding="utf-8")
    res = cli(tmp_path, "--config", str(cfg), "backtest", "--rules", str(bad))
    assert res.returncode == 2, res.stdout + res.stderr
    assert "bad.yaml:2" in res.stderr and "bad.yaml:3" in res.stderr
    check = cli(tmp_path, "--config", str(cfg), "--rules", str(bad), "check")
    assert check.returncode == 2


# -- listing without secrets --------------------------------------------------------------


def test_listing_commands_need_no_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = demo_config(tmp_path, extra='\n[channels.slack]\nurl = { env = "MONITOR_TEST_UNSET_SECRET" }\n'
                                      '[channels.mail]\nurl = { credential = "smtp-url" }\n')
    monkeypatch.delenv("MONITOR_TEST_UNSET_SECRET", raising=False)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    env: dict[str, str] = {}
    store = Store(tmp_path / "state" / "monitor.db")
    store.enqueue_alert(dedup_key="k", story="s", topic="dprk-russia", channel="slack", article_id="a",
                        score=0.74, now=datetime.now(UTC), payload={"title": "queued while the secret is away"})
    store.close()
    for args in (["alerts"], ["alerts", "--json"], ["status"], ["status", "--json"], ["stories"], ["feeds"],
                 ["feeds", "--json"]):
        res = cli(tmp_path, *args, "--config", str(cfg), env=env)
        assert res.returncode == 0, (args, res.stderr)
        assert "MONITOR_TEST_UNSET_SECRET" not in res.stderr, (args, res.stderr)
    assert "queued while the secret is away" in cli(tmp_path, "alerts", "--config", str(cfg), env=env).stdout
    # where a channel may send, the secret is still required
    check = cli(tmp_path, "check", "--config", str(cfg), env=env)
    assert check.returncode == 2 and "MONITOR_TEST_UNSET_SECRET" in check.stderr and "smtp-url" in check.stderr


# -- explain ------------------------------------------------------------------------------


def test_explain_shows_the_final_score_the_pipeline_gives(tmp_path: Path) -> None:
    # the keyword query does not match; the model still gives the article a score (either mode)
    row = {"id": "c3", "title": "Shells from North Korea reach the front", "language": "en",
           "content": "Ukrainian intelligence says artillery ammunition arrived by train."}
    src = write_jsonl(tmp_path / "a.jsonl", [row])
    replay = cli(tmp_path, "replay", str(src), "-o", str(tmp_path / "out.jsonl"))
    assert replay.returncode == 0, replay.stderr
    (match,) = [m for m in json.loads((tmp_path / "out.jsonl").read_text())["matches"] if m["topic"] == "dprk-russia"]
    res = cli(tmp_path, "explain", str(src), "--topic", "dprk-russia", "--language", "en",
              env={"COLUMNS": "200"})
    assert res.returncode == 0, res.stderr
    found = re.search(r"final score (\d\.\d{3}) \(keyword score (\d\.\d{3}), model probability (\S+),", res.stdout)
    assert found, res.stdout
    assert abs(float(found.group(1)) - match["score"]) < 0.001
    assert abs(float(found.group(2)) - match["keyword_score"]) < 0.001
    if match.get("probability") is not None:
        assert abs(float(found.group(3)) - match["probability"]) < 0.001
        assert match["score"] != match["keyword_score"]  # the case the operators reported


# -- status at 80 columns -----------------------------------------------------------------


def test_status_fits_80_columns_one_line_per_feed(tmp_path: Path) -> None:
    cfg = demo_config(tmp_path)
    now = datetime.now(UTC)
    store = Store(tmp_path / "state" / "monitor.db")
    names = ["Asia-Pacific Desk (demo)", "A very long feed name that would never fit in a narrow terminal column",
             "Lenta.ru", UNSAFE]
    for i, name in enumerate(names):
        url = f"https://feed{i}.example/rss"
        store.add_feed(url, name, "config", now)
        store.update_feed(url, last_poll=now - timedelta(minutes=2), next_poll=now + timedelta(hours=5),
                          last_ok=now - timedelta(minutes=2))
    store.update_feed("https://feed2.example/rss", consecutive_errors=3, last_ok=None,
                      last_error="http://127.0.0.1:36039/feed.xml: connection failed (http://127.0.0.1:36039/"
                                 "feed.xml): All connection attempts failed " + UNSAFE)
    store.close()
    res = cli(tmp_path, "status", "--config", str(cfg), env={"COLUMNS": "80"})
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert all(len(ln) <= 80 for ln in lines), res.stdout
    assert_terminal_safe(res.stdout)
    for name in ("Asia-Pacific Desk (demo)", "Lenta.ru"):
        (row,) = [ln for ln in lines if ln.startswith(name)]
        assert re.search(r"(ok|failing)\s+2m ago\s+in [45]h\s+\d+\s+\d+$", row), row
    (long_row,) = [ln for ln in lines if ln.startswith("A very long feed")]
    assert "…" in long_row and "2m ago" in long_row
    errors = " ".join(ln.strip() for ln in lines[lines.index("last errors:"):])
    assert "All connection attempts failed" in errors


# -- untrusted text on the terminal ---------------------------------------------------------


def test_feed_text_is_neutralised_on_the_terminal(tmp_path: Path) -> None:
    cfg = demo_config(tmp_path)
    now = datetime.now(UTC)
    store = Store(tmp_path / "state" / "monitor.db")
    store.add_feed("https://evil.example/rss", UNSAFE, "opml", now)
    art = Article(id="evil", feed="https://evil.example/rss", url="https://evil.example/1", guid="evil",
                  title=UNSAFE, summary="", content="", language="en", published=now, fetched=now,
                  content_hash="h", source=UNSAFE)
    store.save_article(art, DedupDecision("evil", None, "story-evil", "new"))
    store.touch_story("story-evil", UNSAFE, now)
    store.save_matches([Match("evil", "dprk-russia", 0.9, True, KeywordResult("dprk-russia", True, 0.9))], now)
    store.enqueue_alert(dedup_key="e", story="story-evil", topic="dprk-russia", channel="console", article_id="evil",
                        score=0.9, now=now, payload={"title": UNSAFE})
    store.close()
    for args in (["feeds"], ["stories"], ["alerts"], ["status"]):
        res = cli(tmp_path, *args, "--config", str(cfg))
        assert res.returncode == 0, res.stderr
        assert "gnp.exe" in res.stdout, (args, res.stdout)
        assert_terminal_safe(res.stdout)
    # JSON keeps the exact text, with the dangerous characters escaped
    raw = cli(tmp_path, "alerts", "--json", "--config", str(cfg)).stdout
    assert_terminal_safe(raw)
    assert json.loads(raw)[0]["title"] == UNSAFE


def test_options_after_the_command_override_those_before(tmp_path: Path) -> None:
    good = demo_config(tmp_path)
    res = run_cli("--config", str(tmp_path / "nope.toml"), "check", "--config", str(good),
                  env={"MONITOR_STATE_DIR": str(tmp_path / "state")})
    assert res.returncode == 0, res.stderr
    res = cli(tmp_path, "feeds", "add", "https://example.org/rss", "--name", "x", "--config", str(good),
              "--log-level", "debug")
    assert res.returncode == 0, res.stderr
    assert closed_port()  # the helper works offline
