"""The metric families, health verdicts and dead-man switches, from plain numbers.

Pure: no I/O, no clock (`now` is a parameter), and no Prometheus library either: this module
says which metrics exist (name, type, help, samples) in plain dataclasses. `monitor.state.reports`
gathers the numbers from the store; the daemon passes its in-process counters;
`monitor.ops.healthserver` hands these families to a `prometheus_client` registry of the
daemon's own, which writes the exposition (and adds the process metrics).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

ALERT_STATES = ("pending", "sending", "failed", "sent", "dead")
PREFIX = "media_monitor_"
# Upper bounds (seconds) of the delivery latency histogram: a poll interval, retries, an outage.
LATENCY_BUCKETS = (1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 10800.0, 43200.0, 86400.0)


@dataclass(frozen=True)
class ProcessCounters:
    """What only the running daemon knows; zero/None in a process that does not poll."""

    polls_total: int = 0
    poll_errors_total: int = 0
    scheduler_misfires_total: int = 0
    last_cycle: datetime | None = None  # end of the last completed poll cycle
    started: datetime | None = None  # when the scheduler started
    reload_failures_total: int = 0  # SIGHUP reloads refused (the running config kept)


@dataclass(frozen=True)
class TopicActivity:
    """One topic's matches: all scored rows (score > 0) and the relevant ones (alert = 1)."""

    topic: str
    matches_24h: int
    relevant_24h: int
    relevant_7d: int
    last_relevant: datetime | None  # newest relevant match within the last 7 days


@dataclass(frozen=True)
class DeliveryLatency:
    """Article fetched -> alert sent, over every sent alert in the database (so it only grows).

    `buckets[i]` counts the alerts sent within `LATENCY_BUCKETS[i]` seconds (cumulative, as
    Prometheus histograms are); `count` is all of them, `sum_seconds` their latencies added up.
    """

    buckets: tuple[int, ...] = (0,) * len(LATENCY_BUCKETS)
    count: int = 0
    sum_seconds: float = 0.0

    def __post_init__(self) -> None:
        if len(self.buckets) != len(LATENCY_BUCKETS):
            raise ValueError(f"{len(self.buckets)} bucket counts for {len(LATENCY_BUCKETS)} bounds")


@dataclass(frozen=True)
class MetricsSnapshot:
    polls_total: int
    poll_errors_total: int
    articles_total: int  # articles ever stored: in the database now + removed by retention
    articles_stored: int  # articles in the database now
    articles_24h: int
    topics: tuple[TopicActivity, ...]
    alerts_by_state: Mapping[str, int] = field(hash=False)
    latency: DeliveryLatency
    queue_depth: int  # pending + failed + sending
    feeds_ok: int
    feeds_failing: int
    scheduler_misfires_total: int
    last_cycle_age_seconds: float | None  # None before the first cycle
    reload_failures_total: int = 0


@dataclass(frozen=True)
class DeadManPolicy:
    """When silence means something is broken.

    A topic is "usually busy" when its 7-day daily average of relevant matches reaches
    `min_daily_average`; if such a topic has none for `zero_match_hours`, that is an event.
    The scheduler is stalled when its last cycle is older than
    max(`stale_after_ticks` x `tick_seconds`, `stale_floor_seconds`) (a long poll cycle
    is not a stall).
    """

    zero_match_hours: float = 12.0
    min_daily_average: float = 6.0
    tick_seconds: float = 5.0
    stale_after_ticks: int = 6
    stale_floor_seconds: float = 120.0

    @property
    def stale_after_seconds(self) -> float:
        return max(self.stale_after_ticks * self.tick_seconds, self.stale_floor_seconds)


@dataclass(frozen=True)
class OpsEvent:
    """An operator alert to raise once; `key` is stable for one episode (use it as dedup key)."""

    kind: Literal["topic_silent", "scheduler_stalled", "scheduler_misfires"]
    key: str
    message: str
    topic: str | None = None


