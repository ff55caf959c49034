"""Pure schedule decisions with injected `now`."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.ingest.schedule import (
    FeedState,
    PollOutcome,
    SchedulePolicy,
    backoff_delay,
    check_health,
    due_feeds,
    health,
    new_feed_state,
    next_poll,
    posting_gap,
    wants_unconditional,
)

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
POLICY = SchedulePolicy()
OK = PollOutcome(ok=True)
FAIL = PollOutcome(ok=False, error="https://f.example/rss: HTTP 500 Internal Server Error")


def state(url: str = "https://f.example/rss", **kw: object) -> FeedState:
    return replace(new_feed_state(url, NOW, POLICY), **kw)


def hourly(n: int, end: datetime = NOW) -> tuple[datetime, ...]:
    return tuple(end - timedelta(hours=i) for i in range(n))


def test_backoff_grows_exponentially_with_deterministic_jitter() -> None:
    s = state()
    delays = []
    now = NOW
    for _ in range(6):
        s = next_poll(s, FAIL, now, POLICY)
        delays.append(s.next_poll - now)
        now = s.next_poll
    assert s.consecutive_errors == 6 and s.failing_since == NOW
    assert s.last_error == FAIL.error
    for attempt, delay in enumerate(delays, start=1):
        ceiling = POLICY.error_base * 2 ** (attempt - 1)
        assert ceiling / 2 <= delay <= ceiling
        assert delay == backoff_delay(s.url, attempt, POLICY)  # reproducible
    assert backoff_delay("https://a.example/", 3, POLICY) != backoff_delay(
        "https://b.example/", 3, POLICY)  # feeds spread apart


@given(st.integers(min_value=1, max_value=200))
def test_backoff_never_exceeds_the_cap(errors: int) -> None:
    assert timedelta(0) < backoff_delay("u", errors, POLICY) <= POLICY.error_max


def test_retry_after_is_a_lower_bound_on_errors_and_capped() -> None:
    s = next_poll(state(), replace(FAIL, retry_after=3600), NOW, POLICY)
    assert s.next_poll - NOW == timedelta(hours=1)
    huge = next_poll(state(), replace(FAIL, retry_after=10**9), NOW, POLICY)
    assert huge.next_poll - NOW == POLICY.max_honoured


@pytest.mark.parametrize("outcome", [PollOutcome(ok=True, max_age=7200),
                                     PollOutcome(ok=True, ttl_minutes=120),
                                     PollOutcome(ok=True, retry_after=7200)])
def test_server_hints_are_lower_bounds_on_success(outcome: PollOutcome) -> None:
    s = next_poll(state(), outcome, NOW, POLICY)
    assert s.next_poll - NOW >= timedelta(hours=2)


def test_adaptive_interval_follows_posting_rhythm_within_bounds() -> None:
    busy = next_poll(state(), replace(OK, entry_times=hourly(20), new_entries=3), NOW, POLICY)
    assert busy.avg_post_interval == timedelta(hours=1)
    assert busy.interval == timedelta(minutes=30)
    fast = next_poll(state(), replace(OK, entry_times=tuple(
        NOW - timedelta(minutes=i) for i in range(20))), NOW, POLICY)
    assert fast.interval == POLICY.min_interval
    slow = next_poll(state(), replace(OK, entry_times=tuple(
        NOW - timedelta(days=i) for i in range(20))), NOW, POLICY)
    assert slow.interval == POLICY.max_interval
    jitter = POLICY.jitter
    for s in (busy, fast, slow):
        assert s.interval * (1 - jitter) <= s.next_poll - NOW <= s.interval * (1 + jitter)


def test_success_resets_errors_and_keeps_validators_on_304() -> None:
    failing = next_poll(state(etag='"a"', last_modified="x"), FAIL, NOW, POLICY)
    ok = next_poll(failing, PollOutcome(ok=True, not_modified=True), NOW, POLICY)
    assert ok.consecutive_errors == 0 and ok.failing_since is None and ok.last_ok == NOW
    assert ok.etag == '"a"' and ok.last_modified == "x"
    changed = next_poll(ok, PollOutcome(ok=True, etag='"b"', body_hash="h"), NOW, POLICY)
    assert changed.etag == '"b"' and changed.last_modified is None and changed.body_hash == "h"


def test_periodic_unconditional_fetch() -> None:
    assert not wants_unconditional(state(), NOW, POLICY)  # no validators: nothing to drop
    s = state(etag='"a"')
    assert wants_unconditional(s, NOW, POLICY)
    s = next_poll(s, PollOutcome(ok=True, etag='"a"', unconditional=True), NOW, POLICY)
    assert s.last_unconditional == NOW
    assert not wants_unconditional(s, NOW + timedelta(hours=23), POLICY)
    assert wants_unconditional(s, NOW + POLICY.unconditional_every, POLICY)


def test_due_feeds_most_overdue_first_and_nothing_skipped_after_restart() -> None:
    states = [state("c", next_poll=NOW - timedelta(minutes=1)),
              state("a", next_poll=NOW - timedelta(hours=3)),
              state("b", next_poll=NOW + timedelta(minutes=1)),
              state("d", next_poll=NOW)]
    assert [s.url for s in due_feeds(states, NOW)] == ["a", "c", "d"]
    assert [s.url for s in due_feeds(states, NOW, limit=1)] == ["a"]
    assert [s.url for s in due_feeds(states, NOW + timedelta(days=1))] == ["a", "c", "d", "b"]


def test_failing_alert_once_and_recovery_once() -> None:
    s = next_poll(state(), FAIL, NOW, POLICY)
    s, event = check_health(s, NOW + timedelta(hours=1), POLICY)
    assert event is None and health(s, NOW, POLICY).status == "failing"
    later = NOW + POLICY.failing_alert_after
    s, event = check_health(s, later, POLICY)
    assert event is not None and event.kind == "failing" and s.url in event.message
    assert "HTTP 500" in event.message
    s = next_poll(s, FAIL, later, POLICY)
    s, again = check_health(s, later + timedelta(hours=1), POLICY)
    assert again is None  # once
    s = next_poll(s, OK, later + timedelta(hours=2), POLICY)
    s, recovered = check_health(s, later + timedelta(hours=2), POLICY)
    assert recovered is not None and recovered.kind == "recovered"
    s, quiet = check_health(s, later + timedelta(hours=3), POLICY)
    assert quiet is None and s.alerted == ""


def test_silent_feed_is_flagged_once() -> None:
    s = next_poll(state(), replace(OK, entry_times=hourly(20), new_entries=5), NOW, POLICY)
    assert health(s, NOW + timedelta(hours=5), POLICY).status == "ok"
    quiet_since = NOW + POLICY.silent_min + timedelta(hours=1)
    status = health(s, quiet_since, POLICY)
    assert status.status == "silent" and status.since == NOW and s.url in status.message
    s, event = check_health(s, quiet_since, POLICY)
    assert event is not None and event.kind == "silent"
    s, event = check_health(s, quiet_since + timedelta(hours=1), POLICY)
    assert event is None


def test_posting_gap_needs_three_posts() -> None:
    assert posting_gap(hourly(2)) is None
    assert posting_gap(hourly(3)) == timedelta(hours=1)


def test_policy_is_validated() -> None:
    with pytest.raises(ValueError, match="min_interval"):
        SchedulePolicy(min_interval=timedelta(hours=2), max_interval=timedelta(hours=1))


def test_schedule_imports_no_io_library() -> None:
    code = ("import sys, monitor.ingest.schedule; bad = {'httpx', 'feedparser', 'sqlite_utils', "
            "'apprise', 'apscheduler'} & set(sys.modules); print(sorted(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


# -- an explicit per-feed interval (the operator's `interval = 60`) ----------------------

def pinned(seconds: float = 60) -> SchedulePolicy:
    iv = timedelta(seconds=seconds)
    return replace(POLICY, min_interval=min(POLICY.min_interval, iv), fixed_interval=iv)


def test_an_explicit_interval_wins_over_the_posting_rhythm_and_cache_hints() -> None:
    policy = pinned(60)
    slow_rhythm = replace(state(), avg_post_interval=timedelta(hours=12))
    outcome = PollOutcome(ok=True, entry_times=tuple(NOW - timedelta(hours=12 * i) for i in range(5)),
                          max_age=7200, ttl_minutes=180)
    after = next_poll(slow_rhythm, outcome, NOW, policy)
    assert after.next_poll == NOW + timedelta(seconds=60)
    # without the pin the same feed waits hours
    assert next_poll(slow_rhythm, outcome, NOW, POLICY).next_poll >= NOW + timedelta(hours=2)


def test_an_explicit_interval_is_raised_by_retry_after_only() -> None:
    asks = PollOutcome(ok=True, retry_after=900)
    assert next_poll(state(), asks, NOW, pinned(60)).next_poll == NOW + timedelta(seconds=900)
    assert next_poll(state(), replace(asks, retry_after=10), NOW, pinned(60)).next_poll == NOW + timedelta(seconds=60)


def test_an_explicit_interval_still_backs_off_on_errors() -> None:
    s = state(consecutive_errors=4)
    after = next_poll(s, FAIL, NOW, pinned(60))
    assert after.next_poll == NOW + backoff_delay(s.url, 5, POLICY)
    assert after.next_poll - NOW > timedelta(seconds=60)


def test_fixed_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="fixed_interval"):
        SchedulePolicy(fixed_interval=timedelta(0))
