"""Combine keyword evidence and model probability into one decision. Pure.

Each topic declares how in its rule file (`classifier.mode`); `T` is the topic's
`threshold` (minimum combined score to alert) and `t` the classifier's `threshold`:

| mode    | score                                  | alert when                              |
|---------|----------------------------------------|-----------------------------------------|
| keyword | keyword score k                        | query matched and k >= T                |
| gate    | (k + p) / 2 once the query matched,    | query matched and p >= t and score >= T |
|         | else k (0 for an unmatched query)      |                                         |
| model   | p                                      | p >= t and p >= T                       |
| either  | k when the keyword path fires, else p  | (query matched and k >= T and p >= f)   |
|         | when the model path fires, else max    | or (p >= t and p >= T)                  |

`f` is the classifier's `floor` (default 0): in `either` mode a keyword match the model
finds very unlikely (p < f) is dropped, so one mode can both add what the lexicon misses
(a high t) and remove what it over-matches (a low f).

A matched query scores at least 0.5 (see `monitor.relevance.query.keyword_score`), so in gate
mode the mean passes T = 0.5 as soon as p passes t = 0.5. Without a probability
where the mode needs one (no trained model for the topic), the decision falls back
to keyword mode and the reason says so. `needs_probability` tells the caller where
the model cannot change the decision, so the vectoriser can skip those articles.
"""

from __future__ import annotations

from typing import Protocol

from monitor.models import KeywordResult, Match

__all__ = ["MODES", "decide", "keyword_summary", "needs_probability"]

MODES = ("keyword", "gate", "model", "either")
_MAX_GROUPS_SHOWN = 6


class ClassifierSpecLike(Protocol):
    @property
    def mode(self) -> str: ...
    @property
    def threshold(self) -> float: ...


class TopicLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def threshold(self) -> float: ...
    @property
    def classifier(self) -> ClassifierSpecLike: ...


def _mode(topic: TopicLike) -> str:
    spec = getattr(topic, "classifier", None)
    mode = getattr(spec, "mode", "keyword") if spec is not None else "keyword"
    return mode if mode in MODES else "keyword"


def needs_probability(topic: TopicLike, keyword: KeywordResult) -> bool:
    """False when the model probability cannot change this article's decision."""
    mode = _mode(topic)
    if mode == "gate":
        return keyword.matched
    if mode == "model":
        return True
    if mode == "either":
        return _floor(topic) > 0 or not _keyword_fires(topic, keyword)
    return False


def _floor(topic: TopicLike) -> float:
    return float(getattr(topic.classifier, "floor", 0.0) or 0.0)


def keyword_summary(keyword: KeywordResult) -> str:
    """The lexicon groups (or literal terms) behind a keyword result, in order of first hit."""
    names: list[str] = []
    for e in keyword.evidence:
        name = e.group or f'"{e.term}"'
        if name not in names:
            names.append(name)
    shown = names[:_MAX_GROUPS_SHOWN]
    more = len(names) - len(shown)
    return ", ".join(shown) + (f", +{more} more" if more > 0 else "")


def _keyword_fires(topic: TopicLike, keyword: KeywordResult) -> bool:
    return keyword.matched and keyword.score >= topic.threshold


def _clamp(x: float) -> float:
    return min(1.0, max(0.0, float(x)))


def _keyword_reason(topic: TopicLike, keyword: KeywordResult) -> str:
    if not keyword.matched:
        return "keyword query did not match"
    groups = keyword_summary(keyword)
    head = f"keyword query matched ({groups})" if groups else "keyword query matched"
    if keyword.score < topic.threshold:
        return f"{head} but score {keyword.score:.2f} < {topic.threshold:.2f}"
    return head


def _cmp(value: float, threshold: float) -> str:
    return "≥" if value >= threshold else "<"


def decide(
    topic: TopicLike, keyword: KeywordResult, probability: float | None, article_id: str = ""
) -> Match:
    """The topic's decision for one article, with a one-sentence reason."""
    mode = _mode(topic)
    t_alert = topic.threshold
    k = _clamp(keyword.score) if keyword.matched else 0.0
    p = None if probability is None else _clamp(probability)
    t_model = float(getattr(topic.classifier, "threshold", 0.5))

    def match(score: float, alert: bool, reason: str) -> Match:
        return Match(article_id=article_id, topic=topic.name, score=_clamp(score), alert=alert,
                     keyword=keyword, probability=p, reason=reason)

    kw_reason = _keyword_reason(topic, keyword)
    if mode == "keyword":
        return match(k, _keyword_fires(topic, keyword), kw_reason)

    if p is None and needs_probability(topic, keyword):
        return match(k, _keyword_fires(topic, keyword),
                     f"{kw_reason}; no trained model, keyword decision only")

    if mode == "gate":
        if not keyword.matched:
            return match(0.0, False, f"{kw_reason}; model not consulted")
        assert p is not None
        score = (k + p) / 2
        alert = p >= t_model and score >= t_alert
        reason = f"{kw_reason}; model p={p:.2f} {_cmp(p, t_model)} {t_model:.2f}"
        if p >= t_model and score < t_alert:
            reason += f"; combined {score:.2f} < {t_alert:.2f}"
        return match(score, alert, reason)

    if mode == "model":
        assert p is not None
        alert = p >= t_model and p >= t_alert
        reason = f"model p={p:.2f} {_cmp(p, t_model)} {t_model:.2f}"
        if p >= t_model and p < t_alert:
            reason += f" but < topic threshold {t_alert:.2f}"
        if keyword.matched:
            reason += f" ({kw_reason})"
        return match(p, alert, reason)

    # either
    floor = _floor(topic)
    if _keyword_fires(topic, keyword):
        if p is not None and p < floor:
            return match(p, False, f"{kw_reason}; model p={p:.2f} < floor {floor:.2f}")
        suffix = "" if p is None else f"; model p={p:.2f}"
        return match(k, True, f"{kw_reason}{suffix}")
    assert p is not None
    model_fires = p >= t_model and p >= t_alert
    reason = f"{kw_reason}; model p={p:.2f} {_cmp(p, t_model)} {t_model:.2f}"
    if model_fires:
        return match(p, True, reason)
    return match(max(k, p), False, reason)
