"""`monitor status`: feed health, queue depth, match rates, last errors (rich tables)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rich.console import Console
from rich.table import Table

from monitor.state.reports import topic_activity
from monitor.state.store import Store, parse_ts, ts


def _ago(value: str | None, now: datetime) -> str:
    t = parse_ts(value)
    if t is None:
        return "never"
    s = int((now - t).total_seconds())
    if s < 0:
        return f"in {_span(-s)}"
    return f"{_span(s)} ago"


def _span(s: int) -> str:
    if s < 120:
        return f"{s}s"
    if s < 7200:
        return f"{s // 60}m"
    if s < 172800:
        return f"{s // 3600}h"
    return f"{s // 86400}d"


def status_data(store: Store, now: datetime) -> dict[str, Any]:
    feeds = store.feeds()
    day = now - timedelta(days=1)
    return {
        "feeds": feeds,
        "failing": [f for f in feeds if f["consecutive_errors"]],
        "alerts": store.alert_counts(),
        "topics": topic_activity(store, now),
        "articles_24h": store.count_articles_since(day),
        "last_poll": max((f["last_poll"] for f in feeds if f["last_poll"]), default=None),
    }


def render_status(store: Store, now: datetime, console: Console | None = None) -> None:
    console = console or Console()
    data = status_data(store, now)
    feeds = data["feeds"]
    console.print(f"[bold]media-monitor[/bold]: {len(feeds)} feeds ({len(data['failing'])} failing), "
                  f"last poll {_ago(data['last_poll'], now)}, {data['articles_24h']} articles in 24 h")
    alerts = data["alerts"]
    console.print("alerts: " + ", ".join(f"{k} {alerts.get(k, 0)}" for k in ("pending", "sending", "failed", "sent", "dead")))

    render_feeds(store, now, console, feeds)

    tt = Table(title="Topics")
    for col in ("topic", "matches 24h", "relevant 24h", "relevant 7d", "last relevant"):
        tt.add_column(col)
    for a in data["topics"]:
        last = _ago(ts(a.last_relevant), now) if a.last_relevant else "-"
        tt.add_row(a.topic, str(a.matches_24h), str(a.relevant_24h), str(a.relevant_7d), last)
    console.print(tt)


def render_feeds(store: Store, now: datetime, console: Console | None = None,
                 feeds: list[dict[str, Any]] | None = None) -> None:
    console = console or Console()
    feeds = store.feeds() if feeds is None else feeds
    t = Table(title="Feeds", show_lines=False)
    for col in ("feed", "status", "last poll", "next poll", "errors", "articles", "last error"):
        t.add_column(col, overflow="fold")
    for f in sorted(feeds, key=lambda f: (-f["consecutive_errors"], f["url"])):
        state = "[red]failing[/red]" if f["consecutive_errors"] else ("[green]ok[/green]" if f["last_ok"] else "new")
        t.add_row(f["name"] or f["url"], state, _ago(f["last_poll"], now), _ago(f["next_poll"], now),
                  str(f["consecutive_errors"]), str(f["articles"]), (f["last_error"] or "")[:120])
    console.print(t)
