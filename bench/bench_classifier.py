"""Classifier benchmark: training time per topic, and scoring throughput with and
without the classifier over the real articles, keyword-only as the baseline.

    .venv/bin/python bench/bench_classifier.py [--limit N] [--batch N]

Measured in one run, one process:
  1. training each topic on seeds/training/<topic>.jsonl (target <= 10 s per topic);
  2. keyword only: KeywordEngine.score + scoring.decide for every article;
  3. keyword + classifier as the rules declare it: the model only on the articles whose
     decision it can change (scoring.needs_probability), batched;
  4. keyword + classifier on every article (the worst case, as `model` mode would cost);
  5. the vectoriser + models alone over every article.
Also prints, per file, alerts per 10,000 articles for each topic with the classifier
on, and how many articles the gate sent to the model.
Real articles come from ../shared/data/articles/*.jsonl (skipped when absent).
Times are process CPU time (time.process_time), not wall time: on a shared machine the
wall clock mostly measures the neighbours. Everything here runs on one thread.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.models import KeywordResult  # noqa: E402
from monitor.relevance.classify import ModelSet  # noqa: E402
from monitor.relevance.modelfile import read_training_file  # noqa: E402
from monitor.relevance.scoring import decide, needs_probability  # noqa: E402

ARTICLES = ROOT.parent / "shared" / "data" / "articles"


def load_articles(limit: int | None) -> list[tuple[str, str, str, str | None]]:
    """(file stem, title, text, language) for every article, file by file."""
    out = []
    for path in sorted(ARTICLES.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for n, line in enumerate(f):
                if limit is not None and n >= limit:
                    break
                d = json.loads(line)
                text = d.get("text") or d.get("content") or d.get("summary") or ""
                out.append((path.stem, d.get("title") or "", text, d.get("language")))
    return out


def bench_training() -> ModelSet | None:
    files = sorted((ROOT / "seeds" / "training").glob("*.jsonl"))
    if not files:
        print("no seeds/training/*.jsonl: training not measured")
        return None
    examples = {f.stem: read_training_file(f) for f in files}
    ModelSet.train({"warm-up": examples[files[0].stem][:40]})  # imports, caches
    print("== training (target <= 10 s per topic)")
    for topic, exs in examples.items():
        t0 = time.process_time()
        ModelSet.train({topic: exs})
        dt = time.process_time() - t0
        pos = sum(e.label for e in exs)
        langs = len({e.language for e in exs})
        print(f"  {topic:<16} {len(exs):>5} examples ({pos} positive, {langs} languages): "
              f"{dt:6.2f} s")
    t0 = time.process_time()
    models = ModelSet.train(examples)
    print(f"  all topics together: {time.process_time() - t0:.2f} s")
    return models


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=None, help="articles per file (default all)")
    ap.add_argument("--batch", type=int, default=1000, help="articles per classifier batch")
    args = ap.parse_args()

    models = bench_training()
    if models is None:
        return
    if not ARTICLES.is_dir():
        print(f"{ARTICLES} absent: throughput not measured")
        return
    try:
        from monitor.relevance.matching import KeywordEngine
        from monitor.relevance.rules import load_rules
    except ImportError:
        KeywordEngine = None  # type: ignore[assignment,misc]
    articles = load_articles(args.limit)
    n = len(articles)
    print(f"\n== scoring {n} real articles from {ARTICLES} "
          f"(mean {sum(len(a[1]) + len(a[2]) for a in articles) / n:.0f} chars)")

    titles = [a[1] for a in articles]
    texts = [a[2] for a in articles]
    t0 = time.process_time()
    for i in range(0, n, args.batch):
        models.predict(titles[i : i + args.batch], texts[i : i + args.batch])
    clf_only = n / (time.process_time() - t0)
    print(f"  classifier alone, every article, {len(models.topics)} topics: "
          f"{clf_only:10,.0f} articles/s")

    if KeywordEngine is None:
        print("  monitor.relevance.matching / monitor.relevance.rules not available: keyword baseline skipped")
        return
    topics = load_rules(ROOT / "rules").topics
    engine = KeywordEngine(topics)

    def keyword_pass() -> list[dict[str, KeywordResult]]:
        return [engine.score(t, x, lang) for _, t, x, lang in articles]

    # 1. keyword only (decide in keyword mode for every topic)
    t0 = time.process_time()
    keyword = keyword_pass()
    for i, kws in enumerate(keyword):
        for topic in topics:
            kw = kws.get(topic.name) or KeywordResult(topic.name, False, 0.0)
            decide(_as_keyword(topic), kw, None, str(i))
    kw_rate = n / (time.process_time() - t0)

    def with_classifier(all_articles: bool) -> tuple[float, Counter, Counter]:
        t0 = time.process_time()
        kwall = keyword_pass()
        probs: dict[str, dict[int, float]] = {}
        for start in range(0, n, args.batch):
            stop = min(n, start + args.batch)
            wanted: dict[str, list[int]] = {}
            for topic in topics:
                if not models.has(topic.name):
                    continue
                idx = [i for i in range(start, stop)
                       if all_articles or needs_probability(
                           topic, kwall[i].get(topic.name) or KeywordResult(topic.name, False, 0.0))]
                if idx:
                    wanted[topic.name] = idx
            union = sorted({i for idx in wanted.values() for i in idx})
            if not union:
                continue
            p = models.predict([titles[i] for i in union], [texts[i] for i in union],
                               topics=list(wanted))
            pos = {i: k for k, i in enumerate(union)}
            for name, idx in wanted.items():
                probs.setdefault(name, {}).update({i: float(p[name][pos[i]]) for i in idx})
        alerts: Counter = Counter()
        for i, kws in enumerate(kwall):
            for topic in topics:
                kw = kws.get(topic.name) or KeywordResult(topic.name, False, 0.0)
                m = decide(topic, kw, probs.get(topic.name, {}).get(i), str(i))
                if m.alert:
                    alerts[(articles[i][0], topic.name)] += 1
        rate = n / (time.process_time() - t0)
        sent = Counter({name: len(v) for name, v in probs.items()})
        return rate, alerts, sent

    gated_rate, alerts, sent = with_classifier(False)
    all_rate, _, _ = with_classifier(True)
    kw_alerts = Counter()
    for i, kws in enumerate(keyword):
        for topic in topics:
            kw = kws.get(topic.name) or KeywordResult(topic.name, False, 0.0)
            if decide(_as_keyword(topic), kw, None, "").alert:
                kw_alerts[(articles[i][0], topic.name)] += 1

    print(f"  keyword only (baseline):                 {kw_rate:10,.0f} articles/s  1.00x")
    print(f"  keyword + classifier, as rules declare:  {gated_rate:10,.0f} articles/s  "
          f"{gated_rate / kw_rate:.2f}x")
    print(f"  keyword + classifier on every article:   {all_rate:10,.0f} articles/s  "
          f"{all_rate / kw_rate:.2f}x")
    for topic in topics:
        print(f"  {topic.name}: mode {topic.classifier.mode}, model consulted for "
              f"{sent.get(topic.name, 0)} of {n} articles")

    print("\n== alerts per 10,000 articles (keyword only -> with classifier)")
    per_file = Counter(a[0] for a in articles)
    names = [t.name for t in topics]
    print(f"  {'file':<52}" + "".join(f"{name:>26}" for name in names))
    for stem in sorted(per_file):
        cells = []
        for name in names:
            k = kw_alerts[(stem, name)] * 10_000 / per_file[stem]
            c = alerts[(stem, name)] * 10_000 / per_file[stem]
            cells.append(f"{k:>11.1f} -> {c:>8.1f}    ")
        print(f"  {stem:<52}" + "".join(cells))


class _KeywordView:
    """A topic seen in keyword mode (the baseline ignores the classifier settings)."""

    class _Spec:
        mode = "keyword"
        threshold = 0.5

    def __init__(self, topic: object) -> None:
        self.name = topic.name  # type: ignore[attr-defined]
        self.threshold = topic.threshold  # type: ignore[attr-defined]
        self.classifier = self._Spec()


_views: dict[str, _KeywordView] = {}


def _as_keyword(topic: object) -> _KeywordView:
    name = topic.name  # type: ignore[attr-defined]
    if name not in _views:
        _views[name] = _KeywordView(topic)
    return _views[name]


if __name__ == "__main__":
    main()
