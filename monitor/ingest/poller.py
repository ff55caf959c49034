"""Polling: due feeds -> fetch -> parse -> new articles -> pipeline -> feed state, per feed.

Each feed goes through the pipeline (store, relevance, stories, alerts queued) as soon as
*that* feed is fetched and parsed: a slow or hanging feed holds up nobody but itself.
Per-feed problems are recorded on the feed and logged once; they never stop the others.
Parsing runs in a process pool so one huge feed cannot stall the event loop.

One writer: recording a feed (`_record`) is synchronous and runs on the event loop's
thread, so two feeds' writes, or a feed's and the outbox's, never interleave on the one
SQLite connection. Feeds in flight are bounded (`capacity`), so memory does not grow
with the number of feeds: a cycle holds at most `capacity` bodies and parsed feeds.

- `run(rows, clock, progress)`: poll these feeds and return when all are done (`monitor once`);
- `start_due(clock)`: start the due feeds not already in flight and return at once; each
  finished feed makes room for the next (the daemon's poll job).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from monitor.app import Runtime
from monitor.errors import ParseError
from monitor.ingest.fetch import FeedRequest, Fetcher, FetchLimits
from monitor.ingest.parse import ParsedFeed, ParsePool, refuse_content_type
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
Progress = Callable[[int, int, int], None]  # (feeds done, feeds in the run, of which failed)


@dataclass(frozen=True)
class FeedPoll:
    """What one poll of one feed did."""

    url: str
    new_articles: int = 0
    alerts_queued: int = 0
    error: str = ""  # "" when the poll succeeded

    @property
    def ok(self) -> bool:
        return not self.error


def interleave_by_host(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Round-robin over hosts, keeping each host's own order: a run of feeds from one host
    cannot take every slot while they queue behind the per-host limit."""
    by_host: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_host[urlsplit(row["url"]).netloc.lower()].append(row)
    queues = list(by_host.values())
    out: list[dict[str, Any]] = []
    depth = 0
    while queues:
        out += [q[depth] for q in queues]
        depth += 1
        queues = [q for q in queues if len(q) > depth]
    return out


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
        self._running: dict[str, asyncio.Task[FeedPoll]] = {}  # url -> its poll (daemon dispatch)
        self._backlog = False  # the last due query was cut by the room left: look again on finish
        self._dispatching = True
        self.polls_total = 0
        self.poll_errors_total = 0

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

    @property
    def capacity(self) -> int:
        """Feeds in flight at once (fetching, parsing or recording): enough to keep every
        fetch slot busy while others parse, bounded so memory is too."""
        return 2 * self.rt.config.model.polling.concurrency

    def _feed_policy(self, row: dict[str, Any]) -> SchedulePolicy:
        """A feed's own `interval` is what the operator asked for: it is used as is
        (`fixed_interval`), and the bounds widen to admit it."""
        policy = self.policy
        if row.get("interval"):
            iv = timedelta(seconds=row["interval"])
            policy = replace(policy, default_interval=iv, min_interval=min(policy.min_interval, iv),
                             max_interval=max(policy.max_interval, iv), fixed_interval=iv)
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
    async def poll_due(self, clock: Clock, progress: Progress | None = None) -> dict[str, int]:
        return await self.run(self.rt.store.due_feeds(clock()), clock, progress)

    async def poll_all(self, clock: Clock, progress: Progress | None = None) -> dict[str, int]:
        return await self.run(self.rt.store.feeds(), clock, progress)

    async def run(self, rows: list[dict[str, Any]], clock: Clock,
                  progress: Progress | None = None) -> dict[str, int]:
        """Poll `rows`, each recorded as soon as it is fetched; return when all are done."""
        summary = {"feeds": len(rows), "new_articles": 0, "alerts_queued": 0, "feed_errors": 0}
        pending = iter(interleave_by_host(rows))
        done = 0

        async def worker() -> None:
            nonlocal done
            for row in pending:  # one shared iterator: each row is taken by one worker
                polled = await self.poll_one(row, clock)
                done += 1
                summary["new_articles"] += polled.new_articles
                summary["alerts_queued"] += polled.alerts_queued
                summary["feed_errors"] += 0 if polled.ok else 1
                if progress is not None:
                    progress(done, len(rows), summary["feed_errors"])

        await asyncio.gather(*(worker() for _ in range(min(len(rows), self.capacity))))
        return summary

    def start_due(self, clock: Clock) -> int:
        """Start polls of due feeds not already in flight, up to `capacity`; never waits."""
        if not self._dispatching:
            return 0
        room = self.capacity - len(self._running)
        if room <= 0:
            self._backlog = True
            return 0
        asked = room + len(self._running)  # in-flight feeds are still due: ask past them
        rows = self.rt.store.due_feeds(clock(), limit=asked)
        self._backlog = len(rows) == asked
        fresh = [r for r in rows if r["url"] not in self._running][:room]
        for row in interleave_by_host(fresh):
            task = asyncio.get_running_loop().create_task(self.poll_one(row, clock))
            task._monitor_job = True  # type: ignore[attr-defined]  # shutdown lets it finish
            self._running[row["url"]] = task
            task.add_done_callback(lambda t, url=row["url"]: self._finished(url, t, clock))
        return len(fresh)

    def _finished(self, url: str, task: asyncio.Task[FeedPoll], clock: Clock) -> None:
        self._running.pop(url, None)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:  # poll_one records every expected error: this is a bug
            log.error("feed %s: poll crashed", url, exc_info=exc)
            self.poll_errors_total += 1
        else:
            self.polls_total += 1
            self.poll_errors_total += 0 if task.result().ok else 1
        # refill in batches: one due query per quarter of the room, not per finished feed
        if self._backlog and self.capacity - len(self._running) >= max(1, self.capacity // 4):
            self.start_due(clock)

    @property
    def in_flight(self) -> int:
        return len(self._running)

    def stop_dispatch(self) -> None:
        """Start no new poll (shutdown); the ones in flight go on."""
        self._dispatching = False

    async def drain(self, timeout: float) -> None:
        """Start nothing new; let the polls in flight finish within `timeout`, cancel the rest."""
        self.stop_dispatch()
        tasks = list(self._running.values())
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=timeout)
        for t in late:
            t.cancel()
        if late:
            await asyncio.wait(late)

    async def poll_one(self, row: dict[str, Any], clock: Clock) -> FeedPoll:
        """Fetch, parse and record one feed; expected problems end up in `error`."""
        try:
            fetched = await self._fetch_and_parse(row, clock)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug: name the feed, keep the others going
            log.error("feed %s: unexpected error while polling: %r", row["url"], exc, exc_info=exc)
            return FeedPoll(row["url"], error=f"unexpected error: {exc!r}")
        new, queued, error = self._record(row, *fetched, now=clock())
        return FeedPoll(row["url"], new, queued, error)

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
            cap = self.rt.config.model.polling.max_items_per_poll
            try:
                refuse_content_type(result.headers, result.body, row["url"])  # before shipping it to a worker
                parsed = await self.pool.parse(result.body, result.headers, row["url"], clock(), cap)
            except ParseError as e:
                parse_error = str(e)
            result = replace(result, body=None)  # the bytes are not needed any more
        if parsed is not None and parsed.dropped:
            log.warning("feed %s: %d items in one poll, kept the newest %d and dropped %d "
                        "(polling.max_items_per_poll)", row["url"], len(parsed.entries) + parsed.dropped,
                        len(parsed.entries), parsed.dropped)
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
                unconditional: bool, *, now: datetime) -> tuple[int, int, str]:
        # No await in here: see the module docstring (one writer).
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
        return new_count, queued, error

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
