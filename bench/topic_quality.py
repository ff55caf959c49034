"""Quality of the shipped watch topics: precision/recall on labeled sets, alert rates on real data.

Runs the production replay pipeline in-process (`monitor.app.open_runtime` on a
":memory:" database, `monitor.commands.replay.replay`), so the keyword engine, the classifier
and the `classifier.mode` combination are exactly what the daemon would do. The models
are trained from `seeds/training/` into a throwaway state directory.

For each topic it prints:

1. precision / recall / F1 on the training seeds `seeds/training/<topic>.jsonl` (the
   model has seen these: a lower bound on what the rules must reach, not a test);
2. the same on the held-out set `seeds/eval/<topic>.jsonl`;
3. alerts per 10,000 articles over every `../shared/data/articles/*.jsonl` (skipped
   when absent); `--sample N` prints N random alerts per file and topic for reading;
4. a comparison of combinations computed from the same run (keyword alone, gate, the
   model alone, either at several model thresholds), so a change of `classifier` in a
   rule file can be judged before it is made.

    .venv/bin/python bench/topic_quality.py [--sample 30] [--sample-gated 10]
        [--sample-model 10 --model-t 0.9] [--file guardian] [--topic T] [--misses]
        [--no-real] [--no-labeled] [--fast]

`--misses` lists the misses and false alarms on the training seeds only: the held-out
set is for checking, not for tuning. `--fast` scores the real files with the production
`Scorer` alone (same alert decisions, no dedup/store stages). Not a test: figures, not
assertions. About 1 minute with `--fast`, 2-3 minutes without, on 2 cores.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_DATA = REPO.parent / "shared" / "data" / "articles"
SWEEP = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)


@dataclass(frozen=True)
class Scored:
    """One article's outcome for one topic, with what is needed to re-decide it."""

    aid: str
    title: str
    language: str
    alert: bool  # the production decision
    keyword_fires: bool  # query matched and keyword score >= topic threshold
    probability: float | None  # model probability (computed for every article)
    label: int | None = None


def _training_lines(path: Path, topic: str) -> list[str]:
    """Seed lines (title, text, label) as replay lines with `labels`."""
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        o = json.loads(raw)
        out.append(json.dumps({
            "id": o["id"], "title": o.get("title") or "", "content": o.get("text") or "",
            "language": o.get("language"), "labels": {topic: int(o["label"])},
        }, ensure_ascii=False))
    return out


def _article_lines(path: Path) -> list[str]:
    """Real article files: keep `id`, `title`, `text`; give every line an id."""
    out = []
    with path.open(encoding="utf-8") as fh:
        for n, raw in enumerate(fh):
            if not raw.strip():
                continue
            try:
                o = json.loads(raw)
            except json.JSONDecodeError:
                continue
            out.append(json.dumps({
                "id": f"{path.stem}:{o.get('id', n)}", "title": o.get("title") or "",
                "content": o.get("text") or o.get("content") or o.get("summary") or "",
                "language": o.get("language"), "published": o.get("published"),
            }, ensure_ascii=False))
    return out


