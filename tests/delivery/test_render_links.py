"""Every alert's link reaches the plain-text e-mail part and the digests, escaped.

apprise 2.3 derives an e-mail's text/plain part from our HTML and drops every href, so
the HTML also shows each URL as text; checked on the bytes an SMTP server on 127.0.0.1
received. The rendered text templates carry every link too.
"""

from __future__ import annotations

import asyncio
import email
from email.message import Message as EmailMessage

import pytest
from receivers import SmtpReceiver

from monitor.delivery.deliver import Channel
from monitor.delivery.outbox_policy import RateLimit, parse_schedule
from monitor.delivery.render import AlertView, render, safe_link_url
from monitor.delivery.route import ChannelSpec
from monitor.ops.secrets import Redactor

VIEWS = [AlertView(topic="dprk-russia" if i % 2 else "arms-transfers", score=0.8,
                   title=f"Story {i}: Kim and Putin discuss arms", source=f"Outlet {i}",
                   url=f"https://news{i}.example.org/2023/09/story-{i}?ref=rss&id={i}",
                   article_id=f"art-{i}", alert_id=i,
                   feedback_links=(("useful", f"https://fb.example.org/yes?alert={i}"),))
         for i in range(7)]
ARTICLE_URLS = [v.url for v in VIEWS]
FEEDBACK_URLS = [v.feedback_links[0][1] for v in VIEWS]


def digest_of(spec: ChannelSpec) -> ChannelSpec:
    return ChannelSpec(spec.name, spec.url, mode="digest", digest_schedule=parse_schedule("hourly"),
                       rate_limit=spec.rate_limit)


def send_mail(views: list[AlertView], *, digest: bool) -> EmailMessage:
    smtp = SmtpReceiver()
    try:
        spec = ChannelSpec("mail", smtp.url(), rate_limit=RateLimit(10, 1))
        spec = digest_of(spec) if digest else spec
        channel = Channel(spec, redactor=Redactor())
        result = asyncio.run(channel.send(render(views, spec)))
    finally:
        smtp.close()
    assert result.ok, result.error
    [raw] = smtp.raw
    return email.message_from_bytes(raw)


def part(msg: EmailMessage, content_type: str) -> str:
    [p] = [p for p in msg.walk() if p.get_content_type() == content_type]
    return p.get_payload(decode=True).decode()


@pytest.mark.parametrize("digest", [False, True], ids=["group", "digest"])
def test_email_text_part_on_the_wire_has_every_link(digest):
    msg = send_mail(VIEWS, digest=digest)
    text, html = part(msg, "text/plain"), part(msg, "text/html")
    for url in ARTICLE_URLS:
        assert url in text, url
        assert url.replace("&", "&amp;") in html
    if not digest:  # a digest lists articles only
        for url in FEEDBACK_URLS:
            assert url in text, url


@pytest.mark.parametrize("url", ["mailto://x@example.org", "json://127.0.0.1/hook"])
@pytest.mark.parametrize("digest", [False, True], ids=["group", "digest"])
def test_text_templates_carry_every_link(url, digest):
    spec = ChannelSpec("c", url)
    msg = render(VIEWS, digest_of(spec) if digest else spec)
    for article in ARTICLE_URLS:
        assert article in msg.body, article
    for feedback in FEEDBACK_URLS if not digest else ():
        assert f"useful <{feedback}>" in msg.body
    lines = msg.body.splitlines()
    if digest:  # one line per alert, each with its own link (lines never run together)
        assert sum(line.startswith("- Story ") for line in lines) == 7
        assert all(line.count("https://") == 1 for line in lines if line.startswith("- "))


HOSTILE_URLS = {
    # untrusted URL -> what every output may show (percent-encoded), or None (no link)
    'https://ok.example/a"><script>alert(1)</script>': "https://ok.example/a%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    "https://ok.example/x|y>z<@U123>": "https://ok.example/x%7Cy%3Ez%3C@U123%3E",
    "https://ok.example/\u202egpj.exe": "https://ok.example/%E2%80%AEgpj.exe",
    "https://ok.example/\u200fx\u061c": "https://ok.example/%E2%80%8Fx%D8%9C",
    "https://bücher.example/b": "https://xn--bcher-kva.example/b",
    "https://evil.example\\@ok.example/": None,
    "https://ok\u202e.example/": None,
    "https://ok.example/" + "a" * 2100: None,
    "javascript:alert(1)": None,
}


@pytest.mark.parametrize("raw", list(HOSTILE_URLS))
def test_links_are_safe_and_escaped_in_every_output(raw):
    expected = HOSTILE_URLS[raw]
    assert safe_link_url(raw) == expected
    view = AlertView(topic="t", score=0.5, title="Title", url=raw,
                     feedback_links=(("useful", raw),))
    for url in ("mailto://x@example.org", "json://127.0.0.1/hook", "slack://T1/B2/C3",
                "console"):
        msg = render([view], ChannelSpec("c", url))
        for out in [msg.body] + ([msg.html_body] if msg.html_body else []):
            assert "<script" not in out and "javascript:" not in out
            assert "\u202e" not in out and "\u200f" not in out and "\u061c" not in out
            if expected is not None:
                assert expected in out
            else:
                assert "ok.example" not in out
