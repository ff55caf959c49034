"""`monitor eval --cv K`: a labeled file scored by K folds, each by models that never saw it."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import ROOT, demo_config, run_cli

from monitor.commands.evalcmd import _fold

LABELED = ROOT / "seeds" / "eval" / "dprk-russia.jsonl"


def _row(stdout: str, topic: str) -> list[int]:
    """TP, FP, FN, TN of the topic's summary row."""
    line = next(x for x in stdout.splitlines() if re.search(rf"\b{re.escape(topic)}\b.*\d", x))
    return [int(n) for n in re.findall(r"(?<![.\d])\d+(?![.\d])", line)][-4:]


def test_folds_are_stable_and_spread() -> None:
    ids = [f"item-{i}" for i in range(300)]
    folds = [_fold(i, 5) for i in ids]
    assert folds == [_fold(i, 5) for i in ids]  # the same split on every run and in any order
    assert all(40 <= folds.count(k) <= 80 for k in range(5))


def test_cross_validated_eval_scores_every_labeled_item_once(tmp_path: Path) -> None:
    config = demo_config(tmp_path)
    res = run_cli("--config", str(config), "eval", str(LABELED), "--cv", "2")
    assert res.returncode == 0, res.stderr
    assert "2-fold cross-validation" in res.stdout
    tp, fp, fn, tn = _row(res.stdout, "dprk-russia")
    assert tp + fp + fn + tn == sum(1 for line in LABELED.read_text(encoding="utf-8").splitlines() if line.strip())
    assert tp > fn  # the models of the other fold still find most positives


def test_one_fold_is_refused(tmp_path: Path) -> None:
    res = run_cli("--config", str(demo_config(tmp_path)), "eval", str(LABELED), "--cv", "1")
    assert res.returncode != 0 and "at least 2 folds" in (res.stdout + res.stderr)
