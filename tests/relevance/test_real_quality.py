"""Quality floors on real and written text, so a lexicon or rule change cannot quietly
lose what the shipped topics catch. Figures and how they were made: docs/topics.md.

The real labeled set is read from ../shared (skipped when absent); the floors sit a little
below the measured figures (bench/relevance_cv.py), they are not the targets."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from monitor.relevance.classify import fingerprint_training
from monitor.relevance.matching import KeywordEngine
from monitor.relevance.modelfile import load_models, read_training_file
from monitor.relevance.rules import load_rules
from monitor.relevance.scoring import decide

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "seeds" / "labels"))
import realset  # noqa: E402

TOPICS = ("arms-transfers", "dprk-russia")


@pytest.fixture(scope="module")
def engine() -> KeywordEngine:
    return KeywordEngine(load_rules(ROOT / "rules").topics)


def _recall_precision(labels: list[int], alerts: list[bool]) -> tuple[float, float]:
    tp = sum(1 for y, a in zip(labels, alerts, strict=True) if y and a)
    return tp / max(1, sum(labels)), tp / max(1, sum(alerts))


@pytest.fixture(scope="module")
def real_items() -> list[dict]:
    if not realset.available():
        pytest.skip("../shared/data is absent")
    return list(realset.labeled())


# (topic, recall floor, precision floor) for the keyword stage alone on the real set
REAL_FLOORS = [("dprk-russia", 0.92, 0.86), ("arms-transfers", 0.85, 0.84)]


@pytest.mark.parametrize(("topic", "recall", "precision"), REAL_FLOORS)
def test_keyword_stage_on_the_real_labeled_set(engine: KeywordEngine, real_items: list[dict], topic: str,
                                                recall: float, precision: float) -> None:
    items = real_items
    labels = [int(i["labels"][topic]) for i in items]
    alerts = [topic in engine.score(i.get("title", ""), i.get("content", ""), i.get("language"),
                                    source=i.get("source", "")) for i in items]
    r, p = _recall_precision(labels, alerts)
    assert r >= recall and p >= precision, (r, p)


@pytest.mark.parametrize("topic", TOPICS)
def test_shipped_decision_on_the_blind_written_eval(engine: KeywordEngine, topic: str) -> None:
    """seeds/eval/<topic>-2.jsonl was written without sight of the rules: 10 languages."""
    seeds = {t: read_training_file(ROOT / "seeds" / "training" / f"{t}.jsonl") for t in TOPICS}
    models = load_models(ROOT / "seeds" / "models", fingerprint_training(seeds), check_versions=False)
    assert models is not None, "seeds/models does not match the seeds: run seeds/labels/build_model.py"
    rows = [json.loads(x) for x in (ROOT / "seeds" / "eval" / f"{topic}-2.jsonl").read_text(encoding="utf-8").splitlines()]
    spec = next(t for t in engine.topics if t.name == topic)
    probs = models.predict([r["title"] for r in rows], [r.get("content", "") for r in rows])[topic]
    alerts = []
    for r, p in zip(rows, probs, strict=True):
        kw = engine.score(r["title"], r.get("content", ""), r.get("language"), include_all=True)[topic]
        alerts.append(decide(spec, kw, float(p)).alert)
    rec, prec = _recall_precision([r["labels"][topic] for r in rows], alerts)
    assert rec >= 0.90 and prec >= 0.90, (rec, prec)
