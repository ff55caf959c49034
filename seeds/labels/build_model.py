"""Build the shipped models (seeds/models/) from the seeds plus the real-text labels.

    python seeds/labels/build_model.py [OUT_DIR]

Needs ../shared/data (the labeled text is read from there and never stored). The models
carry the fingerprint of the seeds alone, so a daemon whose seeds are unchanged and that
has no analyst labels uses them as they are (`monitor.relevance.training.shipped_models`).
Re-run after changing the seeds, the labels or the features.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import realset  # noqa: E402

from monitor.relevance.classify import LabeledText, ModelSet, fingerprint_training  # noqa: E402
from monitor.relevance.modelfile import read_training_file, save_models  # noqa: E402

TOPICS = ("arms-transfers", "dprk-russia")


def real_examples(topic: str, items: list[dict]) -> list[LabeledText]:
    return [LabeledText(title=item.get("title", ""), text=item.get("content", ""),
                        label=int(item["labels"][topic]), language=item.get("language", ""),
                        id=f"real:{item['id']}") for item in items]


def main(out: str | None = None) -> None:
    if not realset.available():
        sys.exit("../shared/data is not here: the real-text labels cannot be joined with their text")
    seeds = {t: read_training_file(ROOT / "seeds" / "training" / f"{t}.jsonl") for t in TOPICS}
    items = list(realset.labeled())
    examples = {t: seeds[t] + real_examples(t, items) for t in TOPICS}
    models = ModelSet.train(examples, fingerprint=fingerprint_training(seeds))
    path = save_models(models, Path(out) if out else ROOT / "seeds" / "models")
    for info in models.info:
        print(f"{info.topic}: {info.positives} positives, {info.negatives} negatives -> {path.parent}")


if __name__ == "__main__":
    main(*sys.argv[1:])