# -- health -------------------------------------------------------------------------


def cycle_age(counters: ProcessCounters, now: datetime) -> float | None:
    if counters.last_cycle is None:
        return None
    return max(0.0, (now - counters.last_cycle).total_seconds())


def health(counters: ProcessCounters, now: datetime, policy: DeadManPolicy) -> dict[str, object]:
    """The /healthz body: status "ok" while poll cycles keep completing.

    Before the first cycle the daemon is "starting" (healthy) for one stale period after
    the scheduler started; after that, no completed cycle is "stale" like an old one.
    """
    limit = policy.stale_after_seconds
    age = cycle_age(counters, now)
    if age is not None:
        status = "ok" if age <= limit else "stale"
    elif counters.started is not None and (now - counters.started).total_seconds() <= limit:
        status = "starting"
    else:
        status = "stale"
    return {
        "status": status,
        "last_cycle_age_seconds": None if age is None else round(age, 3),
        "stale_after_seconds": limit,
        "polls_total": counters.polls_total,
        "poll_errors_total": counters.poll_errors_total,
        "scheduler_misfires_total": counters.scheduler_misfires_total,
    }


def is_healthy(report: Mapping[str, object]) -> bool:
    return report.get("status") in ("ok", "starting")


# -- dead-man switches --------------------------------------------------------------


def dead_man_checks(
    snapshot: MetricsSnapshot,
    now: datetime,
    policy: DeadManPolicy,
    *,
    previous_misfires: int = 0,
    active_topics: Iterable[str] | None = None,
) -> list[OpsEvent]:
    """Silence that should not be: busy topics gone quiet, a scheduler that stopped running.

    `previous_misfires` is `scheduler_misfires_total` at the last check (0 at the first);
    `active_topics` limits the topic check to the loaded rules (a removed topic is quiet
    on purpose). Keys name the episode, so an hourly check raises each event once.
    """
    events: list[OpsEvent] = []
    wanted = None if active_topics is None else set(active_topics)
    quiet_since = now - timedelta(hours=policy.zero_match_hours)
    for t in snapshot.topics:
        if wanted is not None and t.topic not in wanted:
            continue
        daily = t.relevant_7d / 7.0
        if daily < policy.min_daily_average:
            continue
        if t.last_relevant is not None and t.last_relevant > quiet_since:
            continue
        last = (
            "none in 7 days"
            if t.last_relevant is None
            else f"last at {t.last_relevant:%Y-%m-%d %H:%M} UTC"
        )
        episode = "never" if t.last_relevant is None else f"{t.last_relevant:%Y-%m-%dT%H:%M:%S}"
        events.append(
            OpsEvent(
                kind="topic_silent",
                topic=t.topic,
                key=f"deadman|topic|{t.topic}|{episode}",
                message=(
                    f"topic {t.topic}: no relevant match for "
                    f"{policy.zero_match_hours:g} h ({last}); "
                    f"it usually has {daily:.1f}/day over 7 days: check its feeds and rules"
                ),
            )
        )

    hour = f"{now:%Y-%m-%dT%H}"
    age = snapshot.last_cycle_age_seconds
    if age is not None and age > policy.stale_after_seconds:
        events.append(
            OpsEvent(
                kind="scheduler_stalled",
                key=f"deadman|scheduler|stalled|{hour}",
                message=(
                    f"scheduler: last poll cycle finished {age:.0f} s ago "
                    f"(limit {policy.stale_after_seconds:.0f} s): polling has stopped"
                ),
            )
        )
    missed = snapshot.scheduler_misfires_total - previous_misfires
    if missed > 0:
        events.append(
            OpsEvent(
                kind="scheduler_misfires",
                key=f"deadman|scheduler|misfires|{hour}",
                message=(
                    f"scheduler: {missed} run(s) missed since the last check "
                    f"({snapshot.scheduler_misfires_total} since start): "
                    "the event loop is overloaded or was blocked"
                ),
            )
        )
    return events


