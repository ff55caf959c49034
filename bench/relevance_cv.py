"""Relevance on real text, by held-out folds: how keywords and the model combine, per topic
and language, on the real labeled set (seeds/labels/) and the written multilingual eval.

The models the daemon ships (seeds/models/) are trained on the seeds plus every real
label, so scoring the real set with them would be scoring the training data. Here each of
K folds of the real set is scored by a model trained on the seeds plus the other folds,
exactly as `seeds/labels/build_model.py` builds the shipped one; the keyword stage is the
shipped rules. Every combination is then decided by `monitor.relevance.scoring.decide`
from the same keyword results and out-of-fold probabilities:

- keyword: the query alone;
- gate t: the query, then p >= t;
- either t: the query, or p >= t;
- either t / floor f: the query with p >= f, or p >= t (what `classifier.floor` does);
- the mode each rule file declares ("shipped").

The written evals (seeds/eval/, never trained on; the second one written without sight of
the rules and never used to tune them, so `--misses` does not list it) are scored by the
full shipped model. AG
News (7,600 general-news items, almost none on topic) gives the alert rate on background
news: the shipped decision, with out-of-fold probabilities for the labeled AG items.

    .venv/bin/python bench/relevance_cv.py [--folds 5] [--misses TOPIC]

Needs ../shared/data (skips with a message otherwise). Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "seeds" / "labels"))

import realset  # noqa: E402

from monitor.ingest.enrich import detect_language  # noqa: E402
from monitor.relevance.classify import LabeledText, ModelSet, fingerprint_training  # noqa: E402
from monitor.relevance.matching import KeywordEngine  # noqa: E402
from monitor.relevance.modelfile import load_models, read_training_file  # noqa: E402
from monitor.relevance.rules import load_rules  # noqa: E402
from monitor.relevance.scoring import decide  # noqa: E402
from monitor.relevance.topics import ClassifierSpec  # noqa: E402

TOPICS = ("arms-transfers", "dprk-russia")
AG_NEWS = realset.DATA / "articles" / "ag_news_test.jsonl"


def _text(item: dict) -> str:
    return item.get("content") or item.get("text") or ""


def _language(item: dict) -> str:
    return item.get("language") or detect_language(item.get("title") or "", _text(item)) or "?"


def _fold_of(item_id: str, k: int) -> int:
    return sum(item_id.encode()) % k


def out_of_fold(items: list[dict], seeds: dict[str, list[LabeledText]], k: int) -> dict[str, np.ndarray]:
    """Probability per item and topic from a model that never saw the item."""
    probs = {t: np.zeros(len(items)) for t in TOPICS}
    folds = np.array([_fold_of(item["id"], k) for item in items])
    for fold in range(k):
        train = [item for item, f in zip(items, folds, strict=True) if f != fold]
        examples = {t: seeds[t] + [LabeledText(item.get("title") or "", _text(item), int(item["labels"][t]),
                                               id=f"real:{item['id']}") for item in train]
                    for t in TOPICS}
        model = ModelSet.train(examples, fingerprint="cv")
        test = np.flatnonzero(folds == fold)
        got = model.predict([items[i].get("title") or "" for i in test], [_text(items[i]) for i in test])
        for t in TOPICS:
            probs[t][test] = got[t]
    return probs


def combos(spec: ClassifierSpec) -> list[tuple[str, ClassifierSpec]]:
    out = [("keyword", ClassifierSpec("keyword"))]
    out += [(f"gate {t}", ClassifierSpec("gate", t)) for t in (0.05, 0.2, 0.5)]
    out += [(f"either {t}", ClassifierSpec("either", t)) for t in (0.7, 0.8, 0.9, 0.95)]
    out += [(f"either {t} / floor {f}", ClassifierSpec("either", t, floor=f))
            for t in (0.7, 0.8, 0.9) for f in (0.01, 0.02, 0.05, 0.1)]
    out.append((f"shipped: {spec.mode} {spec.threshold}" + (f" / floor {spec.floor}" if spec.floor else ""), spec))
    return out


def counts(labels: list[int], alerts: list[bool]) -> tuple[int, int, int]:
    tp = sum(1 for y, a in zip(labels, alerts, strict=True) if y and a)
    fp = sum(1 for y, a in zip(labels, alerts, strict=True) if not y and a)
    fn = sum(1 for y, a in zip(labels, alerts, strict=True) if y and not a)
    return tp, fp, fn


def prf(tp: int, fp: int, fn: int) -> str:
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    f = 2 * p * r / (p + r) if p + r else float("nan")
    return f"P {p:.3f}  R {r:.3f}  F1 {f:.3f}  (tp {tp}, fp {fp}, fn {fn})"


def decisions(topic, spec, keyword, probs) -> list[bool]:
    topic = replace(topic, classifier=spec)
    return [decide(topic, kw, float(p)).alert for kw, p in zip(keyword, probs, strict=True)]


def report(name: str, items: list[dict], ruleset, keyword: dict, probs: dict, misses: str | None) -> None:
    print(f"\n== {name}: {len(items)} items")
    languages = [_language(item) for item in items]
    for topic in ruleset.topics:
        t = topic.name
        rows = [i for i, item in enumerate(items) if t in item["labels"]]
        labels = [int(items[i]["labels"][t]) for i in rows]
        kw = [keyword[t][i] for i in rows]
        pr = probs[t][rows]
        print(f"-- {t}: {sum(labels)} positives")
        for label, spec in combos(topic.classifier):
            print(f"   {label:28s} {prf(*counts(labels, decisions(topic, spec, kw, pr)))}")
        shipped = decisions(topic, topic.classifier, kw, pr)
        by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for i, y, a in zip(rows, labels, shipped, strict=True):
            c = by_lang[languages[i]]
            c[0] += y and a
            c[1] += (not y) and a
            c[2] += y and not a
        print("   shipped, per language (recall where 10+ positives):")
        for lang, (tp, fp, fn) in sorted(by_lang.items(), key=lambda kv: -(kv[1][0] + kv[1][2])):
            if tp + fn:
                flag = "" if tp + fn >= 10 else "  (<10 positives)"
                print(f"     {lang:3s} R {tp / (tp + fn):.3f} ({tp}/{tp + fn}), fp {fp}{flag}")
        if misses == t:
            for i, y, a in zip(rows, labels, shipped, strict=True):
                if y != a:
                    kind = "MISS" if y else "FALSE"
                    print(f"     {kind} {items[i]['id']} p={probs[t][i]:.2f} {(items[i].get('title') or _text(items[i]))[:100]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--misses", help="list the shipped decision's misses and false alarms for this topic")
    args = ap.parse_args()
    if not realset.available():
        print("../shared/data is absent: nothing to measure")
        return 0
    ruleset = load_rules(ROOT / "rules")
    engine = KeywordEngine(ruleset.topics)
    seeds = {t: read_training_file(ROOT / "seeds" / "training" / f"{t}.jsonl") for t in TOPICS}

    def keyword_of(items: list[dict]) -> dict[str, list]:
        scored = [engine.score(item.get("title") or "", _text(item), item.get("language"),
                               include_all=True, source=item.get("source") or "") for item in items]
        return {t: [s[t] for s in scored] for t in TOPICS}

    real = list(realset.labeled())
    real_probs = out_of_fold(real, seeds, args.folds)
    report(f"real labeled set, {args.folds}-fold out-of-fold probabilities", real, ruleset,
           keyword_of(real), real_probs, args.misses)

    shipped = load_models(ROOT / "seeds" / "models", fingerprint_training(seeds), check_versions=False)
    if shipped is None:
        print("\nseeds/models does not match the seeds: run seeds/labels/build_model.py")
        return 1
    for suffix, what in (("", "written multilingual eval 1 (seeds/eval/<topic>.jsonl)"),
                         ("-2", "written multilingual eval 2 (seeds/eval/<topic>-2.jsonl, written blind to the rules)")):
        written = [json.loads(line) for t in TOPICS
                   for line in (ROOT / "seeds" / "eval" / f"{t}{suffix}.jsonl").open(encoding="utf-8")]
        written_probs = shipped.predict([w.get("title") or "" for w in written], [_text(w) for w in written])
        report(f"{what}, shipped model", written, ruleset, keyword_of(written), written_probs,
               args.misses if suffix == "" else None)

    ag = [json.loads(line) for line in AG_NEWS.open(encoding="utf-8")]
    ag_probs = shipped.predict([a.get("title") or "" for a in ag], [_text(a) for a in ag])
    oof = {item["id"]: i for i, item in enumerate(real)}
    for t in TOPICS:  # labeled AG items get their out-of-fold probability, not an in-sample one
        for j, a in enumerate(ag):
            if a["id"] in oof:
                ag_probs[t][j] = real_probs[t][oof[a["id"]]]
    ag_keyword = keyword_of(ag)
    print(f"\n== AG News background: {len(ag)} items")
    any_alert = Counter()
    for topic in ruleset.topics:
        alerts = decisions(topic, topic.classifier, ag_keyword[topic.name], ag_probs[topic.name])
        any_alert.update(i for i, a in enumerate(alerts) if a)
        print(f"   {topic.name}: {sum(alerts)} alerts ({100 * sum(alerts) / len(ag):.2f}%)")
    print(f"   either topic: {len(any_alert)} items ({100 * len(any_alert) / len(ag):.2f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
