"""Drain the outbox: due alerts -> batches per channel -> render -> send -> state.

Every alert was committed as pending before this runs. An alert is marked `sending`
(committed) before its send and `sent` only on success, so a crash between the two
re-sends at most the alerts of that one message (at-least-once). Failures retry
with backoff (honouring Retry-After) up to the channel's limit, then go `dead` with
one ops notification.

Channels are drained concurrently, one task each, so a hanging or broken channel
never delays another; a channel's own batches go one after another. Whatever goes
wrong in one attempt (a template error, a URL apprise cannot load, a bug) ends that
attempt `failed` or `dead`, never `sending`. Retry times count from the clock when
the attempt ended, not from the start of the tick.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from monitor.app import Runtime
from monitor.delivery.deliver import FAILED, INVALID, RATE_LIMITED, Channel, SendResult
from monitor.delivery.outbox_policy import WindowLimiter, group, next_attempt
from monitor.delivery.render import AlertView, render
from monitor.delivery.route import ChannelSpec
from monitor.errors import DeliveryError
from monitor.models import Alert
from monitor.ops.secrets import DEFAULT_REDACTOR
from monitor.state.store import parse_ts

log = logging.getLogger(__name__)

RATE_LIMITED_FLOOR = 60.0  # seconds before retrying a channel that answered 429


def alert_view(alert: Alert, story: dict[str, Any] | None = None) -> AlertView:
    p = alert.payload
    story = story or {}
    return AlertView(
        topic=alert.topic, score=alert.score, title=str(p.get("title") or ""), url=str(p.get("url") or ""),
        source=str(p.get("source") or ""), language=p.get("language"),
        published=_parse_iso(p.get("published")), snippet=str(p.get("snippet") or ""),
        matched_terms=tuple(p.get("terms") or ()), story_articles=int(story.get("articles") or 1),
        story_outlets=int(story.get("outlets") or 1), story_languages=int(story.get("languages") or 1),
        article_id=alert.article_id, alert_id=alert.id, followup=alert.kind == "followup",
    )


def _parse_iso(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return parse_ts(str(value))


class Outbox:
    def __init__(self, rt: Runtime, clock: Callable[[], datetime] | None = None) -> None:
        self.rt = rt
        # Sends take a while after the tick's `now`: rate limits, retry times and sent_at
        # read this clock when a send ends.
        self.clock = clock or (lambda: datetime.now(UTC))
        self._senders: dict[str, Channel] = {}
        self._limiters: dict[str, WindowLimiter] = {}

    def swap(self, rt: Runtime) -> None:
        self.rt = rt
        self._senders.clear()  # channel URLs may have changed

    def _sender(self, spec: ChannelSpec) -> Channel:
        sender = self._senders.get(spec.name)
        if sender is None:
            sender = self._senders[spec.name] = Channel(spec)
        return sender

    def due_channels(self, now: datetime) -> list[str]:
        """Channels (configured or not any more) with alerts due at `now`."""
        return self.rt.store.due_alert_channels(now)

    async def deliver_due(self, now: datetime, channel: str | None = None) -> dict[str, int]:
        """Send every due batch (of `channel` alone when given); counts alerts `sent` and
        `failed` (of which `dead`). The daemon runs one call per channel, so a channel that
        hangs holds up only its own next pass."""
        store = self.rt.store
        channels = self.rt.config.channels
        due = store.due_alerts(now, channel=channel)
        counts: Counter[str] = Counter({"sent": 0, "failed": 0, "dead": 0})
        unknown = [a for a in due if a.channel not in channels]
        if unknown:
            store.mark_failed([a.id for a in unknown], "channel is not configured any more", None)
            log.error("%d alert(s) for unconfigured channels marked dead: %s", len(unknown),
                      ", ".join(sorted({a.channel for a in unknown})))
        by_channel: dict[str, list[Alert]] = {}
        for a in due:
            if a.channel in channels:
                by_channel.setdefault(a.channel, []).append(a)
        names = sorted(by_channel)
        outcomes = await asyncio.gather(*(self._deliver_channel(channels[n], by_channel[n], now) for n in names),
                                        return_exceptions=True)
        bug: BaseException | None = None
        for name, outcome in zip(names, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                # a bug: the other channels went on; report it loudly once they are done
                log.error("channel %s: delivery crashed", name, exc_info=outcome)
                bug = bug or outcome
            else:
                counts.update(outcome)
        if bug is not None:
            raise bug
        return dict(counts)

    async def _deliver_channel(self, spec: ChannelSpec, alerts: list[Alert], now: datetime) -> Counter[str]:
        counts: Counter[str] = Counter()
        wait = 0.0 if spec.mode == "digest" else spec.group_wait
        limiter = self._limiter(spec)
        for batch in group(alerts, now, wait, max_batch=spec.max_batch):
            started = self.clock()
            if limiter is not None and not limiter.try_acquire(started):
                self.rt.store.defer(list(batch.ids), limiter.next_free(started))
                continue
            outcome = await self._send(spec, list(batch.alerts))
            if limiter is not None:
                limiter.finished(started, self.clock())
            counts["sent" if outcome == "sent" else "failed"] += len(batch.alerts)
            if outcome == "dead":
                counts["dead"] += len(batch.alerts)
        return counts

    def _limiter(self, spec: ChannelSpec) -> WindowLimiter | None:
        if spec.rate_limit is None:
            return None
        if spec.name not in self._limiters:
            self._limiters[spec.name] = WindowLimiter(spec.rate_limit)
        return self._limiters[spec.name]

    async def _send(self, spec: ChannelSpec, alerts: list[Alert]) -> str:
        """One attempt for one batch: "sent", "failed" or "dead"."""
        ids = [a.id for a in alerts]
        # Counts the attempt, so every failure below moves towards `dead`.
        self.rt.store.mark_sending(ids)
        try:
            result = await self._attempt(spec, alerts)
        except Exception as e:  # a bug: record it on the alerts rather than leave them `sending`
            error = DEFAULT_REDACTOR.redact(f"delivery crashed: {type(e).__name__}: {e}")[:800]
            self._fail(spec, alerts, error, None)
            raise
        if result.ok:
            self.rt.store.mark_sent(ids, self.clock())
            log.debug("channel %s: alerts %s sent", spec.name, ",".join(map(str, ids)))
            return "sent"
        retry_after = result.retry_after
        if result.status == RATE_LIMITED and retry_after is None:
            # apprise reports a 429 without its Retry-After: wait a generous minute
            retry_after = RATE_LIMITED_FLOOR
        return self._fail(spec, alerts, result.error or result.status, retry_after)

    async def _attempt(self, spec: ChannelSpec, alerts: list[Alert]) -> SendResult:
        store = self.rt.store
        views = [alert_view(a, store.story_summary(a.story) if a.kind != "ops" else None) for a in alerts]
        try:
            message = render(views, spec)
        except Exception as e:  # a broken user template must not lose alerts
            return SendResult(False, FAILED, DEFAULT_REDACTOR.redact(f"cannot render message: {e}")[:800])
        try:
            sender = self._sender(spec)
        except DeliveryError as e:  # apprise cannot load the URL (checked at load; fails this channel alone)
            return SendResult(False, INVALID, str(e))
        return await sender.send(message)

    def _fail(self, spec: ChannelSpec, alerts: list[Alert], error: str, retry_after: float | None) -> str:
        store = self.rt.store
        attempts = max(a.attempts for a in alerts) + 1
        # Backoff from when this attempt ended: a 30 s timeout must not eat a 30 s delay.
        ended = self.clock()
        # even a refusal (HTTP 4xx, SMTP 5xx) is retried: the operator may fix the channel meanwhile
        when = next_attempt(attempts, ended, retry_after, spec.retry)
        store.mark_failed([a.id for a in alerts], error, when)
        if when is None:
            log.error("channel %s: %d alert(s) dead after %d attempts: %s", spec.name, len(alerts), attempts, error)
            self._ops_dead(spec, alerts, error, ended)
            return "dead"
        log.warning("channel %s: send failed (attempt %d), retry at %s: %s", spec.name, attempts,
                    when.isoformat(timespec="seconds"), error)
        return "failed"

    def _ops_dead(self, spec: ChannelSpec, alerts: list[Alert], error: str, now: datetime) -> None:
        for ops in self.rt.config.model.delivery.ops_channels:
            if ops == spec.name:
                continue  # a dead ops channel cannot report its own death
            self.rt.store.enqueue_alert(
                dedup_key=f"ops|dead|{spec.name}|{min(a.id for a in alerts)}", story=f"ops:dead:{spec.name}",
                topic="ops", channel=ops, article_id="", score=1.0, now=now, kind="ops",
                payload={"title": f"{len(alerts)} alert(s) to channel {spec.name} could not be delivered: {error}",
                         "source": "media-monitor", "snippet": error, "terms": []})