# -- metric families --------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """One metric family, in the terms of prometheus_client's custom-collector families.

    `name` is the family name (a counter's without `_total`: the exposition adds it to each
    sample). Counters and gauges have `samples` of (label values, value) for `labels`; a
    histogram has `buckets` of (upper bound, cumulative count), `+Inf` last, and `sum_value`.
    """

    name: str
    kind: Literal["counter", "gauge", "histogram"]
    help: str
    labels: tuple[str, ...] = ()
    samples: tuple[tuple[tuple[str, ...], float], ...] = ()
    buckets: tuple[tuple[float, int], ...] = ()
    sum_value: float = 0.0


def _counter(name: str, help_text: str, value: int) -> Family:
    return Family(PREFIX + name, "counter", help_text, samples=(((), value),))


def _gauge(
    name: str,
    help_text: str,
    samples: Iterable[tuple[tuple[str, ...], float | None]],
    labels: tuple[str, ...] = (),
) -> Family:
    # unknown: omit the sample rather than invent a number
    kept = tuple((values, v) for values, v in samples if v is not None)
    return Family(PREFIX + name, "gauge", help_text, labels, kept)


def _latency(latency: DeliveryLatency) -> Family:
    return Family(
        PREFIX + "delivery_latency_seconds",
        "histogram",
        "Seconds from fetching an article to sending its alert, over every sent alert.",
        buckets=(*zip(LATENCY_BUCKETS, latency.buckets, strict=True), (math.inf, latency.count)),
        sum_value=latency.sum_seconds,
    )


def families(snapshot: MetricsSnapshot) -> list[Family]:
    """Every media_monitor_ family /metrics shows, in a stable order."""
    s = snapshot
    topics = sorted(s.topics, key=lambda t: t.topic)
    states = [*ALERT_STATES, *sorted(set(s.alerts_by_state) - set(ALERT_STATES))]
    return [
        _counter("polls", "Feed polls since the daemon started.", s.polls_total),
        _counter("poll_errors", "Feed polls that failed since the daemon started.", s.poll_errors_total),
        _counter(
            "articles",
            "Articles stored since the database was created (in it now plus removed by retention).",
            s.articles_total,
        ),
        _gauge("articles_stored", "Articles in the database now.", [((), s.articles_stored)]),
        _gauge("articles_24h", "Articles fetched in the last 24 hours.", [((), s.articles_24h)]),
        _gauge(
            "topic_matches_24h",
            "Articles scored above zero per topic in the last 24 hours.",
            [((t.topic,), t.matches_24h) for t in topics],
            ("topic",),
        ),
        _gauge(
            "topic_relevant_matches_24h",
            "Articles relevant enough to alert per topic, last 24 hours.",
            [((t.topic,), t.relevant_24h) for t in topics],
            ("topic",),
        ),
        _gauge(
            "alerts",
            "Alerts in the outbox by state.",
            [((st,), s.alerts_by_state.get(st, 0)) for st in states],
            ("state",),
        ),
        _gauge(
            "alert_queue_depth",
            "Alerts waiting to be sent (pending, failed, sending).",
            [((), s.queue_depth)],
        ),
        _latency(s.latency),
        _gauge(
            "feeds",
            "Active feeds by health.",
            [(("ok",), s.feeds_ok), (("failing",), s.feeds_failing)],
            ("state",),
        ),
        _counter(
            "scheduler_misfires",
            "Scheduler runs missed since the daemon started.",
            s.scheduler_misfires_total,
        ),
        _counter(
            "reload_failures",
            "Reloads (SIGHUP) refused since the daemon started; the running config and rules were kept.",
            s.reload_failures_total,
        ),
        _gauge(
            "last_cycle_age_seconds",
            "Seconds since the last poll cycle completed.",
            [((), s.last_cycle_age_seconds)],
        ),
    ]
