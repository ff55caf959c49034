"""Pure outbox decisions: retry/backoff, token bucket, group_wait, quiet hours, digests."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.delivery.outbox_policy import (
    Batch,
    QuietHours,
    RateLimit,
    RateLimiter,
    RetryPolicy,
    digest_due,
    group,
    next_attempt,
    next_digest_time,
    next_group_time,
    parse_schedule,
    quiet_hours_defer,
)
from monitor.errors import ConfigError
from monitor.models import Alert, AlertState

T0 = datetime(2024, 3, 4, 12, 0, tzinfo=UTC)  # a Monday


def alert(id_: int, channel: str = "slack", created: datetime = T0, attempts: int = 0,
          next_at: datetime | None = None) -> Alert:
    return Alert(id=id_, story=f"s{id_}", topic="dprk-russia", channel=channel,
                 article_id=f"a{id_}", score=0.8, state=AlertState.PENDING, attempts=attempts,
                 created=created, next_attempt=next_at or created)


# --- retry -------------------------------------------------------------------------------


def test_backoff_grows_exponentially_until_the_cap():
    policy = RetryPolicy(max_attempts=20, base_delay=10, factor=2, max_delay=100, jitter=0)
    delays = [(next_attempt(n, T0, None, policy) - T0).total_seconds() for n in range(1, 7)]
    assert delays == [10, 20, 40, 80, 100, 100]


def test_dead_after_max_attempts():
    policy = RetryPolicy(max_attempts=3, jitter=0)
    assert next_attempt(2, T0, None, policy) is not None
    assert next_attempt(3, T0, None, policy) is None
    assert next_attempt(4, T0, 30.0, policy) is None


@pytest.mark.parametrize("rand", [0.0, 0.25, 0.5, 0.999])
def test_jitter_stays_within_its_fraction(rand):
    policy = RetryPolicy(base_delay=100, jitter=0.2)
    delay = (next_attempt(1, T0, None, policy, rand=rand) - T0).total_seconds()
    assert 80 <= delay <= 120
    assert delay == pytest.approx(100 * (0.8 + 0.4 * rand))


def test_jitter_spreads_a_burst():
    policy = RetryPolicy(base_delay=100, jitter=0.2)
    picks = {next_attempt(1, T0, None, policy) for _ in range(50)}
    assert len(picks) > 1


def test_retry_after_is_a_floor_and_is_capped():
    policy = RetryPolicy(base_delay=10, jitter=0, max_retry_after=600)
    assert next_attempt(1, T0, 90.0, policy) == T0 + timedelta(seconds=90)
    assert next_attempt(1, T0, 2.0, policy) == T0 + timedelta(seconds=10)  # backoff longer
    assert next_attempt(1, T0, 10_000.0, policy) == T0 + timedelta(seconds=600)


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        next_attempt(1, datetime(2024, 1, 1), None)


@given(st.integers(min_value=0, max_value=500), st.floats(min_value=0, max_value=0.999))
def test_next_attempt_is_never_in_the_past(attempts, rand):
    policy = RetryPolicy(max_attempts=1000)
    when = next_attempt(attempts, T0, None, policy, rand=rand)
    assert when is not None and T0 <= when <= T0 + timedelta(seconds=policy.max_delay * 1.2)


# --- rate limit --------------------------------------------------------------------------


def test_token_bucket_allows_a_burst_then_refills():
    limiter = RateLimiter(RateLimit(count=2, per_seconds=10, burst=3))
    assert [limiter.try_acquire(T0) for _ in range(4)] == [True, True, True, False]
    assert limiter.next_free(T0) == T0 + timedelta(seconds=5)
    assert not limiter.try_acquire(T0 + timedelta(seconds=4.9))
    assert limiter.try_acquire(T0 + timedelta(seconds=5))
    # a long idle period refills only up to the burst size
    later = T0 + timedelta(hours=1)
    assert limiter.available(later) == pytest.approx(3)


def test_clock_going_backwards_adds_no_tokens():
    limiter = RateLimiter(RateLimit(count=1, per_seconds=60))
    assert limiter.try_acquire(T0)
    assert not limiter.try_acquire(T0 - timedelta(hours=5))
    assert not limiter.try_acquire(T0 + timedelta(seconds=30))


def test_rate_limiter_state_round_trips():
    limit = RateLimit(count=5, per_seconds=60)
    limiter = RateLimiter(limit)
    for _ in range(5):
        limiter.try_acquire(T0)
    tokens, updated = limiter.state()
    rebuilt = RateLimiter(limit, tokens=tokens, updated=updated)
    assert not rebuilt.try_acquire(T0)
    assert rebuilt.try_acquire(T0 + timedelta(seconds=12))


@pytest.mark.parametrize("spec,count,per", [("20/min", 20, 60), ("1/s", 1, 1),
                                            ("100/hour", 100, 3600), ("5/10s", 5, 10)])
def test_rate_limit_parse(spec, count, per):
    limit = RateLimit.parse(spec)
    assert (limit.count, limit.per_seconds) == (count, per)


def test_rate_limit_parse_rejects_garbage():
    with pytest.raises(ValueError):
        RateLimit.parse("fast")


def test_a_burst_of_alerts_fits_the_rate_limit_when_grouped():
    """1,000 alerts in one second, 10 messages/min: grouping keeps every alert."""
    limiter = RateLimiter(RateLimit(count=10, per_seconds=60))
    pending = [alert(i, created=T0 + timedelta(milliseconds=i)) for i in range(1000)]
    now, sent_messages, delivered = T0 + timedelta(seconds=30), 0, []
    while pending:
        for batch in group(pending, now, 30, max_batch=100):
            if not limiter.try_acquire(now):
                break
            sent_messages += 1
            delivered += batch.ids
            pending = [a for a in pending if a.id not in set(batch.ids)]
        now = limiter.next_free(now)
    assert sorted(delivered) == list(range(1000))
    assert sent_messages == 10


# --- group_wait --------------------------------------------------------------------------


def test_group_waits_then_sends_everything_due_for_the_channel():
    pending = [alert(1, created=T0), alert(2, created=T0 + timedelta(seconds=20)),
               alert(3, channel="mail", created=T0 + timedelta(seconds=25))]
    assert group(pending, T0 + timedelta(seconds=29), 30) == []
    ready = group(pending, T0 + timedelta(seconds=30), 30)
    assert ready == [Batch("slack", (pending[0], pending[1]))]
    assert next_group_time(pending, 30) == T0 + timedelta(seconds=30)
    per_channel = group(pending, T0 + timedelta(seconds=30), {"slack": 60, "mail": 0})
    assert [b.channel for b in per_channel] == ["mail"]


def test_group_splits_large_batches_and_keeps_order():
    pending = [alert(i, created=T0 + timedelta(seconds=i % 7)) for i in range(25)]
    batches = group(pending, T0 + timedelta(minutes=5), 30, max_batch=10)
    assert [len(b.alerts) for b in batches] == [10, 10, 5]
    flat = [a for b in batches for a in b.alerts]
    assert sorted(a.id for a in flat) == list(range(25))
    assert [a.created for a in flat] == sorted(a.created for a in flat)


def test_retried_alerts_wait_for_next_attempt_not_group_wait():
    retry = alert(1, created=T0 - timedelta(hours=1), attempts=2,
                  next_at=T0 + timedelta(seconds=10))
    assert group([retry], T0, 30) == []
    assert group([retry], T0 + timedelta(seconds=10), 30) == [Batch("slack", (retry,))]


# --- quiet hours -------------------------------------------------------------------------


def test_quiet_hours_wrapping_midnight_in_local_time():
    quiet = QuietHours.parse("22:00-07:00", tz="Asia/Jakarta")  # UTC+7
    jakarta = ZoneInfo("Asia/Jakarta")
    at_23 = datetime(2024, 3, 4, 23, 0, tzinfo=jakarta)
    at_03 = datetime(2024, 3, 5, 3, 0, tzinfo=jakarta)
    at_08 = datetime(2024, 3, 5, 8, 0, tzinfo=jakarta)
    end = datetime(2024, 3, 5, 7, 0, tzinfo=jakarta)
    assert quiet_hours_defer(at_23, quiet) == end
    assert quiet_hours_defer(at_03.astimezone(UTC), quiet) == end
    assert quiet_hours_defer(at_03, quiet).tzinfo == UTC
    assert quiet_hours_defer(at_08, quiet) is None


def test_quiet_hours_bypass_by_score_or_escalation():
    quiet = QuietHours(time(0, 0), time(23, 59), bypass_score=0.9)
    assert quiet_hours_defer(T0, quiet, score=0.5) is not None
    assert quiet_hours_defer(T0, quiet, score=0.95) is None
    assert quiet_hours_defer(T0, quiet, score=0.5, escalate=True) is None
    assert quiet_hours_defer(T0, None) is None


def test_quiet_hours_only_on_listed_days():
    weekend = QuietHours.parse("00:00-23:59", days=["sat", "sun"])
    saturday = datetime(2024, 3, 9, 12, 0, tzinfo=UTC)
    assert quiet_hours_defer(T0, weekend) is None  # Monday
    assert quiet_hours_defer(saturday, weekend) == datetime(2024, 3, 9, 23, 59, tzinfo=UTC)


def test_quiet_hours_reject_bad_input():
    with pytest.raises(ValueError):
        QuietHours.parse("22-7")
    with pytest.raises(ValueError):
        QuietHours.parse("22:00-07:00", tz="Mars/Olympus")


# --- digest schedules --------------------------------------------------------------------


def test_hourly_and_every():
    assert next_digest_time("hourly", T0) == T0 + timedelta(hours=1)
    assert next_digest_time("hourly", T0 - timedelta(minutes=1)) == T0
    assert next_digest_time("hourly :15", T0) == T0 + timedelta(minutes=15)
    assert next_digest_time("every 30m", T0 + timedelta(minutes=1)) == T0 + timedelta(minutes=30)
    assert next_digest_time("every 6h", T0) == T0 + timedelta(hours=6)


def test_weekdays_in_a_time_zone_skip_the_weekend():
    friday_evening = datetime(2024, 3, 8, 12, 0, tzinfo=UTC)  # 19:00 in Jakarta
    fire = next_digest_time("weekdays 08:00 Asia/Jakarta", friday_evening)
    assert fire == datetime(2024, 3, 11, 1, 0, tzinfo=UTC)  # Monday 08:00 WIB
    assert fire.tzinfo == UTC


def test_daily_time_keeps_wall_clock_across_dst():
    berlin = ZoneInfo("Europe/Berlin")
    before = datetime(2024, 3, 30, 7, 0, tzinfo=berlin)  # CET; DST starts Mar 31
    first = next_digest_time("daily 08:00 Europe/Berlin", before)
    second = next_digest_time("daily 08:00 Europe/Berlin", first)
    assert first.astimezone(berlin).hour == 8 and second.astimezone(berlin).hour == 8
    assert second - first == timedelta(hours=23)


def test_named_days_and_bare_time():
    assert next_digest_time("mon,wed 09:30", T0) == datetime(2024, 3, 6, 9, 30, tzinfo=UTC)
    assert next_digest_time("07:00", T0) == datetime(2024, 3, 5, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize("spec", ["", "sometimes", "hourly :75", "daily 25:00",
                                  "weekdays 08:00 Nowhere/City", "every 0m", "funday 08:00"])
def test_bad_schedules_are_config_errors(spec):
    with pytest.raises(ConfigError):
        parse_schedule(spec)


def test_digest_due():
    assert not digest_due("hourly", None, T0)
    assert digest_due("hourly", T0 - timedelta(minutes=61), T0)
    assert not digest_due("hourly", T0, T0 + timedelta(minutes=59))


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                    timezones=st.just(UTC)),
       st.sampled_from(["hourly", "every 45m", "weekdays 08:00 Asia/Jakarta",
                        "daily 02:30 Europe/Berlin", "sat 23:59 America/New_York"]))
def test_next_digest_time_is_strictly_later_and_within_a_week(after, spec):
    fire = next_digest_time(spec, after)
    assert after < fire <= after + timedelta(days=8)
    assert next_digest_time(spec, fire) > fire


def test_window_limiter_never_lets_more_than_count_through_any_rolling_window() -> None:
    from datetime import UTC, datetime, timedelta

    from monitor.delivery.outbox_policy import RateLimit, WindowLimiter

    limiter = WindowLimiter(RateLimit.parse("30/min"))
    start = datetime(2024, 1, 1, tzinfo=UTC)
    sent: list[datetime] = []
    t = start
    while t < start + timedelta(minutes=5):
        if limiter.try_acquire(t):
            sent.append(t)
        else:
            nxt = limiter.next_free(t)
            assert nxt > t
        t += timedelta(seconds=0.5)
    for i, s in enumerate(sent):
        in_window = [x for x in sent[i:] if x < s + timedelta(minutes=1)]
        assert len(in_window) <= 30
    assert len(sent) >= 5 * 30 - 1  # and the full rate is still used


def test_window_limiter_counts_a_send_from_when_it_finished() -> None:
    from datetime import UTC, datetime, timedelta

    from monitor.delivery.outbox_policy import RateLimit, WindowLimiter

    limiter = WindowLimiter(RateLimit.parse("2/min"))
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    assert limiter.try_acquire(t0)
    limiter.finished(t0, t0 + timedelta(seconds=5))  # a slow SMTP send
    assert limiter.try_acquire(t0 + timedelta(seconds=6))
    assert not limiter.try_acquire(t0 + timedelta(seconds=61))  # the first one arrived at t0+5
    assert limiter.next_free(t0 + timedelta(seconds=61)) == t0 + timedelta(seconds=65)
    assert limiter.try_acquire(t0 + timedelta(seconds=65))
