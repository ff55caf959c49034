"""Language id, boilerplate removal and full-text fetching against a loopback server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer

from monitor.ingest.enrich import (
    FullTextFetcher,
    detect_language,
    extract_main_text,
    needs_full_text,
    strip_boilerplate,
    with_language,
)
from monitor.ingest.fetch import Fetcher, FetchLimits
from monitor.models import Article

NOW = datetime(2024, 5, 1, tzinfo=UTC)


@pytest.mark.parametrize(("title", "lang"), [
    ("Rencana Pertemuan Kim Jong-un–Putin: Bahas Pasokan Senjata", "id"),
    ("U.S. general says North Korea not demonstrated all components of ICBM", "en"),
    ("Путин встретился с Ким Чен Ыном на космодроме", "ru"),
    ("Україна отримала нові ракети від союзників", "uk"),
    ("북한과 러시아 군사협력 강화", "ko"),
    ("北朝鮮のミサイル発射について", "ja"),
    ("朝鲜与俄罗斯加强军事合作", "zh"),
    ("สำนักงานส่งเสริมอุตสาหกรรมซอฟต์แวร์แห่งชาติ", "th"),
    ("האם תדפיס נייר של אתר אינטרנט", "he"),
    ("Missili in Polonia, cosa è successo davvero?", "it"),
    ("Der Bundestag beschließt neue Waffenlieferungen", "de"),
])
def test_detect_language_on_titles(title: str, lang: str) -> None:
    assert detect_language(title) == lang


@pytest.mark.parametrize("text", ["", "OK", "12345 678", "Marcus Aurelius"])
def test_detect_language_abstains_when_short_or_unsure(text: str) -> None:
    assert detect_language(text) is None


def test_detect_language_respects_candidates() -> None:
    title = "Korea Utara dan Rusia sepakat kerja sama militer"
    assert detect_language(title, candidates=("en", "id")) == "id"
    assert detect_language(title, candidates=("en", "ms")) in ("ms", None)


def article(text: str = "", url: str = "https://site.example.invalid/a", title: str = "T"
            ) -> Article:
    return Article(id="x", feed="f", url=url, guid=None, title=title, summary=text, content="",
                   language=None, published=NOW, fetched=NOW, content_hash="h")


def test_with_language_falls_back_to_the_feed_language() -> None:
    assert with_language(article(title="Ok"), "id").language == "id"
    detected = with_language(article(title="Путин встретился с Ким Чен Ыном"), "en")
    assert detected.language == "ru"


def test_strip_boilerplate_keeps_sentences() -> None:
    text = ("Beranda\nBaca juga: Kim ke Rusia naik kereta\nKim Jong Un tiba di Vladivostok.\n"
            "Share\nExit mobile version\nWe use cookies to improve your experience.\n"
            "Accept all cookies\nThe cookie jar was empty, he said.\n© 2023 Berita\n관련기사\n"
            "Читайте также: новости")
    assert strip_boilerplate(text) == (
        "Kim Jong Un tiba di Vladivostok.\nThe cookie jar was empty, he said.")


def test_needs_full_text() -> None:
    assert needs_full_text(article("short"), 100)
    assert not needs_full_text(article("x" * 200), 100)
    assert not needs_full_text(article("short", url=""), 100)


PAGE = ("<html><head><title>Kim tiba</title></head><body><nav>Beranda | Politik</nav>"
        "<article><h1>Kim tiba di Rusia</h1><p>"
        + "Pemimpin Korea Utara Kim Jong Un tiba di Rusia untuk bertemu Vladimir Putin. " * 6
        + "</p><p>Baca juga: Putin dan Kim</p><p>"
        + "Pertemuan itu membahas kerja sama militer dan pasokan senjata. " * 6
        + "</p></article><footer>Exit mobile version</footer></body></html>").encode()


def test_extract_main_text_from_bytes() -> None:
    text = extract_main_text(PAGE, "https://site.example.invalid/kim")
    assert text is not None
    assert "pasokan senjata" in text and "Baca juga" not in text and "Beranda" not in text
    assert extract_main_text(b"", "u") is None
    assert extract_main_text(b"\xff\xfe\x00garbage", "u") is None


def test_full_text_fetcher_enriches_caches_and_falls_back(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/kim").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/broken").respond_with_data("no", status=500)
    short = article("Kim tiba.", url=httpserver.url_for("/kim"))
    broken = article("Kim tiba.", url=httpserver.url_for("/broken"))

    async def run() -> tuple[Article, Article, Article]:
        async with Fetcher(FetchLimits(total_timeout=10)) as fetcher:
            full = FullTextFetcher(fetcher, per_host_interval=0.0, min_chars=200)
            first = await full.enrich(short)
            second = await full.enrich(short)  # from the cache
            failed = await full.enrich(broken)
            return first, second, failed

    first, second, failed = asyncio.run(run())
    assert "kerja sama militer" in first.content and first.summary == "Kim tiba."
    assert first.content_hash != short.content_hash
    assert second == first
    assert failed == broken  # extraction failure keeps the article as it was
    assert [r.path for r, _ in httpserver.log].count("/kim") == 1