class Runner:
    """One runtime (rules + trained models) reused for every input set; a fresh
    in-memory store per set so dedup state never leaks between sets."""

    def __init__(self, rules_dir: Path) -> None:
        from monitor.app import open_runtime
        from monitor.config import default_config
        from monitor.relevance.rules import load_rules

        self.config = default_config(REPO)
        self.ruleset = load_rules(rules_dir)
        self.topics = {t.name: t for t in self.ruleset.topics}
        rt = open_runtime(self.config, self.ruleset, db_path=":memory:")
        self.models = rt.scorer.models
        rt.close()

    def run(self, lines: list[str], name: str, fast: bool = False) -> dict[str, list[Scored]]:
        from monitor.commands.replay import output_record, read_lines, replay
        from monitor.pipeline import Pipeline, Scorer
        from monitor.state.store import Store

        parsed = list(read_lines(iter(x + "\n" for x in lines), name))
        out = io.StringIO()
        if fast:  # the production Scorer only: same decisions, no dedup/store stages
            scorer = Scorer(self.ruleset, self.models)
            good = [ln for ln in parsed if ln.article is not None]
            for ln, matches in zip(good, scorer.score([ln.article for ln in good]), strict=True):
                rec = output_record(ln, _Processed(matches), {})
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        else:
            store = Store(":memory:")
            try:
                pipeline = Pipeline(self.config, Scorer(self.ruleset, self.models), store)
                replay(pipeline, parsed, out)
            finally:
                store.close()
        articles = [ln.article for ln in parsed if ln.article is not None]
        probs = self._probabilities(articles)
        by_id = {a.id: i for i, a in enumerate(articles)}
        inputs = {str(json.loads(x)["id"]): json.loads(x) for x in lines}
        result: dict[str, list[Scored]] = defaultdict(list)
        for raw in out.getvalue().splitlines():
            o = json.loads(raw)
            if o.get("error"):
                continue
            aid = str(o["id"])
            src = inputs.get(aid, {})
            labels = src.get("labels") or {}
            for m in o["matches"]:
                topic = m["topic"]
                t = self.topics[topic]
                i = by_id.get(aid)
                p = None if i is None or topic not in probs else float(probs[topic][i])
                result[topic].append(Scored(
                    aid=aid, title=str(src.get("title") or ""),
                    language=str(src.get("language") or o.get("language") or "?"),
                    alert=bool(m["alert"]),
                    keyword_fires=bool(m["keyword_matched"]) and m["keyword_score"] >= t.threshold,
                    probability=p, label=labels.get(topic)))
        return result

    def _probabilities(self, articles: list) -> dict:
        """The model's probability for every article (the pipeline skips some): lets the
        comparison re-decide any combination without another run."""
        if self.models is None or not articles:
            return {}
        return self.models.predict([a.title for a in articles], [a.text for a in articles])


class _Dedup:
    kind = None
    duplicate_of = None
    story = None


class _Processed:
    """Just enough of `monitor.pipeline.Processed` for `output_record` (fast mode)."""

    def __init__(self, matches: tuple) -> None:
        self.matches = matches
        self.decision = _Dedup()
        self.article = type("A", (), {"language": None})()


def prf(rows: Iterable[Scored], decide=lambda r: r.alert) -> tuple[int, int, int, int, float, float, float]:
    tp = fp = fn = tn = 0
    for r in rows:
        if r.label is None:
            continue
        a = decide(r)
        if a and r.label:
            tp += 1
        elif a:
            fp += 1
        elif r.label:
            fn += 1
        else:
            tn += 1
    p = tp / (tp + fp) if tp + fp else float("nan")
    rc = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * p * rc / (p + rc) if tp else 0.0
    return tp, fp, fn, tn, p, rc, f1


def _fmt(c: tuple[int, int, int, int, float, float, float]) -> str:
    tp, fp, fn, tn, p, r, f1 = c
    return f"P {p:5.3f}  R {r:5.3f}  F1 {f1:5.3f}  (TP {tp:3d} FP {fp:3d} FN {fn:3d} TN {tn:3d})"


def combinations(topic_threshold: float) -> list[tuple[str, object]]:
    """Decision rules recomputed from keyword_fires and p."""
    T = topic_threshold

    def p_of(r: Scored) -> float:
        return -1.0 if r.probability is None else r.probability

    combos: list[tuple[str, object]] = [
        ("keyword alone", lambda r: r.keyword_fires),
        ("gate t=0.001", lambda r: r.keyword_fires and p_of(r) >= 0.001),
        ("gate t=0.01", lambda r: r.keyword_fires and p_of(r) >= 0.01),
        ("gate t=0.05", lambda r: r.keyword_fires and p_of(r) >= 0.05),
        ("gate t=0.10", lambda r: r.keyword_fires and p_of(r) >= 0.1),
        ("gate t=0.20", lambda r: r.keyword_fires and p_of(r) >= 0.2),
        ("gate t=0.30", lambda r: r.keyword_fires and p_of(r) >= 0.3),
        ("gate t=0.50", lambda r: r.keyword_fires and p_of(r) >= 0.5),
        ("model alone t=0.50", lambda r: p_of(r) >= max(0.5, T)),
    ]
    for t in (0.97, 0.98, 0.99):
        combos.append((f"either t={t:.2f}",
                       lambda r, t=t: r.keyword_fires or (p_of(r) >= t and p_of(r) >= T)))
    for t in SWEEP:
        combos.append((f"either t={t:.2f}",
                       lambda r, t=t: r.keyword_fires or (p_of(r) >= t and p_of(r) >= T)))
    return combos


