"""Full `monitor replay` throughput over the real articles in ../shared/data/articles.

Every stage after fetch runs, as in production: keyword engine, classifier, dedup and
story clustering, SQLite writes (in-memory database) and outbox rows. Baseline in the
same run: the keyword-only pipeline (classifier disabled). Prints articles/s for each
and the ratio.

    .venv/bin/python bench/bench_replay.py [--limit N]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT.parent / "shared" / "data" / "articles"
sys.path.insert(0, str(ROOT))

from monitor.app import open_runtime  # noqa: E402
from monitor.commands.replay import read_lines, replay  # noqa: E402
from monitor.config import default_config  # noqa: E402
from monitor.relevance.rules import load_rules  # noqa: E402


def load_lines(limit: int | None) -> list[str]:
    lines: list[str] = []
    for f in sorted(ARTICLES.glob("*.jsonl")):
        lines += f.read_text(encoding="utf-8").splitlines()
    return lines[:limit] if limit else lines


def run(lines: list[str], classifier: bool) -> tuple[float, int]:
    config = default_config(ROOT)
    config = replace(config, model=config.model.model_copy(
        update={"classifier": config.model.classifier.model_copy(update={"enabled": classifier})}))
    ruleset = load_rules(ROOT / "rules")
    rt = open_runtime(config, ruleset, db_path=":memory:")  # models trained/loaded outside the timing
    try:
        out = io.StringIO()
        started = time.perf_counter()
        counts = replay(rt.pipeline, read_lines(iter(x + "\n" for x in lines), "bench"), out)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - started
    finally:
        rt.close()
    return elapsed, counts["alerts"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    if not ARTICLES.is_dir():
        print("../shared/data/articles is not present: nothing to measure")
        return
    os.environ.setdefault("MONITOR_STATE_DIR", tempfile.mkdtemp(prefix="bench-replay-"))
    lines = load_lines(args.limit)
    print(f"{len(lines)} real articles from {ARTICLES}")
    run(lines[:2000], classifier=True)  # warm-up: imports, model training or loading, caches
    base, base_alerts = run(lines, classifier=False)
    full, full_alerts = run(lines, classifier=True)
    print(f"keyword only (baseline)     : {len(lines) / base:8.0f} articles/s  ({base:.1f} s, {base_alerts} topic alerts)")
    print(f"all stages, classifier on   : {len(lines) / full:8.0f} articles/s  ({full:.1f} s, {full_alerts} topic alerts)")
    print(f"ratio full / keyword-only   : {full / base:.2f}x the time")
    print(f"target >= 3,000 articles/s  : {'met' if len(lines) / full >= 3000 else 'NOT met'}")


if __name__ == "__main__":
    main()
