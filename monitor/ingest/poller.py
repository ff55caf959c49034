"""One polling cycle: due feeds -> fetch -> parse -> new articles -> pipeline -> feed state.

Per-feed problems are recorded on the feed and logged once; they never stop the
cycle. Parsing runs in a process pool so one huge feed cannot stall the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.app import Runtime
from monitor.errors import ParseError
from monitor.ingest.fetch import FeedRequest, Fetcher, FetchLimits
from monitor.ingest.parse import ParsedFeed, ParsePool
from monitor.ingest.schedule import (
    FeedState,
    HealthEvent,
    PollOutcome,
    SchedulePolicy,
    check_health,
    new_feed_state,
    next_poll,
    wants_unconditional,
)
from monitor.models import Article, DedupDecision
from monitor.state.store import parse_ts, ts

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def state_to_json(state: FeedState) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(state):
        v = getattr(state, f.name)
        if isinstance(v, datetime):
            v = ts(v)
        elif isinstance(v, timedelta):
            v = v.total_seconds()
        out[f.name] = v
    return out


def state_from_json(url: str, data: dict[str, Any], now: datetime, policy: SchedulePolicy) -> FeedState:
    base = new_feed_state(url, now, policy)
    values: dict[str, Any] = {}
    for f in fields(FeedState):
        if f.name not in data or f.name == "url":
            continue
        v = data[f.name]
        current = getattr(base, f.name)
        if isinstance(current, timedelta) or f.name in ("avg_post_interval",):
            v = None if v is None else timedelta(seconds=float(v))
        elif f.name in ("next_poll", "failing_since", "last_ok", "last_error_at", "last_unconditional", "last_new_entry"):
            v = parse_ts(v)
        values[f.name] = v
    if values.get("next_poll") is None:
        values.pop("next_poll", None)
    return replace(base, **values)


async def _same(article: Article) -> Article:
    return article


class Poller:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.fetcher: Fetcher | None = None
        self.pool: ParsePool | None = None
        self.fulltext: Any = None  # monitor.ingest.enrich.FullTextFetcher when configured
        self._warned: set[str] = set()  # feeds whose failure was already logged as a warning

    # -- set-up ------------------------------------------------------------
    def swap(self, rt: Runtime) -> None:
        self.rt = rt

    def configured_feeds(self) -> list[tuple[str, str, float | None, str | None]]:
        cfg = self.rt.config
        return [(cfg.feed_url(f), f.name, f.interval, f.language) for f in cfg.model.feeds]

    @property
    def policy(self) -> SchedulePolicy:
        p = self.rt.config.model.polling
        lo, hi, default = p.min_interval, p.max_interval, p.default_interval
        return SchedulePolicy(min_interval=timedelta(seconds=lo), max_interval=timedelta(seconds=max(hi, lo)),
                              default_interval=timedelta(seconds=min(max(default, lo), max(hi, lo))),
                              failing_alert_after=timedelta(seconds=p.failing_alert_after))

    def _feed_policy(self, row: dict[str, Any]) -> SchedulePolicy:
        """A feed's own `interval` pins its default and widens the bounds to admit it."""
        policy = self.policy
        if row.get("interval"):
            iv = timedelta(seconds=row["interval"])
            policy = replace(policy, default_interval=iv, min_interval=min(policy.min_interval, iv),
                             max_interval=max(policy.max_interval, iv))
        return policy

    async def start(self) -> None:
        p = self.rt.config.model.polling
        limits = FetchLimits(connect_timeout=min(10.0, p.timeout), read_timeout=min(20.0, p.timeout),
                             total_timeout=p.timeout, max_bytes=p.max_bytes, concurrency=p.concurrency,
                             per_host=p.per_host)
        self.fetcher = Fetcher(limits)
        await self.fetcher.__aenter__()
        self.pool = ParsePool()
        if p.full_text_min_chars > 0:
            from monitor.ingest.enrich import FullTextFetcher

            self.fulltext = FullTextFetcher(self.fetcher, min_chars=p.full_text_min_chars)
        self.rt.pipeline.warm_up(self.rt.store, datetime.now(UTC))

    async def close(self) -> None:
        if self.fetcher is not None:
            await self.fetcher.__aexit__(None, None, None)
            self.fetcher = None
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    # -- cycles --------------------------------------------------------------
    async def poll_due(self, clock: Clock) -> dict[str, int]:
        return await self._poll(self.rt.store.due_feeds(clock()), clock)

    async def poll_all(self, clock: Clock) -> dict[str, int]:
        return await self._poll(self.rt.store.feeds(), clock)

    async def _poll(self, rows: list[dict[str, Any]], clock: Clock) -> dict[str, int]:
        results = await asyncio.gather(*(self._fetch_and_parse(r, clock) for r in rows), return_exceptions=True)
        summary = {"feeds": len(rows), "new_articles": 0, "alerts_queued": 0, "feed_errors": 0}
        # Storage and matching stay on this thread, one feed at a time.
        for row, res in zip(rows, results, strict=True):
            if isinstance(res, BaseException):
                if isinstance(res, asyncio.CancelledError):
                    raise res
                log.error("feed %s: unexpected error while polling: %r", row["url"], res, exc_info=res)
                summary["feed_errors"] += 1
                continue
            new, queued, ok = self._record(row, *res, now=clock())
            summary["new_articles"] += new
            summary["alerts_queued"] += queued
            summary["feed_errors"] += 0 if ok else 1
        return summary

    async def _fetch_and_parse(self, row: dict[str, Any], clock: Clock) -> tuple[Any, ParsedFeed | None, str | None, bool]:
        assert self.fetcher is not None and self.pool is not None
        policy = self._feed_policy(row)
        now = clock()
        state = state_from_json(row["url"], row["state"], now, policy)
        unconditional = wants_unconditional(state, now, policy)
        request = FeedRequest(row["url"], None if unconditional else state.etag,
                              None if unconditional else state.last_modified, unconditional)
        result = await self.fetcher.fetch(request, previous_body_hash=state.body_hash)
        parsed, parse_error = None, None
        if result.ok and result.body is not None and not result.not_modified and not result.body_unchanged:
            try:
                parsed = await self.pool.parse(result.body, result.headers, row["url"], clock())
            except ParseError as e:
                parse_error = str(e)
        if parsed is not None and self.fulltext is not None:
            parsed = await self._full_text(parsed)
        return result, parsed, parse_error, unconditional or (state.etag is None and state.last_modified is None)

    async def _full_text(self, parsed: ParsedFeed) -> ParsedFeed:
        """Fill in page text for new entries whose feed text is too short to match on."""
        assert self.fulltext is not None
        store = self.rt.store
        entries = await asyncio.gather(*(
            self.fulltext.enrich(a) if store.find_existing(a) is None else _same(a) for a in parsed.entries))
        return replace(parsed, entries=tuple(entries))

    def _record(self, row: dict[str, Any], result: Any, parsed: ParsedFeed | None, parse_error: str | None,
                unconditional: bool, *, now: datetime) -> tuple[int, int, bool]:
        url = row["url"]
        store = self.rt.store
        policy = self._feed_policy(row)
        new_count, queued = 0, 0
        if parsed is not None:
            fresh = self._new_articles(parsed, row)
            if fresh:
                processed = self.rt.pipeline.process(fresh, lambda a: now)
                new_count = len(fresh)
                queued = sum(len(p.alerts_queued) for p in processed)
        state = state_from_json(url, row["state"], now, policy)
        outcome = PollOutcome.from_poll(result, parsed, parse_error=parse_error, new_entries=new_count,
                                        unconditional=unconditional)
        state = next_poll(state, outcome, now, policy)
        state, event = check_health(state, now, policy)
        if event is not None:
            self._ops_event(event, now)
        error = outcome.error or ""
        status = "error" if error else ("not-modified" if result.not_modified else
                                         "unchanged" if result.body_unchanged else "ok")
        store.update_feed(url, state=state_to_json(state), next_poll=state.next_poll, last_poll=now,
                          last_status=status, last_error=error, consecutive_errors=state.consecutive_errors,
                          failing_since=state.failing_since, articles=(row.get("articles") or 0) + new_count,
                          **({"last_ok": now} if not error else {}))
        if result.permanent_redirect_to and result.permanent_redirect_to != url and not error:
            log.info("feed %s moved permanently to %s: following", url, result.permanent_redirect_to)
            store.rename_feed(url, result.permanent_redirect_to)
        self._log_outcome(url, error, state, new_count, queued)
        return new_count, queued, not error

    def _new_articles(self, parsed: ParsedFeed, row: dict[str, Any]) -> list[Article]:
        """Entries never stored before; an edited known entry updates in place, never alerts."""
        fresh: list[Article] = []
        store = self.rt.store
        for article in parsed.entries:
            article = self._enrich(article, row)
            existing = store.find_existing(article)
            if existing is None:
                fresh.append(article)
            elif existing["content_hash"] != article.content_hash:
                store.save_article(replace(article, id=existing["id"]),
                                   DedupDecision(existing["id"], None, existing["story"] or existing["id"], "exact", True))
        return fresh

    def _enrich(self, article: Article, row: dict[str, Any]) -> Article:
        from monitor.ingest.enrich import detect_language

        lang = detect_language(article.title, article.text) or article.language or row.get("language")
        source = article.source or row.get("name") or ""
        return replace(article, language=lang, source=source)

    def _ops_event(self, event: HealthEvent, now: datetime) -> None:
        level = logging.INFO if event.kind == "recovered" else logging.WARNING
        log.log(level, "ops: %s", event.message)
        for channel in self.rt.config.model.delivery.ops_channels:
            self.rt.store.enqueue_alert(
                dedup_key=f"ops|{event.feed}|{event.kind}|{ts(event.since) if event.since else ts(now)}",
                story=f"ops:{event.feed}", topic="ops", channel=channel, article_id="", score=1.0, now=now,
                kind="ops", payload={"title": event.message, "url": "", "source": "media-monitor",
                                     "snippet": event.message, "terms": []})

    def _log_outcome(self, url: str, error: str, state: FeedState, new: int, queued: int) -> None:
        if error:
            message = error if url in error else f"feed {url}: {error}"
            if url not in self._warned:
                self._warned.add(url)
                log.warning("%s (retry at %s; further failures of this feed are logged at debug level)",
                            message, ts(state.next_poll))
            else:
                log.debug("still failing (%d in a row): %s", state.consecutive_errors, message)
            return
        if url in self._warned:
            self._warned.discard(url)
            log.info("feed %s: working again", url)
        if new:
            log.info("feed %s: %d new articles, %d alerts queued", url, new, queued)
