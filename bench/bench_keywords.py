"""Keyword stage throughput: one Aho-Corasick pass vs one big regex, and topic scaling.

Run: .venv/bin/python bench/bench_keywords.py [--limit N]

Over every ../shared/data/articles/*.jsonl (title + text; JSON parsing is not timed):
- the engine (normalise + scan + evaluate every topic) with the shipped topics
  (rules/, or the test fixtures when none are shipped yet), then with 10x and 100x the
  number of topics (synthetic topics made of random multilingual pseudo-words and
  mid-frequency real words, with queries shaped like the shipped ones);
- the baseline, in the same run: normalise + one precompiled Python regex alternation of
  every term of the shipped topics (word boundaries, `\\w*` for prefixes) over the same
  texts.
Prints articles/s for each, the engine/regex ratio, the 100x/1x time ratio, and how many
articles of each file each shipped topic matches.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.matching import KeywordEngine  # noqa: E402
from monitor.rules import RuleSet, load_rules, parse_rules  # noqa: E402
from monitor.text import is_unspaced_char, normalize  # noqa: E402

ARTICLES = ROOT.parent / "shared" / "data" / "articles"
TARGET_RATE, TARGET_VS_REGEX, TARGET_SCALING = 20_000, 5.0, 1.5


def load_articles(limit: int | None) -> list[tuple[str, str, str, str | None]]:
    rows = []
    for path in sorted(ARTICLES.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if limit is not None and i >= limit:
                    break
                d = json.loads(line)
                text = d.get("text") or d.get("content") or d.get("summary") or ""
                rows.append((path.stem, d.get("title") or "", text, d.get("language")))
    return rows


def shipped_rules() -> tuple[RuleSet, str]:
    rules = ROOT / "rules"
    if any(rules.glob("*.y*ml")) or any(rules.glob("*.toml")):
        return load_rules(rules), "rules/"
    return load_rules(ROOT / "tests" / "fixtures" / "rules" / "good"), "test fixtures"


_SCRIPTS = ("abcdefghijklmnopqrstuvwxyz", "абвгдежзиклмнопрстуфхцчшщыэюя",
            "αβγδεζηθικλμνξοπρστυφχψω", "ابتثجحخدذرزسشصضطظعغفقكلمنهوي")
_CJK = "北朝鮮俄罗斯武器弹药供应合作会谈军事导弹技术卫星潜艇国防部队"
_HANGUL = "가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허"


def synthetic_terms(rng: random.Random, vocabulary: list[str], n: int) -> list[str]:
    terms = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.15 and vocabulary:
            terms.append(rng.choice(vocabulary) + ("*" if rng.random() < 0.3 else ""))
        elif roll < 0.25:
            terms.append("".join(rng.choice(_CJK) for _ in range(rng.randint(2, 4))))
        elif roll < 0.32:
            terms.append("".join(rng.choice(_HANGUL) for _ in range(rng.randint(2, 3))))
        else:
            alphabet = rng.choice(_SCRIPTS)
            words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(4, 9)))
                     for _ in range(rng.choice((1, 1, 1, 2)))]
            terms.append(" ".join(words) + ("*" if rng.random() < 0.25 else ""))
    return terms


def synthetic_rules(count: int, terms_per_topic: int, vocabulary: list[str],
                    seed: int = 7) -> dict[str, str]:
    rng = random.Random(seed)
    files = {}
    per_group = max(4, terms_per_topic // 4)
    for i in range(count):
        groups = {g: synthetic_terms(rng, vocabulary, per_group) for g in "abcd"}
        lexicon = "".join(f"  {g}: {json.dumps(ts, ensure_ascii=False)}\n"
                          for g, ts in groups.items())
        query = "(@a NEAR/20 @b) AND (@c OR title:@b^2) AND NOT @d"
        files[f"synthetic/s{i:04d}.yaml"] = (
            f"name: synthetic-{i:04d}\nlexicon:\n{lexicon}query: '{query}'\n")
    return files


def regex_baseline(ruleset: RuleSet) -> re.Pattern[str]:
    """One alternation of every term, longest first, with the engine's boundary rules."""
    terms: set[tuple[str, bool]] = set()
    for topic in ruleset.topics:
        for group in topic.groups:
            for term in group.terms:
                terms.add((term.text, term.text.endswith("*")))
        for literal in topic.literals:
            terms.add((literal, literal.endswith("*")))
    parts = []
    for text, prefix in sorted(terms, key=lambda t: -len(t[0])):
        norm = normalize(text.rstrip("*"), fold_accents=True)
        if not norm:
            continue
        body = r"\s+".join(re.escape(w) for w in norm.replace("*", "").split())
        if any(is_unspaced_char(c) for c in norm):
            parts.append(body)
        else:
            parts.append(r"\b" + body + (r"\w*" if prefix else r"\b"))
    return re.compile("|".join(parts))


