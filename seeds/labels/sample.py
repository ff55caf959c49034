"""Draw the real-text labeling sample from ../shared/data (ids only leave this script).

Stratified so that on-topic items and near misses are well represented: per source,
every item that names both sides (North Korea and Russia) or an arms-trade word, a
share of the items that name one side only, and a random background. The strata only
decide what gets *read*; labels come from reading each item against TOPICS.md.

    python seeds/labels/sample.py OUT_DIR      # writes OUT_DIR/sample.jsonl and sample2.jsonl

Round 2 (`draw_round2`) adds every remaining Guardian/BBC item whose headline has an
arms word or names North Korea, and every remaining KCNA item naming Russia: the first
round held too few positives to measure recall per source.

Held-out ids (../shared/data/HOLDOUT.txt) are never drawn.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

NK = re.compile(r"north korea|pyongyang|\bkim jong|\bdprk\b|korea utara|korut|северн\w* коре|кндр|пхеньян|ким чен|corea del norte|rpdc", re.I)
RU = re.compile(r"russia|\bputin|moscow|kremlin|rusia|putin|rusia|россия|росси|путин|москв|кремл|soviet|ussr|rusa|moscú", re.I)
ARMS = re.compile(
    r"\barms\b|weapon|missile|artillery|shell|munition|ammunition|rocket|drone|tank|jet|howitzer|himars|patriot|"
    r"f-16|leopard|abrams|atacms|storm shadow|air defen|military aid|military supp|arms deal|export|embargo|smuggl|"
    r"senjata|rudal|amunisi|peluru|jet tempur|drone|tank|оружи|вооруж|ракет|снаряд|боеприпас|танк|дрон|поставк|постав|"
    r"armas|misil|armamento|munici",
    re.I,
)
# Per source: (file, cap for each stratum: both-sides/arms, one side, background).
SOURCES = {
    "guardian": ("guardian_russia_ukraine_headlines_2020_2024.jsonl", 650, 200, 150),
    "bbc": ("bbc_russia_ukraine_headlines_2020_2024.jsonl", 300, 80, 70),
    "kcna-headlines": ("kcna_headlines_1997_2014_sample20000.jsonl", 250, 120, 100),
    "kcna-stories": ("kcna_stories_2011_2012_sample5000.jsonl", 180, 60, 60),
    "ria": ("ria_novosti_ru_2023.jsonl", 140, 60, 60),
    "narasipal": ("narasipal_id_headlines_2023_2025_sample20000.jsonl", 260, 60, 100),
    "agnews": ("ag_news_test.jsonl", 220, 60, 150),
}
TEXT_CHARS = 2500


def holdout_ids() -> set[str]:
    path = DATA / "HOLDOUT.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def _row(source: str, item: dict) -> dict:
    text = (item.get("text") or "")[:TEXT_CHARS]
    return {"id": item["id"], "source": source, "language": item.get("language"), "published": item.get("published"),
            "title": item.get("title") or "", "text": text}


def draw_articles(rng: random.Random, skip: set[str]) -> list[dict]:
    rows: list[dict] = []
    for source, (name, cap_hit, cap_side, cap_background) in SOURCES.items():
        items = [json.loads(line) for line in (DATA / "articles" / name).read_text(encoding="utf-8").splitlines()]
        items = [item for item in items if item["id"] not in skip]
        hit, side, rest = [], [], []
        for item in items:
            blob = f"{item.get('title') or ''} {item.get('text') or ''}"
            nk, ru, arms = bool(NK.search(blob)), bool(RU.search(blob)), bool(ARMS.search(blob))
            if (nk and ru) or (arms and (nk or ru)) or (arms and source in {"narasipal", "agnews"}):
                hit.append(item)
            elif nk or ru or arms:
                side.append(item)
            else:
                rest.append(item)
        for bucket, cap in ((hit, cap_hit), (side, cap_side), (rest, cap_background)):
            rng.shuffle(bucket)
            rows.extend(_row(source, item) for item in bucket[:cap])
    return rows


def draw_feed_entries() -> list[dict]:
    import feedparser

    rows = []
    for path in sorted((DATA / "feeds").rglob("*")):
        if not path.is_file():
            continue
        parsed = feedparser.parse(path.read_bytes())
        rel = path.relative_to(DATA / "feeds").as_posix()
        for index, entry in enumerate(parsed.entries):
            summary = re.sub(r"<[^>]+>", " ", entry.get("summary", "") or "")
            rows.append({"id": f"feed:{rel}#{index}", "source": "feeds", "language": None,
                         "published": entry.get("published"), "title": entry.get("title", ""),
                         "text": re.sub(r"\s+", " ", summary).strip()[:TEXT_CHARS]})
    return rows


def draw_round2(skip: set[str]) -> list[dict]:
    rows = []
    for source in ("guardian", "bbc", "kcna-headlines", "kcna-stories"):
        for line in (DATA / "articles" / SOURCES[source][0]).read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            if item["id"] in skip:
                continue
            blob = f"{item.get('title') or ''} {(item.get('text') or '')[:3000]}"
            head = item.get("title") or blob[:300]
            if source in ("guardian", "bbc") and (ARMS.search(head) or NK.search(blob)):
                rows.append(_row(source, item))
            elif source.startswith("kcna") and RU.search(blob):
                rows.append(_row(source, item))
    return rows


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} items -> {path}")


def main(out_dir: str) -> None:
    rng = random.Random(20261202)
    held = holdout_ids()
    first = draw_articles(rng, held) + draw_feed_entries()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _write(out / "sample.jsonl", first)
    _write(out / "sample2.jsonl", draw_round2(held | {row["id"] for row in first}))


if __name__ == "__main__":
    main(sys.argv[1])
