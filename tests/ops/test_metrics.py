"""Metrics: the families and their exposition, health verdicts, dead-man switches (pure), and
the figures read from a real database."""

from __future__ import annotations

import itertools
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from promcheck import NO_PROMTOOL, PROMTOOL, parse, promtool_check
from prometheus_client import CollectorRegistry, generate_latest

from monitor.models import Article, DedupDecision, KeywordResult, Match
from monitor.ops.healthserver import SnapshotCollector
from monitor.ops.metrics import (
    LATENCY_BUCKETS,
    DeadManPolicy,
    DeliveryLatency,
    MetricsSnapshot,
    ProcessCounters,
    TopicActivity,
    dead_man_checks,
    families,
    health,
    is_healthy,
)
from monitor.state import reports
from monitor.state.store import Store

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def latency(*seconds: float) -> DeliveryLatency:
    """The histogram of these latencies, as the store would report it."""
    buckets = tuple(sum(1 for s in seconds if s <= b) for b in LATENCY_BUCKETS)
    return DeliveryLatency(buckets, len(seconds), sum(seconds))


def snap(**overrides: object) -> MetricsSnapshot:
    base: dict[str, object] = dict(
        polls_total=10,
        poll_errors_total=2,
        articles_total=500,
        articles_stored=480,
        articles_24h=40,
        topics=(TopicActivity("dprk-russia", 7, 3, 30, NOW - timedelta(hours=1)),),
        alerts_by_state={"pending": 1, "sent": 5, "dead": 1},
        latency=latency(0.5, 1.5, 4.0, 4.0, 7200.0),
        queue_depth=1,
        feeds_ok=8,
        feeds_failing=1,
        scheduler_misfires_total=0,
        last_cycle_age_seconds=3.0,
    )
    base.update(overrides)
    return MetricsSnapshot(**base)  # type: ignore[arg-type]


def render(snapshot: MetricsSnapshot) -> str:
    """The exposition prometheus_client writes for these families (no process metrics)."""
    registry = CollectorRegistry()
    registry.register(SnapshotCollector(lambda: snapshot))
    return generate_latest(registry).decode("utf-8")


# -- families and exposition -------------------------------------------------------------

# Every sample name /metrics had before prometheus_client, and what it is now. Nothing was
# renamed; delivery_latency_seconds is a histogram now (it was a gauge with a quantile label).
STABLE = {
    "media_monitor_polls_total": "counter",
    "media_monitor_poll_errors_total": "counter",
    "media_monitor_articles_total": "counter",
    "media_monitor_articles_24h": "gauge",
    "media_monitor_topic_matches_24h": "gauge",
    "media_monitor_topic_relevant_matches_24h": "gauge",
    "media_monitor_alerts": "gauge",
    "media_monitor_alert_queue_depth": "gauge",
    "media_monitor_delivery_latency_seconds": "histogram",
    "media_monitor_feeds": "gauge",
    "media_monitor_scheduler_misfires_total": "counter",
    "media_monitor_last_cycle_age_seconds": "gauge",
}


def test_exposition_has_every_family_with_its_type_and_value() -> None:
    out = parse(render(snap()))
    types = {
        (name + "_total" if kind == "counter" else name): kind for name, (kind, _, _) in out.items()
    }
    assert {k: types[k] for k in STABLE} == STABLE
    assert types["media_monitor_articles_stored"] == "gauge"
    assert out.value("media_monitor_polls_total") == 10
    assert out.value("media_monitor_poll_errors_total") == 2
    assert out.value("media_monitor_articles_total") == 500
    assert out.value("media_monitor_articles_stored") == 480
    assert out.value("media_monitor_articles_24h") == 40
    assert out.value("media_monitor_topic_matches_24h", topic="dprk-russia") == 7
    assert out.value("media_monitor_topic_relevant_matches_24h", topic="dprk-russia") == 3
    assert {s.labels["state"]: s.value for s in out.samples("media_monitor_alerts")} == {
        "pending": 1, "sending": 0, "failed": 0, "sent": 5, "dead": 1,
    }
    assert out.value("media_monitor_alert_queue_depth") == 1
    assert {s.labels["state"]: s.value for s in out.samples("media_monitor_feeds")} == {"ok": 8, "failing": 1}
    assert out.value("media_monitor_scheduler_misfires_total") == 0
    assert out.value("media_monitor_last_cycle_age_seconds") == 3.0


