"""A long-running database stays fast: 20,000 articles/day in the real schema, hot queries timed.

Generates 1 month and 3 months of data (600 k and 1.8 M articles) in SQLite files built
by `monitor.state.store.Store`, then times the queries the daemon, `monitor status` and
/metrics run all day, prints each query plan (index use), the ratio 3 months / 1 month,
and an extrapolation to a year. With the default retention (90 days) the articles table
stops growing at about 3 months; matches, stories and alerts keep growing.

    .venv/bin/python bench/bench_db.py                # 30 and 90 days (a few minutes)
    .venv/bin/python bench/bench_db.py --days 3 9     # quick check
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.commands.status import status_data
from monitor.state import reports
from monitor.state.store import Store, ts

ARTICLES_PER_DAY = 20_000
FEEDS = 1_000
TOPICS = [f"topic-{i:02d}" for i in range(12)]
SCORED_SHARE = 0.10  # articles with a score > 0 for some topic (one match row)
RELEVANT_SHARE = 0.02  # of all articles: relevant matches (alert = 1)
ALERTS_PER_DAY = 150
ARTICLES_PER_STORY = 3
SUMMARY_CHARS, CONTENT_CHARS = 200, 600
START = datetime(2024, 1, 1, tzinfo=UTC)

WORDS = (
    "senjata pasokan rusia korea utara pertemuan военное сотрудничество поставки оружия "
    "munitions artillery shells summit minister ministry defence talks agreement grain "
    "economy election parliament border drone missile satellite launch sanctions trade"
).split()


def _text_blocks(n: int, chars: int, rng: random.Random) -> list[str]:
    blocks = []
    for k in range(n):
        words = rng.choices(WORDS, k=chars // 4)
        if k % 97 == 0:
            words[3] = "Vladivostok"  # a rarer word: in ~1 % of summaries and ~1 % of texts
        blocks.append(" ".join(words)[:chars])
    return blocks


def _hex(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()


def generate(path: Path, days: int) -> dict[str, Any]:
    """Fill a fresh database; returns counts and timings."""
    rng = random.Random(days)
    summaries, contents = (
        _text_blocks(997, SUMMARY_CHARS, rng),
        _text_blocks(1009, CONTENT_CHARS, rng),
    )
    store = Store(path)
    db = store.db
    # bulk-load settings for generating only; the queries reopen the file with the store's defaults
    db.execute("PRAGMA cache_size = -262144")
    db.execute("PRAGMA synchronous = OFF")
    # building an index once over the loaded rows is far faster than growing it row by row
    secondary = [
        (r["name"], r["sql"])
        for r in db.query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('articles', 'matches', 'stories', 'alerts')"
        )
    ]
    for name, _ in secondary:
        db.execute(f"DROP INDEX {name}")
    end = START + timedelta(days=days)
    n_articles = days * ARTICLES_PER_DAY
    step = 86400.0 / ARTICLES_PER_DAY
    timings: dict[str, float] = {}

    def fetched_at(i: int) -> datetime:
        return START + timedelta(seconds=i * step)

    day_prefix = [ts(START + timedelta(days=d))[:11] for d in range(days + 2)]

    def fetched_ts(i: int) -> str:
        # same text as ts(fetched_at(i)), without strftime (the generator's main cost)
        micros = round(i * step * 1_000_000)
        d, rest = divmod(micros, 86_400_000_000)
        secs, us = divmod(rest, 1_000_000)
        h, rem = divmod(secs, 3600)
        return f"{day_prefix[d]}{h:02d}:{rem // 60:02d}:{rem % 60:02d}.{us:06d}Z"

    assert fetched_ts(12_345) == ts(fetched_at(12_345))

    def articles() -> Iterator[tuple[Any, ...]]:
        for i in range(n_articles):
            t = fetched_ts(i)
            feed = i % FEEDS
            yield (
                _hex("a", i),
                f"https://outlet{feed}.example/rss",
                f"https://outlet{feed}.example/news/{i}",
                f"guid-{i}",
                f"Headline {i} {summaries[i % 997][:60]}",
                summaries[i % 997],
                contents[i % 1009],
                ("en", "id", "ru", "ko", "de")[i % 5],
                t,
                t,
                _hex("h", i),
                f"outlet {feed}",
                f"s{i // ARTICLES_PER_STORY}",
                None,
                "new",
            )

    started = time.perf_counter()
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO articles(id, feed, url, guid, title, summary, content, language, published, fetched, "
            "content_hash, source, story, duplicate_of, dedup_kind) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            articles(),
        )
    timings["articles"] = time.perf_counter() - started

    scored_every = round(1 / SCORED_SHARE)
    relevant_every = round(SCORED_SHARE / RELEVANT_SHARE)  # every 5th scored row is relevant

    def matches() -> Iterator[tuple[Any, ...]]:
        for k, i in enumerate(range(0, n_articles, scored_every)):
            alert = k % relevant_every == 0
            yield (
                _hex("a", i),
                TOPICS[k % len(TOPICS)],
                0.9 if alert else 0.3,
                int(alert),
                0.5,
                None,
                "bench",
                "[]",
                fetched_ts(i),
            )

    def stories() -> Iterator[tuple[Any, ...]]:
        for s in range(0, n_articles // ARTICLES_PER_STORY):
            i = s * ARTICLES_PER_STORY
            yield (f"s{s}", fetched_ts(i), fetched_ts(i + ARTICLES_PER_STORY - 1), f"Story {s}")

    n_alerts = days * ALERTS_PER_DAY
    alert_step = n_articles // n_alerts

    def alerts() -> Iterator[tuple[Any, ...]]:
        for j in range(n_alerts):
            i = j * alert_step
            created = fetched_at(i) + timedelta(seconds=2)
            recent = created > end - timedelta(hours=1)
            state = (
                ("pending" if j % 2 else "failed")
                if recent
                else ("dead" if j % 97 == 0 else "sent")
            )
            sent = ts(created + timedelta(seconds=1 + j % 30)) if state == "sent" else None
            yield (
                f"k{j}",
                f"s{i // ARTICLES_PER_STORY}",
                TOPICS[j % len(TOPICS)],
                ("slack", "email")[j % 2],
                _hex("a", i),
                0.9,
                state,
                1,
                ts(created),
                ts(created),
                sent,
                "",
                "article",
                "{}",
            )

    started = time.perf_counter()
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO matches(article_id, topic, score, alert, keyword_score, probability, reason, evidence, "
            "created) VALUES (?,?,?,?,?,?,?,?,?)",
            matches(),
        )
        db.conn.executemany(
            "INSERT INTO stories(id, first_seen, last_seen, title) VALUES (?,?,?,?)", stories()
        )
        db.conn.executemany(
            "INSERT INTO alerts(dedup_key, story, topic, channel, article_id, score, state, attempts, created, "
            "next_attempt, sent_at, last_error, kind, payload) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            alerts(),
        )
        for f in range(FEEDS):
            failing = f % 50 == 0
            db.execute(
                "INSERT INTO feeds(url, name, origin, active, added, next_poll, last_poll, last_ok, "
                "consecutive_errors, failing_since, articles, last_error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    f"https://outlet{f}.example/rss",
                    f"outlet {f}",
                    "config",
                    1,
                    ts(START),
                    ts(end + timedelta(seconds=(f * 7) % 900 - 60)),
                    ts(end - timedelta(minutes=10)),
                    ts(end - timedelta(minutes=10 if not failing else 600)),
                    3 if failing else 0,
                    ts(end - timedelta(hours=10)) if failing else None,
                    n_articles // FEEDS,
                    "HTTP 503" if failing else "",
                ],
            )
    timings["matches+stories+alerts+feeds"] = time.perf_counter() - started
    started = time.perf_counter()
    with db.atomic():
        for _, sql in secondary:
            db.execute(sql)
    timings["indexes"] = time.perf_counter() - started
    counts = {t: store.db[t].count for t in ("articles", "matches", "stories", "alerts", "feeds")}
    store.close()
    return {
        "counts": counts,
        "timings": timings,
        "end": end,
        "size_mb": os.path.getsize(path) / 1e6,
    }


# -- queries ---------------------------------------------------------------------------------


def hot_queries(
    store: Store, now: datetime
) -> dict[str, tuple[Callable[[], Any], str, dict[str, Any] | list[Any]]]:
    """name -> (call, SQL for EXPLAIN, its parameters)."""
    day, week = now - timedelta(days=1), now - timedelta(days=7)
    probe = ARTICLES_PER_DAY * 3 // 2  # an article from the middle of day 2
    url, feed, guid, aid = (
        f"https://outlet{probe % FEEDS}.example/news/{probe}",
        f"https://outlet{probe % FEEDS}.example/rss",
        f"guid-{probe}",
        _hex("a", probe),
    )
    q = store.db.query
    return {
        "due feeds": (
            lambda: store.due_feeds(now),
            "SELECT * FROM feeds WHERE active = 1 AND (next_poll IS NULL OR next_poll <= ?) "
            "ORDER BY next_poll LIMIT ?",
            [ts(now), 10_000],
        ),
        "due alerts": (
            lambda: store.due_alerts(now),
            "SELECT * FROM alerts WHERE state IN ('pending', 'failed') AND next_attempt <= ? "
            "ORDER BY next_attempt, id LIMIT ?",
            [ts(now), 500],
        ),
        "status: articles 24h": (
            lambda: store.count_articles_since(day),
            "SELECT count(*) AS n FROM articles WHERE fetched >= ?",
            [ts(day)],
        ),
        "status: alert counts": (
            store.alert_counts,
            "SELECT state, count(*) AS n FROM alerts GROUP BY state",
            [],
        ),
        "monitor status (all)": (
            lambda: status_data(store, now),
            "SELECT * FROM feeds WHERE active = 1 ORDER BY url",
            [],
        ),
        "stories by topic 24h": (
            lambda: reports.stories_by_topic(store, TOPICS[0], day),
            reports.STORIES_BY_TOPIC_SQL,
            {"topic": TOPICS[0], "since": ts(day)},
        ),
        "article by URL": (
            lambda: list(q("SELECT id FROM articles WHERE url = ?", [url])),
            "SELECT id FROM articles WHERE url = ?",
            [url],
        ),
        "article by feed+GUID": (
            lambda: list(q("SELECT id FROM articles WHERE feed = ? AND guid = ?", [feed, guid])),
            "SELECT id FROM articles WHERE feed = ? AND guid = ?",
            [feed, guid],
        ),
        "article by id": (lambda: store.article(aid), "SELECT * FROM articles WHERE id = ?", [aid]),
        "topic activity (metrics)": (
            lambda: reports.topic_activity(store, now),
            reports.TOPIC_ACTIVITY_SQL,
            {"day": ts(day), "week": ts(week)},
        ),
        "/metrics snapshot": (
            lambda: reports.snapshot(store, now),
            reports.FEED_HEALTH_SQL,
            {},
        ),
        "latency sample": (
            lambda: reports.delivery_latencies(store),
            reports.LATENCY_SQL,
            {"limit": reports.LATENCY_SAMPLE},
        ),
        "today's alerts": (
            lambda: reports.todays_alerts(store, now),
            reports.TODAYS_ALERTS_SQL,
            {"since": ts(now.replace(hour=0, minute=0, second=0, microsecond=0))},
        ),
    }


def median_ms(fn: Callable[[], Any], budget_s: float = 0.5, max_runs: int = 50) -> float:
    fn()  # warm the page cache
    runs: list[float] = []
    spent = 0.0
    while len(runs) < 3 or (spent < budget_s and len(runs) < max_runs):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        runs.append(dt)
        spent += dt
    return statistics.median(runs) * 1000


def plan(store: Store, sql: str, params: Any) -> list[str]:
    return [r["detail"] for r in store.db.query("EXPLAIN QUERY PLAN " + sql, params)]


def measure(path: Path, end: datetime, show_plans: bool) -> dict[str, float]:
    store = Store(path)
    now = end
    out: dict[str, float] = {}
    try:
        for name, (fn, sql, params) in hot_queries(store, now).items():
            out[name] = median_ms(fn)
            if show_plans:
                details = plan(store, sql, params)
                tables = {"feeds", "articles", "matches", "stories", "alerts", "al", "m", "a", "s"}
                scans = [
                    d.split()[1] for d in details if d.startswith("SCAN ") and "USING" not in d
                ]
                scans = [t for t in scans if t in tables]
                flag = f"   <-- scans table {', '.join(scans)}" if scans else ""
                print(f"  plan {name}:{flag}")
                for d in details:
                    print(f"      {d}")
        out["save_article (live)"] = live_insert_ms(store, now)
        # retention: the hourly job deletes about one hour of articles at steady state
        horizon = START + timedelta(hours=1)
        t0 = time.perf_counter()
        pruned = store.prune(horizon)
        out["prune 1 hour"] = (time.perf_counter() - t0) * 1000
        out["_pruned"] = pruned
    finally:
        store.close()
    return out


def live_insert_ms(store: Store, now: datetime, n: int = 500) -> float:
    """The daemon's write path: one article at a time, autocommit, all indexes in place."""
    from monitor.models import Article, DedupDecision

    t0 = time.perf_counter()
    for k in range(n):
        aid = _hex("live", k)
        a = Article(
            id=aid,
            feed=f"https://outlet{k % FEEDS}.example/rss",
            url=f"https://live.example/{k}",
            guid=f"live-{k}",
            title=f"Live headline {k}",
            summary="s" * SUMMARY_CHARS,
            content="c" * CONTENT_CHARS,
            language="en",
            published=now,
            fetched=now,
            content_hash=_hex("lh", k),
        )
        store.save_article(a, DedupDecision(aid, None, f"live-{k}", "new"))
    return (time.perf_counter() - t0) * 1000 / n


