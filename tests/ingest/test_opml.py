"""OPML import/export: round trip, nesting, hostile input, the shared real-world files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.errors import ParseError
from monitor.ingest.opml import OpmlFeed, export_opml, parse_opml

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "opml"

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>x</title></head><body>
  <outline text="News"><outline text="Indonesia">
    <outline type="rss" text="Antara" xmlUrl="https://antara.example.invalid/rss" htmlUrl="https://antara.example.invalid/"/>
  </outline></outline>
  <outline type="rss" title="Top" text="ignored" xmlUrl="https://top.example.invalid/feed"/>
  <outline type="rss" text="Dup" xmlUrl="https://top.example.invalid/feed"/>
</body></opml>"""


def test_nested_categories_and_duplicates() -> None:
    feeds = parse_opml(NESTED)
    assert feeds == (
        OpmlFeed("https://antara.example.invalid/rss", "Antara", "News/Indonesia",
                 "https://antara.example.invalid/"),
        OpmlFeed("https://top.example.invalid/feed", "Top", ""),
    )
    assert parse_opml(export_opml(feeds)) == feeds


@given(st.lists(st.builds(
    OpmlFeed,
    url=st.from_regex(r"https://[a-z]{1,10}\.example\.invalid/[a-z0-9/]{0,20}", fullmatch=True),
    title=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)
    .map(str.strip),
    category=st.sampled_from(["", "News", "News/World", "Наука"]),
), max_size=8, unique_by=lambda f: f.url))
def test_export_import_round_trip(feeds: list[OpmlFeed]) -> None:
    if not feeds:
        return
    # Import groups by category in first-seen order, as export writes them.
    order = list(dict.fromkeys(f.category for f in feeds))
    expected = tuple(sorted(feeds, key=lambda f: order.index(f.category)))
    assert parse_opml(export_opml(feeds)) == expected


@pytest.mark.parametrize("data", [b"", b"<rss/>", b"<opml><body/></opml>", b"not xml at all"])
def test_not_opml_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(ParseError, match=r"feeds\.opml"):
        parse_opml(data, "feeds.opml")


def test_entities_are_not_expanded() -> None:
    doc = (b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
           b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><opml><body>'
           b'<outline text="&b;" xmlUrl="https://x.example.invalid/"/></body></opml>')
    (feed,) = parse_opml(doc)
    assert "aaaaaaaaaa" * 10 not in feed.title


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared OPML files not present")
def test_shared_opml_files_import() -> None:
    files = sorted(SHARED.glob("**/*.opml"))
    assert files
    for path in files:
        feeds = parse_opml(path.read_bytes(), str(path))
        assert feeds and all(f.url.startswith(("http://", "https://")) for f in feeds)
    indonesia = parse_opml((SHARED / "awesome-rss-feeds/countries/Indonesia.opml").read_bytes())
    assert {f.category for f in indonesia} == {"Indonesia"}
    assert "https://www.republika.co.id/rss/" in {f.url for f in indonesia}
