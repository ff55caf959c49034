"""Retention over a real SQLite file, and schema migrations from every earlier version."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from monitor.commands.browse import ensure_fts
from monitor.models import Article, DedupDecision, KeywordResult, Match
from monitor.ops.metrics import ProcessCounters
from monitor.state import reports
from monitor.state.store import Store, migrations

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
HORIZON = NOW - timedelta(days=90)
FEED = "https://example.org/rss"


def article(
    aid: str, fetched: datetime, *, summary: str = "a short summary", content: str = "full text"
) -> Article:
    return Article(
        id=aid,
        feed=FEED,
        url=f"https://example.org/{aid}",
        guid=aid,
        title=f"title {aid}",
        summary=summary,
        content=content,
        language="en",
        published=fetched,
        fetched=fetched,
        content_hash=f"hash-{aid}",
    )


def add(store: Store, a: Article, *, alert: bool = False, label: bool = False) -> None:
    store.save_article(a, DedupDecision(a.id, None, f"story-{a.id}", "new"))
    store.touch_story(f"story-{a.id}", a.title, a.fetched)
    store.save_matches(
        [Match(a.id, "dprk-russia", 0.9, True, KeywordResult("dprk-russia", True, 0.9))], a.fetched
    )
    if alert:
        store.enqueue_alert(
            dedup_key=f"k-{a.id}",
            story=f"story-{a.id}",
            topic="dprk-russia",
            channel="c",
            article_id=a.id,
            score=0.9,
            now=a.fetched,
        )
    if label:
        store.set_label(a.id, "dprk-russia", True, a.fetched)


def count(store: Store, table: str) -> int:
    return next(iter(store.db.query(f"SELECT count(*) AS n FROM {table}")))["n"]


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = Store(tmp_path / "monitor.db")
    yield s
    s.close()


def fill_for_retention(store: Store) -> None:
    old = NOW - timedelta(days=100)
    add(store, article("old-plain", old, content="uniquewordgone in the old text"))
    add(store, article("old-alerted", old, summary="s" * 2000, content="x" * 5000), alert=True)
    add(store, article("old-labelled", old, content="blankedword in the labelled text"), label=True)
    add(store, article("at-horizon", HORIZON, content="kept at the boundary"))
    add(
        store,
        article(
            "recent",
            NOW - timedelta(days=1),
            summary="r" * 2000,
            content="uniquewordkept recent text",
        ),
    )


def test_prune_drops_old_texts_and_keeps_alerts_matches_labels(store: Store) -> None:
    fill_for_retention(store)
    before = {t: count(store, t) for t in ("matches", "alerts", "labels", "stories")}

    assert store.prune(HORIZON) == 1

    ids = {r["id"] for r in store.db.query("SELECT id FROM articles")}
    assert ids == {"old-alerted", "old-labelled", "at-horizon", "recent"}
    assert {t: count(store, t) for t in before} == before  # matches, alerts, labels, stories stay
    alerted = store.article("old-alerted")
    assert alerted is not None and alerted["content"] == "" and len(alerted["summary"]) == 500
    assert alerted["title"] == "title old-alerted" and alerted["url"].endswith("old-alerted")
    labelled = store.article("old-labelled")
    assert labelled is not None and labelled["content"] == ""
    recent = store.article("recent")
    assert (
        recent is not None
        and recent["content"].startswith("uniquewordkept")
        and len(recent["summary"]) == 2000
    )
    assert store.article("at-horizon")["content"] == "kept at the boundary"  # type: ignore[index]
    # the training set still has its labelled article (text gone, title kept)
    assert [r["article_id"] for r in store.labels()] == ["old-labelled"]


def test_prune_is_idempotent_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    s = Store(path)
    fill_for_retention(s)
    assert s.prune(HORIZON) == 1
    s.close()
    s = Store(path)
    try:
        assert s.prune(HORIZON) == 0
        assert count(s, "articles") == 4
    finally:
        s.close()


def test_prune_keeps_the_full_text_index_consistent(store: Store) -> None:
    fill_for_retention(store)
    assert ensure_fts(store)
    assert [r["id"] for r in reports.search_articles(store, "uniquewordgone")] == ["old-plain"]
    store.prune(HORIZON)
    store.db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    assert reports.search_articles(store, "uniquewordgone") == []
    assert reports.search_articles(store, "blankedword") == []  # its content was blanked
    assert [r["id"] for r in reports.search_articles(store, "uniquewordkept")] == ["recent"]


# -- migrations -------------------------------------------------------------------------

MIGRATION_NAMES = [m.name for m in migrations.pending(sqlite_utils.Database(memory=True))]

# Values that the store's readers can decode; other columns get a value by declared type.
KNOWN_VALUES: dict[tuple[str, str], Any] = {
    ("alerts", "state"): "pending",
    ("alerts", "payload"): "{}",
    ("alerts", "kind"): "article",
    ("feeds", "state"): "{}",
    ("feeds", "active"): 1,
    ("feeds", "consecutive_errors"): 0,
    ("matches", "evidence"): "[]",
    ("matches", "alert"): 1,
    ("labels", "label"): 1,
}
TS = "2024-04-30T12:00:00.000000Z"


def fill_every_table(db: sqlite_utils.Database) -> dict[str, int]:
    """One row per table, built from the schema of whatever version `db` is at."""
    counts = {}
    for table in db.table_names():
        if table.startswith(("_sqlite", "sqlite_")) or table.endswith("_fts") or "_fts_" in table:
            continue
        row = {}
        for col in db[table].columns:
            if (table, col.name) in KNOWN_VALUES:
                row[col.name] = KNOWN_VALUES[(table, col.name)]
            elif col.name == "id" and col.type.upper() == "INTEGER":
                continue
            elif col.type.upper() in ("INTEGER", "REAL"):
                row[col.name] = 1
            else:
                row[col.name] = TS if col.name != "id" else f"{table}-1"
        db[table].insert(row)
        counts[table] = db[table].count
    return counts


def schema(db: sqlite_utils.Database) -> dict[str, Any]:
    return {
        t: (
            [(c.name, c.type, c.notnull, c.default_value) for c in db[t].columns],
            sorted((i.name, tuple(i.columns), i.unique) for i in db[t].indexes),
        )
        for t in sorted(db.table_names())
        if not t.startswith("_sqlite")
    }


def test_the_migration_list_is_not_empty() -> None:
    assert MIGRATION_NAMES and MIGRATION_NAMES[0] == "m001_initial"


@pytest.mark.parametrize(
    "version", range(1, len(MIGRATION_NAMES) + 1), ids=lambda v: f"from-{MIGRATION_NAMES[v - 1]}"
)
def test_a_database_from_every_earlier_version_upgrades(tmp_path: Path, version: int) -> None:
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    stop = MIGRATION_NAMES[version] if version < len(MIGRATION_NAMES) else None
    migrations.apply(old, stop_before=stop)  # the database as that release left it
    assert [m.name for m in migrations.applied(old)] == MIGRATION_NAMES[:version]
    rows_before = fill_every_table(old)
    old.close()

    store = Store(path)  # applies every later migration
    try:
        assert migrations.pending(store.db) == []
        assert [m.name for m in migrations.applied(store.db)] == MIGRATION_NAMES
        fresh = Store(tmp_path / "fresh.db")
        try:
            assert schema(store.db) == schema(fresh.db)
        finally:
            fresh.close()
        for table, n in rows_before.items():
            assert store.db[table].count >= n, f"{table} lost rows in the upgrade"
        # the readers work on upgraded rows, and the writers on the upgraded schema
        assert len(store.feeds(active_only=False)) == 1
        assert [a.state.value for a in store.alerts()] == ["pending"]
        assert reports.topic_activity(store, NOW)
        reports.snapshot(store, NOW, ProcessCounters())
        add(store, article("after-upgrade", NOW), alert=True, label=True)
        assert store.prune(NOW - timedelta(days=1)) >= 0
        assert store.article("after-upgrade") is not None
    finally:
        store.close()


def test_reopening_a_current_database_applies_nothing(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    Store(path).close()
    db = sqlite_utils.Database(path)
    first = [(m.name, m.applied_at) for m in migrations.applied(db)]
    db.close()
    Store(path).close()
    db = sqlite_utils.Database(path)
    try:
        assert [(m.name, m.applied_at) for m in migrations.applied(db)] == first
    finally:
        db.close()
