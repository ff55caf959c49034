"""Prometheus text exposition, health verdicts and dead-man switches, from plain numbers.

Pure: no I/O, no clock (`now` is a parameter). `monitor.state.reports` gathers the numbers
from the store; the daemon passes its in-process counters; `monitor.ops.healthserver`
serves the text this module renders.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

ALERT_STATES = ("pending", "sending", "failed", "sent", "dead")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PREFIX = "media_monitor_"


@dataclass(frozen=True)
class ProcessCounters:
    """What only the running daemon knows; zero/None in a process that does not poll."""

    polls_total: int = 0
    poll_errors_total: int = 0
    scheduler_misfires_total: int = 0
    last_cycle: datetime | None = None  # end of the last completed poll cycle
    started: datetime | None = None  # when the scheduler started


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
    """created -> sent_at over the most recent sent alerts."""

    samples: int
    median_seconds: float | None
    p95_seconds: float | None


@dataclass(frozen=True)
class MetricsSnapshot:
    polls_total: int
    poll_errors_total: int
    articles_total: int  # articles ever stored (survives retention)
    articles_24h: int
    topics: tuple[TopicActivity, ...]
    alerts_by_state: Mapping[str, int] = field(hash=False)
    latency: DeliveryLatency
    queue_depth: int  # pending + failed + sending
    feeds_ok: int
    feeds_failing: int
    scheduler_misfires_total: int
    last_cycle_age_seconds: float | None  # None before the first cycle


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


# -- summaries ----------------------------------------------------------------------


def quantile(sorted_values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated quantile of already sorted values; None when empty."""
    if not sorted_values:
        return None
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile {q} outside [0, 1]")
    pos = q * (len(sorted_values) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    frac = pos - lo
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * frac


def latency_summary(seconds: Iterable[float]) -> DeliveryLatency:
    # a clock step can make sent_at precede created: clamp instead of reporting negatives
    values = sorted(max(0.0, s) for s in seconds)
    return DeliveryLatency(len(values), quantile(values, 0.5), quantile(values, 0.95))


def cycle_age(counters: ProcessCounters, now: datetime) -> float | None:
    if counters.last_cycle is None:
        return None
    return max(0.0, (now - counters.last_cycle).total_seconds())


# -- health -------------------------------------------------------------------------


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


# -- Prometheus text format ---------------------------------------------------------


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


class _Exposition:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(
        self,
        name: str,
        kind: str,
        help_text: str,
        samples: Iterable[tuple[Mapping[str, str], float | None]],
    ) -> None:
        full = PREFIX + name
        self.lines.append(f"# HELP {full} {help_text}")
        self.lines.append(f"# TYPE {full} {kind}")
        for labels, value in samples:
            if value is None:
                continue  # unknown: omit the sample rather than invent a number
            tag = ",".join(f'{k}="{_escape_label(v)}"' for k, v in labels.items())
            self.lines.append(
                f"{full}{{{tag}}} {_number(value)}" if tag else f"{full} {_number(value)}"
            )

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def render_prometheus(snapshot: MetricsSnapshot) -> str:
    """Prometheus text exposition format 0.0.4 (serve with `CONTENT_TYPE`)."""
    s = snapshot
    out = _Exposition()
    out.family(
        "polls_total", "counter", "Feed polls since the daemon started.", [({}, s.polls_total)]
    )
    out.family(
        "poll_errors_total",
        "counter",
        "Feed polls that failed since the daemon started.",
        [({}, s.poll_errors_total)],
    )
    out.family(
        "articles_total",
        "counter",
        "Articles stored since the database was created.",
        [({}, s.articles_total)],
    )
    out.family(
        "articles_24h", "gauge", "Articles fetched in the last 24 hours.", [({}, s.articles_24h)]
    )
    topics = sorted(s.topics, key=lambda t: t.topic)
    out.family(
        "topic_matches_24h",
        "gauge",
        "Articles scored above zero per topic in the last 24 hours.",
        [({"topic": t.topic}, t.matches_24h) for t in topics],
    )
    out.family(
        "topic_relevant_matches_24h",
        "gauge",
        "Articles relevant enough to alert per topic, last 24 hours.",
        [({"topic": t.topic}, t.relevant_24h) for t in topics],
    )
    states = [*ALERT_STATES, *sorted(set(s.alerts_by_state) - set(ALERT_STATES))]
    out.family(
        "alerts",
        "gauge",
        "Alerts in the outbox by state.",
        [({"state": st}, s.alerts_by_state.get(st, 0)) for st in states],
    )
    out.family(
        "alert_queue_depth",
        "gauge",
        "Alerts waiting to be sent (pending, failed, sending).",
        [({}, s.queue_depth)],
    )
    out.family(
        "delivery_latency_seconds",
        "gauge",
        "Seconds from alert creation to successful send over the most recent sent alerts.",
        [
            ({"quantile": "0.5"}, s.latency.median_seconds),
            ({"quantile": "0.95"}, s.latency.p95_seconds),
        ],
    )
    out.family(
        "delivery_latency_samples",
        "gauge",
        "Sent alerts the latency quantiles are computed over.",
        [({}, s.latency.samples)],
    )
    out.family(
        "feeds",
        "gauge",
        "Active feeds by health.",
        [({"state": "ok"}, s.feeds_ok), ({"state": "failing"}, s.feeds_failing)],
    )
    out.family(
        "scheduler_misfires_total",
        "counter",
        "Scheduler runs missed since the daemon started.",
        [({}, s.scheduler_misfires_total)],
    )
    out.family(
        "last_cycle_age_seconds",
        "gauge",
        "Seconds since the last poll cycle completed.",
        [({}, s.last_cycle_age_seconds)],
    )
    return out.text()