def test_delivery_latency_is_a_histogram() -> None:
    out = parse(render(snap()))
    name = "media_monitor_delivery_latency_seconds"
    buckets = {s.labels["le"]: s.value for s in out.samples(name) if s.name == name + "_bucket"}
    assert list(buckets) == [*(repr(b) for b in LATENCY_BUCKETS), "+Inf"]
    assert (buckets["1.0"], buckets["2.5"], buckets["5.0"], buckets["3600.0"], buckets["10800.0"]) == (1, 2, 4, 4, 5)
    assert buckets["+Inf"] == out.value(name + "_count") == 5
    assert out.value(name + "_sum") == pytest.approx(7210.0)
    assert "media_monitor_delivery_latency_samples" not in out  # its _count says the same


def test_unknown_values_are_omitted_not_invented() -> None:
    text = render(snap(latency=DeliveryLatency(), last_cycle_age_seconds=None))
    out = parse(text)
    assert out.samples("media_monitor_last_cycle_age_seconds") == []
    assert "# TYPE media_monitor_last_cycle_age_seconds gauge" in text
    assert out.value("media_monitor_delivery_latency_seconds_count") == 0  # none sent yet: a true 0


def test_label_values_are_escaped() -> None:
    nasty = 'a"b\\c\nd'
    text = render(snap(topics=(TopicActivity(nasty, 1, 1, 1, None),)))
    assert 'topic="a\\"b\\\\c\\nd"' in text
    assert parse(text).value("media_monitor_topic_matches_24h", topic=nasty) == 1


def test_unexpected_alert_state_is_still_exported() -> None:
    out = parse(render(snap(alerts_by_state={"weird": 2})))
    assert out.value("media_monitor_alerts", state="weird") == 2
    assert out.value("media_monitor_alerts", state="pending") == 0


def test_refused_reloads_are_a_counter() -> None:
    text = render(snap(reload_failures_total=2))
    assert "# TYPE media_monitor_reload_failures_total counter" in text
    assert parse(text).value("media_monitor_reload_failures_total") == 2
    assert parse(render(snap())).value("media_monitor_reload_failures_total") == 0  # a true 0 before any


def test_the_snapshot_carries_the_daemons_reload_failures(store: Store) -> None:
    assert reports.snapshot(store, NOW, ProcessCounters(reload_failures_total=3)).reload_failures_total == 3


def test_latency_needs_one_count_per_bucket() -> None:
    with pytest.raises(ValueError, match="bucket counts"):
        DeliveryLatency((1, 2), 2, 3.0)


@pytest.mark.skipif(PROMTOOL is None, reason=NO_PROMTOOL)
def test_promtool_accepts_the_exposition() -> None:
    text = render(snap(topics=(TopicActivity("a b", 1, 0, 0, None),), alerts_by_state={"weird": 1}))
    result = promtool_check(text)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout + result.stderr == ""


def test_families_name_their_type_and_help() -> None:
    for fam in families(snap()):
        assert fam.name.startswith("media_monitor_") and not fam.name.endswith("_total")
        assert fam.help and fam.kind in ("counter", "gauge", "histogram")


# -- health ----------------------------------------------------------------------------

POLICY = DeadManPolicy(
    zero_match_hours=12,
    min_daily_average=6,
    tick_seconds=5,
    stale_after_ticks=6,
    stale_floor_seconds=120,
)


