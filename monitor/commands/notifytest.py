"""`monitor notify test`: one sample alert through a channel, with the exact outcome."""

from __future__ import annotations

import asyncio
from datetime import datetime

from monitor.delivery.deliver import INVALID, Channel, SendResult
from monitor.delivery.render import AlertView, render
from monitor.delivery.route import ChannelSpec
from monitor.errors import DeliveryError


def sample_view(now: datetime) -> AlertView:
    return AlertView(
        topic="test", score=1.0, title="media-monitor test alert: channel works",
        url="https://example.org/media-monitor/test", source="media-monitor", language="en", published=now,
        snippet="This is a test message from `monitor notify test`. No action is needed.",
        matched_terms=("test",),
    )


def send_test(spec: ChannelSpec, now: datetime) -> SendResult:
    message = render([sample_view(now)], spec, digest=False)
    try:
        channel = Channel(spec)
    except DeliveryError as e:  # apprise cannot load the URL: report its reason, do not crash
        return SendResult(False, INVALID, str(e).removeprefix(f"channel {spec.name}: "))
    return asyncio.run(channel.send(message))
