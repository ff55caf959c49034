"""Orchestration of every stage after fetch: score -> stories -> route -> outbox.

Used by the daemon (articles from feeds) and by `monitor replay` (articles from a
file). The stages themselves are pure; this module wires them to the store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from monitor.config import Config
from monitor.delivery.outbox_policy import next_digest_time
from monitor.delivery.route import route
from monitor.models import Article, DedupDecision, KeywordResult, Match
from monitor.relevance.matching import KeywordEngine
from monitor.relevance.scoring import decide, needs_probability
from monitor.relevance.topics import RuleSet, Topic
from monitor.state.store import Store, parse_ts
from monitor.stories.grouping import DedupInput, StoryIndex

log = logging.getLogger(__name__)

WARM_UP_BATCH = 500


@dataclass(frozen=True)
class Processed:
    article: Article
    decision: DedupDecision
    matches: tuple[Match, ...]
    alerts_queued: tuple[int, ...] = ()


@dataclass
class Scorer:
    """Keyword engine + classifier over a batch: one vectorisation for all topics."""

    ruleset: RuleSet
    models: object | None = None  # monitor.relevance.classify.ModelSet when trained
    engine: KeywordEngine = field(init=False)

    def __post_init__(self) -> None:
        self.engine = KeywordEngine(self.ruleset.topics)
        self.topics: dict[str, Topic] = {t.name: t for t in self.ruleset.topics}

    def score(self, articles: Sequence[Article]) -> list[tuple[Match, ...]]:
        return self.score_with_concepts(articles)[0]

    def score_with_concepts(self, articles: Sequence[Article]) -> tuple[list[tuple[Match, ...]], list[frozenset[str]]]:
        """Matches per article, and the lexicon groups found in each (story evidence)."""
        engine = self.engine
        prepared = [engine.prepare(a.title, a.text, a.language, a.source) for a in articles]
        keyword = [engine.score_prepared(p) for p in prepared]
        concepts = [engine.concepts(p) for p in prepared]
        probabilities = self._probabilities(articles, keyword)
        out: list[tuple[Match, ...]] = []
        for i, a in enumerate(articles):
            ms = []
            for name, topic in self.topics.items():
                kw = keyword[i].get(name) or KeywordResult(topic=name, matched=False, score=0.0)
                p = probabilities.get(name, {}).get(i)
                ms.append(decide(topic, kw, p, a.id))
            out.append(tuple(ms))
        return out, concepts

    def _probabilities(self, articles: Sequence[Article], keyword: list[dict[str, KeywordResult]]) -> dict[str, dict[int, float]]:
        """Model probabilities only where they can change the decision (skip the rest)."""
        if self.models is None:
            return {}
        wanted: dict[str, list[int]] = {}
        for name, topic in self.topics.items():
            mode = topic.classifier.mode
            if mode == "keyword" or not self.models.has(name):  # type: ignore[attr-defined]
                continue
            empty = KeywordResult(topic=name, matched=False, score=0.0)
            idx = [i for i, kw in enumerate(keyword) if needs_probability(topic, kw.get(name) or empty)]
            if idx:
                wanted[name] = idx
        if not wanted:
            return {}
        union = sorted({i for idx in wanted.values() for i in idx})
        titles = [articles[i].title for i in union]
        texts = [articles[i].text for i in union]
        probs = self.models.predict(titles, texts, topics=list(wanted))  # type: ignore[attr-defined]
        pos = {i: k for k, i in enumerate(union)}
        return {name: {i: float(probs[name][pos[i]]) for i in idx} for name, idx in wanted.items()}


ENTITY_LEXICONS = ("countries", "leaders")  # shared lexicon files whose groups name entities


def entity_groups(ruleset: RuleSet) -> frozenset[str]:
    return frozenset(g.name for g in ruleset.lexicon if Path(g.source_file).stem in ENTITY_LEXICONS)


def article_from_row(row: dict[str, object]) -> Article:
    return Article(
        id=str(row["id"]), feed=str(row["feed"]), url=str(row["url"]), guid=row["guid"],  # type: ignore[arg-type]
        title=str(row["title"]), summary=str(row["summary"]), content=str(row["content"]),
        language=row["language"], published=parse_ts(row["published"]),  # type: ignore[arg-type]
        fetched=parse_ts(row["fetched"]), content_hash=str(row["content_hash"]),  # type: ignore[arg-type]
        source=str(row["source"] or ""), published_is_guess=bool(row["published_is_guess"]),
    )


class Pipeline:
    """Runs articles through score, dedup, storage and the outbox."""

    def __init__(self, config: Config, scorer: Scorer, store: Store, index: StoryIndex | None = None) -> None:
        self.config = config
        self.scorer = scorer
        self.store = store
        d = config.model.dedup
        self.index = index or StoryIndex(window=timedelta(hours=d.window_hours),
                                          story_window=timedelta(hours=d.story_window_hours),
                                          near_threshold=d.near_threshold,
                                          entity_features=entity_groups(scorer.ruleset))

    def warm_up(self, store: Store, now: datetime) -> int:
        """After a restart, rebuild the story window from stored articles (oldest first)."""
        n = 0
        batch: list[Article] = []
        stories: list[str] = []
        observed: list[datetime] = []

        def flush() -> None:
            concepts = [self.scorer.engine.concepts(self.scorer.engine.prepare(a.title, a.text, a.language, a.source))
                        for a in batch]
            self.index.restore_batch([_dedup_input(a, c) for a, c in zip(batch, concepts, strict=True)],
                                     stories, observed)

        for row in store.articles_since(now - self.index.window):
            article = article_from_row(row)
            batch.append(article)
            stories.append(str(row["story"] or article.id))
            observed.append(parse_ts(row["fetched"]) or now)
            if len(batch) >= WARM_UP_BATCH:
                flush()
                n += len(batch)
                batch, stories, observed = [], [], []
        if batch:
            flush()
            n += len(batch)
        if n:
            log.info("story window rebuilt from %d stored articles", n)
        return n

    def process(self, articles: Sequence[Article], now: Callable[[Article], datetime], *,
                queue_alerts: bool = True) -> list[Processed]:
        """Score in one batch, then group, store and queue alerts article by article, in order.

        `queue_alerts=False` (a replay without --deliver) writes no alert at all: a queued
        alert is sent by the next delivery pass, whoever runs it.
        """
        scored, concepts = self.scorer.score_with_concepts(articles)
        times = [now(a) for a in articles]
        items = [_dedup_input(a, c) for a, c in zip(articles, concepts, strict=True)]
        decisions = self.index.observe_batch(items, times)
        results = []
        with self.store.atomic():
            for article, matches, decision, t in zip(articles, scored, decisions, times, strict=True):
                for absorbed in decision.merged:
                    self.store.merge_story(absorbed, decision.story)
                self.store.save_article(article, decision)
                self.store.save_matches([m for m in matches if m.score > 0 or m.alert], t)
                self.store.touch_story(decision.story, article.title, t)
                queued: list[int] = []
                if queue_alerts and not decision.updated:
                    queued = self._queue_alerts(article, decision, matches, t)
                    if decision.story != article.id:
                        queued += self._queue_followups(article, decision, t)
                results.append(Processed(article, decision, matches, tuple(queued)))
        return results

    def _queue_followups(self, article: Article, decision: DedupDecision, now: datetime) -> list[int]:
        """A story that spreads fast (N new outlets within M minutes) earns one follow-up
        per channel it already alerted, and another each time N more outlets join."""
        d = self.config.model.dedup
        if not self.index.escalation(decision.story, now, new_outlets=d.escalation_outlets,
                                     within=d.escalation_minutes):
            return []
        stats = self.index.story_stats(decision.story)
        if stats is None:
            return []
        step = len(stats.outlets) // d.escalation_outlets
        queued = []
        for topic, channel in self.store.story_alert_targets(decision.story):
            alert_id = self.store.enqueue_alert(
                dedup_key=f"{decision.story}|{topic}|{channel}|followup|{step}", story=decision.story,
                topic=topic, channel=channel, article_id=article.id, score=1.0, now=now, kind="followup",
                payload=_followup_payload(article, len(stats.outlets), len(stats.languages)))
            if alert_id is not None:
                queued.append(alert_id)
        return queued

    def _queue_alerts(self, article: Article, decision: DedupDecision, matches: tuple[Match, ...], now: datetime) -> list[int]:
        """One alert per story, topic and channel: later articles of the story only count."""
        queued = []
        channels = self.config.channels
        for m in matches:
            for delivery in route(m, self.config.routes, now, channels):
                not_before = delivery.not_before
                spec = channels.get(delivery.channel)
                if delivery.mode == "digest" and spec is not None and spec.digest_schedule is not None:
                    not_before = next_digest_time(spec.digest_schedule, now)
                alert_id = self.store.enqueue_alert(
                    dedup_key=f"{decision.story}|{m.topic}|{delivery.channel}|article",
                    story=decision.story, topic=m.topic, channel=delivery.channel, article_id=article.id,
                    score=m.score, now=now, payload=_payload(article, m), not_before=not_before,
                )
                if alert_id is not None:
                    queued.append(alert_id)
        return queued


def _followup_payload(article: Article, outlets: int, languages: int) -> dict[str, object]:
    return {
        "title": article.title, "url": article.url, "source": article.source or article.feed,
        "language": article.language, "published": article.published.isoformat() if article.published else None,
        "snippet": f"Story spreading: now reported by {outlets} outlets in {languages} languages.",
        "terms": [],
    }


def _dedup_input(article: Article, concepts: frozenset[str]) -> DedupInput:
    return DedupInput(
        article_id=article.id, url=article.url, guid=article.guid, title=article.title, text=article.text,
        source=article.source or article.feed, language=article.language,
        published=article.published or article.fetched, features=concepts,
    )


def _payload(article: Article, m: Match) -> dict[str, object]:
    """What the renderer needs, frozen at queue time so a pruned article still renders."""
    return {
        "title": article.title, "url": article.url, "source": article.source or article.feed,
        "language": article.language, "published": article.published.isoformat() if article.published else None,
        "snippet": m.keyword.snippet, "terms": sorted({e.term for e in m.keyword.evidence})[:12],
        "reason": m.reason, "probability": m.probability,
    }
