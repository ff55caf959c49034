"""Untrusted feed text can never ping, link, format, inject headers or inject HTML.

Each injection is checked on the rendered message and, where a receiver exists, on the
bytes that reached it: the Slack plugin's real payload captured on 127.0.0.1 and the
e-mail an SMTP server on 127.0.0.1 received.
"""

from __future__ import annotations

import asyncio
import email
import html
import io
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from apprise.plugins.slack import NotifySlack
from receivers import SmtpReceiver

from monitor.delivery.deliver import Channel
from monitor.delivery.outbox_policy import RateLimit, parse_schedule
from monitor.delivery.render import (
    FORMAT_SLACK,
    AlertView,
    Message,
    header_safe,
    neutralise,
    render,
    safe_link_url,
    slack_escape,
    terminal_safe,
)
from monitor.delivery.route import ChannelSpec
from monitor.ops.secrets import Redactor

PINGS = ["<!channel>", "<!here>", "<!everyone>", "@everyone", "@here", "<@U123>", "<#C123>",
         "<!subteam^S123>", "&lt;!channel&gt;"]
FORMATTING = ["<http://evil.example|click>", "*bold*", "_italic_", "~strike~", "`code`",
              "```block```", "> quote"]


def slack_is_inert(mrkdwn: str) -> None:
    """No Slack control sequence survives: no <...> at all, no mention, no format char."""
    assert "<" not in mrkdwn and ">" not in mrkdwn
    assert not re.search(r"(?<![\w.])[@＠](everyone|here|channel|U123)", mrkdwn)
    assert not re.search(r"[*_~`]", mrkdwn)
    assert not re.search(r"(^|\n)\s*(&gt;|>)", mrkdwn)


def test_slack_entities_are_escaped_once():
    assert slack_escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    # text that already looks like an entity is shown literally, not decoded by Slack
    assert slack_escape("&lt;!channel&gt;") == "&amp;lt;!channel&amp;gt;"


@pytest.mark.parametrize("payload", PINGS + FORMATTING)
def test_slack_escape_each_injection(payload):
    escaped = slack_escape(f"Breaking {payload} news")
    slack_is_inert(escaped)
    assert escaped.startswith("Breaking ") and escaped.endswith(" news")


def test_line_start_quote_cannot_start_a_line():
    escaped = slack_escape("first line\n> quoted\r\n>>> block")
    assert "\n" not in escaped and "&gt; quoted" in escaped


def test_bare_urls_are_not_linkified():
    assert "http://" not in slack_escape("visit http://evil.example now")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x",
                                 "vbscript:x", "//evil.example/x", "http://", "ftp://x/y",
                                 "https://ok.example/a b", "https://ok.example/\nx"])
def test_only_http_links(url):
    assert safe_link_url(url) is None


def test_header_safe_removes_every_line_break():
    for brk in ("\r\n", "\n", "\r", "\u2028", "\u2029", "\u0085", "\x0b", "\x0c"):
        assert header_safe(f"Title{brk}Bcc: victim@example.org") == (
            "Title Bcc: victim@example.org")


HOSTILE = AlertView(
    topic="dprk-russia", score=0.9,
    title="Kim <!channel> *Putin* <http://evil.example|click> `x`\r\nBcc: victim@example.org"
          "\u2028X-Injected: yes\u0085X-Other: 1",
    url="javascript:alert(document.cookie)",
    source="<script>alert(1)</script> @everyone",
    snippet='<img src=x onerror="alert(1)"> <a href="javascript:x">y</a> <@U123> <#C123> '
            "_under_ ~strike~\n> quote",
    matched_terms=("putin",),
    feedback_links=(("not relevant", "javascript:bad()"), ("useful", "https://fb.example/ok")),
)


def test_rendered_slack_message_is_inert():
    msg = render([HOSTILE], ChannelSpec("ops", "slack://T1/B2/C3"))
    # our own markup is present; everything from the feed is escaped
    links = re.findall(r"<([^>]*)>", msg.body)
    assert links == ["https://fb.example/ok|useful"]
    inert = re.sub(r"<https://fb.example/ok\|useful>", "", msg.body)
    inert = re.sub(r"\*(dprk-russia|Putin)\*|:rotating_light:", "", inert)
    inert = re.sub(r"(?m)^> ", "", inert)  # our snippet quote marker
    inert = re.sub(r"^\*|\*$", "", inert, flags=re.M)  # bold around the title line
    slack_is_inert(inert)


