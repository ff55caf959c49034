"""Per-feed polling schedule and health: pure decisions over plain data.

The store keeps one `FeedState` per feed; after each poll the pipeline calls
`next_poll(state, outcome, now, policy)` and saves what it returns. Because the next
poll time is persisted, a restart neither skips nor bunches polls: `due_feeds` picks up
what is due, most overdue first.

- errors: exponential backoff with jitter; the jitter comes from a hash of the URL and
  the attempt number, so it is reproducible in tests and spreads feeds apart;
- success: an adaptive interval from the feed's own posting rhythm, clamped to
  [min_interval, max_interval]; Retry-After, Cache-Control max-age and RSS <ttl> are
  lower bounds (capped at `max_honoured`, so a feed cannot ask to be ignored for a year);
- an explicit per-feed interval (`fixed_interval`, the operator's `interval = 60`) replaces
  the adaptive one and its jitter: next poll = that interval, raised only by Retry-After
  (max-age and <ttl> are cache hints, the operator's choice wins over them); errors still
  back off as usual;
- validators lie: `wants_unconditional` asks for a periodic fetch without ETag /
  If-Modified-Since;
- health: ok / failing / silent, with one ops event when a feed has been failing longer
  than `failing_alert_after`, one when it recovers, one when it falls silent.

No I/O, no clock: `now` is always a parameter. Imports nothing from fetch or parse.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

HealthStatus = Literal["ok", "failing", "silent"]


@dataclass(frozen=True)
class SchedulePolicy:
    min_interval: timedelta = timedelta(minutes=10)
    max_interval: timedelta = timedelta(hours=6)
    default_interval: timedelta = timedelta(minutes=30)  # until the rhythm is known
    interval_factor: float = 0.5  # poll about twice per usual gap between posts
    error_base: timedelta = timedelta(minutes=2)  # first retry after an error
    error_max: timedelta = timedelta(hours=12)
    jitter: float = 0.2  # +-20% on success intervals, [50%, 100%] of backoff on errors
    max_honoured: timedelta = timedelta(hours=24)  # cap on server-asked lower bounds
    unconditional_every: timedelta = timedelta(hours=24)
    failing_alert_after: timedelta = timedelta(hours=6)
    silent_factor: float = 10.0  # silent after this many usual gaps without a new post
    silent_min: timedelta = timedelta(days=2)
    rhythm_weight: float = 0.3  # EWMA weight of the newest posting-gap estimate
    fixed_interval: timedelta | None = None  # the feed's explicit interval: no adaptation

    def __post_init__(self) -> None:
        problems = []
        if self.fixed_interval is not None and self.fixed_interval <= timedelta(0):
            problems.append("fixed_interval must be > 0")
        if not timedelta(0) < self.min_interval <= self.max_interval:
            problems.append("need 0 < min_interval <= max_interval")
        if not self.min_interval <= self.default_interval <= self.max_interval:
            problems.append("default_interval must lie in [min_interval, max_interval]")
        if not timedelta(0) < self.error_base <= self.error_max:
            problems.append("need 0 < error_base <= error_max")
        if not 0 <= self.jitter < 1:
            problems.append("jitter must be in [0, 1)")
        if not 0 < self.rhythm_weight <= 1 or self.interval_factor <= 0:
            problems.append("rhythm_weight must be in (0, 1] and interval_factor > 0")
        if problems:
            raise ValueError("invalid SchedulePolicy: " + "; ".join(problems))


@dataclass(frozen=True)
class FeedState:
    url: str
    next_poll: datetime
    interval: timedelta  # the current success interval (before bounds and jitter)
    consecutive_errors: int = 0
    failing_since: datetime | None = None
    last_ok: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    last_unconditional: datetime | None = None
    avg_post_interval: timedelta | None = None  # the feed's usual gap between posts
    last_new_entry: datetime | None = None  # when we last saw something new
    alerted: str = ""  # "" | "failing" | "silent": the ops event already raised


@dataclass(frozen=True)
class PollOutcome:
    """What one poll of one feed produced, reduced to what scheduling needs."""

    ok: bool
    error: str | None = None
    not_modified: bool = False
    unconditional: bool = False  # the request carried no validators (forced or none known)
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    retry_after: float | None = None  # seconds
    max_age: float | None = None  # seconds
    ttl_minutes: int | None = None
    new_entries: int = 0
    entry_times: tuple[datetime, ...] = ()  # real (not guessed) publication times

    @classmethod
    def from_poll(cls, result: Any, parsed: Any = None, *, parse_error: str | None = None,
                  new_entries: int = 0, unconditional: bool = False) -> PollOutcome:
        """Build from a `fetch.FetchResult` and optional `parse.ParsedFeed` (duck-typed so
        this module does not import the I/O adapters)."""
        error = result.error or parse_error
        times: tuple[datetime, ...] = ()
        ttl = None
        if parsed is not None:
            ttl = parsed.ttl_minutes
            times = tuple(a.published for a in parsed.entries
                          if a.published is not None and not a.published_is_guess)
        return cls(ok=error is None, error=error, not_modified=result.not_modified,
                   unconditional=unconditional, etag=result.etag,
                   last_modified=result.last_modified, body_hash=result.body_hash,
                   retry_after=result.retry_after, max_age=result.max_age, ttl_minutes=ttl,
                   new_entries=new_entries, entry_times=times)


@dataclass(frozen=True)
class FeedHealth:
    status: HealthStatus
    since: datetime | None
    message: str


@dataclass(frozen=True)
class HealthEvent:
    """An ops alert to raise once: a feed started failing, recovered, or fell silent."""

    kind: Literal["failing", "recovered", "silent"]
    feed: str
    message: str
    since: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)


def new_feed_state(url: str, now: datetime, policy: SchedulePolicy) -> FeedState:
    """State of a feed never polled: due right away."""
    return FeedState(url=url, next_poll=now, interval=policy.default_interval)


def _unit_hash(*parts: object) -> float:
    """Deterministic number in [0, 1) from the parts (the jitter source)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _clamp(value: timedelta, low: timedelta, high: timedelta) -> timedelta:
    return max(low, min(high, value))