@pytest.mark.parametrize(
    ("last_cycle_ago", "started_ago", "status"),
    [
        (3, 600, "ok"),
        (120, 600, "ok"),
        (121, 600, "stale"),
        (None, 30, "starting"),
        (None, 600, "stale"),
        (None, None, "stale"),
    ],
)
def test_health_status(
    last_cycle_ago: float | None, started_ago: float | None, status: str
) -> None:
    counters = ProcessCounters(
        polls_total=4,
        last_cycle=None if last_cycle_ago is None else NOW - timedelta(seconds=last_cycle_ago),
        started=None if started_ago is None else NOW - timedelta(seconds=started_ago),
    )
    report = health(counters, NOW, POLICY)
    assert report["status"] == status
    assert is_healthy(report) == (status in ("ok", "starting"))
    assert report["polls_total"] == 4


def test_stale_limit_is_ticks_times_interval_when_above_the_floor() -> None:
    policy = DeadManPolicy(tick_seconds=60, stale_after_ticks=3, stale_floor_seconds=120)
    assert policy.stale_after_seconds == 180
    counters = ProcessCounters(last_cycle=NOW - timedelta(seconds=170))
    assert health(counters, NOW, policy)["status"] == "ok"


# -- dead-man switches -----------------------------------------------------------------


def topic(relevant_7d: int, last_ago_h: float | None, name: str = "t") -> TopicActivity:
    last = None if last_ago_h is None else NOW - timedelta(hours=last_ago_h)
    return TopicActivity(name, 0, 0, relevant_7d, last)


@pytest.mark.parametrize(
    ("activity", "fires"),
    [
        (topic(70, 13), True),  # 10/day, silent 13 h > 12 h
        (topic(70, 11), False),  # silent only 11 h
        (topic(70, 12), True),  # exactly the limit counts as silent
        (topic(41, 20), False),  # 5.9/day: too rare for silence to mean anything
        (topic(42, 20), True),  # 6/day
        (topic(0, None), False),  # never matched: nothing to miss
    ],
)
def test_topic_silence(activity: TopicActivity, fires: bool) -> None:
    events = dead_man_checks(snap(topics=(activity,)), NOW, POLICY)
    assert [e.kind for e in events] == (["topic_silent"] if fires else [])
    if fires:
        assert events[0].topic == "t" and "t" in events[0].message


def test_topic_silence_key_is_stable_across_checks_of_one_episode() -> None:
    s = snap(topics=(topic(70, 13),))
    first = dead_man_checks(s, NOW, POLICY)
    later = dead_man_checks(s, NOW + timedelta(hours=3), POLICY)
    assert first[0].key == later[0].key
    resumed = dead_man_checks(snap(topics=(topic(70, 0.5),)), NOW, POLICY)  # a match came in
    assert resumed == []


def test_removed_topics_are_not_reported() -> None:
    s = snap(topics=(topic(70, 13, "gone"), topic(70, 13, "kept")))
    events = dead_man_checks(s, NOW, POLICY, active_topics=["kept"])
    assert [e.topic for e in events] == ["kept"]


def test_scheduler_stall_and_misfires() -> None:
    assert dead_man_checks(snap(last_cycle_age_seconds=100.0), NOW, POLICY) == []
    stalled = dead_man_checks(snap(last_cycle_age_seconds=500.0), NOW, POLICY)
    assert [e.kind for e in stalled] == ["scheduler_stalled"]
    missed = dead_man_checks(snap(scheduler_misfires_total=5), NOW, POLICY, previous_misfires=2)
    assert [e.kind for e in missed] == ["scheduler_misfires"]
    assert "3 run(s) missed" in missed[0].message
    assert dead_man_checks(snap(scheduler_misfires_total=5), NOW, POLICY, previous_misfires=5) == []


