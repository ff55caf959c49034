"""The `monitor` command: each subcommand is a few lines over a library call.

Library errors (`MonitorError`) become click errors here and nowhere else: exit 2 for
configuration and rule problems (every one listed, with file and line), 1 for the rest.
The global options (`--config`, `--rules`, `--log-level`, `--log-format`) are accepted
before the command and after it (`monitor run --config x`).
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from monitor import __version__
from monitor.errors import ConfigError, MonitorError, RulesError

log = logging.getLogger("monitor")

LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("text", "json")


def _now() -> datetime:
    return datetime.now(UTC)


def _fail(e: MonitorError) -> None:
    click.echo(f"error: {e}", err=True)
    sys.exit(2 if isinstance(e, ConfigError | RulesError) else 1)


class Ctx:
    def __init__(self, config: str | None, rules: str | None, log_level: str | None = None,
                 log_format: str | None = None) -> None:
        self.config_path = config
        self.rules_dir = rules
        self.log_level = log_level
        self.log_format = log_format

    def setup_logging(self, config: Any = None) -> None:
        """--log-level and --log-format win over the config's [monitor] settings, read
        leniently before the config is validated, then from the validated config."""
        from monitor.config import log_settings
        from monitor.ops.logs import setup_logging

        if config is not None:
            level, fmt = config.model.monitor.log_level, config.model.monitor.log_format
        else:
            level, fmt = log_settings(self.config_path)
        setup_logging(self.log_level or level or "info", self.log_format or fmt or "text")

    def load(self, *, secrets: bool = True, strict: bool = False):  # type: ignore[no-untyped-def]
        """Config and rules, validated together; every problem of both, then exit 2.

        `secrets=False` for commands that never send; `strict` adds the feed and channel
        URL checks (`check`, `run`)."""
        from monitor.config import validate

        result = validate(self.config_path, self.rules_dir, secrets=secrets, strict=strict)
        if result.problems:
            _fail(result.error())
        self.setup_logging(result.config)
        return result.config, result.ruleset

    def settings(self):  # type: ignore[no-untyped-def]
        """The config alone, secrets unresolved and rules unread: enough to find the state."""
        from monitor.config import validate

        result = validate(self.config_path, secrets=False, rules=False)
        if result.problems:
            _fail(result.error())
        self.setup_logging(result.config)
        return result.config

    def store(self):  # type: ignore[no-untyped-def]
        from monitor.state.store import Store

        return Store(self.settings().db_path)

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


# -- global options, before or after the command ------------------------------------------

_CONFIG_HELP = ("Config file (TOML). Default: $MONITOR_CONFIG, ./config.toml, /etc/media-monitor/config.toml, "
                "else built-in defaults.")


def _setter(attr: str):  # type: ignore[no-untyped-def]
    def store(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        obj = ctx.find_object(Ctx)
        if value is None or obj is None:
            return
        setattr(obj, attr, value)
        if attr != "rules_dir":  # the config's [monitor] log settings may change too
            obj.setup_logging()

    return store


def _global_options() -> list[click.Option]:
    return [
        click.Option(["--config"], type=click.Path(dir_okay=False), expose_value=False,
                     callback=_setter("config_path"), help="Config file (as before the command)."),
        click.Option(["--rules"], type=click.Path(file_okay=False), expose_value=False,
                     callback=_setter("rules_dir"), help="Rules directory (as before the command)."),
        click.Option(["--log-level"], type=click.Choice(LOG_LEVELS), expose_value=False,
                     callback=_setter("log_level"), help="Log level (as before the command)."),
        click.Option(["--log-format"], type=click.Choice(LOG_FORMATS), expose_value=False,
                     callback=_setter("log_format"), help="Log format (as before the command)."),
    ]


class _Group(click.Group):
    """A group whose commands, and its sub-groups' commands, also take the global options."""

    group_class = type  # sub-groups are _Group too

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        taken = {o for p in cmd.params for o in (*p.opts, p.name)}
        cmd.params += [o for o in _global_options() if not taken & {*o.opts, o.name}]
        super().add_command(cmd, name)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="media-monitor")
@click.option("--config", "config", envvar="MONITOR_CONFIG", type=click.Path(dir_okay=False), help=_CONFIG_HELP)
@click.option("--rules", "rules", type=click.Path(file_okay=False), help="Rules directory (overrides the config).")
@click.option("--log-level", default=None, type=click.Choice(LOG_LEVELS), help="Default: [monitor] log_level.")
@click.option("--log-format", default=None, type=click.Choice(LOG_FORMATS),
              help="text (journald-friendly) or json (one object a line). Default: [monitor] log_format.")
