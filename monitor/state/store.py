"""All SQL lives here (sqlite-utils 4.x, WAL, migrations).

One `Store` per process and per thread: a sqlite3 connection cannot be shared across
threads. Times are stored as fixed-width UTC ISO strings so they sort as text.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from monitor.errors import StoreError
from monitor.models import Alert, AlertState, Article, DedupDecision, Match

_TS = "%Y-%m-%dT%H:%M:%S.%fZ"


def ts(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        raise ValueError("naive datetime reached the store")
    # same text as strftime(_TS), several times faster on the hot path
    return dt.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_ts(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value, _TS).replace(tzinfo=UTC)


migrations = Migrations("media-monitor")

_ARTICLE_COLUMNS = ("id", "feed", "url", "guid", "title", "summary", "content", "language", "published",
                    "published_is_guess", "fetched", "content_hash", "source", "story", "duplicate_of", "dedup_kind")
_UPSERT_ARTICLE = (
    f"INSERT INTO articles({', '.join(_ARTICLE_COLUMNS)}) VALUES ({', '.join('?' for _ in _ARTICLE_COLUMNS)}) "
    "ON CONFLICT(id) DO UPDATE SET title = excluded.title, summary = excluded.summary, content = excluded.content, "
    "content_hash = excluded.content_hash, language = excluded.language"
)


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE feeds (
            url TEXT PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            origin TEXT NOT NULL DEFAULT 'config',   -- config | cli | opml
            language TEXT,
            interval REAL,
            active INTEGER NOT NULL DEFAULT 1,
            added TEXT NOT NULL,
            next_poll TEXT,
            last_poll TEXT,
            last_ok TEXT,
            last_status TEXT,
            last_error TEXT NOT NULL DEFAULT '',
            consecutive_errors INTEGER NOT NULL DEFAULT 0,
            failing_since TEXT,
            articles INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT '{}'         -- fetch/schedule state as JSON
        );
        CREATE INDEX feeds_next_poll ON feeds(active, next_poll);

        CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            feed TEXT NOT NULL,
            url TEXT NOT NULL,
            guid TEXT,
            title TEXT NOT NULL,
            summary TEXT NOT NULL,
            content TEXT NOT NULL,
            language TEXT,
            published TEXT,
            published_is_guess INTEGER NOT NULL DEFAULT 0,
            fetched TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            story TEXT,
            duplicate_of TEXT,
            dedup_kind TEXT
        );
        CREATE INDEX articles_url ON articles(url);
        CREATE INDEX articles_guid ON articles(feed, guid);
        CREATE INDEX articles_hash ON articles(content_hash);
        CREATE INDEX articles_fetched ON articles(fetched);
        CREATE INDEX articles_story ON articles(story);

        CREATE TABLE matches (
            article_id TEXT NOT NULL,
            topic TEXT NOT NULL,
            score REAL NOT NULL,
            alert INTEGER NOT NULL,
            keyword_score REAL NOT NULL,
            probability REAL,
            reason TEXT NOT NULL,
            evidence TEXT NOT NULL,
            created TEXT NOT NULL,
            PRIMARY KEY (article_id, topic)
        );
        CREATE INDEX matches_topic_created ON matches(topic, created);

        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            title TEXT NOT NULL
        );
        CREATE INDEX stories_last_seen ON stories(last_seen);

        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            dedup_key TEXT NOT NULL UNIQUE,          -- one alert per story/topic/channel/kind
            story TEXT NOT NULL,
            topic TEXT NOT NULL,
            channel TEXT NOT NULL,
            article_id TEXT NOT NULL,
            score REAL NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            created TEXT NOT NULL,
            next_attempt TEXT NOT NULL,
            sent_at TEXT,
            last_error TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT 'article',
            payload TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX alerts_due ON alerts(state, next_attempt);
        CREATE INDEX alerts_channel ON alerts(channel, state);

        CREATE TABLE labels (
            article_id TEXT NOT NULL,
            topic TEXT NOT NULL,
            label INTEGER NOT NULL,
            created TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'cli',
            PRIMARY KEY (article_id, topic)
        );

        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )


@migrations()
def m002_alerts_created(db: sqlite_utils.Database) -> None:
    # "today's alerts" (browse, reports) without a full scan of the alert history
    db.execute("CREATE INDEX IF NOT EXISTS alerts_created ON alerts(created)")


class Store:
    """The SQLite state of one daemon. Not thread-safe: one Store per thread."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db = sqlite_utils.Database(conn)
            if self.path != ":memory:":
                self.db.enable_wal()
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            migrations.apply(self.db)
        except sqlite3.Error as e:
            raise StoreError(f"cannot open state database {self.path}: {e}") from e

    def close(self) -> None:
        self.db.close()

    def atomic(self):  # type: ignore[no-untyped-def]
        return self.db.atomic()

    # -- meta --------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        rows = list(self.db.query("SELECT value FROM meta WHERE key = ?", [key]))
        return rows[0]["value"] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])

    # -- feeds -------------------------------------------------------------
    def sync_feeds(self, feeds: Iterable[tuple[str, str, float | None, str | None]], now: datetime) -> None:
        """Make the config's feeds active (url, name, interval, language); retire removed ones.

        Feeds added from the CLI or OPML stay; their schedule state is never reset.
        """
        wanted = {url: (name, interval, lang) for url, name, interval, lang in feeds}
        with self.db.atomic():
            for url, (name, interval, lang) in wanted.items():
                self.db.execute(
                    """INSERT INTO feeds(url, name, origin, interval, language, active, added, next_poll)
                       VALUES (?, ?, 'config', ?, ?, 1, ?, ?)
                       ON CONFLICT(url) DO UPDATE SET name = excluded.name, interval = excluded.interval,
                           language = excluded.language, active = 1""",
                    [url, name, interval, lang, ts(now), ts(now)],
                )
            for row in list(self.db.query("SELECT url FROM feeds WHERE origin = 'config' AND active = 1")):
                if row["url"] not in wanted:
                    self.db.execute("UPDATE feeds SET active = 0 WHERE url = ?", [row["url"]])

    def add_feed(self, url: str, name: str, origin: str, now: datetime) -> bool:
        cur = self.db.execute(
            "INSERT INTO feeds(url, name, origin, active, added, next_poll) VALUES (?, ?, ?, 1, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET active = 1",
            [url, name, origin, ts(now), ts(now)],
        )
        return cur.rowcount > 0

    def remove_feed(self, url: str) -> bool:
        return self.db.execute("UPDATE feeds SET active = 0 WHERE url = ? AND active = 1", [url]).rowcount > 0

    def feeds(self, *, active_only: bool = True) -> list[dict[str, Any]]:
        where = "WHERE active = 1" if active_only else ""
        return [_decode_feed(r) for r in self.db.query(f"SELECT * FROM feeds {where} ORDER BY url")]

    def due_feeds(self, now: datetime, limit: int = 10_000) -> list[dict[str, Any]]:
        rows = self.db.query(
            "SELECT * FROM feeds WHERE active = 1 AND (next_poll IS NULL OR next_poll <= ?) ORDER BY next_poll LIMIT ?",
            [ts(now), limit],
        )
        return [_decode_feed(r) for r in rows]

    def update_feed(self, url: str, **fields: Any) -> None:
        if "state" in fields and not isinstance(fields["state"], str):
            fields["state"] = json.dumps(fields["state"], default=_json_default, sort_keys=True)
        for k, v in list(fields.items()):
            if isinstance(v, datetime):
                fields[k] = ts(v)
        sets = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE feeds SET {sets} WHERE url = ?", [*fields.values(), url])

    def rename_feed(self, old: str, new: str) -> None:
        """A permanent redirect: keep state and history under the new URL."""
        with self.db.atomic():
            if list(self.db.query("SELECT 1 FROM feeds WHERE url = ?", [new])):
                self.db.execute("UPDATE feeds SET active = 0 WHERE url = ?", [old])
            else:
                self.db.execute("UPDATE feeds SET url = ? WHERE url = ?", [new, old])

    # -- articles ----------------------------------------------------------
    def find_existing(self, article: Article) -> dict[str, Any] | None:
        """An already stored article: same id, same GUID in the same feed, or the same canonical
        URL (GUID churn and moved feeds change the id, not the article)."""
        cols = "SELECT id, content_hash, title, story FROM articles"
        rows = list(self.db.query(f"{cols} WHERE id = ?", [article.id]))
        if not rows and article.guid:
            rows = list(self.db.query(f"{cols} WHERE feed = ? AND guid = ?", [article.feed, article.guid]))
        if not rows and article.url:
            rows = list(self.db.query(f"{cols} WHERE url = ? ORDER BY fetched LIMIT 1", [article.url]))
        return rows[0] if rows else None

    def save_article(self, article: Article, decision: DedupDecision) -> None:
        a = article  # explicit columns: dataclasses.asdict deep-copies and was the hot spot
        self.db.execute(
            _UPSERT_ARTICLE,
            [a.id, a.feed, a.url, a.guid, a.title, a.summary, a.content, a.language, ts(a.published),
             int(a.published_is_guess), ts(a.fetched), a.content_hash, a.source, decision.story,
             decision.duplicate_of, decision.kind],
        )

    def article(self, article_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM articles WHERE id = ?", [article_id]))
        return rows[0] if rows else None

    def articles_since(self, since: datetime) -> Iterator[dict[str, Any]]:
        return self.db.query("SELECT * FROM articles WHERE fetched >= ? ORDER BY fetched", [ts(since)])

    def count_articles_since(self, since: datetime) -> int:
        return next(self.db.query("SELECT count(*) AS n FROM articles WHERE fetched >= ?", [ts(since)]))["n"]

    # -- matches and stories ----------------------------------------------
    def save_matches(self, matches: Iterable[Match], now: datetime) -> None:
        for m in matches:
            evidence = json.dumps([[e.term, e.group, e.field, e.start, e.end] for e in m.keyword.evidence[:50]],
                                  ensure_ascii=False)
            self.db.execute(
                """INSERT INTO matches(article_id, topic, score, alert, keyword_score, probability, reason, evidence, created)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(article_id, topic) DO UPDATE SET score = excluded.score, alert = excluded.alert,
                       keyword_score = excluded.keyword_score, probability = excluded.probability,
                       reason = excluded.reason, evidence = excluded.evidence""",
                [m.article_id, m.topic, m.score, int(m.alert), m.keyword.score, m.probability, m.reason, evidence, ts(now)],
            )

    def touch_story(self, story: str, title: str, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO stories(id, first_seen, last_seen, title) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET last_seen = excluded.last_seen",
            [story, ts(now), ts(now), title],
        )

    def merge_story(self, absorbed: str, into: str) -> None:
        """Story `absorbed` is part of story `into` from now on: its articles and alerts move.

        Its first alerts become the merged story's (their keys are rewritten where `into` has
        none for that topic and channel), so a later article of either side alerts nobody
        again; where both had one, both stay as they were sent.
        """
        if absorbed == into:
            return
        prefix = absorbed + "|"  # keys are "story|topic|channel|kind"
        self.db.execute("UPDATE OR IGNORE alerts SET dedup_key = ? || substr(dedup_key, ?) "
                        "WHERE story = ? AND substr(dedup_key, 1, ?) = ?",
                        [into + "|", len(prefix) + 1, absorbed, len(prefix), prefix])
        self.db.execute("UPDATE alerts SET story = ? WHERE story = ?", [into, absorbed])
        self.db.execute("UPDATE articles SET story = ? WHERE story = ?", [into, absorbed])
        self.db.execute(
            "UPDATE stories SET first_seen = min(first_seen, (SELECT first_seen FROM stories WHERE id = ?)) "
            "WHERE id = ? AND EXISTS (SELECT 1 FROM stories WHERE id = ?)", [absorbed, into, absorbed])
        self.db.execute("DELETE FROM stories WHERE id = ? AND EXISTS (SELECT 1 FROM stories WHERE id = ?)",
                        [absorbed, into])
        self.db.execute("UPDATE stories SET id = ? WHERE id = ?", [into, absorbed])

    def story_summary(self, story: str) -> dict[str, Any]:
        row = next(self.db.query(
            "SELECT count(*) AS articles, count(DISTINCT CASE WHEN source != '' THEN source ELSE feed END) AS outlets, "
            "count(DISTINCT language) AS languages FROM articles WHERE story = ?", [story]))
        return dict(row)

    def stories(self, *, topic: str | None = None, since: datetime | None = None, limit: int = 50) -> list[dict[str, Any]]:
        params: list[Any] = []
        where = ["1 = 1"]
        if since:
            where.append("s.last_seen >= ?")
            params.append(ts(since))
        if topic:
            where.append("EXISTS (SELECT 1 FROM articles a JOIN matches m ON m.article_id = a.id "
                         "WHERE a.story = s.id AND m.topic = ? AND m.alert = 1)")
            params.append(topic)
        params.append(limit)
        sql = f"SELECT s.* FROM stories s WHERE {' AND '.join(where)} ORDER BY s.last_seen DESC LIMIT ?"
        out = []
        for s in self.db.query(sql, params):
            arts = list(self.db.query(
                "SELECT id, title, source, feed, language, url, published FROM articles WHERE story = ? ORDER BY fetched", [s["id"]]))
            out.append({**s, "articles": arts})
        return out

    # -- outbox ------------------------------------------------------------
    def enqueue_alert(self, *, dedup_key: str, story: str, topic: str, channel: str, article_id: str,
                      score: float, now: datetime, kind: str = "article", payload: dict[str, Any] | None = None,
                      not_before: datetime | None = None) -> int | None:
        """Commit a pending alert; None when one with the same key exists (one per story/channel)."""
        cur = self.db.execute(
            """INSERT INTO alerts(dedup_key, story, topic, channel, article_id, score, state, created, next_attempt, kind, payload)
               VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?) ON CONFLICT(dedup_key) DO NOTHING""",
            [dedup_key, story, topic, channel, article_id, score, ts(now), ts(not_before or now), kind,
             json.dumps(payload or {}, ensure_ascii=False, default=_json_default)],
        )
        return cur.lastrowid if cur.rowcount else None

    def story_alert_targets(self, story: str) -> list[tuple[str, str]]:
        """(topic, channel) pairs that already got the story's first alert."""
        return [(r["topic"], r["channel"]) for r in self.db.query(
            "SELECT DISTINCT topic, channel FROM alerts WHERE story = ? AND kind = 'article'", [story])]

    def due_alerts(self, now: datetime, limit: int = 500, *, channel: str | None = None) -> list[Alert]:
        only = " AND channel = ?" if channel is not None else ""
        rows = self.db.query(
            f"SELECT * FROM alerts WHERE state IN ('pending', 'failed') AND next_attempt <= ?{only} "
            "ORDER BY next_attempt, id LIMIT ?", [ts(now), *([channel] if channel is not None else []), limit])
        return [_alert(r) for r in rows]

    def due_alert_channels(self, now: datetime) -> list[str]:
        """Channels with at least one alert due at `now`."""
        return [r["channel"] for r in self.db.query(
            "SELECT DISTINCT channel FROM alerts WHERE state IN ('pending', 'failed') AND next_attempt <= ? "
            "ORDER BY channel", [ts(now)])]

    def recover_inflight(self) -> int:
        """After a crash, alerts caught mid-send go back to pending (at-least-once)."""
        return self.db.execute("UPDATE alerts SET state = 'pending' WHERE state = 'sending'").rowcount

    def alerts(self, *, state: str | None = None, limit: int = 100) -> list[Alert]:
        if state:
            rows = self.db.query("SELECT * FROM alerts WHERE state = ? ORDER BY id DESC LIMIT ?", [state, limit])
        else:
            rows = self.db.query("SELECT * FROM alerts ORDER BY id DESC LIMIT ?", [limit])
        return [_alert(r) for r in rows]

    def mark_sending(self, ids: list[int]) -> None:
        # Written before the send: after a crash these are re-sent (at-least-once).
        with self.db.atomic():
            for i in ids:
                self.db.execute("UPDATE alerts SET state = 'sending', attempts = attempts + 1 WHERE id = ?", [i])

    def mark_sent(self, ids: list[int], now: datetime) -> None:
        with self.db.atomic():
            for i in ids:
                self.db.execute("UPDATE alerts SET state = 'sent', sent_at = ?, last_error = '' WHERE id = ?", [ts(now), i])

    def mark_failed(self, ids: list[int], error: str, next_attempt: datetime | None) -> None:
        with self.db.atomic():
            for i in ids:
                if next_attempt is None:
                    self.db.execute("UPDATE alerts SET state = 'dead', last_error = ? WHERE id = ?", [error, i])
                else:
                    self.db.execute("UPDATE alerts SET state = 'failed', last_error = ?, next_attempt = ? WHERE id = ?",
                                    [error, ts(next_attempt), i])

    def defer(self, ids: list[int], until: datetime) -> None:
        with self.db.atomic():
            for i in ids:
                self.db.execute("UPDATE alerts SET next_attempt = ? WHERE id = ?", [ts(until), i])

    def retry_alerts(self, ids: list[int] | None, now: datetime) -> int:
        if ids is None:
            return self.db.execute("UPDATE alerts SET state = 'pending', attempts = 0, next_attempt = ? WHERE state = 'dead'", [ts(now)]).rowcount
        n = 0
        for i in ids:
            n += self.db.execute("UPDATE alerts SET state = 'pending', attempts = 0, next_attempt = ? WHERE id = ?", [ts(now), i]).rowcount
        return n

    def alert_counts(self) -> dict[str, int]:
        return {r["state"]: r["n"] for r in self.db.query("SELECT state, count(*) AS n FROM alerts GROUP BY state")}

    # -- labels ------------------------------------------------------------
    def set_label(self, article_id: str, topic: str, label: bool, now: datetime, origin: str = "cli") -> None:
        self.db.execute(
            "INSERT INTO labels(article_id, topic, label, created, origin) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(article_id, topic) DO UPDATE SET label = excluded.label, created = excluded.created",
            [article_id, topic, int(label), ts(now), origin])

    def labels(self, topic: str | None = None) -> list[dict[str, Any]]:
        sql = ("SELECT l.article_id, l.topic, l.label, l.created, a.title, a.summary, a.content, a.language "
               "FROM labels l JOIN articles a ON a.id = l.article_id")
        if topic:
            return list(self.db.query(sql + " WHERE l.topic = ? ORDER BY l.created", [topic]))
        return list(self.db.query(sql + " ORDER BY l.created"))

    # -- retention ---------------------------------------------------------
    def prune(self, older_than: datetime) -> int:
        """Drop article texts older than the retention horizon; matches and alerts stay."""
        cutoff = ts(older_than)
        with self.db.atomic():
            n = self.db.execute(
                "DELETE FROM articles WHERE fetched < ? AND id NOT IN (SELECT article_id FROM alerts) "
                "AND id NOT IN (SELECT article_id FROM labels)", [cutoff]).rowcount
            # only rows not yet trimmed: rewriting every old row each hour would churn the FTS index
            self.db.execute("UPDATE articles SET content = '', summary = substr(summary, 1, 500) "
                            "WHERE fetched < ? AND (content != '' OR length(summary) > 500)", [cutoff])
        return n

    def backup(self, target: Path) -> None:
        dest = sqlite3.connect(str(target))
        try:
            self.db.conn.backup(dest)
        finally:
            dest.close()


def _json_default(o: Any) -> Any:
    if isinstance(o, datetime):
        return ts(o)
    if hasattr(o, "__dataclass_fields__"):
        return asdict(o)
    raise TypeError(f"cannot serialise {type(o).__name__}")


def _decode_feed(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    try:
        row["state"] = json.loads(row.get("state") or "{}")
    except json.JSONDecodeError:
        row["state"] = {}
    return row


def _alert(r: dict[str, Any]) -> Alert:
    return Alert(
        id=r["id"], story=r["story"], topic=r["topic"], channel=r["channel"], article_id=r["article_id"],
        score=r["score"], state=AlertState(r["state"]), attempts=r["attempts"],
        created=parse_ts(r["created"]),  # type: ignore[arg-type]
        next_attempt=parse_ts(r["next_attempt"]),  # type: ignore[arg-type]
        last_error=r["last_error"], kind=r["kind"], payload=json.loads(r["payload"] or "{}"),
    )
