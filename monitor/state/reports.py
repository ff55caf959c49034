"""Read-only queries: metrics, dead-man inputs and the canned queries for `monitor browse`.

`monitor.state.store` stays the only writer; this module only reads, through `store.db.query`
(the one exception, `record_pruned`, goes through `Store.set_meta`). Every query here is on a
hot path (a Prometheus scrape, an hourly check) and is timed with its query plan in
`bench/bench_db.py`.
"""

from __future__ import annotations

import bisect
import itertools
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.ops.metrics import (
    LATENCY_BUCKETS,
    DeliveryLatency,
    MetricsSnapshot,
    ProcessCounters,
    TopicActivity,
    cycle_age,
)
from monitor.state.store import Store, parse_ts, ts

LATENCY_SAMPLE = 200  # recent sent alerts `delivery_latencies` returns (bench, ad hoc looks)

# Per-topic activity over 7 days. matches keeps its whole history, so the topics are found by a
# loose index scan (one index probe per topic) and each topic reads only its 7-day range of
# matches_topic_created; a plain GROUP BY would scan the whole index on every scrape.
TOPIC_ACTIVITY_SQL = """
WITH RECURSIVE topics(topic) AS (
    SELECT min(topic) FROM matches
    UNION ALL
    SELECT (SELECT min(topic) FROM matches WHERE topic > topics.topic)
    FROM topics WHERE topics.topic IS NOT NULL
)
SELECT m.topic,
       sum(m.created >= :day) AS matches_24h,
       sum(m.created >= :day AND m.alert) AS relevant_24h,
       sum(m.alert) AS relevant_7d,
       max(CASE WHEN m.alert THEN m.created END) AS last_relevant
FROM topics JOIN matches m ON m.topic = topics.topic AND m.created >= :week
GROUP BY m.topic
ORDER BY m.topic
"""

# Delivery latency: from the article's fetch to the alert's send. Articles no poller fetched
# (`monitor replay` stores them with feed '' and their `published` time as the fetch time, years
# back for a historical file) have no real fetch time and are left out, and so are ops alerts (no
# article) and digests. A clock step could make a latency negative: clamped to 0.
_LATENCY = """CASE WHEN al.state = 'sent' AND al.sent_at IS NOT NULL AND al.kind != 'digest' AND ar.feed != ''
THEN max(0.0, round((julianday(al.sent_at) - julianday(ar.fetched)) * 86400.0, 3)) END"""
# Every alert from an id on (rowid range), for LatencyTally.
LATENCY_ROWS_SQL = f"""
SELECT al.id, al.state, {_LATENCY} AS seconds
FROM alerts al LEFT JOIN articles ar ON ar.id = al.article_id
WHERE al.id >= :first ORDER BY al.id
"""
# The most recent sent alerts, newest first by rowid (creation order); `+state` keeps SQLite
# from using alerts_due, which would sort every sent alert ever to find the last few.
LATENCY_SQL = f"""
SELECT {_LATENCY} AS seconds
FROM alerts al LEFT JOIN articles ar ON ar.id = al.article_id
WHERE +al.state = 'sent' AND al.sent_at IS NOT NULL
ORDER BY al.id DESC LIMIT :limit
"""

FEED_HEALTH_SQL = """
SELECT sum(consecutive_errors = 0) AS ok, sum(consecutive_errors > 0) AS failing
FROM feeds WHERE active = 1
"""

# Articles in the database now, whoever stored them (the poller, `monitor replay --db`); retention
# removes some, and `record_pruned` counts those in `meta`, so stored + pruned only grows.
ARTICLES_STORED_SQL = "SELECT count(*) AS n FROM articles"
ARTICLES_PRUNED_KEY = "metrics.articles_pruned"
ARTICLES_SINCE_SQL = "SELECT count(*) AS n FROM articles WHERE fetched >= :since"
ALERT_STATES_SQL = "SELECT state, count(*) AS n FROM alerts GROUP BY state"

STORIES_BY_TOPIC_SQL = """
SELECT s.id AS story, s.title, s.first_seen, s.last_seen,
       count(DISTINCT a.id) AS articles,
       count(DISTINCT a.language) AS languages,
       max(m.score) AS best_score
FROM matches m
JOIN articles a ON a.id = m.article_id
JOIN stories s ON s.id = a.story
WHERE m.topic = :topic AND m.alert = 1 AND m.created >= :since
GROUP BY s.id
ORDER BY s.last_seen DESC
LIMIT 100
"""

