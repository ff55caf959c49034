"""Pure delivery decisions for the outbox: retries, rate limits, grouping, quiet hours, digests.

Nothing here reads the clock or touches I/O: `now` is always a parameter and every
datetime is timezone-aware. Local-time rules (quiet hours, digest schedules) are
evaluated in the channel's IANA zone with `zoneinfo` and returned in UTC.

    next_attempt(attempts, now, retry_after, policy)   -> datetime | None (None = dead)
    RateLimiter(limit).try_acquire(now)                 -> bool   (token bucket)
    group(pending_alerts, now, group_wait)              -> list[Batch] ready now
    quiet_hours_defer(now, spec, score=...)             -> datetime | None (None = send now)
    next_digest_time(spec, after)                       -> datetime (strictly after `after`)
"""

from __future__ import annotations

import random
import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.errors import ConfigError, Problem
from monitor.models import Alert

# ---------------------------------------------------------------------------
# Retry with exponential backoff, jitter and Retry-After
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """How a failed send is retried. `attempts` counts sends already made."""

    max_attempts: int = 8  # after this many failed sends the alert is dead
    base_delay: float = 30.0  # seconds before the 2nd attempt
    factor: float = 2.0
    max_delay: float = 3600.0  # cap on the exponential part
    jitter: float = 0.2  # +/- fraction of the delay, spreads retries of a burst
    max_retry_after: float = 6 * 3600.0  # a server asking for longer than this is capped

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.factor < 1:
            raise ValueError("delays must be >= 0 and factor >= 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")


DEFAULT_RETRY = RetryPolicy()


def backoff_delay(attempts: int, policy: RetryPolicy = DEFAULT_RETRY, rand: float = 0.5) -> float:
    """Seconds to wait after `attempts` failed sends; `rand` in [0, 1) picks the jitter."""
    exponent = max(0, attempts - 1)
    # min() before pow overflow: factor**exponent can be huge for large attempt counts
    raw = policy.base_delay * policy.factor ** min(exponent, 64)
    capped = min(policy.max_delay, raw)
    return capped * (1.0 - policy.jitter + 2.0 * policy.jitter * rand)


def next_attempt(
    attempts: int,
    now: datetime,
    retry_after: float | None = None,
    policy: RetryPolicy = DEFAULT_RETRY,
    *,
    rand: float | None = None,
) -> datetime | None:
    """When to try again after the `attempts`-th failed send, or None when the alert is dead.

    A server's Retry-After is a floor: we never retry earlier than it asks, and the
    jittered backoff still applies when it is longer. Pass `rand` (a number in [0, 1))
    for a deterministic result; by default a fresh random number is drawn.
    """
    _require_aware(now, "now")
    if attempts >= policy.max_attempts:
        return None
    jitter_pick = random.random() if rand is None else min(max(rand, 0.0), 0.999999)
    delay = backoff_delay(attempts, policy, jitter_pick)
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(retry_after, policy.max_retry_after))
    return now + timedelta(seconds=delay)


# ---------------------------------------------------------------------------
# Per-channel rate limit: a token bucket driven by the caller's clock
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RateLimit:
    """At most `count` messages per `per_seconds`, with bursts up to `burst` (default count)."""

    count: int
    per_seconds: float = 60.0
    burst: int | None = None

    def __post_init__(self) -> None:
        if self.count < 1 or self.per_seconds <= 0:
            raise ValueError("rate limit needs count >= 1 and per_seconds > 0")
        if self.burst is not None and self.burst < 1:
            raise ValueError("burst must be >= 1")

    @property
    def capacity(self) -> int:
        return self.burst if self.burst is not None else self.count

    @property
    def refill_per_second(self) -> float:
        return self.count / self.per_seconds

    @classmethod
    def parse(cls, spec: str) -> RateLimit:
        """Parse "20/min", "1/s", "100/hour", "5/10s" (count/period)."""
        m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*\.?\d*)\s*([a-z]+)\s*", spec.lower())
        units = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60,
                 "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
        if not m or m.group(3) not in units:
            raise ValueError(f"rate limit {spec!r}: expected COUNT/PERIOD such as 20/min")
        multiplier = float(m.group(2)) if m.group(2) else 1.0
        return cls(int(m.group(1)), multiplier * units[m.group(3)])


