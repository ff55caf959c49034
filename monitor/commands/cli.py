"""The `monitor` command: each subcommand is a few lines over a library call.

Library errors (`MonitorError`) become click errors here and nowhere else.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from monitor import __version__
from monitor.errors import ConfigError, MonitorError

log = logging.getLogger("monitor")


def _now() -> datetime:
    return datetime.now(UTC)


def _setup_logging(level: str) -> None:
    from monitor.ops.logs import setup_logging

    setup_logging(level)


def _fail(e: MonitorError) -> None:
    click.echo(f"error: {e}", err=True)
    sys.exit(2 if isinstance(e, ConfigError) else 1)


class Ctx:
    def __init__(self, config: str | None, rules: str | None, log_level: str | None = None) -> None:
        self.config_path = config
        self.rules_dir = rules
        self.log_level = log_level

    def load(self):  # type: ignore[no-untyped-def]
        from monitor.app import load_config_and_rules

        try:
            config, ruleset = load_config_and_rules(self.config_path, self.rules_dir)
        except MonitorError as e:
            _fail(e)
            raise  # unreachable
        if self.log_level is None:  # --log-level wins over the config
            logging.getLogger().setLevel(config.model.monitor.log_level.upper())
        return config, ruleset

    def runtime(self, db: str | None = None, train: bool = True):  # type: ignore[no-untyped-def]
        from monitor.app import open_runtime

        config, ruleset = self.load()
        try:
            return open_runtime(config, ruleset, db_path=db, train=train)
        except MonitorError as e:
            _fail(e)
            raise


def _parse_since(value: str | None) -> datetime | None:
    if not value:
        return None
    units = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
    if value[-1:] in units and value[:-1].isdigit():
        return _now() - timedelta(seconds=int(value[:-1]) * units[value[-1]])
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: use 30m, 24h, 7d or an ISO date") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="media-monitor")
@click.option("--config", "config", envvar="MONITOR_CONFIG", type=click.Path(dir_okay=False),
              help="Config file (TOML). Default: $MONITOR_CONFIG, ./config.toml, /etc/media-monitor/config.toml, else built-in defaults.")
@click.option("--rules", "rules", type=click.Path(file_okay=False), help="Rules directory (overrides the config).")
@click.option("--log-level", default=None, type=click.Choice(["debug", "info", "warning", "error"]))
@click.pass_context
def main(ctx: click.Context, config: str | None, rules: str | None, log_level: str | None) -> None:
    """media-monitor: multilingual media-monitoring alerts from news feeds."""
    _setup_logging(log_level or "info")
    ctx.obj = Ctx(config, rules, log_level)


@main.command()
@click.pass_obj
def run(obj: Ctx) -> None:
    """Run the daemon: poll feeds, match topics, deliver alerts until SIGTERM."""
    from monitor.daemon import run_daemon

    obj.load()  # validate first: problems are reported the same way as `monitor check`
    try:
        sys.exit(run_daemon(obj.config_path, obj.rules_dir))
    except MonitorError as e:
        _fail(e)


@main.command()
@click.pass_obj
def once(obj: Ctx) -> None:
    """One poll-and-deliver cycle over every feed, then exit."""
    from monitor.daemon import run_once

    try:
        summary = run_once(obj.config_path, obj.rules_dir)
    except MonitorError as e:
        _fail(e)
        return
    click.echo(f"polled {summary['feeds']} feeds, {summary['new_articles']} new articles, "
               f"{summary['alerts_queued']} alerts queued, {summary['sent']} sent, {summary['failed']} failed", err=True)


@main.command()
@click.pass_obj
def check(obj: Ctx) -> None:
    """Validate config and rules; list every problem with file and line."""
    config, ruleset = obj.load()
    click.echo(f"ok: {config.source}: {len(config.model.feeds)} feeds, {len(config.channels)} channels, "
               f"{len(config.model.routes)} routes; {len(ruleset.topics)} topics "
               f"({', '.join(t.name for t in ruleset.topics)})")


@main.command()
@click.pass_obj
def status(obj: Ctx) -> None:
    """Feed health, last polls, errors and the alert queue."""
    from monitor.commands.status import render_status

    rt = obj.runtime(train=False)
    try:
        render_status(rt.store, _now())
    finally:
        rt.close()


@main.command()
@click.argument("articles", type=click.File("r", encoding="utf-8"))
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default stdout).")
@click.option("--db", type=click.Path(dir_okay=False), help="Keep state in this SQLite file (default: throwaway).")
@click.option("--deliver", is_flag=True, help="Also deliver the queued alerts (default: never send).")
@click.pass_obj
def replay(obj: Ctx, articles: Any, output: Any, db: str | None, deliver: bool) -> None:
    """Run every stage after fetch on a JSON-lines file of articles.

    Output: one JSON object per input line, in order, with id, duplicate_of, story
    and matches (topic, score, alert, ...).
    """
    from monitor.commands.replay import read_lines
    from monitor.commands.replay import replay as run_replay

    rt = obj.runtime(db=db or ":memory:")
    try:
        counts = run_replay(rt.pipeline, read_lines(articles, getattr(articles, "name", "-")), output)
        if deliver:
            from monitor.daemon import deliver_now

            deliver_now(rt, _now())
    finally:
        rt.close()
    click.echo(f"replayed {counts['articles']} articles ({counts['errors']} unreadable lines), "
               f"{counts['alerts']} topic alerts", err=True)


@main.group()
def rules() -> None:
    """Work with topic rules."""


@rules.command("test")
@click.pass_obj
def rules_test(obj: Ctx) -> None:
    """Run the examples embedded in every rule file."""
    from monitor.relevance.examples import run_examples
    from monitor.relevance.matching import KeywordEngine

    _, ruleset = obj.load()
    results = run_examples(ruleset, KeywordEngine(ruleset.topics))
    failed = [r for r in results if not r.ok]
    for r in failed:
        click.echo(f"FAIL {r}")
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("source")
@click.option("--topic", "-t", help="Only this topic.")
@click.option("--language", help="Language code, when known.")
@click.pass_obj
def explain(obj: Ctx, source: str, topic: str | None, language: str | None) -> None:
    """Show why an article does or does not match: SOURCE is a file, a URL or - for stdin."""
    from monitor.commands.explaincmd import explain_source

    config, ruleset = obj.load()
    try:
        explain_source(config, ruleset, source, topic, language)
    except MonitorError as e:
        _fail(e)


@main.command()
@click.option("--force", is_flag=True, help="Retrain even when seeds and labels are unchanged.")
@click.pass_obj
def train(obj: Ctx, force: bool) -> None:
    """Train the topic classifiers from seeds and analyst labels."""
    from monitor.relevance.training import ensure_models
    from monitor.state.store import Store

    config, ruleset = obj.load()
    store = Store(config.db_path)
    try:
        models = ensure_models(config, ruleset, store, train=True, force=force)
    except MonitorError as e:
        _fail(e)
        return
    finally:
        store.close()
    if models is None:
        click.echo("no topic uses a classifier (or no training data found)")
        return
    for info in models.info:
        click.echo(f"{info.topic}: {info.positives} positive, {info.negatives} negative examples, "
                   f"{len(info.languages)} languages, calibrated={info.calibrated}")
    for topic, why in models.skipped.items():
        click.echo(f"{topic}: no model ({why})")


@main.command()
@click.argument("labeled", type=click.File("r", encoding="utf-8"))
@click.option("--cv", type=int, default=0, help="Also run K-fold cross-validation on the seeds.")
@click.option("--db", type=click.Path(dir_okay=False), help="State file (default: throwaway).")
@click.pass_obj
def eval(obj: Ctx, labeled: Any, cv: int, db: str | None) -> None:
    """Precision, recall and F1 per topic and language on a labeled JSON-lines file.

    Input as for `monitor replay`, plus `labels: {"<topic>": 0|1}` on each line.
    """
    from monitor.commands.evalcmd import run_eval

    rt = obj.runtime(db=db or ":memory:")
    try:
        run_eval(rt, labeled, getattr(labeled, "name", "-"), cv=cv)
    except MonitorError as e:
        _fail(e)
    finally:
        rt.close()


@main.command()
@click.argument("article_id")
@click.argument("topic")
@click.argument("verdict", type=click.Choice(["yes", "no"]))
@click.pass_obj
def label(obj: Ctx, article_id: str, topic: str, verdict: str) -> None:
    """Record an analyst's judgment; it joins the training data at the next retrain."""
    from monitor.state.store import Store

    config, ruleset = obj.load()
    if topic not in ruleset.names:
        raise click.BadParameter(f"unknown topic {topic!r} (known: {', '.join(ruleset.names)})")
    store = Store(config.db_path)
    try:
        if store.article(article_id) is None:
            raise click.ClickException(f"no stored article with id {article_id!r}")
        store.set_label(article_id, topic, verdict == "yes", _now())
    finally:
        store.close()
    click.echo(f"labeled {article_id} {topic}={verdict}; used at the next `monitor train` or restart")


