"""The daemon: APScheduler jobs, signals and systemd notification. Nothing else here.

Jobs (all coroutines on one event loop, so the single SQLite connection is only
used from this thread):
- poll:     every `polling.tick_seconds`, start the due feeds that are not in flight; each
            feed is fetched, parsed and recorded in its own task (a slow feed delays no
            other), and the job itself returns at once, so it never skips a tick
- deliver:  every `delivery.tick_seconds`, start one drain task per channel with due
            alerts unless that channel's previous drain still runs: a hanging channel
            holds up only itself, and new alerts for the others go out at the next tick
- watchdog: pings systemd only while the scheduler really runs jobs
- maintain: hourly retention

SIGHUP validates the new config and rules as `monitor check` does, then swaps them in; a
bad file keeps the running set, logs every problem (an error line each, with file and line)
and counts in `reload_failures_total`. SIGTERM/SIGINT stop taking new work, let in-flight jobs finish within a
bound, and exit 0.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.app import Runtime, load_checked, load_config_and_rules, open_runtime
from monitor.delivery.outbox import Outbox
from monitor.errors import ConfigError, MonitorError, RulesError
from monitor.ingest.poller import Poller
from monitor.ops import metrics, sdnotify
from monitor.ops.healthserver import HealthServer, metrics_registry, parse_listen
from monitor.ops.metrics import DeadManPolicy, ProcessCounters
from monitor.state import reports

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 20.0


def _now() -> datetime:
    return datetime.now(UTC)


class Daemon:
    def __init__(self, config_path: str | None, rules_dir: str | None) -> None:
        self.config_path = config_path
        self.rules_dir = rules_dir
        config, ruleset = load_checked(config_path, rules_dir)
        self.rt: Runtime = open_runtime(config, ruleset)
        self.poller = Poller(self.rt)
        self.outbox = Outbox(self.rt)
        self.stopping = asyncio.Event()
        self.misfires = 0
        self.reload_failures = 0
        self.last_cycle: datetime | None = None
        self.started: datetime | None = None
        self._deliveries: dict[str, asyncio.Task[Any]] = {}  # channel -> its running drain
        self._misfires_checked = 0
        self.scheduler: AsyncIOScheduler | None = None
        self.health_server: HealthServer | None = None

    @property
    def polls_total(self) -> int:
        return self.poller.polls_total

    @property
    def poll_errors_total(self) -> int:
        return self.poller.poll_errors_total

    def counters(self) -> ProcessCounters:
        return ProcessCounters(self.polls_total, self.poll_errors_total, self.misfires, self.last_cycle, self.started,
                               reload_failures_total=self.reload_failures)

    def policy(self) -> DeadManPolicy:
        cfg = self.rt.config.model
        return DeadManPolicy(zero_match_hours=cfg.health.zero_match_hours, tick_seconds=cfg.polling.tick_seconds)

    # -- lifecycle ---------------------------------------------------------
    async def main(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(self.reload()))
        now = _now()
        self.rt.store.sync_feeds(self.poller.configured_feeds(), now)
        recovered = self.rt.store.recover_inflight()
        if recovered:
            log.warning("%d alert(s) were mid-send at the last stop: sending again (at-least-once)", recovered)
        await self.poller.start()
        self.scheduler = self._scheduler()
        self.scheduler.start()
        self.started = _now()
        await self._start_health_server()
        sdnotify.notify("READY=1", f"STATUS=polling {len(self.rt.store.feeds())} feeds")
        log.info("started: %d feeds, %d topics, %d channels", len(self.rt.store.feeds()),
                 len(self.rt.ruleset.topics), len(self.rt.config.channels))
        await self.stopping.wait()
        return await self.shutdown()

    async def _start_health_server(self) -> None:
        listen = parse_listen(self.rt.config.model.health.listen)
        if listen is None:
            return
        self.health_server = HealthServer(
            *listen,
            lambda: metrics.health(self.counters(), _now(), self.policy()),
            metrics_registry(lambda: reports.snapshot(self.rt.store, _now(), self.counters())),
        )
        await self.health_server.start()
        log.info("health endpoint on http://%s:%d/healthz and /metrics", listen[0], self.health_server.port)

    def _scheduler(self) -> AsyncIOScheduler:
        cfg = self.rt.config.model
        # misfire_grace_time defaults to 1 s: a late tick would be skipped silently
        defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 60}
        s = AsyncIOScheduler(job_defaults=defaults, timezone=UTC)
        now = _now()
        s.add_job(self.poll_job, "interval", seconds=cfg.polling.tick_seconds, id="poll", next_run_time=now)
        s.add_job(self.deliver_job, "interval", seconds=cfg.delivery.tick_seconds, id="deliver",
                  next_run_time=now + timedelta(seconds=1))
        s.add_job(self.watchdog_job, "interval", seconds=max(1.0, sdnotify.watchdog_interval() or 10.0), id="watchdog",
                  next_run_time=now)
        s.add_job(self.maintain_job, "interval", hours=1, id="maintain", next_run_time=now + timedelta(minutes=5))
        s.add_listener(self._on_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
        return s

    def _on_event(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            self.misfires += 1
            log.warning("scheduler missed a run of job %s (%d misses so far)", event.job_id, self.misfires)
        elif event.exception is not None:
            log.error("job %s failed: %s", event.job_id, event.exception,
                      exc_info=(type(event.exception), event.exception, event.exception.__traceback__))

    async def shutdown(self) -> int:
        sdnotify.notify("STOPPING=1", "STATUS=finishing in-flight work")
        log.info("stopping: finishing in-flight work (at most %.0f s)", STOP_GRACE_SECONDS)
        if self.scheduler is not None:
            self.scheduler.pause()
        self.poller.stop_dispatch()  # a finishing feed must not start the next one
        running = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and getattr(t, "_monitor_job", False)]
        if running:
            _, pending = await asyncio.wait(running, timeout=STOP_GRACE_SECONDS)
            for t in pending:
                t.cancel()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        if self.health_server is not None:
            await self.health_server.stop()
        await self.poller.close()
        self.rt.close()
        log.info("stopped")
        return 0

    async def reload(self) -> None:
        """Validate as `monitor check` does, then swap config and rules; on any problem keep
        running as before."""
        log.info("reload requested (SIGHUP)")
        try:
            config, ruleset = load_checked(self.config_path, self.rules_dir)
            new = open_runtime(config, ruleset)
        except MonitorError as e:
            self.reload_failures += 1
            _log_refusal(e)
            return
        old = self.rt
        new.pipeline.index = old.pipeline.index  # story memory survives a reload
        self.rt = new
        self.poller.swap(new)
        self.outbox.swap(new)
        new.store.sync_feeds(self.poller.configured_feeds(), _now())
        old.close()
        log.info("reloaded: %d feeds, %d topics", len(new.store.feeds()), len(ruleset.topics))

    # -- jobs ----------------------------------------------------------------
    async def _guard(self, coro: Any) -> Any:
        task = asyncio.current_task()
        if task is not None:
            task._monitor_job = True  # type: ignore[attr-defined]
        return await coro

    async def poll_job(self) -> None:
        if self.stopping.is_set():
            return
        started = self.poller.start_due(_now)
        self.last_cycle = _now()
        if started:
            log.debug("poll tick: %d feeds started, %d in flight", started, self.poller.in_flight)

    async def deliver_job(self) -> None:
        if self.stopping.is_set():
            return
        now = _now()
        for channel in self.outbox.due_channels(now):
            running = self._deliveries.get(channel)
            if running is not None and not running.done():
                continue  # still sending (or hanging): its alerts wait for it, nobody else's do
            task = asyncio.get_running_loop().create_task(self._guard(self.outbox.deliver_due(now, channel)))
            task.add_done_callback(lambda t, name=channel: self._delivered(name, t))
            self._deliveries[channel] = task

    def _delivered(self, channel: str, task: asyncio.Task[Any]) -> None:
        if self._deliveries.get(channel) is task:
            del self._deliveries[channel]
        exc = None if task.cancelled() else task.exception()
        if exc is not None:
            log.error("delivery to channel %s failed: %s", channel, exc, exc_info=exc)

    async def watchdog_job(self) -> None:
        # Only reached while the scheduler runs jobs; a hung loop stops the pings.
        counts = self.rt.store.alert_counts()
        sdnotify.notify("WATCHDOG=1", f"STATUS={len(self.rt.store.feeds())} feeds, "
                        f"{counts.get('pending', 0) + counts.get('failed', 0)} alerts queued, {self.misfires} misfires")

    async def maintain_job(self) -> None:
        now = _now()
        days = self.rt.config.model.monitor.retention_days
        n = self.rt.store.prune(now - timedelta(days=days))
        if n:
            reports.record_pruned(self.rt.store, n)  # articles_total keeps counting them
            log.info("retention: pruned %d articles older than %d days", n, days)
        self._dead_man_checks(now)

    def _dead_man_checks(self, now: datetime) -> None:
        """Ops alerts for what went quiet: a busy topic with no matches, a stalling scheduler."""
        snap = reports.snapshot(self.rt.store, now, self.counters())
        events = metrics.dead_man_checks(snap, now, self.policy(), previous_misfires=self._misfires_checked,
                                         active_topics=[t.name for t in self.rt.ruleset.topics])
        self._misfires_checked = snap.scheduler_misfires_total
        for ev in events:
            log.warning("ops: %s", ev.message)
            for channel in self.rt.config.model.delivery.ops_channels:
                self.rt.store.enqueue_alert(
                    dedup_key=f"ops|{ev.key}|{channel}", story=f"ops:{ev.kind}", topic="ops", channel=channel,
                    article_id="", score=1.0, now=now, kind="ops",
                    payload={"title": ev.message, "snippet": ev.message, "source": "media-monitor", "url": "",
                             "terms": []})


def _log_refusal(e: MonitorError) -> None:
    """Every problem of a refused reload at error level, one line each with its file and line.

    One line per problem, not one multi-line record (logging here is one line per event):
    journald makes each line an entry of its own, and only the first would say ERROR and
    name the reload."""
    if not isinstance(e, ConfigError | RulesError):
        log.error("reload refused, keeping the running config and rules: %s", e)
        return
    log.error("reload refused (%d problem(s)), keeping the running config and rules: %s", len(e.problems), e.summary)
    for problem in e.problems:
        log.error("reload refused: %s", problem)


def run_daemon(config_path: str | None, rules_dir: str | None) -> int:
    async def _main() -> int:
        return await Daemon(config_path, rules_dir).main()

    return asyncio.run(_main())


def run_once(config_path: str | None, rules_dir: str | None,
             progress: Callable[[int, int, int], None] | None = None) -> dict[str, int]:
    """One poll of every feed (due or not) and one delivery pass.

    `progress(done, total, failed)` is called after each feed. The summary has `feeds`,
    `feed_errors` (feeds that failed: unreachable, timeout, HTTP error, not a feed, refused
    content type), `new_articles`, `alerts_queued`, and the delivery pass's `sent`, `failed`
    (alerts) and `dead`."""

    async def _once() -> dict[str, int]:
        config, ruleset = load_config_and_rules(config_path, rules_dir)
        rt = open_runtime(config, ruleset)
        poller = Poller(rt)
        outbox = Outbox(rt)
        try:
            rt.store.sync_feeds(poller.configured_feeds(), _now())
            rt.store.recover_inflight()
            await poller.start()
            summary = await poller.poll_all(_now, progress)
            sent = await outbox.deliver_due(_now())
            await poller.close()
            return {**summary, **sent}
        finally:
            rt.close()

    return asyncio.run(_once())


def deliver_now(rt: Runtime, now: datetime) -> dict[str, int]:
    """Drain the outbox once (used by `monitor replay --deliver`)."""
    return asyncio.run(Outbox(rt).deliver_due(now))
