"""Topics as the engine sees them: terms, alias groups, a parsed query, classifier settings.

Frozen values built by `monitor.relevance.rules` from the rule files.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.relevance.query import Node, atoms

__all__ = ["ClassifierSpec", "Example", "Group", "RuleSet", "Term", "Topic"]


@dataclass(frozen=True)
class Term:
    """A lexicon or query term as written (`*` at a word's end = prefix)."""

    text: str
    language: str = "any"
    line: int = 0


@dataclass(frozen=True)
class Group:
    name: str
    key: str  # unique across the rule set: "name" (shared) or "topic/name" (local)
    terms: tuple[Term, ...]
    source_file: str
    line: int = 0


@dataclass(frozen=True)
class ClassifierSpec:
    mode: str = "keyword"
    threshold: float = 0.5
    training: str | None = None
    floor: float = 0.0  # `either`: the probability a keyword match still needs


@dataclass(frozen=True)
class Example:
    title: str
    text: str
    language: str | None
    expect: bool  # True: must match; False: must not match
    line: int = 0
    note: str = ""
    source: str = ""  # the outlet or feed name, for `source:` scopes


@dataclass(frozen=True)
class Topic:
    name: str
    description: str
    source_file: str
    query_source: str
    query: Node
    groups: tuple[Group, ...]  # the groups the query uses
    threshold: float = 0.5
    min_weight: float = 0.0
    saturation: float | None = None  # None: the weight of every positive atom
    classifier: ClassifierSpec = ClassifierSpec()
    examples: tuple[Example, ...] = ()
    line: int = 1

    def group(self, name: str) -> Group:
        for g in self.groups:
            if g.name == name:
                return g
        raise KeyError(name)

    @property
    def literals(self) -> tuple[str, ...]:
        """Literal terms written directly in the query."""
        return tuple(dict.fromkeys(a.value for a in atoms(self.query) if a.kind == "term"))


@dataclass(frozen=True)
class RuleSet:
    topics: tuple[Topic, ...]
    lexicon: tuple[Group, ...]  # shared groups from rules/lexicon/
    fingerprint: str  # sha1 over every rule and lexicon file (name + bytes)

    def topic(self, name: str) -> Topic:
        for t in self.topics:
            if t.name == name:
                return t
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.topics)