class RateLimiter:
    """Token bucket. The state is two numbers; the caller supplies `now` on every call.

    The bucket starts full. One message (a single alert, a group or a digest) takes
    one token, so grouping is what lets a burst of alerts through a tight limit.
    """

    def __init__(self, limit: RateLimit, *, tokens: float | None = None,
                 updated: datetime | None = None) -> None:
        self.limit = limit
        self._tokens = float(limit.capacity if tokens is None else tokens)
        self._updated = updated

    def _refill(self, now: datetime) -> None:
        _require_aware(now, "now")
        if self._updated is not None and now > self._updated:
            gained = (now - self._updated).total_seconds() * self.limit.refill_per_second
            self._tokens = min(float(self.limit.capacity), self._tokens + gained)
        if self._updated is None or now > self._updated:
            self._updated = now  # a clock going backwards never adds tokens

    def available(self, now: datetime) -> float:
        self._refill(now)
        return self._tokens

    def try_acquire(self, now: datetime, n: int = 1) -> bool:
        """Take `n` tokens if they are there; True when the send may go now."""
        self._refill(now)
        if self._tokens + 1e-9 >= n:
            self._tokens -= n
            return True
        return False

    def next_free(self, now: datetime, n: int = 1) -> datetime:
        """Earliest time `n` tokens will be available (now if they already are)."""
        self._refill(now)
        missing = n - self._tokens
        if missing <= 1e-9:
            return now
        return now + timedelta(seconds=missing / self.limit.refill_per_second)

    def state(self) -> tuple[float, datetime | None]:
        """(tokens, updated): enough to persist and rebuild the limiter."""
        return self._tokens, self._updated


class WindowLimiter:
    """At most `limit.count` messages in any rolling `limit.per_seconds` window.

    Stricter than the token bucket (which lets count + refill through in one window):
    a receiver that enforces "30 per minute" never sees a 31st. Same interface.
    """

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self._sent: deque[datetime] = deque()

    def _forget(self, now: datetime) -> None:
        _require_aware(now, "now")
        horizon = now - timedelta(seconds=self.limit.per_seconds)
        while self._sent and self._sent[0] <= horizon:
            self._sent.popleft()

    def try_acquire(self, now: datetime, n: int = 1) -> bool:
        self._forget(now)
        if len(self._sent) + n > self.limit.count:
            return False
        self._sent.extend([now] * n)
        return True

    def finished(self, started: datetime, done: datetime) -> None:
        """Count a send from when it finished, not when it started: the receiver's window
        sees it arrive then, so the next window opens a full period after `done`."""
        try:
            self._sent.remove(started)
        except ValueError:
            return
        self._sent.append(max(done, started))
        if len(self._sent) > 1 and self._sent[-2] > self._sent[-1]:
            self._sent = deque(sorted(self._sent))

    def next_free(self, now: datetime, n: int = 1) -> datetime:
        """When `n` more sends fit in the window (now if they already do)."""
        self._forget(now)
        excess = len(self._sent) + n - self.limit.count
        if excess <= 0:
            return now
        return self._sent[excess - 1] + timedelta(seconds=self.limit.per_seconds)


# ---------------------------------------------------------------------------
# Grouping in the style of Alertmanager's group_wait
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """Alerts for one channel that go out as one message."""

    channel: str
    alerts: tuple[Alert, ...]

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(a.id for a in self.alerts)


def group_ready_at(alerts: Iterable[Alert], group_wait: float) -> datetime | None:
    """When the group formed by `alerts` becomes ready: oldest created + group_wait.

    Alerts that already failed once are ready at their next_attempt: they have waited.
    """
    times: list[datetime] = []
    for a in alerts:
        if a.attempts > 0:
            times.append(a.next_attempt)
        else:
            times.append(max(a.created + timedelta(seconds=group_wait), a.next_attempt))
    return min(times) if times else None