TODAYS_ALERTS_SQL = """
SELECT al.id, al.created, al.state, al.topic, al.channel, al.kind, round(al.score, 2) AS score,
       coalesce(s.title, json_extract(al.payload, '$.title')) AS title,
       ar.url, al.sent_at, al.attempts, al.last_error
FROM alerts al
LEFT JOIN stories s ON s.id = al.story
LEFT JOIN articles ar ON ar.id = al.article_id
WHERE al.created >= :since
ORDER BY al.id DESC
"""

FAILING_FEEDS_SQL = """
SELECT url, name, consecutive_errors, failing_since, last_ok, last_poll, next_poll,
       last_status, last_error
FROM feeds
WHERE active = 1 AND consecutive_errors > 0
ORDER BY failing_since, url
"""

# Newest first (rowid follows insertion): FTS5 walks its index backwards and stops at the
# limit, where ORDER BY rank would score every hit (6x slower on a common word).
SEARCH_SQL = """
SELECT a.id, a.title, a.language, a.source, a.url, a.published, a.story,
       snippet(articles_fts, -1, '[', ']', '…', 12) AS snippet
FROM articles_fts
JOIN articles a ON a.rowid = articles_fts.rowid
WHERE articles_fts MATCH :q
ORDER BY articles_fts.rowid DESC
LIMIT 100
"""

# In Datasette, "now" is the database's clock: the canned versions compute the window in SQL.
# strftime('%Y-%m-%dT%H:%M:%S', ...) is a prefix of our stored timestamps, so it compares as text.
_SQL_NOW_MINUS_HOURS = "strftime('%Y-%m-%dT%H:%M:%S', 'now', '-' || :hours || ' hours')"


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    sql: str


CANNED_QUERIES: tuple[CannedQuery, ...] = (
    CannedQuery(
        "todays_alerts",
        "Today's alerts",
        "Every alert created since midnight UTC, newest first, with its state and story.",
        TODAYS_ALERTS_SQL.replace(":since", "date('now')"),
    ),
    CannedQuery(
        "stories_by_topic",
        "Stories by topic",
        "Stories with a relevant match for a topic in the last N hours "
        "(try topic=dprk-russia, hours=24).",
        STORIES_BY_TOPIC_SQL.replace(":since", _SQL_NOW_MINUS_HOURS),
    ),
    CannedQuery(
        "failing_feeds",
        "Failing feeds",
        "Active feeds whose last poll failed, the longest-failing first.",
        FAILING_FEEDS_SQL,
    ),
    CannedQuery(
        "search_articles",
        "Search articles",
        "Full-text search over title, summary and content "
        '(FTS5 syntax: words, "phrases", prefix*).',
        SEARCH_SQL,
    ),
)


# -- metrics ------------------------------------------------------------------------