def test_rendered_email_html_is_inert():
    msg = render([HOSTILE], ChannelSpec("m", "mailto://x@example.org"))
    html = msg.html_body or ""
    assert "<script" not in html and "<img" not in html and "onerror=\"" not in html
    hrefs = " ".join(re.findall(r'href="([^"]*)"', html))
    assert "javascript:" not in re.sub(r"&[^;]+;", "", hrefs)
    assert re.findall(r'href="([^"]*)"', html) == ["https://fb.example/ok"]
    assert "&lt;script&gt;" in html and "\r" not in msg.title and "\n" not in msg.title
    assert "\u2028" not in msg.title and "\u0085" not in msg.title


# --- on the wire: the real Slack plugin, captured on loopback -----------------------------


class Capture:
    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        capture = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                capture.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slack_wire(monkeypatch) -> Iterator[Capture]:
    capture = Capture()
    # point apprise's real Slack plugin at our loopback receiver instead of hooks.slack.com
    monkeypatch.setattr(NotifySlack, "webhook_url", f"http://127.0.0.1:{capture.port}/services")
    yield capture
    capture.close()


@pytest.mark.parametrize("payload", PINGS + FORMATTING)
def test_slack_wire_each_injection(slack_wire, payload):
    view = AlertView(topic="t", score=0.5, title=f"Title {payload}", source=f"Out {payload}",
                     snippet=f"Snippet {payload} end", url="https://ok.example/a")
    channel = Channel(ChannelSpec("ops", "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXr7"),
                      redactor=Redactor())
    result = asyncio.run(channel.send(render([view], channel.spec)))
    assert result.ok, result.error
    [raw] = slack_wire.bodies
    texts = [block["text"]["text"] for att in json.loads(raw)["attachments"]
             for block in att["blocks"] if block["type"] == "section"]
    [mrkdwn] = texts
    # the only <...> on the wire is our own title link
    assert re.findall(r"<[^>]*>", mrkdwn) == [
        f"<https://ok.example/a|Title {slack_escape(payload)}>"]
    for line in mrkdwn.splitlines():
        if line.startswith(("Out ", "> Snippet")):
            slack_is_inert(line.removeprefix("> "))


# --- on the wire: e-mail through aiosmtpd ---------------------------------------------------


def test_email_wire_has_no_injected_headers_or_html():
    smtp = SmtpReceiver()
    try:
        url = smtp.url()
        channel = Channel(ChannelSpec("mail", url, rate_limit=RateLimit(10, 1)),
                          redactor=Redactor())
        result = asyncio.run(channel.send(render([HOSTILE], channel.spec)))
    finally:
        smtp.close()
    assert result.ok, result.error
    [raw] = smtp.raw
    msg = email.message_from_bytes(raw)
    assert msg["Bcc"] is None and msg["X-Injected"] is None and msg["X-Other"] is None
    header_block = raw.split(b"\r\n\r\n", 1)[0].decode()
    # the injected text stays inside the Subject value; it never starts a header line
    assert not re.search(r"(?im)^(bcc|x-injected|x-other):", header_block)
    subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
    assert subject.startswith("[dprk-russia] Kim <\u2060!channel>") and "\n" not in subject
    html = next(p for p in msg.walk() if p.get_content_type() == "text/html")
    html_text = html.get_payload(decode=True).decode()
    assert "<script" not in html_text and "<img" not in html_text
    assert re.findall(r'href="([^"]*)"', html_text) == ["https://fb.example/ok"]



# --- one neutralisation for every output: titles, bodies, console, CLI -------------------

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ENCODED_WORDS = "=?utf-8?b?QmNjOiB2aWN0aW1AZXhhbXBsZS5vcmc=?= =?iso-8859-1?q?Bcc=3A_x=40e.org?="
UNTRUSTED = (" ".join(PINGS) + " \u202egpj.exe\u202c \u200fRTL\u061c \x1b[31mred\x1b[0m \x9b2J "
             "\x07bell\x00 " + ENCODED_WORDS)
EVERYWHERE = AlertView(topic="dprk-russia", score=0.9, title="Title " + UNTRUSTED,
                       source="Outlet " + UNTRUSTED, snippet="Snippet " + UNTRUSTED,
                       url="https://ok.example/a", matched_terms=("title",),
                       feedback_links=((UNTRUSTED, "https://fb.example/ok"),))
KINDS = {"slack": "slack://T1/B2/C3", "email": "mailto://x@example.org",
         "text": "json://127.0.0.1/hook", "console": "console"}


