"""Metrics: Prometheus text, health verdicts, dead-man switches (pure), and the store snapshot."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.models import Article, DedupDecision, KeywordResult, Match
from monitor.ops.metrics import (
    DeadManPolicy,
    DeliveryLatency,
    MetricsSnapshot,
    ProcessCounters,
    TopicActivity,
    dead_man_checks,
    health,
    is_healthy,
    latency_summary,
    quantile,
    render_prometheus,
)
from monitor.state import reports
from monitor.state.store import Store

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def snap(**overrides: object) -> MetricsSnapshot:
    base: dict[str, object] = dict(
        polls_total=10,
        poll_errors_total=2,
        articles_total=500,
        articles_24h=40,
        topics=(TopicActivity("dprk-russia", 7, 3, 30, NOW - timedelta(hours=1)),),
        alerts_by_state={"pending": 1, "sent": 5, "dead": 1},
        latency=DeliveryLatency(5, 1.5, 4.0),
        queue_depth=1,
        feeds_ok=8,
        feeds_failing=1,
        scheduler_misfires_total=0,
        last_cycle_age_seconds=3.0,
    )
    base.update(overrides)
    return MetricsSnapshot(**base)  # type: ignore[arg-type]


# -- exposition format ----------------------------------------------------------------

SAMPLE = re.compile(
    r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_]\w*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (\S+)$'
)


def parse_exposition(text: str) -> dict[str, dict[str, str]]:
    """Check every line against the text format; {metric: {label-string: value}}."""
    assert text.endswith("\n")
    types: dict[str, str] = {}
    samples: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in ("counter", "gauge", "summary", "histogram", "untyped")
            assert name not in types, f"family {name} declared twice"
            types[name] = kind
            continue
        m = SAMPLE.match(line)
        assert m, f"not a valid sample line: {line!r}"
        name = m.group(1)
        assert name in types, f"sample {name} before its TYPE line"
        if types[name] == "counter":
            assert name.endswith("_total")
        float(m.group(4).replace("+Inf", "inf"))
        samples.setdefault(name, {})[m.group(2) or ""] = m.group(4)
    return samples


def test_render_prometheus_is_valid_text_format_with_every_metric() -> None:
    out = parse_exposition(render_prometheus(snap()))
    assert out["media_monitor_polls_total"][""] == "10"
    assert out["media_monitor_poll_errors_total"][""] == "2"
    assert out["media_monitor_articles_total"][""] == "500"
    assert out["media_monitor_topic_matches_24h"]['{topic="dprk-russia"}'] == "7"
    assert out["media_monitor_topic_relevant_matches_24h"]['{topic="dprk-russia"}'] == "3"
    assert out["media_monitor_alerts"] == {
        '{state="pending"}': "1",
        '{state="sending"}': "0",
        '{state="failed"}': "0",
        '{state="sent"}': "5",
        '{state="dead"}': "1",
    }
    assert out["media_monitor_alert_queue_depth"][""] == "1"
    assert out["media_monitor_delivery_latency_seconds"] == {
        '{quantile="0.5"}': "1.5",
        '{quantile="0.95"}': "4.0",
    }
    assert out["media_monitor_feeds"] == {'{state="ok"}': "8", '{state="failing"}': "1"}
    assert out["media_monitor_scheduler_misfires_total"][""] == "0"
    assert out["media_monitor_last_cycle_age_seconds"][""] == "3.0"


def test_unknown_values_are_omitted_not_invented() -> None:
    text = render_prometheus(
        snap(latency=DeliveryLatency(0, None, None), last_cycle_age_seconds=None)
    )
    out = parse_exposition(text)
    assert "media_monitor_delivery_latency_seconds" not in out
    assert "media_monitor_last_cycle_age_seconds" not in out
    assert "# TYPE media_monitor_last_cycle_age_seconds gauge" in text
    assert out["media_monitor_delivery_latency_samples"][""] == "0"


def test_label_values_are_escaped() -> None:
    nasty = 'a"b\\c\nd'
    text = render_prometheus(snap(topics=(TopicActivity(nasty, 1, 1, 1, None),)))
    out = parse_exposition(text)
    assert out["media_monitor_topic_matches_24h"] == {'{topic="a\\"b\\\\c\\nd"}': "1"}


def test_unexpected_alert_state_is_still_exported() -> None:
    out = parse_exposition(render_prometheus(snap(alerts_by_state={"weird": 2})))
    assert out["media_monitor_alerts"]['{state="weird"}'] == "2"
    assert out["media_monitor_alerts"]['{state="pending"}'] == "0"


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], 0.5, None),
        ([3.0], 0.95, 3.0),
        ([1.0, 2.0, 3.0], 0.5, 2.0),
        ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5),
        ([float(i) for i in range(101)], 0.95, 95.0),
        ([0.0, 10.0], 1.0, 10.0),
        ([0.0, 10.0], 0.0, 0.0),
    ],
)
def test_quantile(values: list[float], q: float, expected: float | None) -> None:
    assert quantile(values, q) == expected


def test_latency_summary_sorts_and_clamps_clock_steps() -> None:
    s = latency_summary([5.0, -2.0, 1.0])
    assert s == DeliveryLatency(3, 1.0, pytest.approx(4.6))


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
    code = (
        "import sys, monitor.ops.metrics\n"
        "io = ('httpx', 'feedparser', 'sqlite_utils', 'apprise', 'apscheduler', 'sqlite3')\n"
        "print(','.join(m for m in io "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# -- snapshot from a real database -------------------------------------------------------


def _article(i: int, fetched: datetime, feed: str = "https://example.org/feed") -> Article:
    return Article(
        id=f"a{i}",
        feed=feed,
        url=f"https://example.org/{i}",
        guid=f"g{i}",
        title=f"title {i}",
        summary="summary",
        content="",
        language="en",
        published=fetched,
        fetched=fetched,
        content_hash=f"h{i}",
    )


def _match(article_id: str, topic_name: str, alert: bool) -> Match:
    return Match(
        article_id, topic_name, 0.9 if alert else 0.2, alert, KeywordResult(topic_name, alert, 0.5)
    )


def test_snapshot_from_a_real_database(tmp_path: Path) -> None:
    store = Store(tmp_path / "monitor.db")
    try:
        for url, errors in (("https://ok.example/rss", 0), ("https://bad.example/rss", 3)):
            store.add_feed(url, "", "config", NOW - timedelta(days=10))
            store.update_feed(url, consecutive_errors=errors, articles=7)
        store.add_feed("https://retired.example/rss", "", "config", NOW)
        store.update_feed("https://retired.example/rss", consecutive_errors=9, articles=5)
        store.remove_feed("https://retired.example/rss")
        for i, age_h in enumerate((1, 2, 30)):
            t = NOW - timedelta(hours=age_h)
            store.save_article(_article(i, t), DedupDecision(f"a{i}", None, f"s{i}", "new"))
            store.save_matches(
                [
                    _match(f"a{i}", "dprk-russia", alert=i != 1),
                    _match(f"a{i}", "arms", alert=False),
                ],
                t,
            )
        store.save_matches([_match("old", "dprk-russia", True)], NOW - timedelta(days=8))
        ids = []
        for i, latency in enumerate((10, 20, 30, 40)):
            created = NOW - timedelta(hours=2, minutes=i)
            aid = store.enqueue_alert(
                dedup_key=f"k{i}",
                story="s0",
                topic="dprk-russia",
                channel="c",
                article_id="a0",
                score=0.9,
                now=created,
            )
            assert aid is not None
            store.mark_sending([aid])
            store.mark_sent([aid], created + timedelta(seconds=latency))
            ids.append(aid)
        store.enqueue_alert(
            dedup_key="p",
            story="s1",
            topic="dprk-russia",
            channel="c",
            article_id="a1",
            score=0.9,
            now=NOW,
        )
        counters = ProcessCounters(
            polls_total=12,
            poll_errors_total=3,
            scheduler_misfires_total=1,
            last_cycle=NOW - timedelta(seconds=7),
        )
        s = reports.snapshot(store, NOW, counters)
    finally:
        store.close()
    assert (s.polls_total, s.poll_errors_total, s.scheduler_misfires_total) == (12, 3, 1)
    assert s.last_cycle_age_seconds == 7.0
    assert s.articles_total == 19  # per-feed counters, retired feed included
    assert s.articles_24h == 2
    assert (s.feeds_ok, s.feeds_failing) == (1, 1)
    assert s.alerts_by_state == {"sent": 4, "pending": 1}
    assert s.queue_depth == 1
    assert s.latency == DeliveryLatency(4, 25.0, pytest.approx(38.5))
    by_topic = {t.topic: t for t in s.topics}
    assert by_topic["dprk-russia"] == TopicActivity(
        "dprk-russia", 2, 1, 2, NOW - timedelta(hours=1)
    )
    assert by_topic["arms"] == TopicActivity("arms", 2, 0, 0, None)
    parse_exposition(render_prometheus(s))
