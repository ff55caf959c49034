"""Keyword stage throughput: one Aho-Corasick pass vs one big regex, and topic scaling.

Run: .venv/bin/python bench/bench_keywords.py [--limit N]

Over every ../shared/data/articles/*.jsonl (title + text; JSON parsing is not timed):
- the engine (normalise + scan + evaluate every topic) with the shipped topics
  (rules/, or the test fixtures when none are shipped yet), then with 10x and 100x the
  number of topics (synthetic topics made of random multilingual pseudo-words and
  mid-frequency real words, with queries shaped like the shipped ones);
- the baseline, in the same run: normalise + one precompiled Python regex alternation of
  every term of the shipped topics (word boundaries, `\\w*` for prefixes); the regex is
  so slow that both run on the same spread-out sample of the texts (--regex-sample).
Times are CPU seconds of this process (time.process_time); each chunk of 2,000 articles
runs under every engine in turn, --rounds times, and the best time of each (engine, chunk)
counts, so other load on the machine counts as little as possible. Prints articles/s for each, the engine/regex ratio, the 100x/1x time ratio, and how many
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

from monitor.relevance.matching import KeywordEngine  # noqa: E402
from monitor.relevance.query import parse_query, to_source  # noqa: E402
from monitor.relevance.rules import load_rules  # noqa: E402
from monitor.relevance.text import is_unspaced_char, normalize  # noqa: E402
from monitor.relevance.topics import Group, RuleSet, Term, Topic  # noqa: E402

ARTICLES = ROOT.parent / "shared" / "data" / "articles"
TARGET_RATE, TARGET_VS_REGEX, TARGET_SCALING = 20_000, 5.0, 1.5
REAL_WORDS = 16  # corpus words per synthetic topic (rank 500-20,000 in the corpus)


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


def synthetic_terms(rng: random.Random, n: int) -> list[str]:
    """Pseudo-words in Latin, Cyrillic, Greek, Arabic, Han and Hangul; some multi-word,
    some prefixes."""
    terms = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.10:
            terms.append("".join(rng.choice(_CJK) for _ in range(rng.randint(2, 4))))
        elif roll < 0.17:
            terms.append("".join(rng.choice(_HANGUL) for _ in range(rng.randint(2, 3))))
        else:
            alphabet = rng.choice(_SCRIPTS)
            words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(4, 9)))
                     for _ in range(rng.choice((1, 1, 1, 2)))]
            terms.append(" ".join(words) + ("*" if rng.random() < 0.25 else ""))
    return terms


def synthetic_topics(count: int, terms_per_topic: int, vocabulary: list[str],
                     seed: int = 7) -> tuple[Topic, ...]:
    """Topics built directly (parsing 100x the YAML would only measure PyYAML).

    Each has as many terms as a shipped topic: pseudo-words, plus REAL_WORDS words of the
    corpus vocabulary (so synthetic topics do hit real articles and get evaluated).
    """
    rng = random.Random(seed)
    per_group = max(4, terms_per_topic // 4)
    query = parse_query("(@a NEAR/20 @b) AND (@c OR title:@b^2) AND NOT @d")
    topics = []
    for i in range(count):
        name = f"synthetic-{i:04d}"
        groups = tuple(
            Group(g, f"{name}/{g}", tuple(Term(t) for t in dict.fromkeys(
                synthetic_terms(rng, per_group)
                + [rng.choice(vocabulary) for _ in range(REAL_WORDS // 4)])), "synthetic")
            for g in "abcd"
        )
        topics.append(Topic(name, "", "synthetic", to_source(query), query, groups))
    return tuple(topics)


def regex_baseline(ruleset: RuleSet) -> re.Pattern[str]:
    """One alternation of every term, longest first, with the engine's boundary rules
    (boundaries factored out of the alternatives, which helps `re` a little)."""
    exact, prefix, substring = [], [], []
    seen: set[str] = set()
    for topic in ruleset.topics:
        texts = [t.text for g in topic.groups for t in g.terms] + list(topic.literals)
        for text in texts:
            norm = normalize(text, fold_accents=True)
            if not norm.replace("*", "").strip() or norm in seen:
                continue
            seen.add(norm)
            body = r"\s+".join(re.escape(w.rstrip("*")) for w in norm.split())
            if any(is_unspaced_char(c) for c in norm):
                substring.append(body)
            elif norm.endswith("*"):
                prefix.append(body)
            else:
                exact.append(body)

    def alt(items: list[str]) -> str:
        return "|".join(sorted(items, key=len, reverse=True))

    parts = []
    if exact:
        parts.append(rf"(?<!\w)(?:{alt(exact)})(?!\w)")
    if prefix:
        parts.append(rf"(?<!\w)(?:{alt(prefix)})\w*")
    if substring:
        parts.append(f"(?:{alt(substring)})")
    return re.compile("|".join(parts) or "(?!)")


def time_engine(engine: KeywordEngine, articles: list) -> tuple[float, Counter]:
    counts: Counter = Counter()
    start = time.process_time()
    for source, title, text, lang in articles:
        for name in engine.score(title, text, lang):
            counts[(source, name)] += 1
    return time.process_time() - start, counts


def time_regex(pattern: re.Pattern[str], articles: list) -> tuple[float, int]:
    hits = 0
    start = time.process_time()
    for _, title, text, _ in articles:
        hits += len(pattern.findall(normalize(title, fold_accents=True)))
        hits += len(pattern.findall(normalize(text, fold_accents=True)))
    return time.process_time() - start, hits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="articles per file")
    parser.add_argument("--regex-sample", type=int, default=1500,
                        help="articles the (slow) regex baseline runs on")
    parser.add_argument("--rounds", type=int, default=3, help="best of N interleaved rounds")
    args = parser.parse_args()
    if not ARTICLES.is_dir():
        print(f"no articles in {ARTICLES}; nothing to measure")
        return 0
    articles = load_articles(args.limit)
    chars = sum(len(t) + len(x) for _, t, x, _ in articles) / max(1, len(articles))
    ruleset, origin = shipped_rules()
    print(f"{len(articles)} articles ({chars:.0f} chars on average) from {ARTICLES}")

    t0 = time.process_time()
    engine = KeywordEngine(ruleset.topics)
    build = time.process_time() - t0
    print(f"shipped topics ({origin}): {len(ruleset.topics)} topics, {engine.term_count} terms,"
          f" automaton built in {build * 1000:.0f} ms")

    # Vocabulary for the synthetic topics: mid-frequency words of the corpus itself.
    words: Counter = Counter()
    for _, title, text, _ in articles[::20]:
        words.update(w for w in normalize(title + " " + text).split() if w.isalpha())
    ranked = [w for w, _ in words.most_common(20000)]
    vocabulary = ranked[500:20000]
    terms_per_topic = max(8, engine.term_count // max(1, len(ruleset.topics)))

    engines = [("1x", engine, build)]
    for factor in (10, 100):
        extra = len(ruleset.topics) * (factor - 1)
        synth = synthetic_topics(extra, terms_per_topic, vocabulary)
        t0 = time.process_time()
        big = KeywordEngine(ruleset.topics + synth)
        engines.append((f"{factor}x", big, time.process_time() - t0))

    # The machine is shared and noisy: time each chunk of articles under every engine in
    # turn, repeat, keep each (engine, chunk) best time, and add the chunks up.
    chunks = [articles[i : i + 2000] for i in range(0, len(articles), 2000)]
    best_chunk: dict[tuple[str, int], float] = {}
    counts: dict[str, Counter] = {label: Counter() for label, _, _ in engines}
    for round_no in range(args.rounds):
        for index, chunk in enumerate(chunks):
            for label, eng, _ in engines:
                elapsed, found = time_engine(eng, chunk)
                key = (label, index)
                best_chunk[key] = min(best_chunk.get(key, float("inf")), elapsed)
                if round_no == 0:
                    counts[label].update(found)
    best = {label: sum(best_chunk[(label, i)] for i in range(len(chunks)))
            for label, _, _ in engines}
    for label, _, _ in engines[1:]:  # the shipped topics are unaffected by the others
        for key, n in counts["1x"].items():
            assert counts[label][key] == n, (label, key, n, counts[label][key])
    base_time = best["1x"]
    base_rate = len(articles) / base_time
    rows = [(label, len(eng.topics), eng.term_count, best[label], build)
            for label, eng, build in engines]

    # The regex is slow: compare both on the same spread-out sample of the articles.
    sample = articles[:: max(1, len(articles) // args.regex_sample)]
    pattern = regex_baseline(ruleset)
    regex_time = sample_time = float("inf")
    for _ in range(args.rounds):
        elapsed, regex_hits = time_regex(pattern, sample)
        regex_time = min(regex_time, elapsed)
        sample_time = min(sample_time, time_engine(engine, sample)[0])
    regex_rate = len(sample) / regex_time
    sample_rate = len(sample) / sample_time
    counts_1x = counts["1x"]

    print()
    print(f"{'topics':>8} {'count':>6} {'terms':>8} {'articles/s':>11} {'time ratio':>10}"
          f" {'build ms':>9}")
    for label, n_topics, n_terms, elapsed, build in rows:
        print(f"{label:>8} {n_topics:>6} {n_terms:>8} {len(articles) / elapsed:>11,.0f}"
              f" {elapsed / base_time:>10.2f} {build * 1000:>9.0f}")
    print(f"\nsame {len(sample)} articles: engine {sample_rate:,.0f} articles/s, regex"
          f" {regex_rate:,.0f} articles/s (one alternation of the 1x terms, {regex_hits} hits)")
    print()
    ratio = sample_rate / regex_rate
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
              + " ".join(f"{counts_1x[(source, n)]:>15}" for n in names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
