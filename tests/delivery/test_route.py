"""Routing: topic + score -> channels, instant or digest, quiet hours deferral."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from monitor.delivery.outbox_policy import QuietHours, parse_schedule
from monitor.delivery.route import ChannelSpec, Delivery, Route, channels_for_topic, kind_for_url, route
from monitor.models import KeywordResult, Match

NOW = datetime(2024, 3, 4, 23, 30, tzinfo=UTC)


def match(topic: str = "dprk-russia", score: float = 0.8, alert: bool = True) -> Match:
    return Match(article_id="a1", topic=topic, score=score, alert=alert,
                 keyword=KeywordResult(topic=topic, matched=alert, score=score))


@pytest.mark.parametrize("url,kind", [
    ("slack://T1/B2/C3", "slack"),
    ("SLACK://T1/B2/C3", "slack"),
    ("mailto://user:pw@example.org", "email"),
    ("mailtos://user:pw@example.org", "email"),
    ("json://127.0.0.1:8000/hook", "text"),
    ("jsons://hooks.example.org/x", "text"),
    ("mmost://mattermost.example.org/token", "text"),
    ("discord://id/token", "text"),
    ("console", "console"),
    ("console://", "console"),
])
def test_kind_from_scheme(url, kind):
    assert kind_for_url(url) == kind
    assert ChannelSpec("c", url).kind == kind


def test_explicit_kind_wins_and_is_validated():
    assert ChannelSpec("relay", "json://127.0.0.1/x", kind="slack").kind == "slack"
    with pytest.raises(ValueError):
        ChannelSpec("bad", "json://x", kind="pager")
    with pytest.raises(ValueError):
        ChannelSpec("bad", "json://x", mode="digest")  # no schedule
    with pytest.raises(ValueError):
        ChannelSpec("bad", "json://x", mode="sometimes")


def test_channel_repr_hides_the_url():
    spec = ChannelSpec("ops", "slack://T000SECRET/B000SECRET/xoxTOKENSECRET")
    assert "SECRET" not in repr(spec) and "SECRET" not in str(spec)
    assert spec.name in repr(spec)


def test_templates_accept_a_mapping():
    spec = ChannelSpec("c", "json://x", templates={"html": "/a.j2", "body": "/b.j2"})
    assert spec.template_path("body") == "/b.j2" and spec.template_path("digest_body") is None


def test_route_by_topic_and_minimum_score():
    routes = [Route("dprk-russia", ("ops", "mail"), min_score=0.5),
              Route("arms-transfers", ("mail",)),
              Route("*", ("archive",), min_score=0.9)]
    assert [d.channel for d in route(match(score=0.6), routes, NOW)] == ["ops", "mail"]
    assert [d.channel for d in route(match(score=0.95), routes, NOW)] == ["ops", "mail", "archive"]
    assert route(match(score=0.4), routes, NOW) == []
    assert [d.channel for d in route(match("arms-transfers", 0.1), routes, NOW)] == ["mail"]
    assert route(match(alert=False, score=1.0), routes, NOW) == []


def test_each_channel_once_even_when_routes_overlap():
    routes = [Route("dprk-russia", ("ops",)), Route("*", ("ops", "mail"))]
    assert [d.channel for d in route(match(), routes, NOW)] == ["ops", "mail"]


def test_channel_mode_and_route_override():
    hourly = parse_schedule("hourly")
    channels = {"ops": ChannelSpec("ops", "json://x"),
                "mail": ChannelSpec("mail", "mailto://x", mode="digest", digest_schedule=hourly)}
    routes = [Route("*", ("ops", "mail"))]
    assert [d.mode for d in route(match(), routes, NOW, channels)] == ["instant", "digest"]
    override = [Route("*", ("ops",), mode="digest")]
    assert route(match(), override, NOW, channels)[0].mode == "digest"


def test_quiet_hours_defer_instant_but_never_drop():
    quiet = QuietHours(time(22, 0), time(7, 0), bypass_score=0.9)
    channels = {"ops": ChannelSpec("ops", "json://x", quiet_hours=quiet)}
    routes = [Route("*", ("ops",))]
    deferred = route(match(score=0.6), routes, NOW, channels)
    assert deferred == [Delivery("ops", "dprk-russia", "instant",
                                 datetime(2024, 3, 5, 7, 0, tzinfo=UTC))]
    assert route(match(score=0.95), routes, NOW, channels)[0].not_before is None
    assert route(match(score=0.6), routes, NOW, channels, escalate=True)[0].not_before is None
    daytime = datetime(2024, 3, 4, 12, 0, tzinfo=UTC)
    assert route(match(score=0.6), routes, daytime, channels)[0].not_before is None


def test_digest_ignores_quiet_hours():
    quiet = QuietHours(time(0, 0), time(23, 59))
    channels = {"mail": ChannelSpec("mail", "mailto://x", mode="digest", quiet_hours=quiet,
                                    digest_schedule=parse_schedule("daily 08:00"))}
    [d] = route(match(), [Route("*", ("mail",))], NOW, channels)
    assert d.mode == "digest" and d.not_before is None


def test_channels_for_topic():
    routes = [Route("dprk-russia", ("ops",)), Route("*", ("mail", "ops"))]
    assert channels_for_topic("dprk-russia", routes) == ("ops", "mail")
    assert channels_for_topic("other", routes) == ("mail", "ops")