def _one(store: Store, sql: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return next(iter(store.db.query(sql, dict(params or {}))))


def topic_activity(store: Store, now: datetime) -> tuple[TopicActivity, ...]:
    rows = store.db.query(
        TOPIC_ACTIVITY_SQL,
        {"day": ts(now - timedelta(days=1)), "week": ts(now - timedelta(days=7))},
    )
    return tuple(
        TopicActivity(
            topic=r["topic"],
            matches_24h=r["matches_24h"] or 0,
            relevant_24h=r["relevant_24h"] or 0,
            relevant_7d=r["relevant_7d"] or 0,
            last_relevant=parse_ts(r["last_relevant"]),
        )
        for r in rows
    )


def delivery_latencies(store: Store, limit: int = LATENCY_SAMPLE) -> list[float]:
    """Fetch-to-send seconds of the most recent sent alerts, newest first."""
    return [
        r["seconds"]
        for r in store.db.query(LATENCY_SQL, {"limit": limit})
        if r["seconds"] is not None
    ]


class LatencyTally:
    """The delivery latency histogram over every sent alert, read incrementally.

    Alerts are never pruned, nor the articles they refer to. Once every alert below an id is
    final (sent or dead) they are folded in for good and never read again; each update reads
    only the alerts from the oldest unfinished one on (a rowid range, usually minutes of
    alerts). So the first update reads the whole history and later ones almost nothing, and
    the counts only grow (a dead alert re-queued and sent after it was folded is not added).
    """

    def __init__(self) -> None:
        self.first_open = 0  # every alert below this id is folded into the fields below
        self.per_bucket = [0] * (len(LATENCY_BUCKETS) + 1)  # not cumulative; +Inf last
        self.sum_seconds = 0.0

    def update(self, store: Store) -> DeliveryLatency:
        open_buckets = [0] * len(self.per_bucket)
        open_sum = 0.0
        folding = True
        # plain tuples: the first update reads every alert ever
        for alert_id, state, seconds in store.db.execute(LATENCY_ROWS_SQL, {"first": self.first_open}):
            folding = folding and state in ("sent", "dead")
            if folding:
                self.first_open = alert_id + 1
                if seconds is not None:
                    self.per_bucket[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
                    self.sum_seconds += seconds
            elif seconds is not None:
                open_buckets[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
                open_sum += seconds
        cumulative = list(itertools.accumulate(a + b for a, b in zip(self.per_bucket, open_buckets, strict=True)))
        return DeliveryLatency(tuple(cumulative[:-1]), cumulative[-1], self.sum_seconds + open_sum)


# one tally per open Store (a reload opens a new one, which reads the history once)
_tallies: weakref.WeakKeyDictionary[Store, LatencyTally] = weakref.WeakKeyDictionary()


def delivery_latency(store: Store) -> DeliveryLatency:
    """Fetch-to-send latency over every sent alert of `store` (see LatencyTally)."""
    tally = _tallies.get(store)
    if tally is None:
        tally = _tallies[store] = LatencyTally()
    return tally.update(store)


def alert_counts(store: Store) -> dict[str, int]:
    return {r["state"]: r["n"] for r in store.db.query(ALERT_STATES_SQL)}


def articles_pruned(store: Store) -> int:
    """Articles retention removed since `record_pruned` started counting them."""
    return int(store.get_meta(ARTICLES_PRUNED_KEY) or 0)


def record_pruned(store: Store, n: int) -> None:
    """Count `n` articles removed by retention (call after `Store.prune`), for articles_total."""
    if n > 0:
        store.set_meta(ARTICLES_PRUNED_KEY, str(articles_pruned(store) + n))


def snapshot(
    store: Store, now: datetime, counters: ProcessCounters | None = None
) -> MetricsSnapshot:
    """Everything /metrics shows: the store's numbers plus the daemon's in-process counters."""
    counters = counters or ProcessCounters()
    alerts = alert_counts(store)
    feeds = _one(store, FEED_HEALTH_SQL)
    stored = _one(store, ARTICLES_STORED_SQL)["n"]
    return MetricsSnapshot(
        polls_total=counters.polls_total,
        poll_errors_total=counters.poll_errors_total,
        articles_total=stored + articles_pruned(store),
        articles_stored=stored,
        articles_24h=_one(store, ARTICLES_SINCE_SQL, {"since": ts(now - timedelta(days=1))})["n"],
        topics=topic_activity(store, now),
        alerts_by_state=alerts,
        latency=delivery_latency(store),
        queue_depth=sum(alerts.get(s, 0) for s in ("pending", "failed", "sending")),
        feeds_ok=feeds["ok"] or 0,
        feeds_failing=feeds["failing"] or 0,
        scheduler_misfires_total=counters.scheduler_misfires_total,
        last_cycle_age_seconds=cycle_age(counters, now),
        reload_failures_total=counters.reload_failures_total,
    )


# -- browsing -----------------------------------------------------------------------


def stories_by_topic(store: Store, topic: str, since: datetime) -> list[dict[str, Any]]:
    return list(store.db.query(STORIES_BY_TOPIC_SQL, {"topic": topic, "since": ts(since)}))


def todays_alerts(store: Store, now: datetime) -> list[dict[str, Any]]:
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return list(store.db.query(TODAYS_ALERTS_SQL, {"since": ts(midnight)}))


def failing_feeds(store: Store) -> list[dict[str, Any]]:
    return list(store.db.query(FAILING_FEEDS_SQL))


def search_articles(store: Store, query: str) -> list[dict[str, Any]]:
    """FTS5 search (needs `monitor.commands.browse.ensure_fts` once)."""
    return list(store.db.query(SEARCH_SQL, {"q": query}))
