"""Alerts carry the token an analyst needs to judge them with `monitor label`."""

from __future__ import annotations

import pytest

from monitor.delivery.render import AlertView, render
from monitor.delivery.route import ChannelSpec

VIEW = AlertView(topic="dprk-russia", score=0.9, title="Shells shipped", url="https://example.org/a",
                 source="Wire", language="en", article_id="3f2a9c", snippet="shells")


@pytest.mark.parametrize("url", ["json://127.0.0.1:9/x", "slack://T000/B000/XXXX", "mailto://127.0.0.1:25?to=a@b.c"])
def test_alert_message_holds_the_feedback_token(url: str) -> None:
    msg = render([VIEW], ChannelSpec("c", url, group_wait=0))
    for body in (msg.body, msg.html_body or ""):
        if body:
            assert "monitor label 3f2a9c dprk-russia yes|no" in body


def test_followups_and_ops_messages_do_not_ask_again() -> None:
    from dataclasses import replace

    spec = ChannelSpec("c", "json://127.0.0.1:9/x", group_wait=0)
    assert "monitor label" not in render([replace(VIEW, followup=True)], spec).body
    assert "monitor label" not in render([replace(VIEW, topic="ops")], spec).body
