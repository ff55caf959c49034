"""The `monitor` command: each subcommand is a few lines over a library call.

Library errors (`MonitorError`) become click errors here and nowhere else.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from monitor import __version__
from monitor.errors import ConfigError, MonitorError

log = logging.getLogger("monitor")


def _now() -> datetime:
    return datetime.now(UTC)


def _setup_logging(level: str) -> None:
    from monitor.logs import setup_logging

    setup_logging(level)


def _fail(e: MonitorError) -> None:
    click.echo(f"error: {e}", err=True)
    sys.exit(2 if isinstance(e, ConfigError) else 1)


class Ctx:
    def __init__(self, config: str | None, rules: str | None) -> None:
        self.config_path = config
        self.rules_dir = rules

    def load(self):  # type: ignore[no-untyped-def]
        from monitor.app import load_config_and_rules

        try:
            return load_config_and_rules(self.config_path, self.rules_dir)
        except MonitorError as e:
            _fail(e)
            raise  # unreachable

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
    ctx.obj = Ctx(config, rules)


@main.command()
@click.pass_obj
def run(obj: Ctx) -> None:
    """Run the daemon: poll feeds, match topics, deliver alerts until SIGTERM."""
    from monitor.daemon import run_daemon

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
    from monitor.status import render_status

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
    from monitor.replay import read_lines
    from monitor.replay import replay as run_replay

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
    from monitor.matching import KeywordEngine
    from monitor.rules import run_examples

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
    from monitor.explaincmd import explain_source

    config, ruleset = obj.load()
    try:
        explain_source(config, ruleset, source, topic, language)
    except MonitorError as e:
        _fail(e)


def entrypoint() -> None:  # pragma: no cover
    main()
