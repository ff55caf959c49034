"""Join the real-text labels (ids only, in this folder) with their text in ../shared/data.

    python seeds/labels/realset.py OUT.jsonl [LABELS.jsonl]

writes one `monitor eval` / `monitor replay` line per labeled item (id, title, content,
language, published, source, labels). The text is read from ../shared at run time and
never stored in the project; `available()` is False where ../shared is absent.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from sample import DATA, SOURCES, draw_feed_entries  # noqa: E402

LABELS = HERE / "real.jsonl"


def available() -> bool:
    return (DATA / "articles").is_dir()


def _texts() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for name, *_ in SOURCES.values():
        for line in (DATA / "articles" / name).read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            out[item["id"]] = {"title": item.get("title") or "", "content": item.get("text") or "",
                               "language": item.get("language"), "published": item.get("published"),
                               "source": item.get("source"), "url": item.get("url")}
    for row in draw_feed_entries():
        out[row["id"]] = {"title": row["title"], "content": row["text"], "language": None,
                          "published": None, "source": row["id"].split("#")[0]}
    return out


def labeled(path: Path = LABELS) -> Iterator[dict]:
    """Every labeled item with its text, in the order of the label file."""
    texts = _texts()
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        item = {"id": rec["id"], **texts[rec["id"]], "labels": rec["labels"]}
        yield {k: v for k, v in item.items() if v is not None}


def main(out: str, labels: str | None = None) -> None:
    with open(out, "w", encoding="utf-8") as handle:
        for n, item in enumerate(labeled(Path(labels) if labels else LABELS), 1):
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(f"{n} labeled items -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
