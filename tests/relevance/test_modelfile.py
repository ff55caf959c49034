"""Model files: round trip, and every kind of stale or broken file means "retrain"."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from monitor.errors import ModelError
from monitor.relevance.classify import LabeledText, ModelSet
from monitor.relevance.modelfile import (
    DATA_FILE,
    HEADER_FILE,
    load_models,
    read_header,
    read_training_file,
    save_models,
)

TITLES = ["North Korea ships shells to Russia", "Kim visits a farm", "Корея Утара", "北韩 导弹"]


def examples(topic_word: str) -> list[LabeledText]:
    pos = [LabeledText(f"{topic_word} deal {i}", "shells missiles russia", 1) for i in range(12)]
    neg = [LabeledText(f"farm festival {i}", "harvest football weather", 0) for i in range(12)]
    return pos + neg


@pytest.fixture(scope="module")
def models() -> ModelSet:
    return ModelSet.train({"arms": examples("arms"), "dprk": examples("pyongyang"),
                           "empty": examples("x")[:5]})


def saved(models: ModelSet, tmp_path: Path) -> Path:
    directory = tmp_path / "state" / "models"
    save_models(models, directory)
    return directory


def test_round_trip_predicts_the_same(models: ModelSet, tmp_path: Path) -> None:
    directory = saved(models, tmp_path)
    loaded = load_models(directory, models.fingerprint)
    assert loaded is not None
    assert loaded.topics == models.topics and loaded.info == models.info
    assert dict(loaded.skipped) == dict(models.skipped) and "empty" in loaded.skipped
    before = models.predict(TITLES, [""] * len(TITLES))
    after = loaded.predict(TITLES, [""] * len(TITLES))
    assert before.keys() == after.keys()
    for k in before:
        assert np.array_equal(before[k], after[k])
    assert sorted(p.name for p in directory.iterdir()) == sorted([DATA_FILE, HEADER_FILE])  # no temp files


def test_missing_directory_or_files(tmp_path: Path, models: ModelSet) -> None:
    assert load_models(tmp_path / "nothing", "fp") is None
    directory = saved(models, tmp_path)
    (directory / DATA_FILE).unlink()
    assert load_models(directory, models.fingerprint) is None


def test_other_fingerprint_means_retrain(models: ModelSet, tmp_path: Path) -> None:
    directory = saved(models, tmp_path)
    assert load_models(directory, "another fingerprint") is None
    assert load_models(directory, None) is not None  # None: skip the check


@pytest.mark.parametrize(
    ("key", "value"),
    [("sklearn", "0.0.1"), ("format", 99), ("feature_version", -1), ("n_features", 16)],
)
def test_version_mismatch_means_retrain(models: ModelSet, tmp_path: Path, key: str,
                                        value: object) -> None:
    directory = saved(models, tmp_path)
    header = json.loads((directory / HEADER_FILE).read_text())
    header[key] = value
    (directory / HEADER_FILE).write_text(json.dumps(header))
    assert load_models(directory, models.fingerprint) is None


@pytest.mark.parametrize("damage", ["garbage_data", "truncated_data", "garbage_header",
                                    "header_list", "shape_mismatch"])
def test_corrupt_files_mean_retrain(models: ModelSet, tmp_path: Path, damage: str) -> None:
    directory = saved(models, tmp_path)
    data, header_path = directory / DATA_FILE, directory / HEADER_FILE
    if damage == "garbage_data":
        data.write_bytes(b"not a zip file")
    elif damage == "truncated_data":
        data.write_bytes(data.read_bytes()[:100])
    elif damage == "garbage_header":
        header_path.write_text("{not json")
    elif damage == "header_list":
        header_path.write_text("[]")
    elif damage == "shape_mismatch":  # the header claims a topic the arrays do not hold
        header = json.loads(header_path.read_text())
        header["topics"].append("ghost")
        header_path.write_text(json.dumps(header))
    assert load_models(directory, models.fingerprint) is None


def test_header_is_readable_for_status(models: ModelSet, tmp_path: Path) -> None:
    directory = saved(models, tmp_path)
    header = read_header(directory)
    assert header is not None
    assert header["fingerprint"] == models.fingerprint
    assert header["topics"] == ["arms", "dprk"]
    assert {i["topic"]: i["positives"] for i in header["info"]} == {"arms": 12, "dprk": 12}
    assert read_header(tmp_path) is None


def test_save_overwrites_atomically(models: ModelSet, tmp_path: Path) -> None:
    directory = saved(models, tmp_path)
    other = ModelSet.train({"arms": examples("weapons")})
    save_models(other, directory)
    loaded = load_models(directory, other.fingerprint)
    assert loaded is not None and loaded.topics == ("arms",)
    assert load_models(directory, models.fingerprint) is None


def test_save_into_unwritable_place_raises_model_error(models: ModelSet, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ModelError):
        save_models(models, blocker / "models")


def test_read_training_file(tmp_path: Path) -> None:
    good = tmp_path / "t.jsonl"
    good.write_text(
        '{"id": "1", "title": "A", "text": "a", "language": "en", "label": 1, "hard": false}\n'
        "\n"
        '{"id": "2", "title": "B", "text": "b", "language": "id", "label": 0, "hard": true,'
        ' "note": "ceasefire"}\n',
        encoding="utf-8",
    )
    assert read_training_file(good) == [
        LabeledText("A", "a", 1, "en", "1"),
        LabeledText("B", "b", 0, "id", "2", hard=True),
    ]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "A", "label": 1}\n{oops\n[1]\n{"title": "C", "label": "yes"}\n')
    with pytest.raises(ModelError) as err:
        read_training_file(bad)
    message = str(err.value)
    assert "bad.jsonl:2" in message and "bad.jsonl:3" in message and "bad.jsonl:4" in message
    assert "bad.jsonl:1" not in message
    with pytest.raises(ModelError):
        read_training_file(tmp_path / "missing.jsonl")
