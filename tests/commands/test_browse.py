"""`monitor browse`: FTS5 search in several languages, canned queries, Datasette if installed."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import seed_article_record

from monitor.commands import browse
from monitor.models import Article, DedupDecision, KeywordResult, Match
from monitor.state import reports
from monitor.state.store import Store

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

ARTICLES = {
    "ru": (
        "КНДР передала России артиллерийские снаряды",
        "Пхеньян и Москва обсуждают военное сотрудничество и поставки оружия.",
    ),
    "id": (
        "Kim Jong-un Akan Temui Putin di Vladivostok",
        "Pertemuan itu membahas pasokan senjata untuk Rusia dan kerja sama militer.",
    ),
    "fr": (
        "La Corée du Nord livre des obus",
        "Le ministère de la Défense a confirmé les livraisons.",
    ),
    "en": ("Grain prices rise in Europe", "Wheat futures climbed on Tuesday."),
}


def add_article(
    store: Store, lang: str, title: str, text: str, fetched: datetime, story: str
) -> str:
    aid = f"art-{lang}"
    a = Article(
        id=aid,
        feed="https://example.org/rss",
        url=f"https://example.org/{lang}",
        guid=aid,
        title=title,
        summary=text[:80],
        content=text,
        language=lang,
        published=fetched,
        fetched=fetched,
        content_hash=f"h-{lang}",
        source=f"outlet-{lang}",
    )
    store.save_article(a, DedupDecision(aid, None, story, "new"))
    store.touch_story(story, title, fetched)
    return aid


def fill(store: Store, now: datetime) -> None:
    for lang, (title, text) in ARTICLES.items():
        story = "story-grain" if lang == "en" else "story-dprk"
        aid = add_article(store, lang, title, text, now - timedelta(hours=2), story)
        relevant = lang != "en"
        store.save_matches(
            [
                Match(
                    aid,
                    "dprk-russia",
                    0.9 if relevant else 0.1,
                    relevant,
                    KeywordResult("dprk-russia", relevant, 0.9),
                )
            ],
            now - timedelta(hours=2),
        )
    store.add_feed("https://ok.example/rss", "ok", "config", now)
    store.add_feed("https://broken.example/rss", "broken", "config", now)
    store.update_feed(
        "https://broken.example/rss",
        consecutive_errors=4,
        failing_since=now - timedelta(hours=3),
        last_error="HTTP 503",
    )
    store.enqueue_alert(
        dedup_key="today",
        story="story-dprk",
        topic="dprk-russia",
        channel="slack",
        article_id="art-ru",
        score=0.9,
        now=now,
    )
    store.enqueue_alert(
        dedup_key="old",
        story="story-dprk",
        topic="dprk-russia",
        channel="email",
        article_id="art-ru",
        score=0.9,
        now=now - timedelta(days=2),
    )


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = Store(tmp_path / "monitor.db")
    fill(s, NOW)
    browse.ensure_fts(s)
    yield s
    s.close()


def found(store: Store, q: str) -> list[str]:
    return [r["id"] for r in reports.search_articles(store, q)]


# -- full-text search -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("снаряды", ["art-ru"]),  # Russian, exact form
        ("СНАРЯДЫ", ["art-ru"]),  # case folded in Cyrillic
        ("оруж*", ["art-ru"]),  # a stem as a prefix query
        ("senjata", ["art-id"]),  # Indonesian, in the body
        ("Vladivostok", ["art-id"]),  # in the title
        ('"kerja sama militer"', ["art-id"]),  # phrase
        ("defense", ["art-fr"]),  # diacritics folded: Défense
        ("Corée", ["art-fr"]),
        ("senjata OR снаряды", ["art-id", "art-ru"]),
        ("tank", []),
    ],
)
def test_full_text_search_in_several_languages(
    store: Store, query: str, expected: list[str]
) -> None:
    assert sorted(found(store, query)) == expected


def test_new_and_changed_articles_are_indexed_by_the_triggers(store: Store) -> None:
    aid = add_article(store, "ko", "북한 러시아 무기 거래", "평양 모스크바 포탄", NOW, "story-ko")
    assert found(store, "포탄") == [aid]  # Hangul words are space-separated: indexed as words
    store.save_article(
        Article(
            id="art-id",
            feed="https://example.org/rss",
            url="https://example.org/id",
            guid="art-id",
            title="Judul baru",
            summary="",
            content="amunisi artileri",
            language="id",
            published=NOW,
            fetched=NOW,
            content_hash="h2",
        ),
        DedupDecision("art-id", None, "story-dprk", "new", updated=True),
    )
    assert found(store, "senjata") == []
    assert found(store, "amunisi") == ["art-id"]


def test_ensure_fts_is_idempotent_and_builds_from_existing_rows(tmp_path: Path) -> None:
    s = Store(tmp_path / "m.db")
    try:
        fill(s, NOW)
        assert not browse.fts_exists(s)
        assert browse.ensure_fts(s) is True
        assert browse.ensure_fts(s) is False
        assert found(s, "senjata") == ["art-id"]
    finally:
        s.close()


def test_search_survives_vacuum_after_rebuild(store: Store) -> None:
    # VACUUM may renumber the rowids the external-content index points at
    store.db.execute("DELETE FROM articles WHERE id IN ('art-en', 'art-fr')")
    store.db.execute("VACUUM")
    assert browse.rebuild_fts(store) is True
    store.db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    assert found(store, "senjata") == ["art-id"]
    assert found(store, "снаряды") == ["art-ru"]
    assert found(store, "defense") == []


def test_seed_article_is_found_by_an_indonesian_word(tmp_path: Path) -> None:
    record = seed_article_record()
    if record is None:
        pytest.skip("../shared/seeds is absent")
    s = Store(tmp_path / "seed.db")
    try:
        browse.ensure_fts(s)
        add_article(s, "id", record["title"], record["content"], NOW, "seed")
        assert found(s, "senjata") == ["art-id"]
        assert found(s, "Vladivostok OR Putin") == ["art-id"]
    finally:
        s.close()


# -- canned queries -----------------------------------------------------------------------


def run_canned(db_path: Path, sql: str, **params: str) -> list[sqlite3.Row]:
    """As Datasette runs it: a read-only connection, named parameters from a form."""
    names = set(re.findall(r"(?<!:):(\w+)", sql))
    assert names <= set(params), f"missing parameters {names - set(params)}"
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, {k: v for k, v in params.items() if k in names}).fetchall()
    finally:
        conn.close()


def test_every_canned_query_runs_read_only(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    s = Store(path)
    # the canned queries compare with SQLite's own clock; one hour ahead is "today" even at midnight
    fill(s, datetime.now(UTC) + timedelta(hours=1))
    browse.ensure_fts(s)
    s.close()
    params = {"topic": "dprk-russia", "hours": "24", "q": "senjata"}
    results = {q.name: run_canned(path, q.sql, **params) for q in reports.CANNED_QUERIES}
    assert set(results) == {"todays_alerts", "stories_by_topic", "failing_feeds", "search_articles"}
    assert [r["channel"] for r in results["todays_alerts"]] == ["slack"]
    assert results["todays_alerts"][0]["title"] == ARTICLES["ru"][0]
    assert [(r["story"], r["articles"], r["languages"]) for r in results["stories_by_topic"]] == [
        ("story-dprk", 3, 3)
    ]
    assert [r["url"] for r in results["failing_feeds"]] == ["https://broken.example/rss"]
    assert [r["id"] for r in results["search_articles"]] == ["art-id"]
    assert "[senjata]" in results["search_articles"][0]["snippet"]


def test_python_side_reports(store: Store) -> None:
    assert [a["channel"] for a in reports.todays_alerts(store, NOW)] == ["slack"]
    stories = reports.stories_by_topic(store, "dprk-russia", NOW - timedelta(hours=24))
    assert [s["story"] for s in stories] == ["story-dprk"]
    assert reports.stories_by_topic(store, "dprk-russia", NOW - timedelta(hours=1)) == []
    assert reports.stories_by_topic(store, "other-topic", NOW - timedelta(days=7)) == []
    assert [f["name"] for f in reports.failing_feeds(store)] == ["broken"]


def test_metadata_names_every_canned_query() -> None:
    meta = browse.metadata("monitor")
    json.dumps(meta)
    db = meta["databases"]["monitor"]
    assert set(db["queries"]) == {q.name for q in reports.CANNED_QUERIES}
    assert all(q["sql"] and q["title"] for q in db["queries"].values())
    assert db["tables"]["articles"]["fts_table"] == browse.FTS_TABLE
    # the search box takes FTS5 syntax (prefixes, AND/OR/NOT) as docs/operations.md says;
    # Datasette's default mode quotes every word
    assert db["tables"]["articles"]["searchmode"] == "raw"


# -- launching Datasette ----------------------------------------------------------------------


def test_browse_without_datasette_prints_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(browse, "datasette_available", lambda: False)
    assert browse.browse(tmp_path / "monitor.db") == 1
    err = capsys.readouterr().err
    assert "pip install datasette" in err
    assert not (tmp_path / "monitor.db").exists()  # nothing created when nothing can be shown


def test_datasette_serves_the_canned_queries_and_search(tmp_path: Path) -> None:
    if not browse.datasette_available():
        pytest.skip("datasette is not installed (optional extra: pip install datasette)")
    path = tmp_path / "monitor.db"
    s = Store(path)
    fill(s, datetime.now(UTC) + timedelta(hours=1))
    browse.ensure_fts(s)
    s.close()
    meta = tmp_path / "metadata.json"
    meta.write_text(json.dumps(browse.metadata("monitor")), encoding="utf-8")

    def get(url: str) -> dict:
        # --get answers one request in-process: no server socket, no network
        cmd = browse.datasette_command(path, meta, extra=["--get", url])
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    alerts = get("/monitor/todays_alerts.json?_shape=array")
    assert [a["channel"] for a in alerts] == ["slack"]
    stories = get("/monitor/stories_by_topic.json?_shape=array&topic=dprk-russia&hours=24")
    assert [s["story"] for s in stories] == ["story-dprk"]
    hits = get("/monitor/articles.json?_shape=array&_search=" + "снаряды")
    assert [h["id"] for h in hits] == ["art-ru"]
