"""Build the arms-transfers seed files from the hand-written sentences in arms_data_*.py.

Each data module holds one language as LANG and ROWS, a block of lines
``KIND|SPLIT|title|text|note`` where KIND is P (on topic), H (hard negative: same
vocabulary, other story) or N (easy negative) and SPLIT is t (training) or e (eval).
An eval row whose text is ``-`` is headline-only (empty ``content``), like many real feeds.

    .venv/bin/python seeds/tools/arms_build.py           # write both files
    .venv/bin/python seeds/tools/arms_build.py --check   # fail if the files are stale
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
SEEDS = TOOLS.parent
TOPIC = "arms-transfers"
LANGS = ("en", "id", "ru", "uk", "ko", "ja", "zh", "de", "fr", "es", "ar", "pt", "tr", "pl")

# Invented outlet names per language for the eval file's `source` field.
OUTLETS = {
    "en": ("Harbour Gazette", "Northline Wire", "The Meridian Post", "Capital Ledger"),
    "id": ("Warta Nusantara", "Kabar Harian Jaya", "Suara Timur"),
    "ru": ("Вечерний курьер", "Северная газета", "Обозреватель"),
    "uk": ("Дніпровський вісник", "Новини Полісся", "Голос Подолу"),
    "ko": ("한빛일보", "새누리뉴스", "동해경제"),
    "ja": ("東都新聞", "北辰通信", "みなと日報"),
    "zh": ("东方观察报", "华南新闻网", "环宇时报"),
    "de": ("Rheinische Rundschau", "Nordkurier Online", "Alpenblatt"),
    "fr": ("Le Courrier du Rhône", "La Voix de l'Ouest", "Dépêche Atlantique"),
    "es": ("El Diario del Sur", "Crónica Andina", "La Gaceta Peninsular"),
    "ar": ("صحيفة الأفق", "الرائد الإخبارية", "بوابة المشرق"),
    "pt": ("Folha do Planalto", "Jornal da Ribeira", "Correio Atlântico"),
    "tr": ("Anadolu Postası", "Ege Haber", "Boğaz Gazetesi"),
    "pl": ("Gazeta Nadwiślańska", "Kurier Bałtycki", "Tygodnik Śląski"),
}
KINDS = {"P": (1, False), "H": (0, True), "N": (0, False)}


def load_rows() -> list[dict[str, object]]:
    """Parse every data module into dicts; raise ValueError naming each bad line."""
    rows: list[dict[str, object]] = []
    problems: list[str] = []
    for lang in LANGS:
        spec = importlib.util.spec_from_file_location(
            f"arms_data_{lang}", TOOLS / f"arms_data_{lang}.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert module.LANG == lang, module.__name__
        for number, line in enumerate(module.ROWS.strip().splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) != 5 or parts[0] not in KINDS or parts[1] not in ("t", "e"):
                problems.append(f"arms_data_{lang} row {number}: {line[:60]}")
                continue
            kind, split, title, text, note = parts
            if text == "-" and split == "e":
                text = ""
            if not title or (not text and split == "t") or not note:
                problems.append(f"arms_data_{lang} row {number}: empty field")
                continue
            label, hard = KINDS[kind]
            rows.append(
                dict(
                    lang=lang,
                    split=split,
                    title=title,
                    text=text,
                    note=note,
                    label=label,
                    hard=hard,
                )
            )
    if problems:
        raise ValueError("bad rows:\n" + "\n".join(problems))
    return rows


def render(rows: list[dict[str, object]]) -> tuple[str, str]:
    """Return (training JSONL, eval JSONL); order and dates are deterministic."""
    rng = random.Random(5)
    train = [row for row in rows if row["split"] == "t"]
    evals = [row for row in rows if row["split"] == "e"]
    rng.shuffle(train)
    rng.shuffle(evals)
    train_lines = [
        json.dumps(
            {
                "id": f"arms-train-{n:04d}",
                "title": r["title"],
                "text": r["text"],
                "language": r["lang"],
                "label": r["label"],
                "hard": r["hard"],
                "note": r["note"],
            },
            ensure_ascii=False,
        )
        for n, r in enumerate(train, 1)
    ]
    start = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    eval_lines = []
    for n, r in enumerate(evals, 1):
        outlets = OUTLETS[str(r["lang"])]
        published = start + timedelta(hours=7 * n, minutes=13 * (n % 4))
        eval_lines.append(
            json.dumps(
                {
                    "id": f"arms-eval-{n:03d}",
                    "title": r["title"],
                    "content": r["text"],
                    "language": r["lang"],
                    "published": published.isoformat(),
                    "source": outlets[n % len(outlets)],
                    "labels": {TOPIC: r["label"]},
                },
                ensure_ascii=False,
            )
        )
    return "\n".join(train_lines) + "\n", "\n".join(eval_lines) + "\n"


def summary(rows: list[dict[str, object]]) -> str:
    lines = []
    for split in ("t", "e"):
        part = [r for r in rows if r["split"] == split]
        neg = [r for r in part if r["label"] == 0]
        pos = len(part) - len(neg)
        hard = sum(1 for r in neg if r["hard"])
        lines.append(
            f"{split}: {len(part)} rows, {pos / len(part):.1%} positive, "
            f"{hard / max(len(neg), 1):.1%} of negatives hard"
        )
        per_lang = Counter((r["lang"], r["label"], r["hard"]) for r in part)
        for lang in LANGS:
            p = per_lang[(lang, 1, False)]
            h = per_lang[(lang, 0, True)]
            e = per_lang[(lang, 0, False)]
            lines.append(f"   {lang}: {p + h + e:3d}  P={p:2d} H={h:2d} N={e:2d}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    rows = load_rows()
    train, evals = render(rows)
    targets = {
        SEEDS / "training" / f"{TOPIC}.jsonl": train,
        SEEDS / "eval" / f"{TOPIC}.jsonl": evals,
    }
    if "--check" in argv:
        stale = [
            str(p)
            for p, text in targets.items()
            if not p.exists() or p.read_text(encoding="utf-8") != text
        ]
        print("stale: " + ", ".join(stale) if stale else "up to date")
        return 1 if stale else 0
    for path, text in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(summary(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
