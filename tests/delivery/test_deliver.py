"""Channel.send against real receivers on 127.0.0.1: a webhook server and an SMTP server."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest
from receivers import SmtpReceiver, WebhookReceiver, free_port

from monitor.delivery.deliver import (
    FAILED,
    RATE_LIMITED,
    REJECTED,
    SENT,
    TIMEOUT,
    UNREACHABLE,
    Channel,
    channel_url,
    validate_url,
)
from monitor.delivery.outbox_policy import RateLimit
from monitor.delivery.render import AlertView, render
from monitor.delivery.route import ChannelSpec
from monitor.errors import DeliveryError
from monitor.ops.secrets import RedactingFilter, Redactor

VIEW = AlertView(topic="dprk-russia", score=0.87, title="Kim and Putin discuss arms supplies",
                 url="https://news.example.org/kim-putin", source="Example News", language="en",
                 snippet="Kim Jong-un met Putin to discuss weapons.", matched_terms=("putin",))


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver()
    yield receiver
    receiver.close()


def send(channel: Channel, views=(VIEW,)):
    return asyncio.run(channel.send(render(list(views), channel.spec)))


# --- webhook -----------------------------------------------------------------------------


def test_webhook_accepts_then_429_then_500_then_times_out(webhook):
    webhook.script = [200, 429, 500, 404, "hang"]
    spec = ChannelSpec("hook", f"json://127.0.0.1:{webhook.port}/hook", kind="slack", timeout=1.0)
    channel = Channel(spec, redactor=Redactor())

    ok = send(channel)
    assert (ok.ok, ok.status, ok.error) == (True, SENT, "")
    payload = json.loads(webhook.bodies[0])
    assert "*<https://news.example.org/kim-putin|Kim and Putin discuss arms supplies>*" in (
        payload["message"])

    limited = send(channel)
    assert (limited.ok, limited.status, limited.code) == (False, RATE_LIMITED, 429)
    # apprise 2.3 does not expose Retry-After: documented, the outbox backs off instead
    assert limited.retry_after is None

    server_error = send(channel)
    assert (server_error.status, server_error.code, server_error.permanent) == (FAILED, 500, False)
    assert "500" in server_error.error

    not_found = send(channel)
    assert (not_found.status, not_found.code, not_found.permanent) == (REJECTED, 404, True)

    hung = send(channel)
    assert (hung.ok, hung.status) == (False, TIMEOUT)
    assert len(webhook.bodies) == 4  # the hung request never completed


def test_unreachable_webhook():
    port = free_port()  # nothing listens there
    channel = Channel(ChannelSpec("hook", f"json://127.0.0.1:{port}/x"), redactor=Redactor())
    result = send(channel)
    assert (result.ok, result.status) == (False, UNREACHABLE)


def test_one_apprise_object_per_channel_sends_exactly_once_each(webhook):
    first = Channel(ChannelSpec("a", f"json://127.0.0.1:{webhook.port}/a"), redactor=Redactor())
    second = Channel(ChannelSpec("b", f"json://127.0.0.1:{webhook.port}/b"), redactor=Redactor())
    webhook.script = [500]

    async def both():
        return await asyncio.gather(first.send(render([VIEW], first.spec)),
                                    second.send(render([VIEW], second.spec)))

    results = asyncio.run(both())
    by_path = dict(zip(["/a", "/b"], results, strict=True))
    assert sorted(r.ok for r in results) == [False, True]
    # each result belongs to its own destination: the one answered 500 reports failure
    assert sorted(webhook.answers) == sorted((p, 200 if r.ok else 500) for p, r in by_path.items())


def test_secrets_never_leak(webhook, caplog):
    secret = "Zq7TokenAbc123Secret"
    redactor = Redactor()
    caplog.handler.addFilter(RedactingFilter(redactor))
    webhook.script = [500]
    url = f"json://bot:{secret}@127.0.0.1:{webhook.port}/hooks/{secret}"
    spec = ChannelSpec("hook", url)
    with caplog.at_level(logging.DEBUG):
        channel = Channel(spec, redactor=redactor)
        result = send(channel)
        dead = Channel(ChannelSpec("dead", f"json://127.0.0.1:{free_port()}/h/{secret}"),
                       redactor=redactor)
        unreachable = send(dead)
    assert not result.ok and not unreachable.ok
    assert caplog.records, "apprise and deliver log at DEBUG/INFO/WARNING"
    for text in (result.error, unreachable.error, repr(spec), repr(channel), caplog.text,
                 *(r.getMessage() for r in caplog.records)):
        assert secret not in text


def test_invalid_url_is_a_delivery_error_without_the_secret():
    assert validate_url("nosuchscheme://Sup3rSecretValue@host") is not None
    assert validate_url("json://127.0.0.1/x") is None
    assert validate_url("console") is None
    with pytest.raises(DeliveryError) as info:
        Channel(ChannelSpec("bad", "nosuchscheme://Sup3rSecretValue@host"), redactor=Redactor())
    assert "Sup3rSecretValue" not in str(info.value)


def test_slack_urls_get_block_kit_mode_unless_set():
    assert channel_url(ChannelSpec("s", "slack://T1/B2/C3")) == "slack://T1/B2/C3?blocks=yes"
    assert channel_url(ChannelSpec("s", "slack://T1/B2/C3?footer=no")).endswith(
        "?footer=no&blocks=yes")
    assert channel_url(ChannelSpec("s", "slack://T1/B2/C3?blocks=no")).endswith("blocks=no")


def test_console_prints_alert_lines():
    out = io.StringIO()
    channel = Channel(ChannelSpec("console", "console"), stream=out)
    other = AlertView(topic="arms-transfers", score=0.5, title="Second\nline")
    result = send(channel, [VIEW, other])
    assert result.ok and result.status == SENT
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and all(line.startswith("ALERT ") for line in lines)
    assert "dprk-russia" in lines[0] and "0.87" in lines[0] and VIEW.title in lines[0]
    assert "Second line" in lines[1]


# --- SMTP --------------------------------------------------------------------------------


def test_smtp_accepts_then_4xx_then_5xx_then_hangs(smtp):
    smtp.script = ["accept", "451", "554", "hang"]
    # with a rate limit, our token bucket replaces apprise's 5.5 s sleep between e-mails
    spec = ChannelSpec("mail", smtp.url(), timeout=2.0, rate_limit=RateLimit(60, 60))
    channel = Channel(spec, redactor=Redactor())

    ok = send(channel)
    assert (ok.ok, ok.status) == (True, SENT)
    [msg] = smtp.messages
    assert msg.get_content_type() == "multipart/alternative"
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in msg.walk()
             if not p.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}
    assert msg["Subject"] == "[dprk-russia] Kim and Putin discuss arms supplies"
    assert '<a href="https://news.example.org/kim-putin">' in parts["text/html"]
    assert "Kim and Putin discuss arms supplies" in parts["text/plain"]

    busy = send(channel)
    assert (busy.ok, busy.status, busy.code, busy.permanent) == (False, FAILED, 451, False)
    assert "mailbox busy" in busy.error
    rejected = send(channel)
    assert (rejected.ok, rejected.status, rejected.code) == (False, REJECTED, 554)
    assert "message rejected" in rejected.error
    hung = send(channel)
    assert (hung.ok, hung.status) == (False, TIMEOUT)
    assert len(smtp.messages) == 1


@pytest.mark.filterwarnings("ignore:Session.login_data is deprecated")
def test_smtp_password_never_in_errors_or_logs(caplog):
    password = "SmtpPassw0rdXYZ"
    receiver = SmtpReceiver(password=password)
    redactor = Redactor()
    caplog.handler.addFilter(RedactingFilter(redactor))
    try:
        limit = RateLimit(60, 60)
        good = Channel(ChannelSpec("mail", receiver.url("bot", password), rate_limit=limit),
                       redactor=redactor)
        # a refused login can stall in smtplib until the socket timeout: cap it
        wrong = Channel(ChannelSpec("mail2", receiver.url("bot", "WrongPassw0rd99"),
                                    rate_limit=limit, timeout=3.0), redactor=redactor)
        with caplog.at_level(logging.DEBUG):
            sent = send(good)
            refused = send(wrong)
    finally:
        receiver.close()
    assert sent.ok and len(receiver.messages) == 1
    assert not refused.ok
    for text in (refused.error, sent.error, repr(good), caplog.text):
        assert password not in text and "WrongPassw0rd99" not in text
