"""Drain the outbox: due alerts -> batches per channel -> render -> send -> state.

Every alert was committed as pending before this runs. An alert is marked `sending`
(committed) before its send and `sent` only on success, so a crash between the two
re-sends at most the alerts of that one message (at-least-once). Failures retry
with backoff (honouring Retry-After) up to the channel's limit, then go `dead` with
one ops notification.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from monitor.app import Runtime
from monitor.delivery.outbox_policy import WindowLimiter, group, next_attempt
from monitor.delivery.render import AlertView, render
from monitor.delivery.route import ChannelSpec
from monitor.models import Alert
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
        # rate limits count real send times: a tick's sends take a while after its `now`
        self.clock = clock or (lambda: datetime.now(UTC))
        self._senders: dict[str, Any] = {}
        self._limiters: dict[str, WindowLimiter] = {}

    def swap(self, rt: Runtime) -> None:
        self.rt = rt
        self._senders.clear()  # channel URLs may have changed

    def _sender(self, spec: ChannelSpec) -> Any:
        sender = self._senders.get(spec.name)
        if sender is None:
            from monitor.delivery.deliver import Channel

            sender = self._senders[spec.name] = Channel(spec)
        return sender

    async def deliver_due(self, now: datetime) -> dict[str, int]:
        store = self.rt.store
        channels = self.rt.config.channels
        due = store.due_alerts(now)
        counts = {"sent": 0, "failed": 0, "dead": 0}
        unknown = [a for a in due if a.channel not in channels]
        if unknown:
            store.mark_failed([a.id for a in unknown], "channel is not configured any more", None)
            log.error("%d alert(s) for unconfigured channels marked dead: %s", len(unknown),
                      ", ".join(sorted({a.channel for a in unknown})))
        due = [a for a in due if a.channel in channels]
        waits = {name: (0.0 if spec.mode == "digest" else spec.group_wait) for name, spec in channels.items()}
        for batch in group(due, now, waits, max_batch=max((c.max_batch for c in channels.values()), default=20)):
            spec = channels[batch.channel]
            limiter = self._limiter(spec)
            started = self.clock()
            if limiter is not None and not limiter.try_acquire(started):
                store.defer(list(batch.ids), limiter.next_free(started))
                continue
            ok = await self._send(spec, list(batch.alerts), now)
            if limiter is not None:
                limiter.finished(started, self.clock())
            counts["sent" if ok else "failed"] += len(batch.alerts)
        return counts

    def _limiter(self, spec: ChannelSpec) -> WindowLimiter | None:
        if spec.rate_limit is None:
            return None
        if spec.name not in self._limiters:
            self._limiters[spec.name] = WindowLimiter(spec.rate_limit)
        return self._limiters[spec.name]

    async def _send(self, spec: ChannelSpec, alerts: list[Alert], now: datetime) -> bool:
        store = self.rt.store
        ids = [a.id for a in alerts]
        views = [alert_view(a, store.story_summary(a.story) if a.kind != "ops" else None) for a in alerts]
        try:
            message = render(views, spec)
        except Exception as e:  # a broken user template must not lose alerts
            self._fail(spec, alerts, f"cannot render message: {e}", None, now)
            return False
        store.mark_sending(ids)
        result = await self._sender(spec).send(message)
        if result.ok:
            store.mark_sent(ids, now)
            log.debug("channel %s: alerts %s sent", spec.name, ",".join(map(str, ids)))
            return True
        retry_after = result.retry_after
        if result.status == "rate_limited" and retry_after is None:
            # apprise reports a 429 without its Retry-After: wait a generous minute
            retry_after = RATE_LIMITED_FLOOR
        self._fail(spec, alerts, result.error or result.status, retry_after, now)
        return False

    def _fail(self, spec: ChannelSpec, alerts: list[Alert], error: str, retry_after: float | None,
              now: datetime) -> None:
        store = self.rt.store
        attempts = max(a.attempts for a in alerts) + 1
        # even a refusal (HTTP 4xx, SMTP 5xx) is retried: the operator may fix the channel meanwhile
        when = next_attempt(attempts, now, retry_after, spec.retry)
        store.mark_failed([a.id for a in alerts], error, when)
        if when is None:
            log.error("channel %s: %d alert(s) dead after %d attempts: %s", spec.name, len(alerts), attempts, error)
            self._ops_dead(spec, alerts, error, now)
        else:
            log.warning("channel %s: send failed (attempt %d), retry at %s: %s", spec.name, attempts,
                        when.isoformat(timespec="seconds"), error)

    def _ops_dead(self, spec: ChannelSpec, alerts: list[Alert], error: str, now: datetime) -> None:
        for ops in self.rt.config.model.delivery.ops_channels:
            if ops == spec.name:
                continue  # a dead ops channel cannot report its own death
            self.rt.store.enqueue_alert(
                dedup_key=f"ops|dead|{spec.name}|{min(a.id for a in alerts)}", story=f"ops:dead:{spec.name}",
                topic="ops", channel=ops, article_id="", score=1.0, now=now, kind="ops",
                payload={"title": f"{len(alerts)} alert(s) to channel {spec.name} could not be delivered: {error}",
                         "source": "media-monitor", "snippet": error, "terms": []})