def assert_neutral(text: str, *, lines: bool = False, entities: bool = False) -> None:
    """No ping, no bidi or control character, no RFC 2047 encoded word: in the text as a
    reader sees it (with `entities`, HTML's and Slack's &lt; decoded first)."""
    shown = html.unescape(text) if entities else text
    assert not re.search(r"(?<![\w.])[@＠](everyone|here|channel|U123)", shown), shown
    assert not re.search(r"<[@#]|<!(channel|here|everyone|subteam)", shown), shown
    assert not any(c in BIDI for c in shown)
    controls = re.findall("[\x00-\x1f\x7f-\x9f]", shown)
    assert controls == (["\n"] * len(controls) if lines else []), controls
    assert "=?" not in shown
    assert "\u2028" not in shown and "\u2029" not in shown


def outputs(msg: Message) -> list[tuple[str, bool, bool]]:
    """(text, may hold line breaks, holds entities) for every part of a message."""
    slack = msg.body_format == FORMAT_SLACK
    return ([(msg.title, False, False), (msg.body, True, slack)]
            + [(s, True, True) for s in msg.sections]
            + ([(msg.html_body, True, True)] if msg.html_body else []))


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("digest", [False, True], ids=["instant", "digest"])
def test_every_output_of_every_kind_is_neutral(kind, digest):
    spec = (ChannelSpec(kind, KINDS[kind], mode="digest", digest_schedule=parse_schedule("hourly"))
            if digest and kind != "console" else ChannelSpec(kind, KINDS[kind]))
    for views in ([EVERYWHERE], [EVERYWHERE, EVERYWHERE]):
        msg = render(views, spec)
        for text, multi_line, entities in outputs(msg):
            assert_neutral(text, lines=multi_line, entities=entities)
        # the visible text survives, only made inert
        assert "gpj.exe" in msg.body and "RTL" in msg.body and "red" in msg.body


def test_the_title_of_a_json_target_is_neutral_on_the_wire():
    capture = Capture()
    try:
        channel = Channel(ChannelSpec("hook", f"json://127.0.0.1:{capture.port}/hook"),
                          redactor=Redactor())
        result = asyncio.run(channel.send(render([EVERYWHERE], channel.spec)))
    finally:
        capture.close()
    assert result.ok, result.error
    [raw] = capture.bodies
    payload = json.loads(raw)
    assert payload["title"].startswith("[dprk-russia] Title ")
    assert_neutral(payload["title"])
    assert_neutral(payload["message"], lines=True)


def test_console_lines_are_neutral():
    out = io.StringIO()
    channel = Channel(ChannelSpec("console", "console"), stream=out)
    result = asyncio.run(channel.send(render([EVERYWHERE, EVERYWHERE], channel.spec)))
    assert result.ok
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and all(line.startswith("ALERT dprk-russia score=0.90 | Title ")
                                   for line in lines)
    for line in lines:
        assert_neutral(line)


def test_encoded_words_in_a_title_stay_text_in_the_subject_on_the_wire():
    smtp = SmtpReceiver()
    try:
        url = smtp.url()
        channel = Channel(ChannelSpec("mail", url, rate_limit=RateLimit(10, 1)),
                          redactor=Redactor())
        view = AlertView(topic="dprk-russia", score=0.9, title="Breaking " + ENCODED_WORDS)
        result = asyncio.run(channel.send(render([view], channel.spec)))
    finally:
        smtp.close()
    assert result.ok, result.error
    [raw] = smtp.raw
    msg = email.message_from_bytes(raw)
    # what a mail reader shows: the encoded words as literal text, never "Bcc: ..."
    subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
    assert "Bcc:" not in subject and "victim" not in subject
    assert "QmNjOiB2aWN0aW1AZXhhbXBsZS5vcmc=" in subject and "Bcc=3A_x=40e.org" in subject


def test_neutralise_breaks_encoded_words_and_keeps_other_text():
    assert neutralise("=?utf-8?b?QmNj?=") == "=\u2060?utf-8?b?QmNj?="
    assert neutralise("a = b? c") == "a = b? c"  # not an encoded word: untouched
    # zero-width joiners stay (Persian, Indic scripts and emoji need them)
    assert neutralise("می\u200cخواهم \U0001f468\u200d\U0001f469") == (
        "می\u200cخواهم \U0001f468\u200d\U0001f469")


def test_terminal_safe_for_cli_listings():
    hostile = ("\x1b]0;pwned\x07 \x1b[2J\x9b31m red \u202egpj.exe\u2066 @here <!channel>"
               "\nsecond line\r\u2028third")
    shown = terminal_safe(hostile)
    assert_neutral(shown)
    assert "\x1b" not in shown and "\x9b" not in shown and "\n" not in shown
    assert shown.endswith("gpj.exe @\u2060here <\u2060!channel> second line third")
    assert terminal_safe("x" * 100, 80) == "x" * 79 + "…"
    assert terminal_safe(None) == ""