@main.group(invoke_without_command=True)
@click.pass_context
def feeds(ctx: click.Context) -> None:
    """List feeds with their health; add, remove, import and export them."""
    if ctx.invoked_subcommand is None:
        from monitor.commands.status import render_feeds

        obj: Ctx = ctx.obj
        config, _ = obj.load()
        from monitor.state.store import Store

        store = Store(config.db_path)
        try:
            render_feeds(store, _now())
        finally:
            store.close()


def _store(obj: Ctx):  # type: ignore[no-untyped-def]
    from monitor.state.store import Store

    config, _ = obj.load()
    return Store(config.db_path)


@feeds.command("add")
@click.argument("url")
@click.option("--name", default="")
@click.pass_obj
def feeds_add(obj: Ctx, url: str, name: str) -> None:
    """Add a feed (polled from the next cycle on; survives restarts)."""
    store = _store(obj)
    try:
        store.add_feed(url, name, "cli", _now())
    finally:
        store.close()
    click.echo(f"added {url}")


@feeds.command("remove")
@click.argument("url")
@click.pass_obj
def feeds_remove(obj: Ctx, url: str) -> None:
    """Stop polling a feed (its articles and alerts stay)."""
    store = _store(obj)
    try:
        removed = store.remove_feed(url)
    finally:
        store.close()
    if not removed:
        raise click.ClickException(f"no active feed {url}")
    click.echo(f"removed {url}")


