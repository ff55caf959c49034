"""Routing: which channels an alert goes to, instantly or in a digest. Pure.

    ChannelSpec            one configured channel (the secret URL is never in its repr)
    Route                  topic (or "*") + minimum score -> channels, optional mode override
    route(match, routes, now, channels=...) -> list[Delivery]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from monitor.delivery.outbox_policy import (
    DigestSchedule,
    QuietHours,
    RateLimit,
    RetryPolicy,
    quiet_hours_defer,
)
from monitor.models import Match

KINDS = ("slack", "email", "console", "text")
MODES = ("instant", "digest")

# Scheme -> kind. Anything else apprise supports renders as plain text.
_SCHEME_KINDS = {
    "slack": "slack",
    "mailto": "email",
    "mailtos": "email",
    "console": "console",
    "stdout": "console",
}


def kind_for_url(url: str) -> str:
    """Channel kind from an apprise URL's scheme ("console" alone also means console)."""
    text = url.strip()
    if text.lower() in ("console", "stdout"):
        return "console"
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    return _SCHEME_KINDS.get(scheme, "text")


@dataclass(frozen=True)
class ChannelSpec:
    """One delivery channel. `url` is the secret-resolved apprise URL: never log it.

    `kind` defaults to the URL scheme's kind (slack://, mailto(s)://, console, else text);
    set it explicitly to render e.g. Slack mrkdwn for a Slack-compatible json:// relay.
    `templates` maps a template role ("body", "html", "subject", "digest_body",
    "digest_html") to a user file that replaces the default for that role.
    """

    name: str
    url: str = field(repr=False)
    kind: str = ""
    mode: str = "instant"
    digest_schedule: DigestSchedule | None = None
    quiet_hours: QuietHours | None = None
    rate_limit: RateLimit | None = None
    group_wait: float = 30.0
    max_batch: int = 20  # alerts per grouped message
    templates: tuple[tuple[str, str], ...] = ()
    retry: RetryPolicy = RetryPolicy()
    timeout: float = 30.0  # whole-send limit in seconds (apprise reports TIMEOUT)

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", kind_for_url(self.url))
        if isinstance(self.templates, Mapping):
            object.__setattr__(self, "templates", tuple(sorted(self.templates.items())))
        if self.kind not in KINDS:
            raise ValueError(f"channel {self.name}: kind must be one of {', '.join(KINDS)}")
        if self.mode not in MODES:
            raise ValueError(f"channel {self.name}: mode must be instant or digest")
        if self.mode == "digest" and self.digest_schedule is None:
            raise ValueError(f"channel {self.name}: digest mode needs a digest schedule")
        if self.group_wait < 0 or self.timeout <= 0 or self.max_batch < 1:
            raise ValueError(f"channel {self.name}: group_wait >= 0, timeout > 0, max_batch >= 1")

    def template_path(self, role: str) -> str | None:
        return dict(self.templates).get(role)


@dataclass(frozen=True)
class Route:
    """Alerts of `topic` ("*" = every topic) scoring at least `min_score` go to `channels`."""

    topic: str
    channels: tuple[str, ...]
    min_score: float = 0.0
    mode: str | None = None  # override the channel's own mode for this route

    def __post_init__(self) -> None:
        if not isinstance(self.channels, tuple):
            object.__setattr__(self, "channels", tuple(self.channels))
        if self.mode is not None and self.mode not in MODES:
            raise ValueError(f"route {self.topic}: mode must be instant or digest")


@dataclass(frozen=True)
class Delivery:
    """One alert-to-channel decision: enqueue for `channel` in `mode`.

    `not_before` is set when quiet hours hold an instant alert back (UTC end of the
    window); the alert is still committed to the outbox now, never dropped.
    """

    channel: str
    topic: str
    mode: str
    not_before: datetime | None = None


def route(
    match: Match,
    routes: Sequence[Route],
    now: datetime,
    channels: Mapping[str, ChannelSpec] | None = None,
    *,
    escalate: bool = False,
) -> list[Delivery]:
    """Deliveries for one match, one per channel at most, in route order.

    Only matches with `alert=True` are routed. Without `channels` every delivery is
    instant with no quiet hours (enough for replay); with them the channel's mode and
    quiet hours apply. A digest delivery ignores quiet hours: the digest schedule
    decides when it goes out.
    """
    if not match.alert:
        return []
    seen: dict[str, Delivery] = {}
    for r in routes:
        if r.topic not in ("*", match.topic) or match.score < r.min_score:
            continue
        for name in r.channels:
            if name in seen:
                continue
            spec = channels.get(name) if channels is not None else None
            mode = r.mode or (spec.mode if spec else "instant")
            not_before = None
            if spec is not None and mode == "instant":
                not_before = quiet_hours_defer(
                    now, spec.quiet_hours, score=match.score, escalate=escalate
                )
            seen[name] = Delivery(name, match.topic, mode, not_before)
    return list(seen.values())


def channels_for_topic(topic: str, routes: Iterable[Route]) -> tuple[str, ...]:
    """Every channel any route could send `topic` to (for `monitor check` and docs)."""
    out: dict[str, None] = {}
    for r in routes:
        if r.topic in ("*", topic):
            out.update(dict.fromkeys(r.channels))
    return tuple(out)