def time_engine(engine: KeywordEngine, articles: list) -> tuple[float, Counter]:
    counts: Counter = Counter()
    start = time.perf_counter()
    for source, title, text, lang in articles:
        for name in engine.score(title, text, lang):
            counts[(source, name)] += 1
    return time.perf_counter() - start, counts


def time_regex(pattern: re.Pattern[str], articles: list) -> tuple[float, int]:
    hits = 0
    start = time.perf_counter()
    for _, title, text, _ in articles:
        hits += len(pattern.findall(normalize(title, fold_accents=True)))
        hits += len(pattern.findall(normalize(text, fold_accents=True)))
    return time.perf_counter() - start, hits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="articles per file")
    args = parser.parse_args()
    if not ARTICLES.is_dir():
        print(f"no articles in {ARTICLES}; nothing to measure")
        return 0
    articles = load_articles(args.limit)
    chars = sum(len(t) + len(x) for _, t, x, _ in articles) / max(1, len(articles))
    ruleset, origin = shipped_rules()
    print(f"{len(articles)} articles ({chars:.0f} chars on average) from {ARTICLES}")

    t0 = time.perf_counter()
    engine = KeywordEngine(ruleset.topics)
    build = time.perf_counter() - t0
    print(f"shipped topics ({origin}): {len(ruleset.topics)} topics, {engine.term_count} terms,"
          f" automaton built in {build * 1000:.0f} ms")
    time_engine(engine, articles[:2000])  # warm caches
    base_time, counts = time_engine(engine, articles)
    base_rate = len(articles) / base_time

    pattern = regex_baseline(ruleset)
    time_regex(pattern, articles[:500])
    regex_time, regex_hits = time_regex(pattern, articles)
    regex_rate = len(articles) / regex_time

    # Vocabulary for the synthetic topics: mid-frequency words of the corpus itself.
    words: Counter = Counter()
    for _, title, text, _ in articles[::20]:
        words.update(w for w in normalize(title + " " + text).split() if w.isalpha())
    ranked = [w for w, _ in words.most_common(20000)]
    vocabulary = ranked[2000:20000]
    terms_per_topic = max(8, engine.term_count // max(1, len(ruleset.topics)))

    rows = [("1x", len(ruleset.topics), engine.term_count, base_time, 0.0)]
    for factor in (10, 100):
        extra = len(ruleset.topics) * (factor - 1)
        synth = parse_rules(synthetic_rules(extra, terms_per_topic, vocabulary))
        t0 = time.perf_counter()
        big = KeywordEngine(ruleset.topics + synth.topics)
        build = time.perf_counter() - t0
        time_engine(big, articles[:2000])
        elapsed, big_counts = time_engine(big, articles)
        for key, n in counts.items():  # the shipped topics are unaffected by the others
            assert big_counts[key] == n, (key, n, big_counts[key])
        rows.append((f"{factor}x", len(big.topics), big.term_count, elapsed, build))

    print()
    print(f"{'topics':>8} {'count':>6} {'terms':>8} {'articles/s':>11} {'time ratio':>10}"
          f" {'build ms':>9}")
    for label, n_topics, n_terms, elapsed, build in rows:
        print(f"{label:>8} {n_topics:>6} {n_terms:>8} {len(articles) / elapsed:>11,.0f}"
              f" {elapsed / base_time:>10.2f} {build * 1000:>9.0f}")
    print(f"{'regex':>8} {'':>6} {'':>8} {regex_rate:>11,.0f}  (one alternation of the 1x terms,"
          f" {regex_hits} raw hits)")
    print()
    ratio = base_rate / regex_rate
    scaling = rows[-1][3] / base_time
    print(f"engine, shipped topics: {base_rate:,.0f} articles/s"
          f"  [target >= {TARGET_RATE:,}: {'ok' if base_rate >= TARGET_RATE else 'MISSED'}]")
    print(f"engine / regex: {ratio:.1f}x"
          f"  [target >= {TARGET_VS_REGEX:g}x: {'ok' if ratio >= TARGET_VS_REGEX else 'MISSED'}]")
    print(f"100x topics / 1x time: {scaling:.2f}"
          f"  [target <= {TARGET_SCALING:g}: {'ok' if scaling <= TARGET_SCALING else 'MISSED'}]")

    print("\nmatches per file (shipped topics):")
    sources = sorted({s for s, *_ in articles})
    names = [t.name for t in ruleset.topics]
    per_file = Counter(s for s, *_ in articles)
    print(f"  {'file':<52} {'articles':>8} " + " ".join(f"{n:>15}" for n in names))
    for source in sources:
        print(f"  {source:<52} {per_file[source]:>8} "
              + " ".join(f"{counts[(source, n)]:>15}" for n in names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
