"""Every real-world feed in ../shared/data/feeds parses; no mojibake in non-Latin ones."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import ParseError
from monitor.ingest.parse import parse_feed

FEEDS = Path(__file__).resolve().parents[3] / "shared" / "data" / "feeds"
FETCHED = datetime(2030, 1, 1, tzinfo=UTC)  # after every dated entry in the corpus
INVALID = {"rss_2.0_invalid_1.xml"}
MOJIBAKE = re.compile("[ÃÐÑÂ][\x80-\xbf\u0100-\u017f\u2010-\u203a]|\ufffd|Ã©|Ã¨")

# file -> (script that must appear in titles+text, example title substring)
SCRIPTS = {
    "koi8r.xml": ("[а-яА-Я]", "Как пережить"),
    "miniflux/ibash_ru_windows1251.xml": ("[а-яА-Я]", "Цитата"),
    "gb2312.xml": ("[\u4e00-\u9fff]", "不归移民漫画"),
    "big5.xml": ("[\u4e00-\u9fff]", None),  # zero entries: the feed title carries the text
    "rss-parser/qq_news_zh_gb2312.xml": ("[\u4e00-\u9fff]", "习近平"),
    "shiftjis.xml": ("[\u3040-\u30ff]", "DrecomRSS"),
    "eucjp.xml": ("[\u3040-\u30ff]", "正月"),
    "euckr.xml": ("[\uac00-\ud7af]", "한글닉네임"),
    "windows1255.xml": ("[\u0590-\u05ff]", "אתר אינטרנט"),
    "tis620.xml": ("[\u0e00-\u0e7f]", "ซอฟต์แวร์"),
    "miniflux/bbc_urdu_rtl.xml": ("[\u0600-\u06ff]", "امریکی"),
}

ALL = sorted(p for p in FEEDS.glob("**/*") if p.is_file() and p.suffix != ".md") if (
    FEEDS.is_dir()) else []


def _id(path: Path) -> str:
    return str(path.relative_to(FEEDS))


def parse(path: Path):
    return parse_feed(path.read_bytes(), {}, f"https://feeds.example.invalid/{_id(path)}",
                      FETCHED)


@pytest.mark.skipif(not ALL, reason="shared feed corpus not present")
@pytest.mark.parametrize("path", ALL, ids=_id)
def test_every_corpus_feed_parses(path: Path) -> None:
    if path.name in INVALID:
        try:
            parsed = parse(path)
        except ParseError as exc:
            assert _id(path) in str(exc)
            return
        assert any("malformed" in w for w in parsed.warnings)
        return
    parsed = parse(path)
    assert parsed.version
    if path.name == "big5.xml":  # an Atom fragment with a title and no entries
        assert parsed.entries == ()
        return
    assert parsed.entries, path
    ids = [a.id for a in parsed.entries]
    assert len(ids) == len(set(ids))
    for article in parsed.entries:
        assert article.title and len(article.title) <= 1000
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", article.title + article.summary)
        assert "<p>" not in article.summary and "<br" not in article.summary
        assert article.published is not None and article.published.tzinfo is not None
        assert article.published <= FETCHED
        assert article.url == "" or article.url.startswith(("http://", "https://"))
        assert not MOJIBAKE.search(article.title + article.summary), article.title
    assert not MOJIBAKE.search(parsed.title)


def _find(name: str) -> Path:
    matches = [p for p in ALL if _id(p).endswith(name)]
    if not matches:
        pytest.skip(f"{name} not in the corpus")
    return matches[0]


@pytest.mark.skipif(not ALL, reason="shared feed corpus not present")
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_undeclared_and_legacy_encodings_decode(name: str) -> None:
    script, title_part = SCRIPTS[name]
    parsed = parse(_find(name))
    text = parsed.title + " ".join(a.title + " " + a.summary for a in parsed.entries)
    assert len(re.findall(script, text)) >= 5, text[:200]
    assert not MOJIBAKE.search(text), text[:200]
    if title_part:
        assert any(title_part in a.title for a in parsed.entries), [
            a.title for a in parsed.entries][:3]


@pytest.mark.skipif(not ALL, reason="shared feed corpus not present")
def test_known_titles_links_and_dates() -> None:
    reuters = parse(_find("reuters_worldnews_2018-01-30.rss"))
    first = reuters.entries[0]
    assert first.title.startswith("U.S. general says North Korea not demonstrated")
    assert first.url.startswith("http://feeds.reuters.com/")
    assert first.published == datetime(2018, 1, 30, 17, 29, 57, tzinfo=UTC)
    assert not first.published_is_guess

    base = parse(_find("atom_xml_base.xml"))
    assert base.entries[0].url == "https://numi.st/post/2022/travel-uke"

    latin = parse(_find("lecerclepsy_fr_no_decl_latin1.xml"))
    assert any("é" in a.title + a.summary for a in latin.entries)

    uol = parse(_find("uol_noticias_pt_no_xmldecl.rss"))  # Portuguese day/month names
    assert all(not a.published_is_guess for a in uol.entries)
    assert any(a.published.year == 2018 for a in uol.entries if a.published)

    no_dates = parse(_find("heise_rss090_rdf_de.xml"))  # RSS 0.90 carries no dates
    assert all(a.published_is_guess and a.published == FETCHED for a in no_dates.entries)
