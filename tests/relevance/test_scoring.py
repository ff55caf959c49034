"""Each classifier mode's decision, table-driven (pure values, no model)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from monitor.models import Evidence, KeywordResult
from monitor.relevance.scoring import decide, keyword_summary, needs_probability


@dataclass(frozen=True)
class Spec:
    mode: str
    threshold: float = 0.5
    training: str | None = None
    floor: float = 0.0


@dataclass(frozen=True)
class FakeTopic:
    name: str
    classifier: Spec
    threshold: float = 0.5


EVIDENCE = (
    Evidence("north korea", "north_korea", "title", 0, 11),
    Evidence("russia", "russia", "title", 15, 21),
    Evidence("shells", "weapons", "text", 3, 9),
    Evidence("russia", "russia", "text", 20, 26),
    Evidence("convoy", "", "text", 30, 36),
)
MATCHED = KeywordResult("t", True, 0.75, EVIDENCE)
WEAK = KeywordResult("t", True, 0.5, EVIDENCE[:2])
UNMATCHED = KeywordResult("t", False, 0.0, EVIDENCE[:1])


def topic(mode: str, model_t: float = 0.5, alert_t: float = 0.5) -> FakeTopic:
    return FakeTopic("t", Spec(mode, model_t), alert_t)


# (topic, keyword, probability) -> (score, alert, words the reason must hold)
CASES = [
    # keyword: the model is ignored even when given
    (topic("keyword"), MATCHED, None, 0.75, True, ["keyword query matched"]),
    (topic("keyword"), MATCHED, 0.01, 0.75, True, ["keyword query matched"]),
    (topic("keyword"), UNMATCHED, 0.99, 0.0, False, ["did not match"]),
    (topic("keyword", alert_t=0.8), MATCHED, None, 0.75, False, ["0.75 < 0.80"]),
    # gate: query first, then the model; score = mean
    (topic("gate"), MATCHED, 0.91, 0.83, True, ["p=0.91 ≥ 0.50"]),
    (topic("gate"), MATCHED, 0.30, 0.525, False, ["p=0.30 < 0.50"]),
    (topic("gate"), UNMATCHED, 0.99, 0.0, False, ["did not match", "not consulted"]),
    (topic("gate"), UNMATCHED, None, 0.0, False, ["did not match"]),
    (topic("gate", model_t=0.5, alert_t=0.7), WEAK, 0.6, 0.55, False, ["combined 0.55 < 0.70"]),
    (topic("gate"), MATCHED, None, 0.75, True, ["no trained model"]),
    # model: probability alone
    (topic("model", model_t=0.8), UNMATCHED, 0.85, 0.85, True, ["p=0.85 ≥ 0.80"]),
    (topic("model", model_t=0.8), MATCHED, 0.79, 0.79, False, ["p=0.79 < 0.80"]),
    (topic("model", model_t=0.3, alert_t=0.5), UNMATCHED, 0.4, 0.4, False, ["topic threshold"]),
    (topic("model"), MATCHED, None, 0.75, True, ["no trained model"]),
    (topic("model"), UNMATCHED, None, 0.0, False, ["no trained model"]),
    # either: keyword path or a high model threshold
    (topic("either", model_t=0.9), MATCHED, None, 0.75, True, ["keyword query matched"]),
    (topic("either", model_t=0.9), MATCHED, 0.2, 0.75, True, ["model p=0.20"]),
    (topic("either", model_t=0.9), UNMATCHED, 0.95, 0.95, True, ["p=0.95 ≥ 0.90"]),
    (topic("either", model_t=0.9), UNMATCHED, 0.85, 0.85, False, ["p=0.85 < 0.90"]),
    (topic("either", model_t=0.9), UNMATCHED, None, 0.0, False, ["no trained model"]),
    # either with a floor: a keyword match the model finds very unlikely is dropped
    (FakeTopic("t", Spec("either", 0.9, floor=0.05)), MATCHED, 0.2, 0.75, True, ["model p=0.20"]),
    (FakeTopic("t", Spec("either", 0.9, floor=0.05)), MATCHED, 0.01, 0.01, False, ["p=0.01 < floor 0.05"]),
    (FakeTopic("t", Spec("either", 0.9, floor=0.05)), MATCHED, None, 0.75, True, ["no trained model"]),
    # an unknown mode behaves as keyword
    (topic("bogus"), MATCHED, 0.0, 0.75, True, ["keyword query matched"]),
]


@pytest.mark.parametrize(("t", "kw", "p", "score", "alert", "words"), CASES)
def test_decide(t: FakeTopic, kw: KeywordResult, p: float | None, score: float, alert: bool,
                words: list[str]) -> None:
    m = decide(t, kw, p, "article-1")
    assert m.score == pytest.approx(score)
    assert m.alert is alert
    assert m.article_id == "article-1" and m.topic == "t" and m.keyword is kw
    assert m.probability == p
    for w in words:
        assert w in m.reason, m.reason
    assert 0.0 <= m.score <= 1.0


def test_reason_lists_groups_in_order_once() -> None:
    m = decide(topic("gate"), MATCHED, 0.91, "a")
    assert m.reason == (
        'keyword query matched (north_korea, russia, weapons, "convoy"); model p=0.91 ≥ 0.50'
    )


def test_keyword_summary_caps_the_list() -> None:
    many = tuple(Evidence(f"w{i}", f"g{i}", "text", i, i + 1) for i in range(9))
    assert keyword_summary(KeywordResult("t", True, 1.0, many)).endswith(", +3 more")
    assert keyword_summary(KeywordResult("t", False, 0.0)) == ""


def test_out_of_range_probability_is_clamped() -> None:
    assert decide(topic("model"), UNMATCHED, 1.7, "a").score == 1.0
    assert decide(topic("model"), UNMATCHED, -0.2, "a").alert is False


@pytest.mark.parametrize(
    ("mode", "kw", "needed"),
    [
        ("keyword", MATCHED, False), ("keyword", UNMATCHED, False),
        ("gate", MATCHED, True), ("gate", UNMATCHED, False),
        ("model", MATCHED, True), ("model", UNMATCHED, True),
        ("either", MATCHED, False), ("either", UNMATCHED, True),
    ],
)
def test_needs_probability(mode: str, kw: KeywordResult, needed: bool) -> None:
    assert needs_probability(topic(mode), kw) is needed


def test_skipping_the_model_never_changes_the_decision() -> None:
    """Where needs_probability is False, any probability gives the same alert and score."""
    for mode in ("keyword", "gate", "model", "either"):
        for kw in (MATCHED, WEAK, UNMATCHED):
            t = topic(mode, model_t=0.9)
            if needs_probability(t, kw):
                continue
            decisions = {(decide(t, kw, p, "a").alert, decide(t, kw, p, "a").score)
                         for p in (None, 0.0, 0.5, 1.0)}
            assert len(decisions) == 1, (mode, kw, decisions)


def test_a_floor_makes_the_model_needed_for_keyword_matches_too() -> None:
    floored = FakeTopic("t", Spec("either", 0.9, floor=0.05))
    assert needs_probability(floored, MATCHED)
    assert not needs_probability(topic("either", model_t=0.9), MATCHED)