def posting_gap(times: Iterable[datetime]) -> timedelta | None:
    """Median gap between consecutive distinct publication times (None with < 3 posts)."""
    ordered = sorted(set(times))
    if len(ordered) < 3:
        return None
    gaps = sorted(b - a for a, b in itertools.pairwise(ordered))
    gaps = [g for g in gaps if g > timedelta(0)]
    if not gaps:
        return None
    return gaps[len(gaps) // 2]


def backoff_delay(url: str, errors: int, policy: SchedulePolicy) -> timedelta:
    """Delay before retry number `errors` (1-based): exponential, jittered in [50%, 100%]."""
    exponent = min(max(errors, 1) - 1, 30)
    ceiling = min(policy.error_base * (2**exponent), policy.error_max)
    fraction = 0.5 + 0.5 * _unit_hash(url, errors)
    return ceiling * fraction


def _server_floor(outcome: PollOutcome, policy: SchedulePolicy, *, cache_hints: bool = True) -> timedelta:
    floors = [timedelta(0)]
    if outcome.retry_after is not None:
        floors.append(timedelta(seconds=max(0.0, outcome.retry_after)))
    if not cache_hints:
        return min(max(floors), policy.max_honoured)
    if outcome.max_age is not None:
        floors.append(timedelta(seconds=max(0.0, outcome.max_age)))
    if outcome.ttl_minutes is not None:
        floors.append(timedelta(minutes=max(0, outcome.ttl_minutes)))
    return min(max(floors), policy.max_honoured)


def next_poll(state: FeedState, outcome: PollOutcome, now: datetime,
              policy: SchedulePolicy) -> FeedState:
    """The feed's state after a poll that ended at `now`, including its next poll time."""
    floor = _server_floor(outcome, policy)
    if not outcome.ok:
        errors = state.consecutive_errors + 1
        delay = max(backoff_delay(state.url, errors, policy), floor)
        return replace(state, next_poll=now + delay, consecutive_errors=errors,
                       failing_since=state.failing_since or now,
                       last_error=outcome.error or "unknown error", last_error_at=now)

    avg = state.avg_post_interval
    gap = posting_gap(outcome.entry_times)
    if gap is not None:
        avg = gap if avg is None else avg * (1 - policy.rhythm_weight) + gap * policy.rhythm_weight
    if policy.fixed_interval is not None:
        # what the operator asked for, exactly; only a server's Retry-After may push it later
        interval = policy.fixed_interval
        delay = max(interval, _server_floor(outcome, policy, cache_hints=False))
    else:
        interval = policy.default_interval if avg is None else _clamp(
            avg * policy.interval_factor, policy.min_interval, policy.max_interval)
        spread = 1 + policy.jitter * (2 * _unit_hash(state.url, now.isoformat()) - 1)
        delay = max(interval * spread, floor)
    if outcome.not_modified:  # a 304 may omit validators: keep the ones that worked
        etag = outcome.etag or state.etag
        last_modified = outcome.last_modified or state.last_modified
    else:
        etag, last_modified = outcome.etag, outcome.last_modified
    has_new = outcome.new_entries > 0
    return replace(
        state, next_poll=now + delay, interval=interval, consecutive_errors=0,
        failing_since=None, last_ok=now, etag=etag, last_modified=last_modified,
        body_hash=outcome.body_hash if outcome.body_hash is not None else state.body_hash,
        last_unconditional=now if outcome.unconditional else state.last_unconditional,
        avg_post_interval=avg,
        last_new_entry=now if has_new or state.last_new_entry is None else state.last_new_entry,
    )


def wants_unconditional(state: FeedState, now: datetime, policy: SchedulePolicy) -> bool:
    """True when the next fetch should carry no validators (validators can lie)."""
    if state.etag is None and state.last_modified is None:
        return False  # nothing to leave out: the request is unconditional anyway
    if state.last_unconditional is None:
        return True
    return now - state.last_unconditional >= policy.unconditional_every


def due_feeds(states: Iterable[FeedState], now: datetime,
              limit: int | None = None) -> list[FeedState]:
    """Feeds whose next poll is at or before `now`, most overdue first (stable by URL)."""
    due = sorted((s for s in states if s.next_poll <= now), key=lambda s: (s.next_poll, s.url))
    return due if limit is None else due[:limit]


def next_wakeup(states: Sequence[FeedState]) -> datetime | None:
    """Earliest next poll among the feeds (None when there are none)."""
    return min((s.next_poll for s in states), default=None)


def _silence_limit(state: FeedState, policy: SchedulePolicy) -> timedelta | None:
    if state.avg_post_interval is None:
        return None
    return max(state.avg_post_interval * policy.silent_factor, policy.silent_min)


def _human(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def health(state: FeedState, now: datetime, policy: SchedulePolicy) -> FeedHealth:
    """ok / failing / silent, with when it started and a sentence naming the feed."""
    if state.consecutive_errors > 0:
        since = state.failing_since or now
        return FeedHealth("failing", since,
                          f"feed {state.url} failing for {_human(now - since)} "
                          f"({state.consecutive_errors} errors in a row): {state.last_error}")
    limit = _silence_limit(state, policy)
    if limit is not None and state.last_new_entry is not None and (
            now - state.last_new_entry > limit):
        return FeedHealth("silent", state.last_new_entry,
                          f"feed {state.url} silent: nothing new for "
                          f"{_human(now - state.last_new_entry)} (it usually posts every "
                          f"{_human(state.avg_post_interval or timedelta(0))})")
    return FeedHealth("ok", state.last_ok, f"feed {state.url} ok")


def check_health(state: FeedState, now: datetime,
                 policy: SchedulePolicy) -> tuple[FeedState, HealthEvent | None]:
    """Health plus at most one ops event per transition; persist the returned state."""
    current = health(state, now, policy)
    if current.status == "failing":
        since = current.since or now
        if state.alerted != "failing" and now - since >= policy.failing_alert_after:
            return replace(state, alerted="failing"), HealthEvent(
                "failing", state.url, current.message, since)
        return state, None
    if state.alerted == "failing":
        return replace(state, alerted=""), HealthEvent(
            "recovered", state.url, f"feed {state.url} recovered", state.last_ok)
    if current.status == "silent":
        if state.alerted != "silent":
            return replace(state, alerted="silent"), HealthEvent(
                "silent", state.url, current.message, current.since)
        return state, None
    if state.alerted == "silent":
        return replace(state, alerted=""), None  # posting again: re-arm quietly
    return state, None
