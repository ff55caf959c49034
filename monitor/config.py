"""Load and validate the TOML configuration.

Every problem (unknown keys, wrong types, references to undefined channels, secrets
that do not resolve) is collected with its file and line before failing, so an
operator fixes them in one go; `validate` adds the rules, the feeds (scheme, missing
files) and the channel URLs, for `monitor check` and `monitor run`. Secrets are indirections
(`{env = "NAME"}`, `{file = "path"}`, `{credential = "name"}`) resolved at load
(`secrets=False` skips them, for commands that only read the state); they never
appear in logs or reprs.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from monitor.delivery.outbox_policy import QuietHours, RateLimit, RetryPolicy, parse_schedule
from monitor.delivery.route import ChannelSpec, Route
from monitor.errors import ConfigError, Problem, RulesError
from monitor.ops.secrets import DEFAULT_REDACTOR, resolve_secret
from monitor.relevance.rules import load_rules
from monitor.relevance.topics import RuleSet

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
    log_format: Literal["text", "json"] = Field("text", description="Log lines as text or one JSON object each.")
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
    max_items_per_poll: int = Field(500, ge=1, le=100_000,
                                    description="Items kept from one poll of one feed (the newest); the rest are dropped.")
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
    prepare_worker: bool = Field(False, description="Ignored: story grouping runs in the daemon's process (the second process was removed).")


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


def log_settings(config_path: str | None) -> tuple[str | None, str | None]:
    """`[monitor] log_level` and `log_format` from the config file, or None for each that is
    absent or invalid; never raises (logging is set up before the config is validated)."""
    try:
        path = find_config_path(config_path)
        monitor = tomllib.loads(path.read_text(encoding="utf-8")).get("monitor", {}) if path else {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None, None
    if not isinstance(monitor, dict):
        return None, None
    level, fmt = monitor.get("log_level"), monitor.get("log_format")
    return (level if level in ("debug", "info", "warning", "error") else None,
            fmt if fmt in ("text", "json") else None)


def load_config(path: Path, *, secrets: bool = True) -> Config:
    """Read, validate and resolve `path`; raise ConfigError listing every problem.

    `secrets=False` leaves channel secrets unresolved (their URL is ""): for commands
    that only read the state database (`status`, `alerts`, `feeds`, `stories`, ...)."""
    loaded = _load(path, secrets=secrets, strict=False)
    if loaded.problems or loaded.config is None:
        raise ConfigError(loaded.problems, f"{path}: invalid configuration")
    return loaded.config


@dataclass(frozen=True)
class Validation:
    """Everything `monitor check` looks at, checked in one pass."""

    config: Config | None  # None when the config file has problems
    ruleset: RuleSet | None  # None when the rules have problems (or were not loaded)
    config_problems: tuple[Problem, ...]
    rules_problems: tuple[Problem, ...]
    rules_dir: Path | None  # None when the config could not be read far enough to know it

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.config_problems + self.rules_problems

    def error(self) -> ConfigError:
        """All problems as one error; its first line says where they are."""
        heads = []
        if self.config_problems:
            heads.append(f"{self.config_problems[0].file}: invalid configuration")
        if self.rules_problems:
            heads.append(f"{len(self.rules_problems)} problem(s) in rules under {self.rules_dir}")
        if self.rules_dir is None:
            heads.append("the rules are checked once the config parses (or give --rules)")
        return ConfigError(self.problems, "; ".join(heads))


def validate(config_path: str | None, rules_dir: str | None = None, *, secrets: bool = True,
             rules: bool = True, strict: bool = False) -> Validation:
    """Check the config and the rules together and report every problem of both.

    `strict` (what `monitor check` and `monitor run` use) also checks that every feed is
    an http(s) URL, a file:// URL or a path to an existing file, and that every channel
    URL is one the delivery layer can use."""
    path = find_config_path(config_path)
    if path is None:
        defaults = default_config()
        loaded = _Loaded(defaults, [], defaults.rules_dir)
    else:
        loaded = _load(path, secrets=secrets, strict=strict)
    rdir = Path(rules_dir) if rules_dir else loaded.rules_dir
    ruleset: RuleSet | None = None
    rule_problems: tuple[Problem, ...] = ()
    if rules and rdir is not None:
        try:
            ruleset = load_rules(rdir)
        except RulesError as e:
            rule_problems = tuple(_sorted(list(e.problems)))
    config_problems = list(loaded.problems)
    if ruleset is not None and loaded.config is not None:
        config_problems += check_topics(loaded.config, {t.name for t in ruleset.topics})
    config = None if config_problems else loaded.config
    return Validation(config, ruleset, tuple(_sorted(config_problems)), rule_problems, rdir)


@dataclass(frozen=True)
class _Loaded:
    config: Config | None
    problems: list[Problem]
    rules_dir: Path | None


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file, p.line or 10**9))


def _load(path: Path, *, secrets: bool, strict: bool) -> _Loaded:
    """The config with every problem found: schema, references, secrets, and with
    `strict` the feeds and channel URLs. Sections and list items that are valid are
    checked further even when others are not."""
    src = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        return _Loaded(None, [Problem(src, f"cannot read config: {e.strerror or e}")], None)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line, col = _toml_error_position(str(e))
        return _Loaded(None, [Problem(src, f"invalid TOML: {e}", line, col)], None)
    base_dir = path.resolve().parent
    problems: list[Problem] = []
    model: ConfigModel | None = None
    try:
        model = ConfigModel.model_validate(data)
    except ValidationError as e:
        for err in e.errors():
            dotted = _dotted(err["loc"])
            problems.append(Problem(src, err["msg"], _locate(text, err["loc"]), 0, dotted))
    monitor = data.get("monitor") if isinstance(data.get("monitor"), dict) else {}
    raw_rules = monitor.get("rules_dir") if isinstance(monitor.get("rules_dir"), str) else "rules"
    rules_dir = _resolve(raw_rules, base_dir)

    problems += _check_references(data, text, src)
    if strict:
        problems += _check_feeds(data, text, src, base_dir)
    delivery = _section(DeliverySection, data.get("delivery"))
    channels: dict[str, ChannelSpec] = {}
    raw_channels = data.get("channels") if isinstance(data.get("channels"), dict) else {}
    for name, raw in raw_channels.items():
        ch = _section(ChannelConfig, raw, default=None)
        if ch is None:
            continue  # its schema problems are listed already
        where = _locate(text, ("channels", name, "url"))
        if ch.mode == "digest" and not ch.digest:
            problems.append(Problem(src, "digest mode needs a `digest` schedule", _locate(text, ("channels", name)), 0,
                                    f"channels.{name}.digest"))
            continue
        url = ""
        if secrets or isinstance(ch.url, str):
            try:
                url = _resolve_url(name, ch, base_dir)
            except ConfigError as e:
                problems += [Problem(src, p.message, where, 0, f"channels.{name}.url") for p in e.problems]
                continue
        try:
            channels[name] = _channel_spec(name, url, ch, delivery)
        except (ConfigError, ValueError) as e:
            messages = [p.message for p in e.problems] if isinstance(e, ConfigError) else [str(e)]
            problems += [Problem(src, m, _locate(text, ("channels", name)), 0, f"channels.{name}") for m in messages]
    if strict:
        lines = {name: _locate(text, ("channels", name, "url")) for name in channels}
        problems += channel_url_problems([c for c in channels.values() if c.url], src, lines)
    if problems or model is None:
        return _Loaded(None, problems, rules_dir)
    routes = tuple(Route(r.topic, r.channels, r.min_score) for r in model.routes)
    return _Loaded(Config(src, base_dir, model, channels, routes), [], rules_dir)


def _section(model: type[_Strict], raw: object, default: Any = ...) -> Any:
    """`raw` validated as `model` alone; its default (or `default`) when invalid or absent."""
    try:
        return model.model_validate(raw if raw is not None else {})
    except ValidationError:
        return model() if default is ... else default


FEED_SCHEMES = ("http", "https", "file")


def feed_url_problem(url: str, base_dir: Path) -> str | None:
    """Why `url` cannot be polled as a feed, or None.

    A feed is an http(s) URL with a host, a file:// URL or a local path (relative to
    `base_dir`), and a file must exist."""
    text = url.strip()
    if not text:
        return "empty feed URL"
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        host = parts.netloc.rsplit("@", 1)[-1]
        if not parts.hostname or any(c.isspace() for c in host):
            return f"{text}: not a valid {scheme} URL (no host name)"
        try:
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:
            return f"{text}: not a valid {scheme} URL (bad port)"
        return None
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            return f"{text}: a file:// URL names no host (file:///absolute/path)"
        return _file_problem(Path(unquote(parts.path)), text)
    if len(scheme) > 1:  # one letter is a Windows drive
        return f"{text}: unsupported scheme {scheme}:// (a feed is an http(s) URL, a file:// URL or a local path)"
    return _file_problem(_resolve(text, base_dir), text)


def feed_location(url: str, base_dir: Path) -> str:
    """The form of a valid feed URL to store: URLs as given, paths made absolute."""
    text = url.strip()
    scheme = urlsplit(text).scheme.lower()
    if scheme in FEED_SCHEMES or len(scheme) > 1:
        return text
    return str(_resolve(text, base_dir))


def _file_problem(path: Path, given: str) -> str | None:
    if not path.exists():
        return f"{given}: not an http(s) or file:// URL, and no such file: {path}"
    if not path.is_file():
        return f"{given}: not a file: {path}"
    return None


def _resolve(value: str, base_dir: Path) -> Path:
    p = Path(os.path.expandvars(value)).expanduser()
    return p if p.is_absolute() else base_dir / p


def channel_url_problems(specs: list[ChannelSpec], src: str, lines: dict[str, int]) -> list[Problem]:
    """A problem for each channel whose (resolved) URL the delivery layer cannot use.

    The check is `monitor.delivery.deliver.validate_channels` (apprise), imported only
    when a channel needs it; apprise's own log lines are kept off the terminal meanwhile
    (its reason is in the problem)."""
    if all(s.kind == "console" or s.url.strip().lower() in ("console", "console://") for s in specs):
        return []
    from monitor.delivery.deliver import validate_channels

    quiet = _DropLogger("apprise")
    handlers = logging.getLogger().handlers
    for h in handlers:
        h.addFilter(quiet)
    try:
        return validate_channels(specs, src, lines)
    finally:
        for h in handlers:
            h.removeFilter(quiet)


class _DropLogger(logging.Filter):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.prefix = name

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == self.prefix or record.name.startswith(self.prefix + "."))


def _check_feeds(data: dict[str, Any], text: str, src: str, base_dir: Path) -> list[Problem]:
    problems = []
    feeds = data.get("feeds") if isinstance(data.get("feeds"), list) else []
    for i, raw in enumerate(feeds):
        feed = _section(FeedConfig, raw, default=None)
        if feed is None:
            continue
        why = feed_url_problem(feed.url, base_dir)
        if why:
            problems.append(Problem(src, why, _locate(text, ("feeds", i, "url")), 0, f"feeds[{i}].url"))
    return problems


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


def channel_url_lines(config: Config) -> dict[str, int]:
    """The line of each channel's `url` key (0 when unknown), for problems found after loading."""
    text = _read_or_empty(config.source)
    return {name: _locate(text, ("channels", name, "url")) for name in config.channels}


def _check_references(data: dict[str, Any], text: str, src: str) -> list[Problem]:
    """Routes and ops channels naming channels the file does not define (read from the raw
    document, so a channel with a problem of its own still counts as defined)."""
    defined = set(data["channels"]) if isinstance(data.get("channels"), dict) else set()
    problems = []
    routes = data.get("routes") if isinstance(data.get("routes"), list) else []
    for i, r in enumerate(routes):
        names = r.get("channels") if isinstance(r, dict) else None
        for ch in names if isinstance(names, list) else []:
            if isinstance(ch, str) and ch not in defined:
                problems.append(Problem(src, f"route names undefined channel {ch!r}", _locate(text, ("routes", i, "channels")), 0, f"routes[{i}].channels"))
    delivery = data.get("delivery") if isinstance(data.get("delivery"), dict) else {}
    ops = delivery.get("ops_channels")
    for ch in ops if isinstance(ops, list) else []:
        if isinstance(ch, str) and ch not in defined:
            problems.append(Problem(src, f"ops channel {ch!r} is not defined", _locate(text, ("delivery", "ops_channels")), 0, "delivery.ops_channels"))
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