def group(
    pending_alerts: Sequence[Alert],
    now: datetime,
    group_wait: float | Mapping[str, float],
    *,
    max_batch: int = 50,
) -> list[Batch]:
    """Batches ready to send now, one or more per channel, oldest alerts first.

    A channel's group is ready once its oldest due alert has waited `group_wait`
    seconds (per channel when a mapping is given; missing channels use 0). Every due
    alert of a ready channel joins the batch, split into chunks of `max_batch` so a
    burst becomes a few messages rather than one unreadable one. Alerts whose
    `next_attempt` is still in the future are left for later.
    """
    _require_aware(now, "now")
    if max_batch < 1:
        raise ValueError("max_batch must be >= 1")
    by_channel: dict[str, list[Alert]] = {}
    for alert in pending_alerts:
        if alert.next_attempt <= now:
            by_channel.setdefault(alert.channel, []).append(alert)
    batches: list[Batch] = []
    for channel in sorted(by_channel):
        wait = _wait_for(channel, group_wait)
        due = sorted(by_channel[channel], key=lambda a: (a.created, a.id))
        ready_at = group_ready_at(due, wait)
        if ready_at is None or ready_at > now:
            continue
        for start in range(0, len(due), max_batch):
            batches.append(Batch(channel, tuple(due[start:start + max_batch])))
    return batches


def next_group_time(
    pending_alerts: Sequence[Alert], group_wait: float | Mapping[str, float]
) -> datetime | None:
    """Earliest time any channel's group becomes ready (for scheduling the delivery job)."""
    by_channel: dict[str, list[Alert]] = {}
    for alert in pending_alerts:
        by_channel.setdefault(alert.channel, []).append(alert)
    times = [
        t for ch, alerts in by_channel.items()
        if (t := group_ready_at(alerts, _wait_for(ch, group_wait))) is not None
    ]
    return min(times) if times else None


def _wait_for(channel: str, group_wait: float | Mapping[str, float]) -> float:
    if isinstance(group_wait, Mapping):
        return float(group_wait.get(channel, 0.0))
    return float(group_wait)


# ---------------------------------------------------------------------------
# Quiet hours
# ---------------------------------------------------------------------------

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class QuietHours:
    """A daily local-time window in which instant sends are held back.

    `start` > `end` wraps midnight ("22:00-07:00"). `days` are the weekdays (0 = Monday)
    on which a window *starts*; empty means every day. An alert scoring at least
    `bypass_score`, or flagged as an escalation, goes out anyway.
    """

    start: time
    end: time
    tz: str = "UTC"
    days: frozenset[int] = field(default_factory=frozenset)
    bypass_score: float | None = None

    def __post_init__(self) -> None:
        _zone(self.tz)  # fail early on an unknown zone
        if self.start == self.end:
            raise ValueError("quiet hours start and end must differ")

    @classmethod
    def parse(cls, window: str, tz: str = "UTC", *, days: Iterable[str] = (),
              bypass_score: float | None = None) -> QuietHours:
        """Build from "22:00-07:00" and optional day names ("mon".."sun")."""
        m = re.fullmatch(r"\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*", window)
        if not m:
            raise ValueError(f"quiet hours {window!r}: expected HH:MM-HH:MM")
        day_set = frozenset(_parse_days(list(days))) if days else frozenset()
        return cls(_parse_hhmm(m.group(1)), _parse_hhmm(m.group(2)), tz, day_set, bypass_score)


def quiet_hours_defer(
    now: datetime,
    spec: QuietHours | None,
    *,
    score: float | None = None,
    escalate: bool = False,
) -> datetime | None:
    """None when an instant send may go now; otherwise the UTC time the quiet window ends."""
    _require_aware(now, "now")
    if spec is None or escalate:
        return None
    if spec.bypass_score is not None and score is not None and score >= spec.bypass_score:
        return None
    tz = _zone(spec.tz)
    local = now.astimezone(tz)
    # A window that wraps midnight may have started yesterday.
    for offset in (0, -1):
        day = local.date() + timedelta(days=offset)
        if spec.days and day.weekday() not in spec.days:
            continue
        begin = _local(day, spec.start, tz)
        end_day = day if spec.end > spec.start else day + timedelta(days=1)
        finish = _local(end_day, spec.end, tz)
        if begin <= now < finish:
            return finish.astimezone(UTC)
    return None


