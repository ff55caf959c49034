"""A long Slack message goes out as one post per section: apprise's Slack plugin puts a body
in one section block, which Slack refuses above 3,000 characters. Slack itself cannot run
here, so apprise's send is replaced by a recorder (the only mock: no real Slack on loopback)."""

from __future__ import annotations

import asyncio

import apprise
from test_render_slack import SLACK, alert

from monitor.delivery.deliver import FAILED, SENT, Channel
from monitor.delivery.render import render


class _Result:
    def __init__(self, ok: bool) -> None:
        self.status = apprise.AppriseResultStatus.SUCCESS if ok else apprise.AppriseResultStatus.FAILURE

    def __enter__(self) -> _Result:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def logs(self) -> list:
        return []


def _channel(outcomes: list[bool]) -> tuple[Channel, list[str]]:
    channel = Channel(SLACK)
    posted: list[str] = []

    async def notify(*, body: str, **_: object) -> _Result:
        posted.append(body)
        return _Result(outcomes[len(posted) - 1] if len(posted) <= len(outcomes) else True)

    channel._apprise.async_notify = notify  # type: ignore[union-attr]
    return channel, posted


def test_each_section_is_posted_in_order() -> None:
    message = render([alert(i) for i in range(20)], SLACK)
    assert len(message.sections) > 1
    channel, posted = _channel([])
    result = asyncio.run(channel.send(message))
    assert result.ok and result.status == SENT
    assert posted == list(message.sections)
    assert all(len(p) <= 3000 for p in posted)


def test_a_failed_section_fails_the_send_and_stops() -> None:
    message = render([alert(i) for i in range(20)], SLACK)
    channel, posted = _channel([True, False])
    result = asyncio.run(channel.send(message))
    assert not result.ok and result.status == FAILED
    assert len(posted) == 2  # nothing after the failure; the retry resends the message


def test_a_short_message_is_one_post() -> None:
    message = render([alert(1)], SLACK)
    channel, posted = _channel([])
    assert asyncio.run(channel.send(message)).ok
    assert posted == [message.body]
