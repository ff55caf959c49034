"""Why did a topic fire (or not) on an article: the data behind `monitor explain` (pure).

The rich view of it lives in `monitor.commands.explainview`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from monitor.models import KeywordResult
from monitor.relevance.query import TraceNode, evaluate, max_weight, positive_atoms

if TYPE_CHECKING:
    from monitor.relevance.matching import KeywordEngine

__all__ = ["Explanation", "TermMatch", "explain"]


@dataclass(frozen=True)
class TermMatch:
    """One term hit of the topic's atoms in the normalised article."""

    atom: str  # query atom key: "@group" or the literal
    group: str  # group name ("" for a literal)
    term: str  # normalised term that matched
    field: str  # "title" | "text"
    start: int  # offsets in the normalised field
    end: int
    word: int
    sentence: int
    role: str  # "support" (makes the query true), "negated" (under NOT), "unused"


@dataclass(frozen=True)
class Explanation:
    topic: str
    query: str
    language: str | None
    title: str  # normalised
    text: str  # normalised
    matches: tuple[TermMatch, ...]
    tree: TraceNode | None
    weight: float  # weight of the distinct supporting atoms
    saturation: float
    min_weight: float
    result: KeywordResult


def explain(engine: KeywordEngine, topic_name: str, title: str, text: str,
            language: str | None = None, source: str = "") -> Explanation:
    """Evaluate one topic on one article, keeping every intermediate value."""
    topic = engine.topic(topic_name)
    prepared = engine.prepare(title, text, language, source)
    hits = engine.topic_hits(topic_name, prepared)
    evaluation = evaluate(topic.query, hits, trace=True)
    support = set(evaluation.support)
    positive = {a.key for a in positive_atoms(topic.query)}
    matches: list[TermMatch] = []
    for key, found in hits.items():
        group = key[1:] if key.startswith("@") else ""
        for hit in found:
            if (key, hit) in support:
                role = "support"
            elif key not in positive:
                role = "negated"
            else:
                role = "unused"
            matches.append(TermMatch(key, group, hit.term, hit.field, hit.start, hit.end,
                                     hit.word, hit.sentence, role))
    matches.sort(key=lambda m: (m.field != "title", m.start, m.end))
    result = engine.score_topic(topic_name, title, text, language, source)
    return Explanation(
        topic=topic.name,
        query=topic.query_source.strip(),
        language=language,
        title=prepared.title_norm,
        text=prepared.text_norm,
        matches=tuple(matches),
        tree=evaluation.trace,
        weight=evaluation.weight,
        saturation=engine.saturation(topic_name) or max_weight(topic.query),
        min_weight=topic.min_weight,
        result=result,
    )
