"""Story grouping quality: pair recall and strict pair precision on the story sets, in time
order and shuffled, through `monitor replay` (the production pipeline, in-process).

Sets:
- written: seeds/stories/written.jsonl (24 events, 104 articles, 14 languages; the team's
  own text, with distractor events that share vocabulary);
- real: the Guardian and BBC headlines of seeds/stories/real-groups.jsonl (hand-grouped
  same-event headlines, ids only; text from ../shared) among every headline of the pool
  they were grouped from (topic headlines, 2020-2024), the ungrouped ones as singletons.

A pair is two articles of one gold group; recall = gold pairs given one story id /
gold pairs; strict precision = predicted pairs (same story id) inside one gold group /
predicted pairs. Cross-language recall counts only pairs of two languages.

    .venv/bin/python bench/story_quality.py [--seed 1]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
from collections import defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "seeds" / "labels"))

import sample  # noqa: E402

from monitor.app import open_runtime  # noqa: E402
from monitor.commands.replay import read_lines, replay  # noqa: E402
from monitor.config import default_config  # noqa: E402
from monitor.relevance.rules import load_rules  # noqa: E402

STORIES = ROOT / "seeds" / "stories"


def written_set() -> list[dict]:
    with (STORIES / "written.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def real_set() -> list[dict] | None:
    if not (sample.DATA / "articles").is_dir():
        return None
    with (STORIES / "real-groups.jsonl").open(encoding="utf-8") as lines:
        groups = {json.loads(x)["id"]: json.loads(x)["group"] for x in lines}
    held = sample.holdout_ids()
    rows = []
    for source in ("guardian", "bbc"):
        with (sample.DATA / "articles" / sample.SOURCES[source][0]).open(encoding="utf-8") as lines:
            items = [json.loads(line) for line in lines]
        for item in items:
            title = item.get("title") or ""
            if item["id"] in held or not (sample.NK.search(title) or sample.ARMS.search(title)):
                continue
            rows.append({"id": item["id"], "title": title, "published": item.get("published"),
                         "source": item.get("source"), "language": "en", "url": item.get("url"),
                         "group": groups.get(item["id"], f"single:{item['id']}")})
    return rows


def stories_of(rows: list[dict]) -> dict[str, str]:
    config = default_config(ROOT)
    rt = open_runtime(config, load_rules(ROOT / "rules"), db_path=":memory:")
    try:
        out = io.StringIO()
        text = "".join(json.dumps({k: v for k, v in r.items() if k != "group"}, ensure_ascii=False) + "\n"
                       for r in rows)
        replay(rt.pipeline, read_lines(io.StringIO(text), "stories"), out)
    finally:
        rt.close()
    return {str(o["id"]): str(o["story"]) for o in map(json.loads, out.getvalue().splitlines())}


def score(rows: list[dict], story: dict[str, str]) -> dict[str, float]:
    by_group: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_group[r["group"]].append(r)
    gold = {frozenset((a["id"], b["id"])): a.get("language") != b.get("language")
            for members in by_group.values() for a, b in combinations(members, 2)}
    by_story: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        by_story[story[r["id"]]].append(r["id"])
    predicted = {frozenset(p) for members in by_story.values() for p in combinations(members, 2)}
    found = [p for p in gold if p in predicted]
    cross = [p for p, is_cross in gold.items() if is_cross]
    return {
        "pairs": len(gold), "recall": len(found) / len(gold) if gold else float("nan"),
        "precision": sum(1 for p in predicted if p in gold) / len(predicted) if predicted else float("nan"),
        "predicted": len(predicted),
        "cross_recall": sum(1 for p in cross if p in predicted) / len(cross) if cross else float("nan"),
        "cross_pairs": len(cross),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    sets = {"written": written_set(), "real": real_set()}
    for name, rows in sets.items():
        if rows is None:
            print(f"{name}: ../shared/data absent, skipped")
            continue
        ordered = sorted(rows, key=lambda r: (r.get("published") or "", r["id"]))
        shuffled = list(rows)
        random.Random(args.seed).shuffle(shuffled)
        for order, data in (("time order", ordered), ("shuffled", shuffled)):
            s = score(rows, stories_of(data))
            print(f"{name:8s} {order:10s}: pair recall {s['recall']:.3f} of {s['pairs']}, strict precision "
                  f"{s['precision']:.3f} of {s['predicted']} predicted, cross-language recall "
                  f"{s['cross_recall']:.3f} of {s['cross_pairs']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
