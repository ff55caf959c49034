"""Metrics for `monitor eval` and `monitor eval --cv K`. Pure (the rich tables are in
`monitor.commands.evalview`).

Input is one `EvalRow` per (article, topic) that carries a label: the pipeline's
score and alert decision next to the analyst's truth. Output: confusion counts and
precision / recall / F1 per topic and per (topic, language) and over everything, the
misses (label 1, no alert) and false alarms (alert, label 0), and a threshold sweep
where "alert" is re-decided as score >= t for t = 0.1 .. 0.9.

Precision is undefined without any alert and recall without any positive: such
values are None (shown as "n/a"), never a made-up 0 or 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: evaluate stays free of scikit-learn
    from monitor.relevance.classify import CVResult

__all__ = [
    "SWEEP_THRESHOLDS",
    "Counts",
    "EvalReport",
    "EvalRow",
    "SweepPoint",
    "TopicReport",
    "evaluate",
    "rows_from_cv",
]

SWEEP_THRESHOLDS = tuple(round(i / 10, 1) for i in range(1, 10))
UNKNOWN_LANGUAGE = "?"


@dataclass(frozen=True)
class EvalRow:
    article_id: str
    language: str | None
    topic: str
    label: int  # analyst truth: 1 on topic, 0 not
    score: float  # the pipeline's combined score in [0, 1]
    alert: bool  # the pipeline's decision
    title: str = ""


@dataclass(frozen=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def positives(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None

    def add(self, label: int, alert: bool) -> Counts:
        return Counts(
            tp=self.tp + (1 if label and alert else 0),
            fp=self.fp + (1 if not label and alert else 0),
            fn=self.fn + (1 if label and not alert else 0),
            tn=self.tn + (1 if not label and not alert else 0),
        )


def _count(pairs: Iterable[tuple[int, bool]]) -> Counts:
    tp = fp = fn = tn = 0
    for label, alert in pairs:
        if label:
            tp, fn = (tp + 1, fn) if alert else (tp, fn + 1)
        else:
            fp, tn = (fp + 1, tn) if alert else (fp, tn + 1)
    return Counts(tp, fp, fn, tn)


@dataclass(frozen=True)
class SweepPoint:
    threshold: float
    counts: Counts

    @property
    def precision(self) -> float | None:
        return self.counts.precision

    @property
    def recall(self) -> float | None:
        return self.counts.recall

    @property
    def f1(self) -> float | None:
        return self.counts.f1


@dataclass(frozen=True)
class TopicReport:
    topic: str
    counts: Counts
    by_language: tuple[tuple[str, Counts], ...]  # sorted by language code
    misses: tuple[EvalRow, ...]  # label 1, no alert; lowest score first
    false_alarms: tuple[EvalRow, ...]  # label 0, alert; highest score first
    sweep: tuple[SweepPoint, ...]

    @property
    def best_threshold(self) -> SweepPoint | None:
        """The sweep point with the highest F1 (the lower threshold on ties)."""
        scored = [p for p in self.sweep if p.f1 is not None]
        return max(scored, key=lambda p: (p.f1, -p.threshold)) if scored else None


@dataclass(frozen=True)
class EvalReport:
    topics: tuple[TopicReport, ...]  # sorted by topic name
    overall: Counts  # micro-averaged over every (article, topic) row
    by_language: tuple[tuple[str, Counts], ...]  # over all topics

    def topic(self, name: str) -> TopicReport:
        for t in self.topics:
            if t.topic == name:
                return t
        raise KeyError(name)


def _language(row: EvalRow) -> str:
    return row.language or UNKNOWN_LANGUAGE


def _by_language(rows: Sequence[EvalRow]) -> tuple[tuple[str, Counts], ...]:
    groups: dict[str, list[EvalRow]] = {}
    for r in rows:
        groups.setdefault(_language(r), []).append(r)
    return tuple(
        (lang, _count((r.label, r.alert) for r in groups[lang])) for lang in sorted(groups)
    )


def evaluate(rows: Iterable[EvalRow], thresholds: Sequence[float] = SWEEP_THRESHOLDS) -> EvalReport:
    """All metrics for a set of labeled rows."""
    rows = list(rows)
    for r in rows:
        if r.label not in (0, 1):
            raise ValueError(f"{r.article_id}/{r.topic}: label must be 0 or 1, not {r.label!r}")
    by_topic: dict[str, list[EvalRow]] = {}
    for r in rows:
        by_topic.setdefault(r.topic, []).append(r)
    topics = []
    for name in sorted(by_topic):
        trows = by_topic[name]
        misses = sorted((r for r in trows if r.label and not r.alert),
                        key=lambda r: (r.score, r.article_id))
        false_alarms = sorted((r for r in trows if not r.label and r.alert),
                              key=lambda r: (-r.score, r.article_id))
        sweep = tuple(
            SweepPoint(t, _count((r.label, r.score >= t) for r in trows)) for t in thresholds
        )
        topics.append(TopicReport(
            topic=name, counts=_count((r.label, r.alert) for r in trows),
            by_language=_by_language(trows), misses=tuple(misses),
            false_alarms=tuple(false_alarms), sweep=sweep,
        ))
    return EvalReport(
        topics=tuple(topics), overall=_count((r.label, r.alert) for r in rows),
        by_language=_by_language(rows),
    )


def rows_from_cv(cv: CVResult, threshold: float = 0.5) -> list[EvalRow]:
    """Cross-validation output as eval rows: score = out-of-fold probability, alert =
    probability >= threshold (the model alone, as in `model` mode)."""
    return [
        EvalRow(article_id=e.id or f"#{i}", language=e.language or None, topic=cv.topic,
                label=e.label, score=p, alert=p >= threshold, title=e.title)
        for i, (e, p) in enumerate(zip(cv.examples, cv.probabilities, strict=True))
    ]
