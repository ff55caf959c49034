"""The classifier core on small synthetic multilingual data (and the seeds when present)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from monitor.errors import ModelError
from monitor.relevance.classify import (
    LabeledForTopic,
    LabeledText,
    ModelSet,
    compare_models,
    cross_validate,
    fingerprint_training,
    labeled_from_record,
    prepare_text,
)

ROOT = Path(__file__).resolve().parents[2]

# On topic: North Korea supplying weapons to Russia, in five languages and scripts.
POSITIVE = [
    ("North Korea ships artillery shells to Russia", "Containers of ammunition crossed by rail."),
    ("Pyongyang sends missiles to Moscow", "Ballistic missiles were delivered for the war."),
    ("Korea Utara kirim senjata ke Rusia", "Peluru artileri dikirim lewat kereta api."),
    ("Korea Utara pasok rudal untuk Rusia", "Rudal balistik dikirim ke Moskow."),
    ("КНДР поставляет снаряды России", "Артиллерийские снаряды доставлены по железной дороге."),
    ("Пхеньян передал ракеты Москве", "Баллистические ракеты переданы для войны."),
    ("북한 러시아에 포탄 지원", "포탄이 철도로 운송되었다."),
    ("북한 미사일 러시아로 이전", "탄도미사일이 모스크바로 보내졌다."),
    ("朝鲜向俄罗斯提供炮弹", "弹药通过铁路运往俄罗斯。"),
    ("朝鲜向俄罗斯转让导弹", "弹道导弹被送往莫斯科。"),
]
# Off topic, with shared vocabulary: leaders elsewhere, other trade, ceasefires, sport.
NEGATIVE = [
    ("Kim Jong Un visits a fertilizer factory", "The leader praised the workers of the plant."),
    ("Putin meets Xi in Beijing on trade", "The two leaders discussed energy exports."),
    ("Korea Selatan dan Rusia tanda tangani perjanjian dagang", "Ekspor mobil naik tahun ini."),
    ("Gencatan senjata di Gaza diperpanjang", "Bantuan kemanusiaan masuk ke wilayah itu."),
    ("Путин посетил завод в Туле", "Президент осмотрел новые цеха предприятия."),
    ("Сборная России проиграла в футбол", "Матч завершился со счетом два один."),
    ("김정은 비료공장 현지지도", "노동자들의 성과를 치하했다."),
    ("한국 러시아 무역 협정 체결", "자동차 수출이 증가했다."),
    ("中国与俄罗斯签署贸易协议", "双方讨论了能源出口。"),
    ("足球转会窗口关闭", "俱乐部签下了新前锋。"),
]
HELD_OUT_POSITIVE = [
    ("Pyongyang delivers artillery shells and missiles to Russia", ""),
    ("Rusia terima rudal dan peluru artileri dari Korea Utara", ""),
    ("Россия получила снаряды и ракеты из КНДР", ""),
]
HELD_OUT_NEGATIVE = [
    ("Kim Jong Un praises workers at a new factory", ""),
    ("Korea Selatan dan Rusia bahas ekspor mobil", ""),
    ("Футбольный матч в Туле завершился вничью", ""),
]


def synthetic(n_variants: int = 6, seed: int = 7) -> list[LabeledText]:
    """Each base sentence with small variations, so folds never see exact copies."""
    rng = random.Random(seed)
    fillers = ["", " today", " report", " (update)", " — sources", " 2024"]
    out = []
    for label, base in ((1, POSITIVE), (0, NEGATIVE)):
        for i, (title, text) in enumerate(base):
            for v in range(n_variants):
                out.append(LabeledText(title + rng.choice(fillers) + f" #{v}", text, label,
                                       language="", id=f"{label}-{i}-{v}"))
    return out


@pytest.fixture(scope="module")
def model() -> ModelSet:
    return ModelSet.train({"dprk-arms": synthetic()})


def test_trained_model_separates_held_out_sentences(model: ModelSet) -> None:
    titles = [t for t, _ in HELD_OUT_POSITIVE + HELD_OUT_NEGATIVE]
    p = model.predict(titles, [""] * len(titles))["dprk-arms"]
    pos, neg = p[: len(HELD_OUT_POSITIVE)], p[len(HELD_OUT_POSITIVE):]
    assert pos.min() > neg.max(), (pos, neg)
    assert pos.min() > 0.5 > neg.max()


def test_probabilities_are_in_unit_interval_with_one_per_article(model: ModelSet) -> None:
    titles = ["", "x", "Pyongyang " * 300, "🚀 𠀀 北韓 ミサイル", "\x00 nul \x00 byte"]
    p = model.predict(titles, ["", "", "", "", ""])["dprk-arms"]
    assert p.shape == (5,)
    assert np.all((p >= 0) & (p <= 1))
    assert model.predict([], [])["dprk-arms"].shape == (0,)


def test_batch_prediction_equals_one_by_one_and_the_sparse_path(model: ModelSet) -> None:
    titles = [t for t, _ in POSITIVE + NEGATIVE]
    texts = [x for _, x in POSITIVE + NEGATIVE]
    batch = model.predict(titles, texts)["dprk-arms"]
    single = np.array(
        [model.predict_one(t, x, "dprk-arms") for t, x in zip(titles, texts, strict=True)]
    )
    np.testing.assert_allclose(batch, single, rtol=1e-9)
    # The fast path (bincounts over occurrences) agrees with the sparse feature matrix.
    x = model.vectorize(titles, texts)
    z = x @ model.weights[0].astype(np.float64) + model.intercepts[0]
    expected = 1 / (1 + np.exp(-(z * model.platt_a[0] + model.platt_b[0])))
    np.testing.assert_allclose(batch, expected, rtol=1e-6)


def test_training_is_deterministic_and_ignores_input_order() -> None:
    examples = synthetic()
    shuffled = examples[:]
    random.Random(1).shuffle(shuffled)
    a = ModelSet.train({"t": examples})
    b = ModelSet.train({"t": shuffled})
    titles = [t for t, _ in HELD_OUT_POSITIVE + HELD_OUT_NEGATIVE]
    pa = a.predict(titles, [""] * len(titles))["t"]
    pb = b.predict(titles, [""] * len(titles))["t"]
    assert np.array_equal(pa, pb)
    assert np.array_equal(a.weights, b.weights)
    assert a.fingerprint == b.fingerprint == fingerprint_training({"t": examples})


def test_fingerprint_follows_labels_and_text() -> None:
    examples = synthetic()
    base = fingerprint_training({"t": examples})
    flipped = [*examples[:-1], LabeledText(examples[-1].title, examples[-1].text,
                                           1 - examples[-1].label)]
    assert fingerprint_training({"t": flipped}) != base
    assert fingerprint_training({"t": [*examples, LabeledText("new", "", 1)]}) != base
    assert fingerprint_training({"other": examples}) != base


def test_later_duplicate_wins_so_feedback_overrides_a_seed() -> None:
    examples = synthetic()
    seed = examples[0]
    relabeled = LabeledText(seed.title, seed.text, 1 - seed.label)
    assert fingerprint_training({"t": [*examples, relabeled]}) == fingerprint_training(
        {"t": [relabeled, *examples[1:]]}
    )


def test_topic_with_one_class_is_skipped_and_absent_from_predictions() -> None:
    only_positive = [e for e in synthetic() if e.label == 1]
    models = ModelSet.train({"good": synthetic(), "bad": only_positive})
    assert models.has("good") and not models.has("bad")
    assert "bad" in models.skipped
    assert set(models.predict(["x"], ["y"])) == {"good"}
    assert models.predict(["x"], ["y"], topics=["bad"]) == {}
    assert models.predict_one("x", "y", "bad") is None


def test_predict_restricted_to_some_topics() -> None:
    models = ModelSet.train({"a": synthetic(seed=1), "b": synthetic(seed=2)})
    assert set(models.predict(["x"], [""], topics=["b"])) == {"b"}
    assert set(models.predict(["x"], [""])) == {"a", "b"}


def test_top_features_and_words_name_the_evidence(model: ModelSet) -> None:
    title = "Korea Utara kirim senjata ke Rusia"
    feats = model.top_features("dprk-arms", title, "", k=5)
    assert 0 < len(feats) <= 5
    assert all(isinstance(f, str) and isinstance(w, float) for f, w in feats)
    words = dict(model.top_words("dprk-arms", title, "", k=10))
    assert set(words) <= set(prepare_text(title, "").split())
    assert max(words, key=lambda w: words[w]) in {"korea", "utara", "kirim", "senjata", "rusia"}
    with pytest.raises(ModelError):
        model.top_features("unknown", title, "")


def test_cross_validation_gives_out_of_fold_probabilities() -> None:
    examples = synthetic()
    cv = cross_validate(examples, k=3, topic="t")
    assert cv.folds == 3 and len(cv.probabilities) == len(cv.examples) == len(examples)
    right = sum((p >= 0.5) == bool(e.label) for p, e in zip(cv.probabilities, cv.examples, strict=True))
    assert right / len(examples) > 0.8
    with pytest.raises(ModelError):
        cross_validate(examples[:3], k=5)


def test_shadow_comparison_switches_only_when_not_worse() -> None:
    good = ModelSet.train({"t": synthetic()})
    # A model trained with inverted labels is worse on the same judgments.
    bad = ModelSet.train({"t": [LabeledText(e.title, e.text, 1 - e.label) for e in synthetic()]})
    labeled = [LabeledForTopic("t", t, "", 1) for t, _ in HELD_OUT_POSITIVE] + [
        LabeledForTopic("t", t, "", 0) for t, _ in HELD_OUT_NEGATIVE
    ]
    keep = compare_models(good, bad, labeled)
    assert keep.old_f1 is not None and keep.old_f1 > keep.new_f1 and not keep.switch
    better = compare_models(bad, good, labeled)
    assert better.switch and better.new_f1 == 1.0
    first = compare_models(None, good, labeled)
    assert first.switch and first.old_f1 is None
    assert compare_models(good, good, labeled).switch  # equal is not worse


def test_labeled_from_record_validates_the_label() -> None:
    ex = labeled_from_record({"id": "a", "title": "T", "text": None, "label": 1, "hard": True})
    assert ex == LabeledText("T", "", 1, id="a", hard=True)
    with pytest.raises(ModelError):
        labeled_from_record({"title": "T", "label": 2})
    with pytest.raises(ModelError):
        labeled_from_record({"title": "T"})


def test_prepare_text_folds_case_width_and_punctuation() -> None:
    assert prepare_text("ＫＩＭ Jong-Un!", "") == prepare_text("kim jong un", "")
    assert "\x00" not in prepare_text("a\x00b", "c")


@pytest.mark.slow
def test_seeds_train_fast_and_cross_validate_well() -> None:
    from monitor.relevance.modelfile import read_training_file

    files = sorted((ROOT / "seeds" / "training").glob("*.jsonl"))
    if not files:
        pytest.skip("no seed training files")
    examples = {f.stem: read_training_file(f) for f in files}
    models = ModelSet.train(examples)
    assert set(models.topics) == set(examples)
    for topic, exs in examples.items():
        cv = cross_validate(exs, k=5, topic=topic)
        y = np.array([e.label for e in cv.examples])
        pred = np.array(cv.probabilities) >= 0.5
        tp = int((pred & (y == 1)).sum())
        f1 = 2 * tp / (2 * tp + int((pred & (y == 0)).sum()) + int((~pred & (y == 1)).sum()))
        assert f1 > 0.7, (topic, f1)