def fts_build(path: Path) -> tuple[float, float]:
    from monitor.commands.browse import ensure_fts

    store = Store(path)
    try:
        t0 = time.perf_counter()
        ensure_fts(store)
        build = time.perf_counter() - t0
        search = median_ms(lambda: reports.search_articles(store, "Vladivostok"))
    finally:
        store.close()
    return build, search


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--days", type=int, nargs=2, default=[30, 90], metavar=("BASE", "LARGE"))
    ap.add_argument(
        "--dir", type=Path, default=None, help="where to build the databases (default: a temp dir)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the generated databases")
    ap.add_argument("--no-fts", action="store_true", help="skip the full-text index build")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="bench-db-", dir=args.dir)
    results: dict[int, dict[str, Any]] = {}
    print(
        f"{ARTICLES_PER_DAY:,} articles/day, {FEEDS} feeds, {len(TOPICS)} topics, "
        f"{SCORED_SHARE:.0%} scored / {RELEVANT_SHARE:.0%} relevant, {ALERTS_PER_DAY} alerts/day, "
        f"texts {SUMMARY_CHARS}+{CONTENT_CHARS} chars; sqlite {__import__('sqlite3').sqlite_version}"
    )
    try:
        for days in args.days:
            path = Path(tmp.name) / f"monitor-{days}d.db"
            gen = generate(path, days)
            c, tm = gen["counts"], gen["timings"]
            rate = c["articles"] / tm["articles"]
            print(
                f"\n== {days} days: {c['articles']:,} articles, {c['matches']:,} matches, {c['stories']:,} stories, "
                f"{c['alerts']:,} alerts; {gen['size_mb']:.0f} MB"
            )
            print(
                f"  bulk load: articles {tm['articles']:.1f} s ({rate:,.0f} rows/s, executemany in one "
                f"transaction), matches+stories+alerts+feeds {tm['matches+stories+alerts+feeds']:.1f} s, "
                f"secondary indexes {tm['indexes']:.1f} s"
            )
            q = measure(path, gen["end"], show_plans=days == args.days[-1])
            if not args.no_fts and days == args.days[0]:
                build, search = fts_build(path)
                q["FTS search (~2% of rows)"] = search
                gen["fts_build_s"] = build
                print(
                    f"  FTS5 build over {c['articles']:,} articles: {build:.1f} s "
                    f"({c['articles'] / build:,.0f} rows/s)"
                )
            results[days] = {**gen, "queries": q, "rate": rate}
            if args.keep:
                print(f"  kept {path}")
    finally:
        if not args.keep:
            tmp.cleanup()

    base, large = args.days
    rb, rl = results[base], results[large]
    print(f"\n== hot queries, median ms (ratio {large} d / {base} d; flat = index use)")
    print(f"  {'query':28} {base:>5} d {large:>7} d   ratio")
    for name, ms in rb["queries"].items():
        if name.startswith("_"):
            continue
        other = rl["queries"].get(name)
        if other is None:
            print(f"  {name:28} {ms:8.2f} {'-':>9}")
            continue
        print(f"  {name:28} {ms:8.2f} {other:9.2f}   {other / ms:5.2f}")
    year_days = 365
    per_row = rl["timings"]["articles"] / rl["counts"]["articles"]
    print(
        f"\n  insert rate {base} d: {rb['rate']:,.0f} rows/s; {large} d: {rl['rate']:,.0f} rows/s "
        f"(ratio {rl['rate'] / rb['rate']:.2f})"
    )
    print(
        f"  size: {rb['size_mb']:.0f} MB -> {rl['size_mb']:.0f} MB "
        f"(~{rl['size_mb'] / large * year_days / 1000:.1f} GB for a year without retention)"
    )
    if large < year_days:
        print(
            f"  a year without retention: {year_days * ARTICLES_PER_DAY / 1e6:.1f} M articles, generation "
            f"~{year_days * ARTICLES_PER_DAY * per_row / 60:.0f} min at the {large}-day rate (extrapolated, not run; "
            f"use --days 30 {year_days})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
