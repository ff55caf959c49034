"""`monitor feeds add` refuses what cannot be polled; `feeds import` imports what it can
read and names, with its line, every entry it could not, against the true total."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers import SHARED, demo_config, run_cli

RUSSIA = SHARED / "data" / "opml" / "awesome-rss-feeds" / "countries" / "Russia.opml"


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return demo_config(tmp_path)


def cli(cfg: Path, tmp_path: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_cli("--config", str(cfg), *args, env={"MONITOR_STATE_DIR": str(tmp_path / "state")})


def feed_rows(tmp_path: Path) -> dict[str, str]:
    db = sqlite3.connect(tmp_path / "state" / "monitor.db")
    try:
        return dict(db.execute("SELECT url, origin FROM feeds WHERE active = 1").fetchall())
    finally:
        db.close()


@pytest.mark.parametrize(("url", "why"), [
    ("ftp://x/y", "unsupported scheme ftp://"),
    ("not a url", "no such file"),
    ("missing-feed.xml", "no such file"),
    ("https://", "no host name"),
])
def test_feeds_add_refuses_what_cannot_be_polled(cfg: Path, tmp_path: Path, url: str, why: str) -> None:
    res = cli(cfg, tmp_path, "feeds", "add", url)
    assert res.returncode == 2, res.stdout + res.stderr
    assert why in res.stderr and "Traceback" not in res.stderr
    if (tmp_path / "state" / "monitor.db").exists():
        assert url not in feed_rows(tmp_path)


def test_feeds_add_stores_a_path_as_an_absolute_one(cfg: Path, tmp_path: Path) -> None:
    feed = tmp_path / "local.rss"
    feed.write_text("<rss/>", encoding="utf-8")
    res = run_cli("--config", str(cfg), "feeds", "add", "local.rss", "--name", "Local",
                  env={"MONITOR_STATE_DIR": str(tmp_path / "state")})
    assert res.returncode == 2  # run_cli runs in the repository: there is no local.rss there
    res = cli(cfg, tmp_path, "feeds", "add", str(feed))
    assert res.returncode == 0, res.stderr
    assert feed_rows(tmp_path)[str(feed)] == "cli"
    res = cli(cfg, tmp_path, "feeds", "add", "https://example.org/rss")
    assert res.returncode == 0 and "https://example.org/rss" in feed_rows(tmp_path)


def test_import_of_the_real_russia_file_names_the_entry_it_could_not_read(cfg: Path, tmp_path: Path) -> None:
    if not RUSSIA.exists():
        pytest.skip("../shared/data/opml is not present")
    res = cli(cfg, tmp_path, "feeds", "import", str(RUSSIA))
    assert res.returncode == 1, res.stdout + res.stderr
    assert f"imported 12 of 13 feeds from {RUSSIA}" in res.stdout
    # line 20 has unescaped quotes inside text="..."; its URL is named for a manual `feeds add`
    assert f"{RUSSIA}:20: outline could not be read" in res.stderr, res.stderr
    assert "https://www.kommersant.ru/RSS/main.xml" in res.stderr
    opml = [u for u, origin in feed_rows(tmp_path).items() if origin == "opml"]
    assert len(opml) == 12 and "https://lenta.ru/rss" in opml and "https://www.pravdareport.com/export.xml" in opml


def test_import_counts_and_names_broken_and_unpollable_entries(cfg: Path, tmp_path: Path) -> None:
    opml = tmp_path / "list.opml"
    opml.write_text(
        '<?xml version="1.0"?>\n'
        '<opml version="2.0"><head><title>t</title></head>\n'
        "<body>\n"
        '  <outline text="Good" xmlUrl="https://good.example/rss"/>\n'
        '  <outline text="FTP" xmlUrl="ftp://files.example/feed.xml"/>\n'
        '  <outline text="Say "hi"" xmlUrl="https://broken.example/rss"/>\n'
        "  <!-- <outline text=\"commented out\" xmlUrl=\"https://gone.example/rss\"/> -->\n"
        '  <outline text="Empty" xmlUrl=""/>\n'
        '  <outline text="Also good" xmlUrl="https://good.example/other"/>\n'
        "</body></opml>\n", encoding="utf-8")
    res = cli(cfg, tmp_path, "feeds", "import", str(opml))
    assert res.returncode == 1, res.stdout + res.stderr
    assert f"imported 2 of 5 feeds from {opml}" in res.stdout
    assert f"{opml}:5: ftp://files.example/feed.xml: unsupported scheme" in res.stderr
    assert f"{opml}:6: outline could not be read" in res.stderr and "https://broken.example/rss" in res.stderr
    assert f"{opml}:8: outline with an empty xmlUrl" in res.stderr
    assert "gone.example" not in res.stderr  # a comment is not an entry
    assert "3 could not be imported" in res.stderr
    assert {u for u, o in feed_rows(tmp_path).items() if o == "opml"} == {
        "https://good.example/rss", "https://good.example/other"}


def test_a_clean_import_exits_0(cfg: Path, tmp_path: Path) -> None:
    opml = tmp_path / "ok.opml"
    opml.write_text('<opml version="1.0"><body><outline text="A" xmlUrl="https://a.example/rss"/></body></opml>',
                    encoding="utf-8")
    res = cli(cfg, tmp_path, "feeds", "import", str(opml))
    assert res.returncode == 0, res.stderr
    assert "imported 1 of 1 feeds" in res.stdout and not res.stderr.strip()
