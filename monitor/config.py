"""Load and validate the TOML configuration.

Every problem (unknown keys, wrong types, references to undefined channels) is
collected with its file and line before failing, so an operator fixes them in one go.
Secrets are indirections (`{env = "NAME"}`, `{file = "path"}`,
`{credential = "name"}`) resolved at load; they never appear in logs or reprs.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from monitor.delivery.outbox_policy import QuietHours, RateLimit, RetryPolicy, parse_schedule
from monitor.delivery.route import ChannelSpec, Route
from monitor.errors import ConfigError, Problem
from monitor.ops.secrets import DEFAULT_REDACTOR, resolve_secret

ENV_CONFIG = "MONITOR_CONFIG"
DEFAULT_CONFIG_NAMES = ("config.toml", "/etc/media-monitor/config.toml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SecretRef(_Strict):
    """A secret given by reference; exactly one of the three keys."""

    env: str | None = None
    file: str | None = None
    credential: str | None = None


Secretish = str | SecretRef


class MonitorSection(_Strict):
    state_dir: str = Field("state", description="Directory for the SQLite file and models.")
    rules_dir: str = Field("rules", description="Directory of topic rule files.")
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    retention_days: int = Field(90, ge=1, description="Articles older than this are pruned.")


class PollingSection(_Strict):
    tick_seconds: float = Field(5.0, gt=0, description="How often the scheduler looks for due feeds.")
    default_interval: float = Field(900.0, gt=0, description="Seconds between polls of a feed.")
    min_interval: float = Field(60.0, gt=0)
    max_interval: float = Field(6 * 3600.0, gt=0)
    concurrency: int = Field(50, ge=1, description="Fetches in flight at once, all hosts.")
    per_host: int = Field(2, ge=1, description="Fetches in flight at once per host.")
    timeout: float = Field(30.0, gt=0, description="Total seconds one fetch may take.")
    max_bytes: int = Field(10_000_000, ge=1024, description="Largest feed body accepted.")
    full_text_min_chars: int = Field(0, ge=0, description="Fetch the page when the entry text is shorter (0 = never).")
    failing_alert_after: float = Field(6 * 3600.0, gt=0, description="Seconds of failure before an ops alert.")


class DeliverySection(_Strict):
    tick_seconds: float = Field(5.0, gt=0, description="How often the outbox is drained.")
    max_attempts: int = Field(8, ge=1, description="Attempts before an alert is dead.")
    backoff_base: float = Field(30.0, gt=0, description="First retry delay in seconds (doubles).")
    backoff_max: float = Field(3600.0, gt=0)
    ops_channels: tuple[str, ...] = Field((), description="Channels for operator alerts.")


class ClassifierSection(_Strict):
    enabled: bool = True
    training_dir: str = "seeds/training"
    base_models: str = "seeds/models"


class DedupSection(_Strict):
    window_hours: float = Field(72.0, gt=0)
    story_window_hours: float = Field(36.0, gt=0)
    near_threshold: float = Field(0.8, gt=0, le=1)
    escalation_outlets: int = Field(5, ge=1, description="A story this many new outlets join ...")
    escalation_minutes: int = Field(60, ge=1, description="... within this many minutes earns a follow-up message.")
    prepare_worker: bool = Field(False, description="Compute text signatures in a second process (uses another core).")


class HealthSection(_Strict):
    listen: str = Field("", description='Loopback address for /healthz and /metrics, e.g. "127.0.0.1:9464" ("" = off).')
    zero_match_hours: float = Field(12.0, gt=0, description="A busy topic silent this long raises an ops alert.")


class FeedConfig(_Strict):
    url: str = Field(description="http(s) URL, file:// URL or local path (relative to the config).")
    name: str = ""
    interval: float | None = Field(None, gt=0)
    language: str | None = None


class QuietHoursConfig(_Strict):
    window: str = Field(description='Local time window, e.g. "22:00-07:00".')
    timezone: str = "UTC"
    days: tuple[str, ...] = Field((), description='Weekdays the window starts on ("mon".."sun"); empty = every day.')
    bypass_score: float | None = Field(None, ge=0, le=1, description="Alerts scoring at least this go out anyway.")


class ChannelConfig(_Strict):
    url: Secretish = Field(description="apprise URL, or console:// for standard output.")
    kind: Literal["", "slack", "email", "console", "text"] = Field("", description="Template kind; default from the URL scheme.")
    mode: Literal["instant", "digest"] = "instant"
    digest: str | None = Field(None, description='Digest schedule, e.g. "hourly", "weekdays 08:00 Asia/Jakarta".')
    quiet_hours: QuietHoursConfig | None = None
    rate_limit: str | None = Field("30/min", description='At most COUNT/PERIOD messages, e.g. "20/min".')
    group_wait: float = Field(0.0, ge=0, description="Seconds to gather alerts into one message.")
    timeout: float = Field(30.0, gt=0, description="Seconds one send may take.")
    templates: dict[str, str] = Field(default_factory=dict, description="Template role -> file overriding the default.")


class RouteConfig(_Strict):
    topic: str
    channels: tuple[str, ...]
    min_score: float = Field(0.0, ge=0, le=1)


class ConfigModel(_Strict):
    monitor: MonitorSection = MonitorSection()
    polling: PollingSection = PollingSection()
    delivery: DeliverySection = DeliverySection()
    classifier: ClassifierSection = ClassifierSection()
    dedup: DedupSection = DedupSection()
    health: HealthSection = HealthSection()
    feeds: tuple[FeedConfig, ...] = ()
    channels: dict[str, ChannelConfig] = Field(default_factory=dict)
    routes: tuple[RouteConfig, ...] = ()


@dataclass(frozen=True)
class Config:
    source: str  # file path, or "<defaults>"
    base_dir: Path  # relative paths resolve against it
    model: ConfigModel
    channels: dict[str, ChannelSpec]
    routes: tuple[Route, ...] = ()

    @property
    def state_dir(self) -> Path:
        # MONITOR_STATE_DIR wins: systemd units and tests point it elsewhere
        return self.resolve_path(os.environ.get("MONITOR_STATE_DIR") or self.model.monitor.state_dir)

    @property
    def rules_dir(self) -> Path:
        return self.resolve_path(self.model.monitor.rules_dir)

    @property
    def db_path(self) -> Path:
        return self.state_dir / "monitor.db"

    def resolve_path(self, value: str) -> Path:
        p = Path(os.path.expandvars(value))
        if p.is_absolute():
            return p
        # systemd StateDirectory= hands us the real location
        return self.base_dir / p

    def feed_url(self, feed: FeedConfig) -> str:
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", feed.url):
            return feed.url
        return str(self.resolve_path(feed.url))


def default_config(base_dir: Path | None = None) -> Config:
    """Built-in defaults: rules from ./rules, a console channel for every topic."""
    base = base_dir or Path.cwd()
    model = ConfigModel(channels={"console": ChannelConfig(url="console://")},
                        routes=(RouteConfig(topic="*", channels=("console",)),))
    return Config("<defaults>", base, model, {"console": ChannelSpec("console", "console://", group_wait=0.0)},
                  (Route("*", ("console",)),))


def find_config_path(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env)
    for name in DEFAULT_CONFIG_NAMES:
        if Path(name).is_file():
            return Path(name)
    return None


def load_config(path: Path) -> Config:
    """Read, validate and resolve `path`; raise ConfigError listing every problem."""
    src = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError([Problem(src, f"cannot read config: {e.strerror or e}")]) from e
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line, col = _toml_error_position(str(e))
        raise ConfigError([Problem(src, f"invalid TOML: {e}", line, col)]) from e
    base_dir = path.resolve().parent
    problems: list[Problem] = []
    try:
        model = ConfigModel.model_validate(data)
    except ValidationError as e:
        for err in e.errors():
            dotted = _dotted(err["loc"])
            problems.append(Problem(src, err["msg"], _locate(text, err["loc"]), 0, dotted))
        raise ConfigError(problems, f"{src}: invalid configuration") from None

    problems += _check_references(model, text, src)
    channels: dict[str, ChannelSpec] = {}
    for name, ch in model.channels.items():
        try:
            url = _resolve_url(name, ch, base_dir)
        except ConfigError as e:
            problems += [Problem(src, p.message, _locate(text, ("channels", name, "url")), 0, f"channels.{name}.url")
                         for p in e.problems]
            continue
        try:
            channels[name] = _channel_spec(name, url, ch, model.delivery)
        except (ConfigError, ValueError) as e:
            messages = [p.message for p in e.problems] if isinstance(e, ConfigError) else [str(e)]
            problems += [Problem(src, m, _locate(text, ("channels", name)), 0, f"channels.{name}") for m in messages]
    if problems:
        raise ConfigError(problems, f"{src}: invalid configuration")
    routes = tuple(Route(r.topic, r.channels, r.min_score) for r in model.routes)
    return Config(src, base_dir, model, channels, routes)


def _resolve_url(name: str, ch: ChannelConfig, base_dir: Path) -> str:
    """The channel URL with its secret resolved; registered for log redaction."""
    raw = ch.url.model_dump(exclude_none=True) if isinstance(ch.url, SecretRef) else ch.url
    if isinstance(raw, dict) and "file" in raw and not Path(raw["file"]).is_absolute():
        raw = {"file": str(base_dir / raw["file"])}
    url = resolve_secret(raw, key=f"channels.{name}.url", redactor=DEFAULT_REDACTOR)
    if isinstance(ch.url, SecretRef) or "@" in url:
        DEFAULT_REDACTOR.add_url(url)
    return url


def _channel_spec(name: str, url: str, ch: ChannelConfig, delivery: DeliverySection) -> ChannelSpec:
    """Parse the channel's schedules and limits into the delivery layer's spec."""
    quiet = None
    if ch.quiet_hours:
        q = ch.quiet_hours
        quiet = QuietHours.parse(q.window, q.timezone, days=q.days, bypass_score=q.bypass_score)
    return ChannelSpec(
        name=name, url=url, kind=ch.kind, mode=ch.mode,
        digest_schedule=parse_schedule(ch.digest) if ch.digest else None,
        quiet_hours=quiet, rate_limit=RateLimit.parse(ch.rate_limit) if ch.rate_limit else None,
        group_wait=ch.group_wait, templates=tuple(sorted(ch.templates.items())),
        retry=RetryPolicy(max_attempts=delivery.max_attempts, base_delay=delivery.backoff_base,
                          max_delay=delivery.backoff_max),
        timeout=ch.timeout,
    )


def check_topics(config: Config, topics: set[str]) -> list[Problem]:
    """Routes naming topics that no rule file defines."""
    text = _read_or_empty(config.source)
    return [
        Problem(config.source, f"route names unknown topic {r.topic!r} (known: {', '.join(sorted(topics)) or 'none'})",
                _locate(text, ("routes", i, "topic")), 0, f"routes[{i}].topic")
        for i, r in enumerate(config.model.routes)
        if r.topic != "*" and r.topic not in topics
    ]


def _check_references(model: ConfigModel, text: str, src: str) -> list[Problem]:
    problems = []
    for i, r in enumerate(model.routes):
        for ch in r.channels:
            if ch not in model.channels:
                problems.append(Problem(src, f"route names undefined channel {ch!r}", _locate(text, ("routes", i, "channels")), 0, f"routes[{i}].channels"))
    for ch in model.delivery.ops_channels:
        if ch not in model.channels:
            problems.append(Problem(src, f"ops channel {ch!r} is not defined", _locate(text, ("delivery", "ops_channels")), 0, "delivery.ops_channels"))
    for name, ch in model.channels.items():
        if ch.mode == "digest" and not ch.digest:
            problems.append(Problem(src, "digest mode needs a `digest` schedule", _locate(text, ("channels", name)), 0, f"channels.{name}.digest"))
    return problems


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _read_or_empty(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""


def _toml_error_position(message: str) -> tuple[int, int]:
    m = re.search(r"line (\d+), column (\d+)", message)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


_HEADER = re.compile(r"^\s*\[(\[)?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+)\s*=")


def _locate(text: str, loc: tuple[Any, ...]) -> int:
    """Best-effort line number of a key path in TOML text (tomllib keeps no positions).

    Handles `[table]`, `[[array]]` headers (the n-th one for an index), dotted
    headers such as `[channels.slack]`, and `key = ...` lines inside them.
    """
    lines = text.splitlines()
    parts = [p for p in loc if not isinstance(p, str) or not p.startswith(("function-", "str", "SecretRef"))]
    if not parts:
        return 0
    # walk headers: find the deepest header that is a prefix of the path
    best_line, best_depth = 0, 0
    array_seen: dict[str, int] = {}
    for no, line in enumerate(lines, 1):
        m = _HEADER.match(line)
        if not m:
            continue
        name = m.group(2).replace('"', "").replace("'", "")
        hparts: list[Any] = name.split(".")
        if m.group(1):  # [[array]]: the n-th occurrence is index n
            idx = array_seen.get(name, -1) + 1
            array_seen[name] = idx
            hparts = hparts + [idx]
        depth = len(hparts)
        if tuple(parts[:depth]) == tuple(hparts) and depth > best_depth:
            best_line, best_depth = no, depth
    rest = parts[best_depth:]
    if not rest:
        return best_line
    key = str(rest[0])
    for no in range(best_line + 1, len(lines) + 1):
        line = lines[no - 1]
        if best_line and _HEADER.match(line):
            break
        m = _KEY.match(line)
        if m and m.group(1).strip("\"'").split(".")[0] == key:
            return no
    return best_line
