"""The arms-transfers seed files: shape, balance, spread and training/eval separation."""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
TOPIC = "arms-transfers"
TRAINING = REPO / "seeds" / "training" / f"{TOPIC}.jsonl"
EVAL = REPO / "seeds" / "eval" / f"{TOPIC}.jsonl"
BUILD_SCRIPT = REPO / "seeds" / "tools" / "arms_build.py"

ISO_639_1 = set(
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv "
    "cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr "
    "ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw "
    "ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv "
    "ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr "
    "ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi "
    "yo za zh zu".split()
)
TRAINING_KEYS = {"id", "title", "text", "language", "label", "hard", "note"}
EVAL_KEYS = {"id", "title", "content", "language", "published", "source", "labels"}
# A sentence ends at ./!/? followed by a space or the end, or at CJK full stops.
SENTENCE_END = re.compile(r"[.!?](?=\s|$)|[。！？]")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{path.name}:{number}: blank line"
        row = json.loads(line)
        assert isinstance(row, dict), f"{path.name}:{number}: not an object"
        rows.append(row)
    return rows


def normalised(*parts: str) -> str:
    return " ".join(" ".join(parts).casefold().split())


@pytest.fixture(scope="module")
def training() -> list[dict[str, Any]]:
    return read_jsonl(TRAINING)


@pytest.fixture(scope="module")
def evaluation() -> list[dict[str, Any]]:
    return read_jsonl(EVAL)


def label_of(row: dict[str, Any]) -> int:
    return row["label"] if "label" in row else row["labels"][TOPIC]


# -- training file ---------------------------------------------------------------------------


def test_training_rows_have_the_documented_fields_and_types(training):
    for row in training:
        assert set(row) == TRAINING_KEYS, row["id"]
        assert re.fullmatch(r"arms-train-\d{4}", row["id"]), row["id"]
        for key in ("title", "text", "note"):
            assert isinstance(row[key], str) and row[key].strip(), (row["id"], key)
            assert row[key] == row[key].strip(), (row["id"], key)
        assert row["label"] in (0, 1) and type(row["label"]) is int, row["id"]
        assert type(row["hard"]) is bool, row["id"]
        assert not (row["label"] == 1 and row["hard"]), f"{row['id']}: positives are never hard"


def test_training_texts_are_one_to_four_sentences(training):
    for row in training:
        sentences = len(SENTENCE_END.findall(row["text"]))
        assert 1 <= max(sentences, 1) <= 4, (row["id"], sentences)


def test_training_has_at_least_450_lines(training):
    assert len(training) >= 450


def test_training_ids_and_texts_are_unique(training):
    ids = Counter(row["id"] for row in training)
    assert [i for i, n in ids.items() if n > 1] == []
    texts = Counter(normalised(row["text"]) for row in training)
    assert [t for t, n in texts.items() if n > 1] == []
    titles = Counter(normalised(row["title"]) for row in training)
    assert [t for t, n in titles.items() if n > 1] == []


def test_training_languages_are_iso_639_1_and_spread(training):
    languages = Counter(row["language"] for row in training)
    assert set(languages) <= ISO_639_1, set(languages) - ISO_639_1
    assert sum(1 for n in languages.values() if n >= 15) >= 12, languages


def test_training_positive_share_is_between_40_and_55_percent(training):
    share = sum(label_of(row) for row in training) / len(training)
    assert 0.40 <= share <= 0.55, share


def test_training_negatives_are_at_least_40_percent_hard(training):
    negatives = [row for row in training if row["label"] == 0]
    share = sum(row["hard"] for row in negatives) / len(negatives)
    assert share >= 0.40, share


def test_every_training_language_has_both_labels_and_hard_negatives(training):
    for language in {row["language"] for row in training}:
        rows = [row for row in training if row["language"] == language]
        positives = sum(row["label"] for row in rows)
        hard = sum(row["hard"] for row in rows)
        assert 0.3 <= positives / len(rows) <= 0.6, (language, positives, len(rows))
        assert hard >= 0.3 * (len(rows) - positives), (language, hard)


# -- eval file -------------------------------------------------------------------------------


def test_eval_rows_follow_the_replay_input_format_plus_labels(evaluation):
    for row in evaluation:
        assert set(row) == EVAL_KEYS, row["id"]
        assert re.fullmatch(r"arms-eval-\d{3}", row["id"]), row["id"]
        assert isinstance(row["title"], str) and row["title"].strip(), row["id"]
        assert isinstance(row["content"], str), row["id"]  # "" for headline-only items
        assert isinstance(row["source"], str) and row["source"].strip(), row["id"]
        published = datetime.fromisoformat(row["published"])
        assert published.utcoffset() is not None, row["id"]
        assert row["labels"] == {TOPIC: row["labels"][TOPIC]}, row["id"]
        assert row["labels"][TOPIC] in (0, 1) and type(row["labels"][TOPIC]) is int, row["id"]


def test_eval_has_120_unique_lines_in_many_languages(evaluation):
    assert len(evaluation) == 120
    assert len({row["id"] for row in evaluation}) == 120
    texts = {normalised(row["title"], row["content"]) for row in evaluation}
    assert len(texts) == 120
    languages = Counter(row["language"] for row in evaluation)
    assert set(languages) <= ISO_639_1
    assert sum(1 for n in languages.values() if n >= 5) >= 12, languages


def test_eval_label_balance(evaluation):
    share = sum(label_of(row) for row in evaluation) / len(evaluation)
    assert 0.40 <= share <= 0.55, share


def test_eval_is_disjoint_from_training(training, evaluation):
    assert {row["id"] for row in training}.isdisjoint(row["id"] for row in evaluation)
    train_texts = {normalised(row["text"]) for row in training}
    train_titles = {normalised(row["title"]) for row in training}
    for row in evaluation:
        assert normalised(row["title"]) not in train_titles, row["id"]
        if row["content"]:
            assert normalised(row["content"]) not in train_texts, row["id"]


# -- generator -------------------------------------------------------------------------------


def test_seed_files_match_the_generator_script():
    spec = importlib.util.spec_from_file_location("arms_build", BUILD_SCRIPT)
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    train_text, eval_text = build.render(build.load_rows())
    assert TRAINING.read_text(encoding="utf-8") == train_text, "run seeds/tools/arms_build.py"
    assert EVAL.read_text(encoding="utf-8") == eval_text, "run seeds/tools/arms_build.py"
