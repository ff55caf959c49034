"""Config loading: every problem at once, with file and line; secrets by indirection."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_example_config_is_valid_and_uses_no_literal_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MONITOR_SLACK_WEBHOOK", "MONITOR_SMTP_URL"):
        monkeypatch.setenv(name, "json://127.0.0.1:9/x")
    cfg = load_config(ROOT / "config.example.toml")
    assert "console" in cfg.channels
    assert cfg.model.feeds, "the example config must ship feeds"
    text = (ROOT / "config.example.toml").read_text()
    assert "hooks.slack.com/services/T" not in text


def test_all_problems_reported_with_lines(tmp_path: Path) -> None:
    p = write(tmp_path, """\
[monitor]
state_dir = "state"
colour = "blue"

[[feeds]]
url = "a.xml"

[[feeds]]
url = "b.xml"
interval = "often"

[channels.console]
url = "console://"
""")
    with pytest.raises(ConfigError) as e:
        load_config(p)
    found = {(pr.path, pr.line) for pr in e.value.problems}
    assert ("monitor.colour", 3) in found
    assert ("feeds[1].interval", 10) in found
    assert str(p) in str(e.value)


def test_undefined_channel_in_route_is_an_error(tmp_path: Path) -> None:
    p = write(tmp_path, """\
[channels.console]
url = "console://"

[[routes]]
topic = "dprk-russia"
channels = ["console", "slack"]
""")
    with pytest.raises(ConfigError) as e:
        load_config(p)
    (problem,) = e.value.problems
    assert "slack" in problem.message and problem.line == 6


def test_toml_syntax_error_names_line(tmp_path: Path) -> None:
    p = write(tmp_path, "[monitor]\nstate_dir = \n")
    with pytest.raises(ConfigError) as e:
        load_config(p)
    assert e.value.problems[0].line == 2


def test_secret_from_env_and_file_never_in_repr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "smtp.secret").write_text("mailto://u:hunter2@127.0.0.1:2525\n")
    monkeypatch.setenv("HOOK_URL", "json://127.0.0.1:8/s3cr3t-token")
    p = write(tmp_path, """\
[channels.hook]
url = { env = "HOOK_URL" }

[channels.mail]
url = { file = "smtp.secret" }
""")
    cfg = load_config(p)
    assert cfg.channels["hook"].url == "json://127.0.0.1:8/s3cr3t-token"
    assert cfg.channels["mail"].url == "mailto://u:hunter2@127.0.0.1:2525"
    assert "s3cr3t" not in repr(cfg.channels["hook"]) and "hunter2" not in repr(cfg)


def test_missing_env_secret_is_a_located_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    p = write(tmp_path, '[channels.hook]\nurl = { env = "NOT_SET_ANYWHERE" }\n')
    with pytest.raises(ConfigError) as e:
        load_config(p)
    assert "NOT_SET_ANYWHERE" in str(e.value) and e.value.problems[0].line == 2


def test_credential_from_systemd_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "creds").mkdir()
    (tmp_path / "creds" / "slack-webhook").write_text("json://127.0.0.1:7/cred")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path / "creds"))
    p = write(tmp_path, '[channels.hook]\nurl = { credential = "slack-webhook" }\n')
    assert load_config(p).channels["hook"].url == "json://127.0.0.1:7/cred"


@pytest.mark.parametrize("value", ["0", "-5", '"many"', "1000000"])
def test_max_items_per_poll_is_validated_with_file_and_line(tmp_path: Path, value: str) -> None:
    p = write(tmp_path, f"""\
[monitor]
state_dir = "state"

[polling]
timeout = 5
max_items_per_poll = {value}
""")
    with pytest.raises(ConfigError) as e:
        load_config(p)
    assert [(pr.path, pr.line) for pr in e.value.problems] == [("polling.max_items_per_poll", 6)]
    assert str(p) in str(e.value)


def test_max_items_per_poll_defaults_to_500(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "[polling]\ntimeout = 5\n")).model.polling.max_items_per_poll == 500