@click.pass_context
def main(ctx: click.Context, config: str | None, rules: str | None, log_level: str | None,
         log_format: str | None) -> None:
    """media-monitor: multilingual media-monitoring alerts from news feeds.

    The options below are also accepted after the command: `monitor run --config FILE`."""
    ctx.obj = Ctx(config, rules, log_level, log_format)
    ctx.obj.setup_logging()


@main.command()
@click.pass_obj
def run(obj: Ctx) -> None:
    """Run the daemon: poll feeds, match topics, deliver alerts until SIGTERM."""
    from monitor.daemon import run_daemon

    obj.load(strict=True)  # validate first: problems are reported as by `monitor check`
    try:
        sys.exit(run_daemon(obj.config_path, obj.rules_dir))
    except MonitorError as e:
        _fail(e)


@main.command()
@click.pass_obj
def once(obj: Ctx) -> None:
    """One poll-and-deliver cycle over every feed, then exit.

    Progress and a summary go to stderr. Exit status 1 when every feed failed
    (unreachable, timed out, HTTP error, not a feed), 2 for config problems, else 0."""
    from monitor.commands.progress import PollProgress, all_feeds_failed, summary_line
    from monitor.daemon import run_once

    progress = PollProgress(lambda line: click.echo(line, err=True))
    try:
        summary = run_once(obj.config_path, obj.rules_dir, progress)
    except MonitorError as e:
        _fail(e)
        return
    click.echo(summary_line(summary), err=True)
    if all_feeds_failed(summary):
        sys.exit(1)


@main.command()
@click.pass_obj
def check(obj: Ctx) -> None:
    """Validate config, secrets, feeds, channel URLs and rules; list every problem with file and line (exit 2)."""
    config, ruleset = obj.load(strict=True)
    click.echo(f"ok: {config.source}: {len(config.model.feeds)} feeds, {len(config.channels)} channels, "
               f"{len(config.model.routes)} routes; {len(ruleset.topics)} topics "
               f"({', '.join(t.name for t in ruleset.topics)})")


_JSON_HELP = "Print JSON for scripts (keys in docs/operations.md)."


@main.command()
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@click.pass_obj
def status(obj: Ctx, as_json: bool) -> None:
    """Feed health, last polls, errors, the alert queue and per-topic match rates."""
    from monitor.commands.status import dumps_json, render_status, status_record

    store = obj.store()
    try:
        if as_json:
            click.echo(dumps_json(status_record(store, _now())))
        else:
            render_status(store, _now())
    finally:
        store.close()


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
        counts = run_replay(rt.pipeline, read_lines(articles, getattr(articles, "name", "-")), output,
                            queue_alerts=deliver)  # without --deliver nothing may ever be sent
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

    _, ruleset = obj.load(secrets=False)
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

    config, ruleset = obj.load(secrets=False)
    if topic is not None and topic not in ruleset.names:
        raise click.BadParameter(f"unknown topic {topic!r} (known: {', '.join(ruleset.names)})")
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

    config, ruleset = obj.load(secrets=False)
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

    config, ruleset = obj.load(secrets=False)
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
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@click.pass_context
def feeds(ctx: click.Context, as_json: bool) -> None:
    """List feeds with their health; add, remove, import and export them."""
    if ctx.invoked_subcommand is not None:
        return
    from monitor.commands.status import dumps_json, feed_record, render_feeds

    store = ctx.obj.store()
    try:
        if as_json:
            click.echo(dumps_json([feed_record(f) for f in store.feeds()]))
        else:
            render_feeds(store, _now())
    finally:
        store.close()


@feeds.command("add")
@click.argument("url")
@click.option("--name", default="", help="Display name (default: the URL).")
@click.pass_obj
def feeds_add(obj: Ctx, url: str, name: str) -> None:
    """Add a feed: an http(s) URL, a file:// URL or a path (polled from the next cycle on; survives restarts)."""
    from monitor.commands.status import terminal_safe
    from monitor.config import feed_location, feed_url_problem

    why = feed_url_problem(url, Path.cwd())
    if why:
        raise click.BadParameter(terminal_safe(why), param_hint="URL")
    location = feed_location(url, Path.cwd())
    store = obj.store()
    try:
        store.add_feed(location, name, "cli", _now())
    finally:
        store.close()
    click.echo(f"added {terminal_safe(location)}")