@feeds.command("import")
@click.argument("opml", type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
def feeds_import(obj: Ctx, opml: str) -> None:
    """Add every feed of an OPML file."""
    from monitor.ingest.opml import parse_opml

    try:
        found = parse_opml(Path(opml).read_bytes(), opml)
    except MonitorError as e:
        _fail(e)
        return
    store = _store(obj)
    try:
        added = sum(store.add_feed(f.url, f.title, "opml", _now()) for f in found)
    finally:
        store.close()
    click.echo(f"imported {added} of {len(found)} feeds from {opml}")


@feeds.command("export")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-")
@click.pass_obj
def feeds_export(obj: Ctx, output: Any) -> None:
    """Write the active feeds as OPML."""
    from monitor.ingest.opml import OpmlFeed, export_opml

    store = _store(obj)
    try:
        rows = store.feeds()
    finally:
        store.close()
    output.write(export_opml([OpmlFeed(url=r["url"], title=r["name"] or r["url"]) for r in rows]))


@main.command()
@click.option("--topic", "-t")
@click.option("--since", help="e.g. 24h, 7d or an ISO date")
@click.option("--limit", default=20, show_default=True)
@click.pass_obj
def stories(obj: Ctx, topic: str | None, since: str | None, limit: int) -> None:
    """Stories with their articles, outlets and languages, newest first."""
    store = _store(obj)
    try:
        rows = store.stories(topic=topic, since=_parse_since(since), limit=limit)
    finally:
        store.close()
    for s in rows:
        arts = s["articles"]
        outlets = {a["source"] or a["feed"] for a in arts}
        langs = {a["language"] or "?" for a in arts}
        click.echo(f"story {s['id']}: {s['title'][:100]}")
        click.echo(f"  {len(arts)} articles, {len(outlets)} outlets, languages {', '.join(sorted(langs))}; "
                   f"first {s['first_seen']}, last {s['last_seen']}")
        for a in arts[:10]:
            click.echo(f"  - [{a['language'] or '?'}] {a['source'] or a['feed']}: {a['title'][:90]}")


@main.group(invoke_without_command=True)
@click.option("--status", "state", type=click.Choice(["pending", "sending", "failed", "sent", "dead"]))
@click.option("--limit", default=50, show_default=True)
@click.pass_context
def alerts(ctx: click.Context, state: str | None, limit: int) -> None:
    """List alerts in the outbox; `alerts retry` re-queues failed or dead ones."""
    if ctx.invoked_subcommand is not None:
        return
    store = _store(ctx.obj)
    try:
        rows = store.alerts(state=state, limit=limit)
    finally:
        store.close()
    for a in rows:
        title = str(a.payload.get("title") or "")[:80]
        err = f" error: {a.last_error[:100]}" if a.last_error else ""
        click.echo(f"{a.id:>6} {a.state.value:<8} {a.channel:<16} {a.topic:<16} {a.score:.2f} "
                   f"attempts={a.attempts} {title}{err}")


@alerts.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--dead", is_flag=True, help="Re-queue every dead alert.")
@click.pass_obj
def alerts_retry(obj: Ctx, ids: tuple[int, ...], dead: bool) -> None:
    """Put alerts back in the queue (by id, or all dead ones)."""
    if not ids and not dead:
        raise click.UsageError("give alert ids or --dead")
    store = _store(obj)
    try:
        n = store.retry_alerts(None if dead else list(ids), _now())
    finally:
        store.close()
    click.echo(f"re-queued {n} alert(s); the running daemon sends them at its next delivery tick")


@main.group()
def notify() -> None:
    """Check delivery channels."""


@notify.command("test")
@click.argument("channel")
@click.pass_obj
def notify_test(obj: Ctx, channel: str) -> None:
    """Send a sample alert to CHANNEL and report success or the exact error."""
    from monitor.commands.notifytest import send_test

    config, _ = obj.load()
    if channel not in config.channels:
        raise click.BadParameter(f"unknown channel {channel!r} (known: {', '.join(config.channels)})")
    result = send_test(config.channels[channel], _now())
    if result.ok:
        click.echo(f"channel {channel}: sent")
    else:
        click.echo(f"channel {channel}: FAILED ({result.status}): {result.error}", err=True)
        sys.exit(1)


@main.command()
@click.option("--rules", "new_rules", required=True, type=click.Path(file_okay=False, exists=True),
              help="The changed rules directory to compare with the running one.")
@click.option("--since", default="30d", show_default=True, help="Stored articles since (30d, 24h, ISO date).")
@click.option("--limit", default=50, show_default=True, help="Changes listed per direction.")
@click.pass_obj
def backtest(obj: Ctx, new_rules: str, since: str, limit: int) -> None:
    """Replay stored articles against changed rules: which alerts would appear or disappear."""
    from monitor.app import load_models
    from monitor.commands.backtest import backtest as run_backtest
    from monitor.pipeline import Scorer
    from monitor.relevance.rules import load_rules
    from monitor.state.store import Store

    config, ruleset = obj.load()
    try:
        candidate = load_rules(Path(new_rules))
    except MonitorError as e:
        _fail(e)
        return
    store = Store(config.db_path)
    try:
        models = load_models(config, ruleset, store, train=False)
        report = run_backtest(store, Scorer(ruleset, models), Scorer(candidate, models), _parse_since(since) or _now())
    finally:
        store.close()
    click.echo(f"{report.articles} stored articles since {since}")
    for topic in sorted(report.old_alerts.keys() | report.new_alerts.keys()):
        click.echo(f"  {topic}: {report.old_alerts.get(topic, 0)} alerts now -> {report.new_alerts.get(topic, 0)} with {new_rules}")
    for appears, label in ((True, "would appear"), (False, "would disappear")):
        rows = [c for c in report.changes if c.appears == appears]
        click.echo(f"{len(rows)} alerts {label}:")
        for c in rows[:limit]:
            click.echo(f"  [{c.topic}] {c.old_score:.2f} -> {c.new_score:.2f} {c.article_id}: {c.title[:90]}")


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.pass_obj
def db_backup(obj: Ctx, path: str) -> None:
    """Online backup of the state database (safe while the daemon runs)."""
    store = _store(obj)
    try:
        store.backup(Path(path))
    finally:
        store.close()
    click.echo(f"backed up to {path}")


@db.command("vacuum")
@click.pass_obj
def db_vacuum(obj: Ctx) -> None:
    """Reclaim space after retention pruned old articles."""
    from monitor.commands.browse import rebuild_fts

    store = _store(obj)
    try:
        store.db.vacuum()
        rebuild_fts(store)  # VACUUM may renumber rowids the search index points at
    finally:
        store.close()
    click.echo("vacuumed")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True)
@click.option("--open", "open_browser", is_flag=True, help="Open a web browser.")
@click.pass_obj
def browse(obj: Ctx, host: str, port: int, open_browser: bool) -> None:
    """Browse the database in Datasette (extra `browse`): canned queries and full-text search."""
    from monitor.commands.browse import browse as run_browse

    config, _ = obj.load()
    sys.exit(run_browse(config.db_path, host=host, port=port, open_browser=open_browser))
