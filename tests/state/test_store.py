"""The store over a real SQLite file: time encoding, the outbox's one-per-story key,
crash recovery, and finding known articles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from monitor.models import Article, DedupDecision
from monitor.state.store import _TS, Store, parse_ts, ts

NOW = datetime(2024, 6, 19, 8, 0, tzinfo=UTC)


@given(st.datetimes(min_value=datetime(1971, 1, 2), max_value=datetime(2200, 1, 1),
                    timezones=st.sampled_from([UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=-5))])))
def test_times_round_trip_and_sort_as_text(dt: datetime) -> None:
    text = ts(dt)
    assert text == dt.astimezone(UTC).strftime(_TS)
    assert parse_ts(text) == dt
    later = ts(dt + timedelta(microseconds=1))
    assert later > text


def article(aid: str, url: str, guid: str | None = None) -> Article:
    return Article(id=aid, feed="f", url=url, guid=guid, title=aid, summary="", content="", language="en",
                   published=NOW, fetched=NOW, content_hash=aid)


def test_one_alert_per_dedup_key_and_recovery_of_inflight(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    try:
        first = store.enqueue_alert(dedup_key="story1|t|c|article", story="story1", topic="t", channel="c",
                                    article_id="a", score=0.9, now=NOW)
        again = store.enqueue_alert(dedup_key="story1|t|c|article", story="story1", topic="t", channel="c",
                                    article_id="b", score=0.95, now=NOW)
        assert first is not None and again is None
        store.mark_sending([first])
        assert store.due_alerts(NOW + timedelta(hours=1)) == []  # in flight: not picked twice
        assert store.recover_inflight() == 1  # after a crash it goes back to pending
        (due,) = store.due_alerts(NOW + timedelta(hours=1))
        assert due.id == first and due.attempts == 1
        store.mark_failed([first], "boom", NOW + timedelta(minutes=5))
        assert store.due_alerts(NOW + timedelta(minutes=4)) == []
        assert [a.id for a in store.due_alerts(NOW + timedelta(minutes=5))] == [first]
        store.mark_sent([first], NOW)
        assert store.alert_counts() == {"sent": 1}
    finally:
        store.close()


def test_known_articles_are_found_by_id_guid_or_canonical_url(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    try:
        stored = article("a1", "https://example.org/x", guid="g1")
        store.save_article(stored, DedupDecision("a1", None, "a1", "new"))
        assert store.find_existing(stored)["id"] == "a1"
        assert store.find_existing(article("other-id", "https://example.org/y", guid="g1"))["id"] == "a1"
        assert store.find_existing(article("new-guid", "https://example.org/x", guid="g2"))["id"] == "a1"
        assert store.find_existing(article("fresh", "https://example.org/z", guid="g3")) is None
    finally:
        store.close()