def report_labeled(name: str, scored: dict[str, list[Scored]], topic: str, runner: Runner,
                   show_misses: bool) -> None:
    rows = scored.get(topic, [])
    t = runner.topics[topic]
    print(f"\n-- {topic} on {name}: {sum(1 for r in rows if r.label is not None)} labeled;"
          f" rule file: mode={t.classifier.mode} t={t.classifier.threshold} T={t.threshold}")
    print(f"   production  {_fmt(prf(rows))}")
    by_lang: dict[str, list[Scored]] = defaultdict(list)
    for r in rows:
        by_lang[r.language].append(r)
    cells = []
    for lang in sorted(by_lang):
        tp, fp, fn, _tn, *_ = prf(by_lang[lang])
        cells.append(f"{lang}:{tp}/{tp + fn}" + (f"+{fp}fp" if fp else ""))
    print("   recall per language (TP/positives, +false alarms): " + " ".join(cells))
    for label, fn in combinations(t.threshold):
        print(f"   {label:<20}{_fmt(prf(rows, fn))}")  # type: ignore[arg-type]
    if show_misses:
        for r in rows:
            if r.label == 1 and not r.alert:
                print(f"   MISS  [{r.language}] p={r.probability or 0:.2f} {r.title[:110]}")
            elif r.label == 0 and r.alert:
                print(f"   FALSE [{r.language}] p={r.probability or 0:.2f} kw={int(r.keyword_fires)}"
                      f" {r.title[:110]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", type=Path, default=REPO / "rules")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sample", type=int, default=0, help="random alerts to print per file and topic")
    ap.add_argument("--topic", action="append", help="only these topics (repeatable)")
    ap.add_argument("--file", action="append", help="only article files whose name contains this")
    ap.add_argument("--misses", action="store_true", help="list misses and false alarms on training seeds")
    ap.add_argument("--no-real", action="store_true", help="skip the real article files")
    ap.add_argument("--fast", action="store_true",
                    help="real data through the production Scorer only (no dedup/store stages;"
                         " the alert decision is the same)")
    ap.add_argument("--sample-model", type=int, default=0,
                    help="print N random articles per file the keywords miss but p >= --model-t")
    ap.add_argument("--sample-gated", type=int, default=0,
                    help="print N random keyword matches per file that the model vetoed")
    ap.add_argument("--model-t", type=float, default=0.9)
    ap.add_argument("--no-labeled", action="store_true", help="skip the labeled sets")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)

    import logging
    logging.basicConfig(level=logging.WARNING)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="topic-quality-") as state:
        os.environ["MONITOR_STATE_DIR"] = state
        runner = Runner(args.rules)
        print(f"models trained in {time.perf_counter() - started:.1f} s")
        topics = [n for n in runner.topics if not args.topic or n in args.topic]

        print("\n== labeled sets (production = decision as the rule files declare it;"
              " the other rows re-decide the same run)")
        for topic in [] if args.no_labeled else topics:
            train_path = REPO / "seeds" / "training" / f"{topic}.jsonl"
            eval_path = REPO / "seeds" / "eval" / f"{topic}.jsonl"
            if train_path.is_file():
                scored = runner.run(_training_lines(train_path, topic), str(train_path))
                report_labeled("training seeds", scored, topic, runner, args.misses)
            if eval_path.is_file():
                lines = eval_path.read_text(encoding="utf-8").splitlines()
                scored = runner.run([x for x in lines if x.strip()], str(eval_path))
                report_labeled("held-out eval", scored, topic, runner, False)

        files = sorted(args.data.glob("*.jsonl")) if args.data.is_dir() and not args.no_real else []
        if args.file:
            files = [f for f in files if any(s in f.name for s in args.file)]
        if not files:
            print(f"\nno article files in {args.data}: real-data rates skipped")
        else:
            _real(runner, files, topics, args)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


