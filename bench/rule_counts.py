"""How often the shipped topics fire on real article sets, with samples to read.

Loads `rules/` with the keyword engine and runs it over every
`../shared/data/articles/*.jsonl` (title + text). Prints, per file, the number of
articles, the matches per topic and the rate per 10,000 articles. With `--sample N`
it also prints N random matches and N random near-misses per topic (articles that
mention the topic's entities but do not match) so a person can judge precision and
recall by reading. Not a test: figures, not assertions.

    .venv/bin/python bench/rule_counts.py [--sample 20] [--topic dprk-russia] [--file kcna]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitor.models import KeywordResult  # noqa: E402
from monitor.relevance.matching import KeywordEngine  # noqa: E402
from monitor.relevance.rules import load_rules  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "articles"

# A near-miss mentions what the topic is about without matching: one group from each set.
NEAR_MISS_GROUPS: dict[str, tuple[frozenset[str], ...]] = {
    "dprk-russia": (
        frozenset({"north_korea", "north_korea_leader", "dprk_russia_pair"}),
        frozenset({"russia", "russia_leader", "dprk_russia_pair"}),
    ),
    "arms-transfers": (
        frozenset({"weapons", "senjata_generic", "arms_deal"}),
        frozenset({"arms_transfer_action", "export_import", "arms_deal"}),
    ),
}


def read_articles(path: Path) -> Iterator[tuple[str, str, str]]:
    """(id, title, text) per JSON line; bad lines are skipped."""
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                continue
            title = obj.get("title") or ""
            text = obj.get("text") or obj.get("content") or obj.get("summary") or ""
            yield str(obj.get("id", n)), str(title), str(text)


def is_near_miss(topic: str, result: KeywordResult | None) -> bool:
    if result is None or result.matched:
        return False
    groups = {e.group for e in result.evidence}
    sets = NEAR_MISS_GROUPS.get(topic)
    if sets is None:
        return bool(groups)
    return all(groups & s for s in sets)


def show(article: tuple[str, str, str], result: KeywordResult | None, width: int) -> str:
    aid, title, text = article
    terms = ""
    if result is not None:
        seen: dict[str, None] = {}
        for e in result.evidence:
            seen[f"{e.group or 'literal'}:{e.term}"] = None
        terms = ", ".join(list(seen)[:8])
    body = " ".join(text.split())[:width]
    line = f"  [{aid}] {title.strip()[:160]}"
    if body:
        line += f"\n      {body}"
    if terms:
        line += f"\n      terms: {terms}"
    return line


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", type=Path, default=REPO / "rules")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sample", type=int, default=0, help="matches and near-misses to print")
    ap.add_argument("--topic", action="append", help="only these topics (repeatable)")
    ap.add_argument("--file", action="append", help="only files whose name contains this")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--width", type=int, default=220, help="characters of body text shown")
    args = ap.parse_args(argv)

    files = sorted(args.data.glob("*.jsonl")) if args.data.is_dir() else []
    if args.file:
        files = [f for f in files if any(s in f.name for s in args.file)]
    if not files:
        print(f"no article files in {args.data}: nothing to count (skipped)")
        return 0

    ruleset = load_rules(args.rules)
    engine = KeywordEngine(ruleset.topics)
    topics = [t.name for t in ruleset.topics if not args.topic or t.name in args.topic]
    rng = random.Random(args.seed)
    print(f"rules: {len(ruleset.topics)} topics, {engine.term_count} distinct terms")

    totals = {t: 0 for t in topics}
    total_articles = 0
    total_seconds = 0.0
    header = f"{'file':<52} {'articles':>8} " + " ".join(f"{t:>22}" for t in topics)
    print(header)
    samples: list[str] = []
    for path in files:
        matches: dict[str, list] = {t: [] for t in topics}
        misses: dict[str, list] = {t: [] for t in topics}
        count = 0
        start = time.perf_counter()
        for article in read_articles(path):
            count += 1
            results = engine.score(article[1], article[2], include_all=bool(args.sample))
            for t in topics:
                res = results.get(t)
                if res is not None and res.matched:
                    matches[t].append((article, res))
                elif args.sample and is_near_miss(t, res):
                    misses[t].append((article, res))
        total_seconds += time.perf_counter() - start
        total_articles += count
        cells = []
        for t in topics:
            k = len(matches[t])
            totals[t] += k
            rate = 10_000 * k / count if count else 0.0
            cells.append(f"{k:>8} ({rate:>8.1f}/10k)")
        print(f"{path.name:<52} {count:>8} " + " ".join(f"{c:>22}" for c in cells))
        if args.sample:
            for t in topics:
                for label, pool in (("matches", matches[t]), ("near-misses", misses[t])):
                    picked = rng.sample(pool, min(args.sample, len(pool)))
                    samples.append(f"\n== {path.name} / {t}: {len(picked)} of {len(pool)}"
                                   f" {label}")
                    samples.extend(show(a, r, args.width) for a, r in picked)
    cells = [f"{totals[t]:>8} ({10_000 * totals[t] / max(total_articles, 1):>8.1f}/10k)"
             for t in topics]
    print(f"{'TOTAL':<52} {total_articles:>8} " + " ".join(f"{c:>22}" for c in cells))
    if total_seconds > 0:
        print(f"keyword stage: {total_articles / total_seconds:,.0f} articles/s"
              " (score() over all topics, one core)")
    for line in samples:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
