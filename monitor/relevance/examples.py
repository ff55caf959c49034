"""Run the examples embedded in rule files (`monitor rules test`) through the keyword engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from monitor.relevance.matching import KeywordEngine
from monitor.relevance.topics import RuleSet, Topic

__all__ = ["ExampleResult", "run_examples"]


@dataclass(frozen=True)
class ExampleResult:
    topic: str
    file: str
    line: int
    title: str
    expected: bool
    got: bool
    score: float

    @property
    def ok(self) -> bool:
        return self.expected == self.got

    @property
    def status(self) -> str:
        return "ok" if self.ok else "FAIL"

    def __str__(self) -> str:
        want = "match" if self.expected else "no-match"
        got = "match" if self.got else "no-match"
        return (f"{self.file}:{self.line}: [{self.topic}] expected {want}, got {got}"
                f" (score {self.score:.2f}): {self.title[:70]}")


def run_examples(ruleset: RuleSet, engine: KeywordEngine | None = None,
                 topics: Callable[[Topic], bool] | None = None) -> list[ExampleResult]:
    """Run every topic's embedded examples through the keyword engine."""
    if engine is None:
        engine = KeywordEngine(ruleset.topics)
    results: list[ExampleResult] = []
    for topic in ruleset.topics:
        if topics is not None and not topics(topic):
            continue
        for ex in topic.examples:
            res = engine.score_topic(topic.name, ex.title, ex.text, ex.language, ex.source)
            results.append(ExampleResult(topic.name, topic.source_file, ex.line,
                                         ex.title or ex.text[:70], ex.expect, res.matched,
                                         res.score))
    return results
