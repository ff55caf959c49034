"""Per-topic classifiers over one shared vectorisation. Pure: no file I/O, no clock.

Features: hashed character n-grams (1-4) of the normalised title plus the start of the
text, computed with numpy over a whole batch at once (no Python loop per n-gram), with
an idf fitted on the training texts of all topics, and a per-document normaliser
(see `_features`). Buckets never seen in training get idf 0, so unseen text neither adds evidence
nor dilutes the known evidence. One vectorisation serves every topic: the per-topic
linear models are the columns of one weight matrix, so scoring N articles against T
topics is one sparse-dense product.

Model per topic: L2 logistic regression with balanced class weights; probabilities
are Platt-calibrated on out-of-fold decision values when each class has enough
examples, else the plain logistic output. Training sorts and deduplicates its input
and fixes every random state, so the same examples always give the same model.

A `ModelSet` holds only numpy arrays and plain values: `monitor.relevance.modelfile` stores it
without pickle.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from monitor.errors import ModelError

__all__ = [
    "FEATURE_VERSION",
    "CVResult",
    "LabeledText",
    "ModelSet",
    "ShadowResult",
    "TopicInfo",
    "compare_models",
    "cross_validate",
    "fingerprint_training",
    "labeled_from_record",
    "prepare_text",
]

# Bump when features or training change in a way that makes stored models stale.
FEATURE_VERSION = 2

N_FEATURES = 1 << 18
NGRAM_SIZES = (1, 2, 3, 4)
MAX_TEXT_CHARS = 1000  # the lead carries the story; long bodies cost time and add noise
C_REGULARISATION = 30.0  # weak regularisation: chosen by 5-fold CV on the seeds
CALIBRATION_FOLDS = 5
MIN_PER_CLASS_TO_CALIBRATE = 10
RANDOM_STATE = 0
# Each example with a body also trains as its title alone, at this share of its weight:
# many feeds carry headlines only (5-fold CV on the seeds, scored on titles alone:
# F1 0.57 -> 0.76 and 0.69 -> 0.78, for a loss of about 0.02 on full examples).
TITLE_COPY_WEIGHT = 0.5

_MASK = np.uint32(N_FEATURES - 1)
_MULT = np.uint32(0x9E3779B1)
_FMIX1 = np.uint32(0x85EBCA6B)
_FMIX2 = np.uint32(0xC2B2AE35)
_S16 = np.uint32(16)
_S13 = np.uint32(13)

_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class LabeledText:
    """One training or evaluation example for one topic."""

    title: str
    text: str
    label: int  # 1 = on topic, 0 = not
    language: str = ""
    id: str = ""
    weight: float = 1.0  # e.g. analyst feedback may count more than a seed
    hard: bool = False  # a deliberately confusable negative


def labeled_from_record(record: Mapping[str, Any]) -> LabeledText:
    """A seed line {"id","title","text","language","label","hard",...} as a LabeledText."""
    label = record.get("label")
    if label not in (0, 1, True, False):
        raise ModelError(f"training record {record.get('id', '?')!r}: label must be 0 or 1")
    return LabeledText(
        title=str(record.get("title") or ""),
        text=str(record.get("text") or ""),
        label=int(label),
        language=str(record.get("language") or ""),
        id=str(record.get("id") or ""),
        weight=float(record.get("weight", 1.0)),
        hard=bool(record.get("hard", False)),
    )


def prepare_text(title: str, text: str) -> str:
    """The string the features are computed from: words only, casefolded, one space apart."""
    raw = f"{title or ''} {(text or '')[:MAX_TEXT_CHARS]}"
    raw = unicodedata.normalize("NFKC", raw).casefold()
    return " " + _NOT_WORD.sub(" ", raw).strip() + " "


# ---------------------------------------------------------------------------
# Hashed n-gram counts, batched


def _ngram_buckets(codes: np.ndarray, n: int) -> np.ndarray:
    """Bucket of every n-gram starting at each position (len(codes) - n + 1 of them):
    a polynomial hash of the code points (uint32, wrapping) through murmur3's finaliser."""
    m = len(codes) - n + 1
    h = np.full(m, n, dtype=np.uint32)
    for j in range(n):
        h *= _MULT
        h += codes[j : j + m]
    h ^= h >> _S16
    h *= _FMIX1
    h ^= h >> _S13
    h *= _FMIX2
    h ^= h >> _S16
    h &= _MASK
    return h


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _occurrences(docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(document index, bucket) of every n-gram occurrence in a batch of prepared texts,
    in one vectorised pass over the documents joined by NUL (never in a prepared text)."""
    codes = _codes("\x00".join(docs))
    # seps[i] = number of separators before position i = index of the document at i
    seps = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(codes == 0, out=seps[1:])
    rows, cols = [], []
    for n in NGRAM_SIZES:
        m = len(codes) - n + 1
        if m <= 0:
            continue
        inside = seps[n : n + m] == seps[:m]  # no separator within the n-gram
        rows.append(seps[:m][inside])
        cols.append(_ngram_buckets(codes, n)[inside])
    if not docs or not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(cols).astype(np.int64)


def _counts(docs: Sequence[str]) -> sp.csr_matrix:
    """Raw n-gram bucket counts, one row per prepared document."""
    r, c = _occurrences(docs)
    counts = sp.csr_matrix(
        (np.ones(len(r), dtype=np.float64), (r, c)), shape=(len(docs), N_FEATURES)
    )
    counts.sum_duplicates()
    return counts


# Feature value of bucket b in a document: x_b = c_b * idf_b / sqrt(sum_b' c_b' * idf_b'^2),
# c_b the count. The normaliser is a sum over occurrences, so a logit is two bincounts
# over the occurrence list (see ModelSet.predict): no sorting, no sparse matrix.


def _features(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    x = counts.astype(np.float64)
    weighted = x.data * idf[x.indices]
    row_of = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    norms = np.sqrt(np.bincount(row_of, weights=weighted * idf[x.indices], minlength=x.shape[0]))
    norms[norms == 0] = 1.0
    x.data = weighted / norms[row_of]
    x.eliminate_zeros()
    return x


def _fit_idf(counts: sp.csr_matrix) -> np.ndarray:
    n_docs = counts.shape[0]
    df = np.bincount(counts.indices, minlength=N_FEATURES).astype(np.float64)
    idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
    idf[df == 0] = 0.0
    return idf.astype(np.float32)


# ---------------------------------------------------------------------------
# Training


@dataclass(frozen=True)
class TopicInfo:
    """What one topic's model was trained on."""

    topic: str
    positives: int
    negatives: int
    calibrated: bool
    languages: tuple[str, ...] = ()


def _clean_examples(examples: Iterable[LabeledText]) -> list[LabeledText]:
    """Deduplicate on (title, text), the later example winning (feedback overrides
    seeds), then sort so that input order never changes the model."""
    last: dict[tuple[str, str], LabeledText] = {}
    for ex in examples:
        if ex.label not in (0, 1):
            raise ModelError(f"example {ex.id or ex.title!r}: label must be 0 or 1")
        last[(ex.title, ex.text)] = ex
    return sorted(last.values(), key=lambda e: (e.title, e.text, e.label, e.id))


def _with_title_copies(examples: list[LabeledText]) -> tuple[list[LabeledText], np.ndarray]:
    """The examples plus title-only copies, and for each row the index of its original
    (calibration folds keep a copy with its original, so nothing leaks across folds)."""
    have = {(e.title, e.text) for e in examples}
    rows, origin = list(examples), list(range(len(examples)))
    for i, e in enumerate(examples):
        if e.title.strip() and e.text.strip() and (e.title, "") not in have:
            rows.append(LabeledText(e.title, "", e.label, e.language, e.id,
                                    e.weight * TITLE_COPY_WEIGHT, e.hard))
            origin.append(i)
    return rows, np.array(origin, dtype=np.int64)


def _logistic() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        # The dual form is the fast one when features outnumber examples (always here).
        C=C_REGULARISATION, class_weight="balanced", solver="liblinear", dual=True, max_iter=5000,
        random_state=RANDOM_STATE,
    )