# ---------------------------------------------------------------------------
# Digest schedules ("hourly", "every 30m", "daily 08:00", "weekdays 08:00 Asia/Jakarta")
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestSchedule:
    """A parsed digest schedule. Build with `parse_schedule(spec)`."""

    spec: str
    interval: timedelta | None = None  # "hourly" / "every N(m|h)": fixed period in UTC
    offset: timedelta = timedelta(0)  # "hourly :15" fires at minute 15
    at: time | None = None  # local time of day for day-based schedules
    days: frozenset[int] = frozenset(range(7))
    tz: str = "UTC"


def parse_schedule(spec: str) -> DigestSchedule:
    """Parse a cron-like digest spec; raises ConfigError with the reason."""
    text = " ".join(spec.strip().split())
    low = text.lower()
    try:
        m = re.fullmatch(r"hourly(?:\s+(?:at\s+)?:?(\d{1,2}))?", low)
        if m:
            minute = int(m.group(1) or 0)
            if minute > 59:
                raise ValueError("minute must be 0-59")
            return DigestSchedule(text, interval=timedelta(hours=1),
                                  offset=timedelta(minutes=minute))
        m = re.fullmatch(r"every\s+(\d+)\s*(m|min|minutes?|h|hours?)", low)
        if m:
            n = int(m.group(1))
            unit = timedelta(hours=1) if m.group(2).startswith("h") else timedelta(minutes=1)
            if n < 1:
                raise ValueError("interval must be positive")
            return DigestSchedule(text, interval=n * unit)
        parts = text.split(" ")
        days = frozenset(range(7))
        head = parts[0].lower()
        if head in ("daily", "weekdays", "weekends") or head[:3] in _DAY_NAMES:
            days = {"daily": frozenset(range(7)), "weekdays": frozenset(range(5)),
                    "weekends": frozenset({5, 6})}.get(head) or frozenset(
                        _parse_days(head.split(",")))
            parts = parts[1:]
        if not parts or len(parts) > 2:
            raise ValueError("expected [daily|weekdays|weekends|mon,wed,...] HH:MM [Area/City]")
        at = _parse_hhmm(parts[0])
        tz = parts[1] if len(parts) == 2 else "UTC"
        _zone(tz)
        return DigestSchedule(text, at=at, days=days, tz=tz)
    except ValueError as e:
        raise ConfigError([Problem("", f"digest schedule {spec!r}: {e}")]) from None


def next_digest_time(spec: DigestSchedule | str, after: datetime) -> datetime:
    """The first fire time strictly after `after`, in UTC.

    Day-based schedules are wall-clock times in the schedule's zone: 08:00 stays 08:00
    across DST changes; a time skipped by a spring-forward gap fires at the shifted
    instant, and an ambiguous fall-back time fires once (its first occurrence).
    """
    _require_aware(after, "after")
    schedule = parse_schedule(spec) if isinstance(spec, str) else spec
    if schedule.interval is not None:
        step = schedule.interval.total_seconds()
        epoch = datetime(1970, 1, 1, tzinfo=UTC) + schedule.offset
        elapsed = (after - epoch).total_seconds()
        n = int(elapsed // step) + 1
        return epoch + timedelta(seconds=n * step)
    assert schedule.at is not None
    tz = _zone(schedule.tz)
    start_day = after.astimezone(tz).date() - timedelta(days=1)
    for offset in range(0, 9):
        day = start_day + timedelta(days=offset)
        if day.weekday() not in schedule.days:
            continue
        fire = _local(day, schedule.at, tz)
        if fire > after:
            return fire.astimezone(UTC)
    raise AssertionError("a schedule with at least one weekday always fires within 9 days")


def digest_due(spec: DigestSchedule | str, last_fired: datetime | None, now: datetime) -> bool:
    """True when a fire time lies in (last_fired, now]; a first run waits for the next one."""
    _require_aware(now, "now")
    if last_fired is None:
        return False
    return next_digest_time(spec, last_fired) <= now


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def _parse_hhmm(value: str) -> time:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueError(f"{value!r} is not a time of day HH:MM")
    return time(int(m.group(1)), int(m.group(2)))


def _parse_days(names: list[str]) -> list[int]:
    out = []
    for name in names:
        key = name.strip().lower()[:3]
        if key not in _DAY_NAMES:
            raise ValueError(f"unknown day {name!r}")
        out.append(_DAY_NAMES.index(key))
    return out


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    # fold=0: an ambiguous wall time means its first occurrence
    return datetime.combine(day, at, tzinfo=tz)
