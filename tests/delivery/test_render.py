"""Rendering: Slack mrkdwn, e-mail text + HTML, plain text, console, groups, digests."""

from __future__ import annotations

from datetime import UTC, datetime

import jinja2
import pytest

from monitor.delivery.outbox_policy import parse_schedule
from monitor.delivery.render import (
    FORMAT_SLACK,
    FORMAT_TEXT,
    SLACK_MAX_CHARS,
    SLACK_MAX_SECTIONS,
    SLACK_SECTION_MAX,
    AlertView,
    clear_template_cache,
    render,
)
from monitor.delivery.route import ChannelSpec

VIEW = AlertView(
    topic="dprk-russia", score=0.873, title="Rencana Pertemuan Kim Jong-un–Putin",
    url="https://news.example.id/kim-putin", source="Kompas", language="id",
    published=datetime(2023, 9, 5, 3, 0, tzinfo=UTC),
    snippet="Kim Jong-un akan bertemu Putin untuk membahas pasokan senjata.",
    matched_terms=("putin", "senjata*"), story_articles=4, story_outlets=3, story_languages=2,
    article_id="a1", alert_id=7)
OTHER = AlertView(topic="arms-transfers", score=0.61, title="Arms shipment spotted",
                  url="https://news.example.org/ship", source="Example", language="en")
SLACK = ChannelSpec("ops", "slack://T1/B2/C3")
MAIL = ChannelSpec("mail", "mailto://user:pw@example.org")
TEXT = ChannelSpec("hook", "json://127.0.0.1/hook")


def test_slack_message_has_every_field():
    msg = render([VIEW], SLACK)
    assert msg.body_format == FORMAT_SLACK and msg.html_body is None
    body = msg.body
    assert "*<https://news.example.id/kim-putin|Rencana Pertemuan Kim Jong-un–Putin>*" in body
    assert "Kompas" in body and " id " in body and "2023-09-05 03:00 UTC" in body
    assert "score 0.87" in body and "*dprk-russia*" in body
    assert "*Putin*" in body and "*senjata*" in body  # matched terms highlighted
    assert "4 articles · 3 outlets · 2 languages" in body
    assert msg.title == "[dprk-russia] Rencana Pertemuan Kim Jong-un–Putin"


def test_email_has_text_and_escaped_html():
    msg = render([VIEW], MAIL)
    assert msg.body_format == FORMAT_TEXT and msg.html_body is not None
    assert '<a href="https://news.example.id/kim-putin">Rencana Pertemuan' in msg.html_body
    assert "<mark>Putin</mark>" in msg.html_body and "<mark>senjata</mark>" in msg.html_body
    assert "https://news.example.id/kim-putin" in msg.body and "<mark>" not in msg.body
    assert "Story so far: 4 articles, 3 outlets, 2 languages" in msg.body


def test_plain_text_for_other_services():
    msg = render([VIEW], TEXT)
    assert msg.body_format == FORMAT_TEXT and msg.html_body is None
    assert "[dprk-russia] score 0.87" in msg.body and "Kompas | id |" in msg.body


def test_a_group_is_one_message():
    msg = render([VIEW, OTHER], SLACK)
    assert msg.count == 2 and "*2 new alerts*" in msg.body
    assert msg.title.endswith("(+1 more)")
    assert "Arms shipment spotted" in msg.body and "Rencana Pertemuan" in msg.body


@pytest.mark.parametrize("channel", [SLACK, MAIL, TEXT])
def test_digest_groups_by_topic(channel):
    digest = ChannelSpec(channel.name, channel.url, mode="digest",
                         digest_schedule=parse_schedule("hourly"))
    msg = render([VIEW, OTHER, VIEW], digest)
    assert msg.title == "Digest: 3 alerts (arms-transfers, dprk-russia)"
    text = msg.html_body or msg.body
    assert text.index("arms-transfers") < text.index("dprk-russia")
    assert "Digest: 3 alerts" in text
    # an instant channel can still be asked for a digest explicitly
    assert render([VIEW], channel, digest=True).title.startswith("Digest: 1 alert ")


def test_slack_stays_within_the_block_limits():
    many = [AlertView(topic="t", score=0.5, title=f"Title {i} " + "x" * 200,
                      snippet="y" * 290) for i in range(200)]
    msg = render(many, SLACK)
    assert len(msg.body) <= SLACK_MAX_CHARS and len(msg.sections) <= SLACK_MAX_SECTIONS
    assert all(len(s) <= SLACK_SECTION_MAX for s in msg.sections)
    assert msg.count < 200 and f"and {200 - msg.count} more alerts not shown" in msg.body


def test_console_line():
    msg = render([VIEW], ChannelSpec("console", "console"))
    assert msg.body.startswith("ALERT dprk-russia score=0.87 | Rencana Pertemuan Kim Jong-un–Putin")


def test_missing_fields_render_gracefully():
    bare = AlertView(topic="t", score=0.1, title="")
    for channel in (SLACK, MAIL, TEXT):
        msg = render([bare], channel)
        assert "time unknown" in (msg.html_body or msg.body)
        assert "(untitled)" in msg.title or msg.title == "[t]"


def test_user_template_override(tmp_path):
    clear_template_cache()
    body = tmp_path / "body.j2"
    body.write_text("{% for a in alerts %}NEWS {{ a.title }} {{ link(a.url, a.title) }}"
                    "{% endfor %}")
    html = tmp_path / "html.j2"
    html.write_text("<p>{{ alerts[0].title }}</p>")
    slack = ChannelSpec("ops", "slack://T1/B2/C3", templates={"body": str(body)})
    msg = render([AlertView(topic="t", score=1, title="<!here> *x*", url="https://e.org")], slack)
    assert msg.body.startswith(
        "NEWS &lt;\u2060!here&gt; ∗x∗ <https://e.org|&lt;\u2060!here&gt; ∗x∗>")
    mail = ChannelSpec("m", "mailto://x@example.org", templates={"html": str(html)})
    assert render([AlertView(topic="t", score=1, title="<b>x</b>")], mail).html_body == (
        "<p>&lt;b&gt;x&lt;/b&gt;</p>")


def test_broken_user_template_raises(tmp_path):
    bad = tmp_path / "bad.j2"
    bad.write_text("{% for a in alerts %}")
    with pytest.raises(jinja2.TemplateError):
        render([VIEW], ChannelSpec("ops", "slack://T1/B2/C3", templates={"body": str(bad)}))
    with pytest.raises(OSError):
        render([VIEW], ChannelSpec("ops", "slack://T1/B2/C3",
                                   templates={"body": str(tmp_path / "missing.j2")}))
