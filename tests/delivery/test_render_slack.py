"""Slack messages use the room Slack really has: sections of 3,000 characters, 50 blocks,
a 35,000-character body (apprise's cap, under Slack's 40,000), and a cut says how many
alerts were left out and how to list them."""

from __future__ import annotations

import re
from dataclasses import replace

from monitor.delivery.outbox_policy import parse_schedule
from monitor.delivery.render import (
    SLACK_MAX_CHARS,
    SLACK_MAX_SECTIONS,
    SLACK_SECTION_MAX,
    AlertView,
    clear_template_cache,
    render,
    slack_blocks,
    slack_length,
)
from monitor.delivery.route import ChannelSpec

SLACK = ChannelSpec("ops", "slack://T1/B2/C3")
SLACK_DIGEST = ChannelSpec("ops", "slack://T1/B2/C3", mode="digest",
                           digest_schedule=parse_schedule("hourly"))


def alert(i: int, *, title: str | None = None) -> AlertView:
    """An alert as the operators saw them: long title, full snippet, story counts."""
    return AlertView(
        topic="dprk-russia", score=0.8, alert_id=100 + i, article_id=f"art-{i}",
        title=title or f"Kim Jong-un and Putin meet in Vladivostok to discuss arms supplies ({i})",
        url=f"https://news.example.org/2023/09/{i}/kim-putin-vladivostok-arms",
        source="Example News", language="en",
        snippet="Kim Jong-un akan bertemu Putin untuk membahas pasokan senjata. " * 5,
        matched_terms=("putin", "senjata*"), story_articles=4, story_outlets=3,
        story_languages=2)


def check_limits(msg) -> None:
    assert msg.sections, "a Slack message has at least one section"
    assert len(msg.sections) <= SLACK_MAX_SECTIONS
    assert all(0 < slack_length(s) <= SLACK_SECTION_MAX for s in msg.sections)
    assert slack_length(msg.body) <= SLACK_MAX_CHARS
    assert msg.body == "\n\n".join(msg.sections) + "\n"


def test_seven_grouped_alerts_all_fit():
    # the operators' case: 3 of 7 shown, "…and 4 more", in a 1,812-character message
    views = [alert(i) for i in range(7)]
    msg = render(views, SLACK)
    check_limits(msg)
    assert msg.count == 7 and "more alert" not in msg.body
    assert len(msg.sections) >= 2  # more than one section's worth: the room was used
    for v in views:
        assert f"<{v.url}|" in msg.body


def test_sections_break_between_alerts_never_inside_one():
    msg = render([alert(i) for i in range(7)], SLACK)
    for section in msg.sections[1:]:
        assert section.startswith(":rotating_light: *dprk-russia*")
    # every alert's link, bold title and quote stay together in one section
    for i in range(7):
        [holder] = [s for s in msg.sections if f"/{i}/kim-putin" in s]
        assert f"Feedback: `monitor label art-{i} dprk-russia yes|no`" in holder


def test_a_cut_says_how_many_were_left_out_and_how_to_see_them():
    views = [alert(i) for i in range(100)]
    msg = render(views, SLACK)
    check_limits(msg)
    shown, left = msg.count, 100 - msg.count
    assert 0 < shown < 100
    shown_urls = [v.url for v in views if f"<{v.url}|" in msg.body]
    assert shown_urls == [v.url for v in views[:shown]]  # the first `count`, in order
    assert msg.body.rstrip().endswith(
        f"…and {left} more alerts not shown: the message reached Slack's size limit. "
        f"`monitor alerts --status sent` lists them (ids {100 + shown}–199).")
    # as many as fit: the room left is less than one more alert needs
    one_more = slack_length(render([views[shown]], SLACK).body)
    assert SLACK_MAX_CHARS - slack_length(msg.body) < one_more


def test_a_digest_cut_says_the_same():
    views = [alert(i) for i in range(400)]
    msg = render(views, SLACK_DIGEST)
    check_limits(msg)
    left = 400 - msg.count
    assert 0 < left < 400 and msg.count > 100  # one line per alert: far more than 2,900 chars
    assert f"…and {left} more alerts not shown: the digest reached Slack's size limit." in msg.body
    assert "`monitor alerts --status sent` lists them (ids " in msg.body
    assert msg.body.startswith(":newspaper: *Digest: 400 alerts*")


def test_ids_of_left_out_alerts_are_ranges_and_bounded():
    views = [alert(i) for i in range(100)]
    views = [v if i % 2 else replace(v, alert_id=1000 + 2 * i) for i, v in enumerate(views)]
    msg = render(views, SLACK)
    ids = re.search(r"\(ids ([^)]*)\)", msg.body)
    assert ids is not None and ids.group(1).endswith("…")
    assert ids.group(1).count(",") == 10  # ten ranges, then "…"


def test_astral_characters_count_twice():
    # Slack may count UTF-16 code units: an emoji outside the BMP takes two
    views = [alert(i, title="\U0001f680" * 240) for i in range(30)]
    msg = render(views, SLACK)
    check_limits(msg)


def test_one_huge_alert_from_a_user_template_is_cut_cleanly(tmp_path):
    clear_template_cache()
    body = tmp_path / "body.j2"
    body.write_text("{% for a in alerts %}{% for _ in range(400) %}{{ link(a.url, a.title) }} "
                    "{% endfor %}{% endfor %}")
    spec = ChannelSpec("ops", "slack://T1/B2/C3", templates={"body": str(body)})
    msg = render([alert(1), alert(2)], spec)
    check_limits(msg)
    assert msg.count == 1 and msg.body.rstrip().endswith("…")
    for section in msg.sections:  # never cut inside a <url|label> link or an entity
        assert section.count("<") == section.count(">")
        assert not re.search(r"&[a-z]*…", section)


def test_slack_blocks_one_section_each():
    msg = render([alert(i) for i in range(7)], SLACK)
    blocks = slack_blocks(msg)
    assert [b["text"]["text"] for b in blocks] == list(msg.sections)  # type: ignore[index]
    assert all(b == {"type": "section", "text": {"type": "mrkdwn", "text": b["text"]["text"]}}  # type: ignore[index]
               for b in blocks)