def _real(runner: Runner, files: list[Path], topics: list[str], args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    print("\n== real articles: alerts per 10,000 (production decision), and for comparison"
          " keyword alone and keyword-or-model at p >= 0.9 / 0.95")
    cols = ("alerts", "/10k", "kw", "e.90", "e.95")
    head = f"{'file':<40}{'articles':>9}" + "".join(
        "  |" + "".join(f"{(t[:6] + ' ' + c) if c == 'alerts' else c:>{14 if c == 'alerts' else 7}}"
                        for c in cols) for t in topics)
    print(head)
    totals = {t: [0, 0, 0, 0] for t in topics}
    combo_rates: dict[str, list] = {}
    n_total = 0
    samples: list[str] = []
    for path in files:
        lines = _article_lines(path)
        t0 = time.perf_counter()
        scored = runner.run(lines, str(path), fast=args.fast)
        seconds = time.perf_counter() - t0
        n = len(lines)
        n_total += n
        cells = ""
        for t in topics:
            rows = scored.get(t, [])
            alerts = [r for r in rows if r.alert]
            kw = sum(1 for r in rows if r.keyword_fires)
            e90 = sum(1 for r in rows if r.keyword_fires or (r.probability or 0) >= 0.9)
            e95 = sum(1 for r in rows if r.keyword_fires or (r.probability or 0) >= 0.95)
            for k, v in enumerate((len(alerts), kw, e90, e95)):
                totals[t][k] += v
            rate = [1e4 * v / max(n, 1) for v in (len(alerts), kw, e90, e95)]
            cells += f"  |{len(alerts):>14}{rate[0]:>7.1f}{rate[1]:>7.1f}{rate[2]:>7.1f}{rate[3]:>7.1f}"
            if args.sample:
                picked = rng.sample(alerts, min(args.sample, len(alerts)))
                samples.append(f"\n== {path.name} / {t}: {len(picked)} of {len(alerts)} alerts")
                for r in picked:
                    via = "kw" if r.keyword_fires else f"p={r.probability or 0:.2f}"
                    samples.append(f"  [{via}] {r.title[:150]}")
            if args.sample_gated:
                gated = [r for r in rows if r.keyword_fires and not r.alert]
                picked = rng.sample(gated, min(args.sample_gated, len(gated)))
                samples.append(f"\n== {path.name} / {t}: {len(picked)} of {len(gated)} keyword"
                               " matches the model vetoed")
                samples.extend(f"  [p={r.probability or 0:.2f}] {r.title[:150]}" for r in picked)
            if args.sample_model:
                extra = [r for r in rows if not r.keyword_fires and (r.probability or 0) >= args.model_t]
                picked = rng.sample(extra, min(args.sample_model, len(extra)))
                samples.append(f"\n== {path.name} / {t}: {len(picked)} of {len(extra)} model-only"
                               f" hits at p >= {args.model_t}")
                samples.extend(f"  [p={r.probability or 0:.2f}] {r.title[:150]}" for r in picked)
        print(f"{path.name[:39]:<40}{n:>9}{cells}   ({n / seconds:,.0f} art/s)")
        for t in topics:
            rows = scored.get(t, [])
            combo_rates.setdefault(t, []).append((path.name, n, [
                sum(1 for r in rows if fn(r)) for _, fn in combinations(runner.topics[t].threshold)]))
    cells = "".join(f"  |{totals[t][0]:>14}" + "".join(f"{1e4 * v / max(n_total, 1):>7.1f}"
                                                      for v in totals[t]) for t in topics)
    print(f"{'TOTAL':<40}{n_total:>9}{cells}")
    for t in topics:
        names = [name for name, _ in combinations(runner.topics[t].threshold)]
        print(f"\n-- {t}: alerts per 10,000 by combination")
        short = [nm.replace("either ", "e").replace("gate ", "g").replace("model alone ", "m")
                 .replace("keyword alone", "kw")[:9] for nm in names]
        print(f"{'file':<40}" + "".join(f"{nm:>10}" for nm in short))
        for name, n, counts in combo_rates.get(t, []):
            print(f"{name[:39]:<40}" + "".join(f"{1e4 * c / max(n, 1):>10.1f}" for c in counts))
    for line in samples:
        print(line)


if __name__ == "__main__":
    raise SystemExit(main())
