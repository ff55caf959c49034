"""Plain data crossing stage boundaries. Frozen, typed, no I/O, no clock.

Times are timezone-aware UTC datetimes everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


@dataclass(frozen=True)
class Article:
    """One article as every stage after `parse` sees it."""

    id: str  # stable id: sha1 of feed + guid/canonical url (or the replay input id)
    feed: str  # feed URL or name it came from ("" in replay)
    url: str  # canonical URL ("" when unknown)
    guid: str | None
    title: str
    summary: str  # clean text (HTML stripped)
    content: str  # clean full text when known, else ""
    language: str | None  # ISO 639-1 code or None
    published: datetime | None
    fetched: datetime
    content_hash: str  # hash of normalised title+text, see monitor.relevance.text
    source: str = ""  # outlet name (feed title or input `source`)
    published_is_guess: bool = False  # True when `published` fell back to first-seen time

    @property
    def text(self) -> str:
        """Body text to match: the full text when known, else the summary."""
        return self.content or self.summary


@dataclass(frozen=True)
class Evidence:
    """One keyword hit: which term of which group matched where."""

    term: str  # the lexicon term (normalised) that matched
    group: str  # lexicon group name, or "" for a literal term in the query
    field: str  # "title" or "text"
    start: int  # offsets in the *normalised* field text
    end: int


@dataclass(frozen=True)
class KeywordResult:
    topic: str
    matched: bool  # the boolean query is satisfied
    score: float  # weighted keyword score in [0, 1]
    evidence: tuple[Evidence, ...] = ()
    snippet: str = ""  # short excerpt around the first hits, plain text


@dataclass(frozen=True)
class Match:
    """An article scored against one topic, with the reasons."""

    article_id: str
    topic: str
    score: float  # combined score in [0, 1]
    alert: bool  # relevant enough to alert (before story dedup)
    keyword: KeywordResult
    probability: float | None = None  # classifier probability, None when no model
    reason: str = ""  # human sentence: why it passed or not


@dataclass(frozen=True)
class DedupDecision:
    """What dedup decided for one article."""

    article_id: str
    duplicate_of: str | None  # earlier article this one repeats (exact or near copy)
    story: str  # story id the article belongs to
    kind: str  # "new" | "exact" | "near" | "story"  (story = same event, other text)
    updated: bool = False  # an already-seen article whose text or title changed
    merged: tuple[str, ...] = ()  # stories this article linked to `story`, now part of it


class AlertState(str, Enum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # failed at least once, will retry at next_attempt
    DEAD = "dead"  # gave up after the retry limit


@dataclass(frozen=True)
class Alert:
    id: int
    story: str
    topic: str
    channel: str
    article_id: str
    score: float
    state: AlertState
    attempts: int
    created: datetime
    next_attempt: datetime
    last_error: str = ""
    kind: str = "article"  # "article" | "followup" | "ops" | "digest"
    payload: dict = field(default_factory=dict, compare=False, hash=False)