def _fit_linear(x: sp.csr_matrix, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float]:
    model = _logistic()
    model.fit(x, y, sample_weight=w)
    return model.coef_.ravel().astype(np.float32), float(model.intercept_[0])


def _platt(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Fit p = sigmoid(a * d + b) on out-of-fold decision values d."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
    model.fit(decision.reshape(-1, 1), y)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def _train_topic(
    x: sp.csr_matrix, y: np.ndarray, w: np.ndarray, origin: np.ndarray
) -> tuple[np.ndarray, float, float, float, bool]:
    """Fit one topic; rows whose origin is their own index are the original examples,
    the others copies of them (see `_with_title_copies`)."""
    coef, intercept = _fit_linear(x, y, w)
    originals = np.flatnonzero(origin == np.arange(len(origin)))
    y0 = y[originals]
    per_class = int(min(y0.sum(), len(y0) - y0.sum()))
    if per_class < MIN_PER_CLASS_TO_CALIBRATE:
        return coef, intercept, 1.0, 0.0, False
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(
        n_splits=min(CALIBRATION_FOLDS, per_class), shuffle=True, random_state=RANDOM_STATE
    )
    oof = np.zeros(len(y0), dtype=np.float64)
    for train, test in folds.split(np.zeros(len(y0)), y0):
        rows = np.flatnonzero(np.isin(origin, originals[train]))
        c, b = _fit_linear(x[rows], y[rows], w[rows])
        oof[test] = x[originals[test]] @ c + b
    a, b = _platt(oof, y0)
    if a <= 0:  # the folds disagree with the labels: keep the uncalibrated output
        return coef, intercept, 1.0, 0.0, False
    return coef, intercept, a, b, True


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500.0, 500.0)))