def test_metrics_module_is_pure() -> None:
    """No I/O library, and no prometheus_client either (it imports socket and http.server)."""
    code = (
        "import sys, monitor.ops.metrics\n"
        "io = ('httpx', 'feedparser', 'sqlite_utils', 'apprise', 'apscheduler', 'sqlite3',\n"
        "      'prometheus_client', 'socket')\n"
        "print(','.join(m for m in io "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# -- figures from a real database --------------------------------------------------------


def _article(
    i: int | str, fetched: datetime, feed: str = "https://example.org/feed", published: datetime | None = None
) -> Article:
    return Article(
        id=f"a{i}",
        feed=feed,
        url=f"https://example.org/{i}",
        guid=f"g{i}",
        title=f"title {i}",
        summary="summary",
        content="",
        language="en",
        published=published or fetched,
        fetched=fetched,
        content_hash=f"h{i}",
    )


def _match(article_id: str, topic_name: str, alert: bool) -> Match:
    return Match(
        article_id, topic_name, 0.9 if alert else 0.2, alert, KeywordResult(topic_name, alert, 0.5)
    )


def _save(store: Store, article: Article) -> None:
    store.save_article(article, DedupDecision(article.id, None, article.id, "new"))


def _alert(store: Store, key: str, article_id: str, created: datetime, sent_after: float | None,
           kind: str = "article") -> int:
    aid = store.enqueue_alert(dedup_key=key, story=key, topic="dprk-russia", channel="c",
                              article_id=article_id, score=0.9, now=created, kind=kind)
    assert aid is not None
    if sent_after is not None:
        store.mark_sending([aid])
        store.mark_sent([aid], created + timedelta(seconds=sent_after))
    return aid


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = Store(tmp_path / "monitor.db")
    try:
        yield s
    finally:
        s.close()


def test_snapshot_from_a_real_database(store: Store) -> None:
    for url, errors in (("https://ok.example/rss", 0), ("https://bad.example/rss", 3)):
        store.add_feed(url, "", "config", NOW - timedelta(days=10))
        store.update_feed(url, consecutive_errors=errors, articles=7)
    store.add_feed("https://retired.example/rss", "", "config", NOW)
    store.update_feed("https://retired.example/rss", consecutive_errors=9, articles=5)
    store.remove_feed("https://retired.example/rss")
    for i, age_h in enumerate((1, 2, 30)):
        t = NOW - timedelta(hours=age_h)
        _save(store, _article(i, t))
        store.save_matches(
            [_match(f"a{i}", "dprk-russia", alert=i != 1), _match(f"a{i}", "arms", alert=False)], t
        )
    store.save_matches([_match("old", "dprk-russia", True)], NOW - timedelta(days=8))
    for i, seconds in enumerate((10, 20, 30, 4000)):  # a2 was fetched 30 h ago
        _alert(store, f"k{i}", "a2", NOW - timedelta(hours=30), seconds)
    _alert(store, "p", "a1", NOW, None)
    counters = ProcessCounters(
        polls_total=12, poll_errors_total=3, scheduler_misfires_total=1, last_cycle=NOW - timedelta(seconds=7)
    )
    s = reports.snapshot(store, NOW, counters)
    assert (s.polls_total, s.poll_errors_total, s.scheduler_misfires_total) == (12, 3, 1)
    assert s.last_cycle_age_seconds == 7.0
    # the database's own count, not the per-feed counters (7 + 7 + 5)
    assert (s.articles_total, s.articles_stored) == (3, 3)
    assert s.articles_24h == 2
    assert (s.feeds_ok, s.feeds_failing) == (1, 1)
    assert s.alerts_by_state == {"sent": 4, "pending": 1}
    assert s.queue_depth == 1
    assert s.latency == latency(10, 20, 30, 4000)
    by_topic = {t.topic: t for t in s.topics}
    assert by_topic["dprk-russia"] == TopicActivity("dprk-russia", 2, 1, 2, NOW - timedelta(hours=1))
    assert by_topic["arms"] == TopicActivity("arms", 2, 0, 0, None)
    parse(render(s))


def test_articles_total_counts_what_the_database_holds_and_what_retention_removed(store: Store) -> None:
    # the poller bumps feeds.articles; `monitor replay --db` stores articles without a feed
    store.add_feed("https://ok.example/rss", "", "config", NOW)
    store.update_feed("https://ok.example/rss", articles=2)
    for i in range(2):
        _save(store, _article(f"live{i}", NOW, feed="https://ok.example/rss"))
    for i in range(5):
        _save(store, _article(f"replayed{i}", datetime(2023, 9, 5, tzinfo=UTC), feed=""))
    _save(store, _article("live0", NOW, feed="https://ok.example/rss"))  # an update is no new article
    s = reports.snapshot(store, NOW)
    assert (s.articles_total, s.articles_stored) == (7, 7)
    assert store.db.execute("SELECT count(*) FROM articles").fetchone()[0] == 7

    n = store.prune(NOW - timedelta(days=90))  # the replayed ones are years old
    assert n == 5
    reports.record_pruned(store, n)
    reports.record_pruned(store, 0)
    s = reports.snapshot(store, NOW)
    assert (s.articles_total, s.articles_stored) == (7, 2)  # the counter does not go down
    _save(store, _article("live2", NOW, feed="https://ok.example/rss"))
    assert reports.snapshot(store, NOW).articles_total == 8


def test_latency_runs_from_the_fetch_not_the_publication(store: Store) -> None:
    published = datetime(2021, 1, 1, tzinfo=UTC)
    _save(store, _article("live", NOW - timedelta(seconds=300), published=published))
    _alert(store, "k", "alive", NOW, 12.5)  # queued 300 s after the fetch, sent 12.5 s later
    assert reports.delivery_latency(store) == latency(312.5)


def test_replayed_ops_and_digest_alerts_are_not_in_the_latency(store: Store) -> None:
    """A replayed article's "fetch" time is its publication (years back): no latency of years."""
    old = datetime(2023, 9, 5, 10, tzinfo=UTC)
    _save(store, _article("replayed", old, feed=""))
    _alert(store, "r", "areplayed", old, (NOW - old).total_seconds())  # sent today by the daemon
    _alert(store, "ops", "", NOW, 1.0, kind="ops")
    _save(store, _article("live", NOW))
    _alert(store, "d", "alive", NOW, 3600.0, kind="digest")
    _alert(store, "l", "alive", NOW, 2.0)
    assert reports.delivery_latency(store) == latency(2.0)
    assert reports.delivery_latencies(store) == [2.0]


def test_a_clock_step_is_clamped_to_zero(store: Store) -> None:
    _save(store, _article("x", NOW))
    _alert(store, "k", "ax", NOW, -30.0)
    assert reports.delivery_latency(store) == latency(0.0)


def test_the_latency_tally_folds_final_alerts_and_keeps_reading_open_ones(store: Store) -> None:
    _save(store, _article("x", NOW))
    first = _alert(store, "k1", "ax", NOW, 5.0)
    waiting = _alert(store, "k2", "ax", NOW, None)  # pending: everything from here stays open
    _alert(store, "k3", "ax", NOW, 50.0)
    assert reports.delivery_latency(store) == latency(5.0, 50.0)
    tally = reports._tallies[store]
    assert tally.first_open == waiting > first

    store.mark_sending([waiting])
    store.mark_sent([waiting], NOW + timedelta(seconds=500))
    _alert(store, "k4", "ax", NOW, 1.0)
    assert reports.delivery_latency(store) == latency(5.0, 500.0, 50.0, 1.0)
    assert tally.first_open > waiting  # all final now: folded, not read again

    # a second connection to the same file reads the whole history and agrees
    other = Store(store.path)
    try:
        assert reports.delivery_latency(other) == reports.delivery_latency(store)
    finally:
        other.close()


def test_the_latency_only_grows_and_reads_little_once_folded(store: Store) -> None:
    _save(store, _article("x", NOW))
    seen = []
    for i in range(30):
        _alert(store, f"k{i}", "ax", NOW, float(i))
        seen.append(reports.delivery_latency(store))
    counts = [s.count for s in seen]
    assert counts == list(range(1, 31))
    for before, after in itertools.pairwise(seen):
        assert all(x <= y for x, y in zip(before.buckets, after.buckets, strict=True))
        assert before.sum_seconds <= after.sum_seconds
    # folded alerts are not read again: the next update reads no row
    rows = list(store.db.query(reports.LATENCY_ROWS_SQL, {"first": reports._tallies[store].first_open}))
    assert rows == []
