"""Shared test helpers: paths, a config writer, and a subprocess runner for the CLI."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MONITOR = [sys.executable, "-m", "monitor"]
TEST_STATE = Path(os.environ.get("MONITOR_TEST_STATE", f"/tmp/media-monitor-tests-{os.getuid()}"))


def seed_article_text() -> str | None:
    """The Indonesian article the project started from, when ../shared is present."""
    files = sorted((SHARED / "seeds").glob("000_*.txt"))
    return files[0].read_text(encoding="utf-8") if files else None


def seed_article_record() -> dict[str, str] | None:
    text = seed_article_text()
    if text is None:
        return None
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    title = next(ln for ln in lines if "Kim" in ln and "Putin" in ln)
    return {"id": "seed-0", "title": title, "content": text, "published": "2023-09-05T10:00:00+07:00",
            "language": "id", "source": "indonesiaonline"}


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ZEBRA_RULE = "name: alpha\nquery: 'zebra'\nthreshold: 0.1\n"  # one tiny topic: the word zebra


def zebra_rules(tmp_path: Path) -> Path:
    """A rules folder in tmp_path holding `ZEBRA_RULE` as alpha.yaml."""
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "alpha.yaml").write_text(ZEBRA_RULE, encoding="utf-8")
    return rules


def demo_config(tmp_path: Path, *, extra: str = "") -> Path:
    """config.example.toml made self-contained in tmp_path.

    State goes to tmp_path; bundled paths become absolute; the real-world feeds point at
    a closed loopback port, so they fail as they would offline, and no traffic leaves
    the machine.
    """
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    text = text.replace('state_dir = "state"', f'state_dir = "{tmp_path / "state"}"')
    text = text.replace('rules_dir = "rules"', f'rules_dir = "{ROOT / "rules"}"')
    text = text.replace('training_dir = "seeds/training"', f'training_dir = "{ROOT / "seeds" / "training"}"')
    text = text.replace('base_models = "seeds/models"', f'base_models = "{ROOT / "seeds" / "models"}"')
    text = text.replace('url = "seeds/feeds/', f'url = "{ROOT / "seeds" / "feeds"}/')
    port = closed_port()
    text = re.sub(r'url = "https?://[^"]+"', f'url = "http://127.0.0.1:{port}/feed.xml"', text)
    text += "\n" + extra
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(*args: str, env: dict[str, str] | None = None, input: str | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("MONITOR_CONFIG", None)
    # models and state of config-less runs go to a per-run folder, never into the repo
    full_env.setdefault("MONITOR_STATE_DIR", str(TEST_STATE))
    return subprocess.run([*MONITOR, *args], capture_output=True, text=True, env=full_env, input=input,
                          timeout=timeout, cwd=ROOT, check=False)


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path