@feeds.command("remove")
@click.argument("url")
@click.pass_obj
def feeds_remove(obj: Ctx, url: str) -> None:
    """Stop polling a feed (its articles and alerts stay)."""
    store = obj.store()
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
    """Add every feed of an OPML file; name, with its line, each entry that could not be imported (exit 1)."""
    from monitor.commands.status import terminal_safe
    from monitor.config import feed_location, feed_url_problem
    from monitor.ingest.opml import read_opml

    try:
        found = read_opml(Path(opml).read_bytes(), opml)
    except MonitorError as e:
        _fail(e)
        return
    base = Path(opml).resolve().parent  # a path in the file is relative to the file
    refused = [(f, feed_url_problem(f.url, base)) for f in found.feeds]
    store = obj.store()
    try:
        added = sum(store.add_feed(feed_location(f.url, base), f.title, "opml", _now()) for f, why in refused if not why)
    finally:
        store.close()
    problems = sorted([(p.line, p.message) for p in found.unreadable] + [(f.line, why) for f, why in refused if why])
    click.echo(f"imported {added} of {found.total} feeds from {opml}")
    if problems:
        click.echo(f"{len(problems)} could not be imported:", err=True)
        for line, why in problems:
            click.echo(f"  {opml}:{line}: {terminal_safe(why)}", err=True)
        sys.exit(1)


@feeds.command("export")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default stdout).")
@click.pass_obj
def feeds_export(obj: Ctx, output: Any) -> None:
    """Write the active feeds as OPML."""
    from monitor.ingest.opml import OpmlFeed, export_opml

    store = obj.store()
    try:
        rows = store.feeds()
    finally:
        store.close()
    output.write(export_opml([OpmlFeed(url=r["url"], title=r["name"] or r["url"]) for r in rows]))


@main.command()
@click.option("--topic", "-t", help="Only stories with a relevant match for this topic.")
@click.option("--since", help="e.g. 24h, 7d or an ISO date")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@click.pass_obj
def stories(obj: Ctx, topic: str | None, since: str | None, limit: int, as_json: bool) -> None:
    """Stories with their articles, outlets and languages, newest first."""
    from monitor.commands.status import dumps_json, story_lines, story_record

    store = obj.store()
    try:
        rows = store.stories(topic=topic, since=_parse_since(since), limit=limit)
    finally:
        store.close()
    if as_json:
        click.echo(dumps_json([story_record(s) for s in rows]))
    else:
        for line in story_lines(rows):
            click.echo(line)


@main.group(invoke_without_command=True)
@click.option("--status", "state", type=click.Choice(["pending", "sending", "failed", "sent", "dead"]))
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@click.pass_context
def alerts(ctx: click.Context, state: str | None, limit: int, as_json: bool) -> None:
    """List alerts in the outbox, newest first; `alerts retry` re-queues failed or dead ones."""
    if ctx.invoked_subcommand is not None:
        return
    from monitor.commands.status import alert_lines, alert_record, dumps_json

    store = ctx.obj.store()
    try:
        rows = store.alerts(state=state, limit=limit)
    finally:
        store.close()
    if as_json:
        click.echo(dumps_json([alert_record(a) for a in rows]))
    else:
        for line in alert_lines(rows):
            click.echo(line)


@alerts.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--dead", is_flag=True, help="Re-queue every dead alert.")
@click.pass_obj
def alerts_retry(obj: Ctx, ids: tuple[int, ...], dead: bool) -> None:
    """Put alerts back in the queue (by id, or all dead ones)."""
    if not ids and not dead:
        raise click.UsageError("give alert ids or --dead")
    store = obj.store()
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
    from monitor.commands.backtest import backtest_rules, report_lines

    config, ruleset = obj.load(secrets=False)
    try:
        report = backtest_rules(config, ruleset, Path(new_rules), _parse_since(since) or _now())
    except MonitorError as e:
        _fail(e)
        return
    for line in report_lines(report, since, new_rules, limit):
        click.echo(line)


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.pass_obj
def db_backup(obj: Ctx, path: str) -> None:
    """Online backup of the state database (safe while the daemon runs)."""
    folder = Path(path).absolute().parent
    if not folder.is_dir():
        raise click.ClickException(f"cannot back up to {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise click.ClickException(f"cannot back up to {path}: the folder {folder} is not writable")
    store = obj.store()
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

    store = obj.store()
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

    sys.exit(run_browse(obj.settings().db_path, host=host, port=port, open_browser=open_browser))
