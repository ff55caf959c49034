"""The CLI over a real state file: every command has help and is documented; the
management commands do what they say."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from helpers import ROOT, SHARED, demo_config, run_cli

from monitor.commands.cli import main


def all_commands(group: click.Group, prefix: str = "") -> list[str]:
    out = []
    for name, cmd in group.commands.items():
        full = f"{prefix}{name}"
        out.append(full)
        if isinstance(cmd, click.Group):
            out += all_commands(cmd, full + " ")
    return out


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    runner = CliRunner()
    for command in all_commands(main):
        res = runner.invoke(main, [*command.split(), "--help"])
        assert res.exit_code == 0, (command, res.output)
        assert len(res.output) > 80
        assert f"monitor {command}" in readme or f"`{command} " in readme or f"`{command}`" in readme, command


def test_every_config_key_is_documented_in_the_example() -> None:
    from pydantic import BaseModel

    from monitor.config import ConfigModel

    example = (ROOT / "config.example.toml").read_text(encoding="utf-8")

    def keys(model: type[BaseModel]) -> list[str]:
        out = []
        for name, field in model.model_fields.items():
            out.append(name)
            ann = field.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                out += keys(ann)
        return out

    missing = [k for k in keys(ConfigModel) if not re.search(rf"\b{k}\b", example)]
    assert not missing, f"undocumented config keys: {missing}"


@pytest.fixture
def cfg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MONITOR_STATE_DIR", str(tmp_path / "state"))
    return demo_config(tmp_path)


def invoke(cfg: Path, *args: str) -> click.testing.Result:
    return CliRunner().invoke(main, ["--config", str(cfg), *args], catch_exceptions=False)


def test_feeds_add_remove_import_export(cfg: Path, tmp_path: Path) -> None:
    assert invoke(cfg, "feeds", "add", "http://127.0.0.1:9/extra.xml", "--name", "Extra").exit_code == 0
    opml = tmp_path / "list.opml"
    opml.write_text('<?xml version="1.0"?><opml version="1.0"><head><title>t</title></head><body>'
                    '<outline text="A" xmlUrl="http://127.0.0.1:9/a.xml"/>'
                    '<outline text="B" xmlUrl="http://127.0.0.1:9/b.xml"/></body></opml>', encoding="utf-8")
    res = invoke(cfg, "feeds", "import", str(opml))
    assert "imported 2 of 2" in res.output
    res = invoke(cfg, "feeds", "export")
    assert "http://127.0.0.1:9/a.xml" in res.output and "http://127.0.0.1:9/extra.xml" in res.output
    assert invoke(cfg, "feeds", "remove", "http://127.0.0.1:9/a.xml").exit_code == 0
    res = invoke(cfg, "feeds", "export")
    assert "http://127.0.0.1:9/a.xml" not in res.output
    res = CliRunner().invoke(main, ["--config", str(cfg), "feeds", "remove", "http://127.0.0.1:9/nope"])
    assert res.exit_code != 0 and "no active feed" in res.output


def test_once_then_status_stories_alerts_label_backup(cfg: Path, tmp_path: Path) -> None:
    res = run_cli("--config", str(cfg), "once", env={"MONITOR_STATE_DIR": str(tmp_path / "state")})
    assert res.returncode == 0, res.stderr
    status = invoke(cfg, "status")
    assert "feeds" in status.output and "dprk-russia" in status.output
    stories = invoke(cfg, "stories", "--topic", "dprk-russia")
    assert "story " in stories.output and "outlets" in stories.output
    alerts = invoke(cfg, "alerts", "--status", "sent")
    assert " sent " in alerts.output

    db = sqlite3.connect(tmp_path / "state" / "monitor.db")
    try:
        article_id = db.execute("SELECT id FROM articles LIMIT 1").fetchone()[0]
    finally:
        db.close()
    assert invoke(cfg, "label", article_id, "dprk-russia", "no").exit_code == 0
    bad = CliRunner().invoke(main, ["--config", str(cfg), "label", "no-such-id", "dprk-russia", "yes"])
    assert bad.exit_code != 0

    backup = tmp_path / "backup.db"
    assert invoke(cfg, "db", "backup", str(backup)).exit_code == 0
    db = sqlite3.connect(backup)
    try:
        assert db.execute("SELECT count(*) FROM labels").fetchone()[0] == 1
    finally:
        db.close()


def test_alerts_retry_dead(cfg: Path, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from monitor.state.store import Store

    store = Store(tmp_path / "state" / "monitor.db")
    now = datetime.now(UTC)
    aid = store.enqueue_alert(dedup_key="k", story="s", topic="dprk-russia", channel="console", article_id="a",
                              score=0.9, now=now, payload={"title": "t"})
    assert aid is not None
    store.mark_failed([aid], "boom", None)
    store.close()
    assert " dead " in invoke(cfg, "alerts", "--status", "dead").output
    assert "re-queued 1" in invoke(cfg, "alerts", "retry", "--dead").output
    assert " pending " in invoke(cfg, "alerts", "--status", "pending").output


def test_rules_test_passes_for_shipped_rules() -> None:
    res = run_cli("rules", "test")
    assert res.returncode == 0, res.stdout + res.stderr
    assert re.search(r"(\d+) passed, 0 failed", res.stdout)


def test_check_reports_rule_problems_with_file_and_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.yaml").write_text("name: bad\nquery: '@nowhere AND'\nthreshold: 2\n", encoding="utf-8")
    res = run_cli("--rules", str(rules), "check")
    assert res.returncode == 2
    assert "bad.yaml:2" in res.stderr and "bad.yaml:3" in res.stderr


def test_explain_shows_terms_and_score(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Kim Jong-un akan temui Putin\nPasokan senjata dan peluru artileri untuk Rusia dibahas.\n",
                       encoding="utf-8")
    res = run_cli("explain", str(article), "--topic", "dprk-russia")
    assert res.returncode == 0, res.stderr
    assert "putin" in res.stdout.lower() and "score" in res.stdout.lower()


def test_eval_reports_per_topic_figures() -> None:
    labeled = ROOT / "seeds" / "eval" / "dprk-russia.jsonl"
    if not labeled.exists():
        pytest.skip("no eval seeds")
    res = run_cli("eval", str(labeled))
    assert res.returncode == 0, res.stderr
    assert "dprk-russia" in res.stdout
    assert re.search(r"precision|Precision|P\b", res.stdout)


def test_replay_over_real_articles_keeps_order(tmp_path: Path) -> None:
    src = SHARED / "data" / "articles" / "ria_novosti_ru_2023.jsonl"
    if not src.exists():
        pytest.skip("../shared/data is not present")
    lines = src.read_text(encoding="utf-8").splitlines()[:300]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run_cli("replay", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"))
    assert res.returncode == 0, res.stderr
    out = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [o["id"] for o in out] == [json.loads(x)["id"] for x in lines]


def test_backtest_lists_alerts_that_would_disappear(cfg: Path, tmp_path: Path) -> None:
    import shutil

    res = run_cli("--config", str(cfg), "once", env={"MONITOR_STATE_DIR": str(tmp_path / "state")})
    assert res.returncode == 0, res.stderr
    candidate = tmp_path / "candidate-rules"
    shutil.copytree(ROOT / "rules", candidate)
    (candidate / "dprk-russia.yaml").unlink()
    out = invoke(cfg, "backtest", "--rules", str(candidate), "--since", "3650d").output
    assert re.search(r"dprk-russia: [1-9]\d* alerts now -> 0", out), out
    assert "0 alerts would appear" in out
    assert re.search(r"[1-9]\d* alerts would disappear", out)