@dataclass(frozen=True, eq=False)
class ModelSet:
    """Trained models for every topic that has training data, over one vectoriser."""

    topics: tuple[str, ...]
    idf: np.ndarray  # (N_FEATURES,) float32
    weights: np.ndarray  # (len(topics), N_FEATURES) float32: one row per topic
    intercepts: np.ndarray  # (len(topics),) float64
    platt_a: np.ndarray  # (len(topics),) float64
    platt_b: np.ndarray  # (len(topics),) float64
    info: tuple[TopicInfo, ...]
    fingerprint: str
    skipped: Mapping[str, str] = field(default_factory=dict)  # topic -> why no model

    def __post_init__(self) -> None:
        # Precomputed for predict: idf folded into each topic's weights, and idf squared.
        idf = self.idf.astype(np.float64)
        object.__setattr__(self, "_scaled", self.weights.astype(np.float64) * idf)
        object.__setattr__(self, "_idf_squared", idf * idf)

    # -- construction -------------------------------------------------------

    @classmethod
    def train(
        cls,
        examples_by_topic: Mapping[str, Iterable[LabeledText]],
        fingerprint: str | None = None,
    ) -> ModelSet:
        """Train one model per topic; topics lacking one of the two classes are skipped
        (listed in `skipped`) so that they fall back to keyword scoring."""
        cleaned = {t: _clean_examples(exs) for t, exs in sorted(examples_by_topic.items())}
        if fingerprint is None:
            fingerprint = fingerprint_training(cleaned)
        skipped: dict[str, str] = {}
        usable: dict[str, list[LabeledText]] = {}
        for topic, exs in cleaned.items():
            pos = sum(e.label for e in exs)
            if pos == 0 or pos == len(exs):
                skipped[topic] = f"needs positive and negative examples ({pos}/{len(exs)} positive)"
            else:
                usable[topic] = exs

        # One idf over the distinct texts of all topics.
        expanded = {topic: _with_title_copies(exs) for topic, exs in usable.items()}
        corpus = sorted({prepare_text(e.title, e.text)
                         for rows, _ in expanded.values() for e in rows})
        idf = _fit_idf(_counts(corpus)) if corpus else np.zeros(N_FEATURES, dtype=np.float32)

        names, coefs, intercepts, pa, pb, infos = [], [], [], [], [], []
        for topic, exs in usable.items():
            rows, origin = expanded[topic]
            x = _features(_counts([prepare_text(e.title, e.text) for e in rows]), idf)
            y = np.array([e.label for e in rows], dtype=np.int64)
            w = np.array([e.weight for e in rows], dtype=np.float64)
            coef, b, a_, b_, calibrated = _train_topic(x, y, w, origin)
            y = y[: len(exs)]
            names.append(topic)
            coefs.append(coef)
            intercepts.append(b)
            pa.append(a_)
            pb.append(b_)
            infos.append(TopicInfo(
                topic=topic, positives=int(y.sum()), negatives=int(len(y) - y.sum()),
                calibrated=calibrated,
                languages=tuple(sorted({e.language for e in exs if e.language})),
            ))
        weights = (np.stack(coefs, axis=0) if coefs
                   else np.zeros((0, N_FEATURES), dtype=np.float32))
        return cls(
            topics=tuple(names), idf=idf, weights=weights.astype(np.float32),
            intercepts=np.array(intercepts, dtype=np.float64),
            platt_a=np.array(pa, dtype=np.float64), platt_b=np.array(pb, dtype=np.float64),
            info=tuple(infos), fingerprint=fingerprint, skipped=dict(skipped),
        )

    # -- queries ------------------------------------------------------------

    def has(self, topic: str) -> bool:
        return topic in self.topics

    def topic_info(self, topic: str) -> TopicInfo | None:
        return next((i for i in self.info if i.topic == topic), None)

    def vectorize(self, titles: Sequence[str], texts: Sequence[str]) -> sp.csr_matrix:
        """The shared feature rows for a batch of articles, as a sparse matrix (for
        inspection and training; `predict` takes a faster path to the same logits)."""
        if len(titles) != len(texts):
            raise ValueError("titles and texts differ in length")
        docs = [prepare_text(t, x) for t, x in zip(titles, texts, strict=True)]
        return _features(_counts(docs), self.idf)

    def predict(
        self, titles: Sequence[str], texts: Sequence[str], topics: Iterable[str] | None = None
    ) -> dict[str, np.ndarray]:
        """Probability per article for each topic (all trained topics by default), from
        one vectorisation of the batch. Topics without a model are absent from the
        result. Pass only the articles whose decision the model can change (see
        `monitor.relevance.scoring.needs_probability`)."""
        if len(titles) != len(texts):
            raise ValueError("titles and texts differ in length")
        cols = self._columns(topics)
        if not cols:
            return {}
        n_docs = len(titles)
        docs = [prepare_text(t, x) for t, x in zip(titles, texts, strict=True)]
        rows, buckets = _occurrences(docs)
        norms = np.sqrt(np.bincount(rows, weights=self._idf_squared[buckets], minlength=n_docs))
        norms[norms == 0] = 1.0
        out: dict[str, np.ndarray] = {}
        for c in cols:
            raw = np.bincount(rows, weights=self._scaled[c][buckets], minlength=n_docs)
            z = raw / norms + self.intercepts[c]
            out[self.topics[c]] = _sigmoid(z * self.platt_a[c] + self.platt_b[c])
        return out

    def predict_one(self, title: str, text: str, topic: str) -> float | None:
        if topic not in self.topics:
            return None
        return float(self.predict([title], [text], [topic])[topic][0])

    def top_features(
        self, topic: str, title: str, text: str, k: int = 10
    ) -> list[tuple[str, float]]:
        """The n-grams of this article that moved the topic's decision most, with their
        signed contribution to the logit (positive = towards the topic). n-grams that
        share a hash bucket are listed together ("rus|xyz")."""
        col = self._column(topic)
        doc = prepare_text(title, text)
        x = _features(_counts([doc]), self.idf)
        contrib = x.data * self.weights[col][x.indices]
        names = _bucket_names(doc)
        order = np.argsort(-np.abs(contrib), kind="stable")[:k]
        return [(_label(names.get(int(x.indices[i]), ())), float(contrib[i])) for i in order
                if contrib[i] != 0]

    def top_words(
        self, topic: str, title: str, text: str, k: int = 10
    ) -> list[tuple[str, float]]:
        """Like `top_features` but summed per word of the article, which reads better:
        each n-gram occurrence counts for the word holding its middle character."""
        col = self._column(topic)
        doc = prepare_text(title, text)
        x = _features(_counts([doc]), self.idf)
        per_bucket = dict(zip(x.indices.tolist(),
                              (x.data * self.weights[col][x.indices]).tolist(), strict=True))
        occurrences = _bucket_occurrences(doc)
        words: dict[str, float] = {}
        for bucket, starts in occurrences.items():
            value = per_bucket.get(bucket, 0.0)
            if not value:
                continue
            share = value / len(starts)
            for start, n in starts:
                word = _word_at(doc, start + n // 2)
                if word:
                    words[word] = words.get(word, 0.0) + share
        ranked = sorted(words.items(), key=lambda kv: (-abs(kv[1]), kv[0]))
        return [(w, v) for w, v in ranked[:k] if v != 0]

    def _column(self, topic: str) -> int:
        try:
            return self.topics.index(topic)
        except ValueError:
            raise ModelError(f"no trained model for topic {topic!r}") from None

    def _columns(self, topics: Iterable[str] | None) -> list[int]:
        if topics is None:
            return list(range(len(self.topics)))
        wanted = set(topics)
        return [i for i, t in enumerate(self.topics) if t in wanted]


def _bucket_occurrences(doc: str) -> dict[int, list[tuple[int, int]]]:
    codes = _codes(doc)
    out: dict[int, list[tuple[int, int]]] = {}
    for n in NGRAM_SIZES:
        if len(codes) < n:
            continue
        for start, bucket in enumerate(_ngram_buckets(codes, n).tolist()):
            out.setdefault(bucket, []).append((start, n))
    return out


def _bucket_names(doc: str) -> dict[int, tuple[str, ...]]:
    return {b: tuple(sorted({doc[s : s + n] for s, n in occ}))
            for b, occ in _bucket_occurrences(doc).items()}


def _label(grams: tuple[str, ...]) -> str:
    return "|".join(g.replace(" ", "_") for g in grams) or "?"


def _word_at(doc: str, i: int) -> str:
    if i >= len(doc) or doc[i] == " ":
        return ""
    left = doc.rfind(" ", 0, i) + 1
    right = doc.find(" ", i)
    return doc[left : right if right >= 0 else len(doc)]


# ---------------------------------------------------------------------------
# Fingerprint, cross-validation, shadow comparison


def fingerprint_training(examples_by_topic: Mapping[str, Iterable[LabeledText]]) -> str:
    """A digest of everything training depends on: the examples (seeds and analyst
    labels alike), the feature/training settings and this module's version. Equal
    fingerprints mean a stored model can be reused."""
    h = hashlib.sha256()
    settings = {
        "feature_version": FEATURE_VERSION, "n_features": N_FEATURES,
        "ngrams": list(NGRAM_SIZES), "max_text": MAX_TEXT_CHARS, "C": C_REGULARISATION,
        "folds": CALIBRATION_FOLDS, "min_calibrate": MIN_PER_CLASS_TO_CALIBRATE,
        "title_copy_weight": TITLE_COPY_WEIGHT,
    }
    h.update(json.dumps(settings, sort_keys=True).encode())
    for topic in sorted(examples_by_topic):
        h.update(b"\x00topic\x00" + topic.encode())
        for e in _clean_examples(examples_by_topic[topic]):
            h.update(json.dumps([e.title, e.text, e.label, e.weight], ensure_ascii=False).encode())
            h.update(b"\n")
    return h.hexdigest()


@dataclass(frozen=True)
class CVResult:
    """Out-of-fold probabilities for every example of one topic."""

    topic: str
    examples: tuple[LabeledText, ...]
    probabilities: tuple[float, ...]
    folds: int


def cross_validate(
    examples: Iterable[LabeledText], k: int = 5, topic: str = "topic"
) -> CVResult:
    """Stratified k-fold: each fold's model (idf included) is trained without the fold,
    and the fold's examples get that model's probability. Feed the result to
    `monitor.relevance.evaluate.rows_from_cv` for metrics."""
    from sklearn.model_selection import StratifiedKFold

    exs = _clean_examples(examples)
    y = np.array([e.label for e in exs], dtype=np.int64)
    per_class = int(min(y.sum(), len(y) - y.sum())) if len(y) else 0
    if k < 2 or per_class < k:
        raise ModelError(
            f"{topic}: {k}-fold cross-validation needs at least {k} examples of each class "
            f"(has {per_class})"
        )
    probs = np.zeros(len(exs))
    folds = StratifiedKFold(n_splits=k, shuffle=True, random_state=RANDOM_STATE)
    for train, test in folds.split(np.zeros(len(y)), y):
        model = ModelSet.train({topic: [exs[i] for i in train]}, fingerprint="cv")
        if not model.has(topic):
            raise ModelError(f"{topic}: a fold lacks one class")
        part = model.predict([exs[i].title for i in test], [exs[i].text for i in test])
        probs[test] = part[topic]
    return CVResult(topic=topic, examples=tuple(exs),
                    probabilities=tuple(float(p) for p in probs), folds=k)


class ShadowResult(NamedTuple):
    old_f1: float | None  # None when there is no current model for these topics
    new_f1: float
    switch: bool


@dataclass(frozen=True)
class LabeledForTopic:
    """An analyst judgment used by the shadow comparison."""

    topic: str
    title: str
    text: str
    label: int


def _f1(pred: np.ndarray, y: np.ndarray) -> float:
    tp = int(np.sum(pred & (y == 1)))
    fp = int(np.sum(pred & (y == 0)))
    fn = int(np.sum(~pred & (y == 1)))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def compare_models(
    old: ModelSet | None,
    new: ModelSet,
    labeled: Sequence[LabeledForTopic],
    thresholds: Mapping[str, float] | None = None,
) -> ShadowResult:
    """Shadow mode: F1 of the current and the retrained model on recent analyst labels
    (micro-averaged over topics, alert = probability >= the topic's threshold, 0.5 by
    default). Switch only if the new model is not worse. Labels that trained the new
    model flatter it: pass labels newer than its training when you have them."""
    thresholds = thresholds or {}
    usable = [e for e in labeled if new.has(e.topic)]
    if not usable:
        return ShadowResult(None, 0.0, old is None)
    y = np.array([e.label for e in usable], dtype=np.int64)

    def f1_of(models: ModelSet) -> float:
        pred = np.zeros(len(usable), dtype=bool)
        for topic in sorted({e.topic for e in usable}):
            idx = [i for i, e in enumerate(usable) if e.topic == topic]
            if not models.has(topic):
                continue  # no model: nothing predicted positive for this topic
            p = models.predict([usable[i].title for i in idx], [usable[i].text for i in idx],
                               [topic])[topic]
            pred[idx] = p >= thresholds.get(topic, 0.5)
        return _f1(pred, y)

    new_f1 = f1_of(new)
    if old is None:
        return ShadowResult(None, new_f1, True)
    old_f1 = f1_of(old)
    return ShadowResult(old_f1, new_f1, new_f1 >= old_f1 - 1e-12)
