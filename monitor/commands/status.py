"""The listing commands' views: `status`, `feeds`, `alerts`, `stories`.

Each has a terminal view (fits 80 columns; feed text made terminal-safe) and a JSON
record for `--json` with stable keys (docs/operations.md, "Scripting"). Times are ISO
8601 UTC strings ("2024-05-01T12:00:00.000000Z") or null. The views only read the
state database: no secret or rule is needed to list anything.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from monitor.models import Alert
from monitor.state.reports import topic_activity
from monitor.state.store import Store, parse_ts, ts

ALERT_STATES = ("pending", "sending", "failed", "sent", "dead")

_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def _strip_controls(text: object, limit: int | None = None) -> str:
    """Untrusted text as one line a terminal shows literally: control characters (escape
    sequences included), line separators and bidi controls become spaces or vanish."""
    s = "" if text is None else str(text)
    out = []
    for ch in s:
        if ch in _BIDI:
            continue
        out.append(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch)
    s = " ".join("".join(out).split())
    if limit is not None and len(s) > limit:
        s = s[: limit - 1].rstrip() + "\u2026"
    return s


try:  # the rendering layer's version, where it exists
    from monitor.delivery.render import terminal_safe as _render_terminal_safe
except ImportError:
    _render_terminal_safe = None

terminal_safe: Callable[..., str] = _render_terminal_safe or _strip_controls


# -- JSON --------------------------------------------------------------------------------

# characters a JSON string may hold raw but a terminal would act on (bidi, separators, C1)
_JSON_UNSAFE = re.compile("[\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def dumps_json(value: Any) -> str:
    """`value` as indented JSON. Non-ASCII text stays readable; the characters that could
    reorder or hide terminal output are written as \\u escapes (same decoded value)."""
    text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _feed_state(f: dict[str, Any]) -> str:
    return "failing" if f["consecutive_errors"] else ("ok" if f["last_ok"] else "new")


def feed_record(f: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": f["url"], "name": f["name"], "origin": f["origin"], "state": _feed_state(f),
        "language": f["language"], "interval": f["interval"],
        "last_poll": f["last_poll"], "next_poll": f["next_poll"], "last_ok": f["last_ok"],
        "failing_since": f["failing_since"], "consecutive_errors": f["consecutive_errors"],
        "articles": f["articles"], "last_error": f["last_error"] or "",
    }


def alert_record(a: Alert) -> dict[str, Any]:
    return {
        "id": a.id, "state": a.state.value, "kind": a.kind, "channel": a.channel, "topic": a.topic,
        "score": round(a.score, 4), "attempts": a.attempts, "created": ts(a.created),
        "next_attempt": ts(a.next_attempt), "last_error": a.last_error, "story": a.story,
        "article_id": a.article_id, "title": str(a.payload.get("title") or ""),
        "url": str(a.payload.get("url") or ""), "source": str(a.payload.get("source") or ""),
    }


def story_record(s: dict[str, Any]) -> dict[str, Any]:
    arts = s["articles"]
    return {
        "id": s["id"], "title": s["title"], "first_seen": s["first_seen"], "last_seen": s["last_seen"],
        "outlets": sorted({a["source"] or a["feed"] for a in arts}),
        "languages": sorted({a["language"] or "?" for a in arts}),
        "articles": [{k: a[k] for k in ("id", "title", "source", "feed", "language", "url", "published")}
                     for a in arts],
    }


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


def status_record(store: Store, now: datetime) -> dict[str, Any]:
    data = status_data(store, now)
    return {
        "time": ts(now),
        "last_poll": data["last_poll"],
        "articles_24h": data["articles_24h"],
        "feeds_total": len(data["feeds"]),
        "feeds_failing": len(data["failing"]),
        "alerts": {k: data["alerts"].get(k, 0) for k in ALERT_STATES},
        "topics": [{"topic": a.topic, "matches_24h": a.matches_24h, "relevant_24h": a.relevant_24h,
                    "relevant_7d": a.relevant_7d, "last_relevant": ts(a.last_relevant)}
                   for a in data["topics"]],
        "feeds": [feed_record(f) for f in data["feeds"]],
    }


# -- terminal views -----------------------------------------------------------------------


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


def _table(title: str, *, expand: bool = False) -> Table:
    # no outer border and short headers: the tables fit 80 columns with room for names
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                 expand=expand)


def render_status(store: Store, now: datetime, console: Console | None = None) -> None:
    console = console or Console()
    data = status_data(store, now)
    feeds = data["feeds"]
    console.print(f"media-monitor: {len(feeds)} feeds ({len(data['failing'])} failing), "
                  f"last poll {_ago(data['last_poll'], now)}, {data['articles_24h']} articles in 24 h",
                  markup=False, highlight=False)
    alerts = data["alerts"]
    console.print("alerts: " + ", ".join(f"{k} {alerts.get(k, 0)}" for k in ALERT_STATES),
                  markup=False, highlight=False)

    render_feeds(store, now, console, feeds)
    console.print()

    tt = _table("Topics")
    tt.add_column("topic", overflow="ellipsis", no_wrap=True)
    for col in ("24h", "relevant 24h", "relevant 7d", "last relevant"):
        tt.add_column(col, justify="right", no_wrap=True)
    for a in data["topics"]:
        last = _ago(ts(a.last_relevant), now) if a.last_relevant else "-"
        tt.add_row(Text(terminal_safe(a.topic)), str(a.matches_24h), str(a.relevant_24h), str(a.relevant_7d), last)
    console.print(tt)


def render_feeds(store: Store, now: datetime, console: Console | None = None,
                 feeds: list[dict[str, Any]] | None = None) -> None:
    """One line per feed (long names are cut with "…"), then the failing feeds' last
    errors, each on its own lines, in full."""
    console = console or Console()
    feeds = store.feeds() if feeds is None else feeds
    t = _table("Feeds", expand=True)
    # the other columns keep their width; the name takes the rest of the line, cut with "…"
    t.add_column("feed", overflow="ellipsis", no_wrap=True, ratio=1, min_width=12)
    for col in ("state", "polled", "next"):
        t.add_column(col, no_wrap=True)
    for col in ("errors", "articles"):
        t.add_column(col, justify="right", no_wrap=True)
    ordered = sorted(feeds, key=lambda f: (-f["consecutive_errors"], f["url"]))
    for f in ordered:
        state = _feed_state(f)
        style = {"failing": "red", "ok": "green"}.get(state, "")
        t.add_row(Text(terminal_safe(f["name"] or f["url"])), Text(state, style=style),
                  _ago(f["last_poll"], now), _ago(f["next_poll"], now),
                  str(f["consecutive_errors"]), str(f["articles"]))
    console.print(t)
    failing = [f for f in ordered if f["consecutive_errors"] and f["last_error"]]
    if failing:
        console.print("last errors:", markup=False, highlight=False)
        for f in failing:
            console.print(Padding(Text(terminal_safe(f["name"] or f["url"]), style="bold"), (0, 0, 0, 2)))
            console.print(Padding(Text(terminal_safe(f["last_error"], 500)), (0, 0, 0, 4)))


def alert_lines(alerts: Iterable[Alert]) -> Iterator[str]:
    for a in alerts:
        title = terminal_safe(a.payload.get("title") or "", 80)
        err = f" error: {terminal_safe(a.last_error, 100)}" if a.last_error else ""
        yield (f"{a.id:>6} {a.state.value:<8} {terminal_safe(a.channel):<16} {terminal_safe(a.topic):<16} "
               f"{a.score:.2f} attempts={a.attempts} {title}{err}")


def story_lines(stories: Iterable[dict[str, Any]]) -> Iterator[str]:
    for s in stories:
        r = story_record(s)
        yield f"story {r['id']}: {terminal_safe(r['title'], 100)}"
        yield (f"  {len(r['articles'])} articles, {len(r['outlets'])} outlets, languages "
               f"{', '.join(terminal_safe(x) for x in r['languages'])}; "
               f"first {r['first_seen']}, last {r['last_seen']}")
        for a in r["articles"][:10]:
            yield (f"  - [{terminal_safe(a['language'] or '?')}] {terminal_safe(a['source'] or a['feed'], 60)}: "
                   f"{terminal_safe(a['title'], 90)}")
